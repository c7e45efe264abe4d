"""Choices of the review app: labels, decision and proposal states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelChoice(models.TextChoices):
    """The labels of `core.rules.labels.Label`, for forms and models (Dutch first)."""

    BUSINESS = "business", _("Zakelijk")
    PRIVATE = "private", _("Privé")
    PARTY = "party", _("Partijpolitiek")


EXCLUDED_LABELS = frozenset({LabelChoice.PRIVATE.value, LabelChoice.PARTY.value})


class DecisionStatus(models.TextChoices):
    FINAL = "final", _("Besloten (zakelijk)")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Wacht op bevestiging door een tweede beoordelaar")
    EXCLUDED = "excluded", _("Bevestigd en uit het archief verwijderd")
    SUPERSEDED = "superseded", _("Vervangen door een later besluit")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Besloten")


class OriginalChangeKind(models.TextChoices):
    DESTROYED = "destroyed", _("Origineel vernietigd")
    DERIVED = "derived", _("Vervangen door een afgeleid origineel")


class QueueReason(models.TextChoices):
    """Why an item is on the stand-up's agenda (in this order)."""

    PROPOSAL = "proposal", _("Voorstel van de functionaris")
    DISAGREEMENT = "disagreement", _("Regels en model zijn het oneens")
    EXCLUDE = "exclude", _("Regels wijzen op privé of partijpolitiek")
    DOUBTFUL = "doubtful", _("Label onzeker")
