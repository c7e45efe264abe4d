"""Choices of the woo app (Dutch first)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    OPEN = "open", _("In behandeling")
    CLOSED = "closed", _("Afgesloten")


class Grouping(models.TextChoices):
    DAY = "day", _("Eén document per gesprek per dag")
    WEEK = "week", _("Eén document per gesprek per week")
    CONVERSATION = "conversation", _("Eén document per gesprek")


class Decision(models.TextChoices):
    OPENBAAR = "openbaar", _("Openbaar")
    DEELS = "deels", _("Deels openbaar")
    NIET = "niet", _("Niet openbaar")
    REEDS = "reeds", _("Reeds openbaar")


class RedactionKind(models.TextChoices):
    PHRASE = "phrase", _("Tekst (elke vindplaats)")
    SPAN = "span", _("Tekstfragment van één bericht")
    MESSAGE = "message", _("Heel bericht")
    SENDER = "sender", _("Naam van een afzender")
    MEDIA = "media", _("Bijlage (geheel of rechthoek)")
