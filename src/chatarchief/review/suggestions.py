"""The suggestion model per organisation: trained on the reviewers' decisions, retrained on demand,
stored as skops bytes (`core.rules.suggest`). Only ever shown as a suggestion.

Training reads the texts decisions were about while they are still in the archive: an exclusion
removes the excluded texts and drops the stored model (its vocabulary may hold their words), so the
next training learns only from what remains (see docs/review.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chatarchief.access import services as access
from chatarchief.archive.models import Message, Organisation
from chatarchief.audit import log
from chatarchief.core.rules.labels import Label
from chatarchief.core.rules.suggest import Decision as Example
from chatarchief.core.rules.suggest import Suggestion, SuggestionModel, train_suggestions
from chatarchief.review.constants import DecisionStatus
from chatarchief.review.models import Decision, SuggestionModelStore

PER_CONVERSATION = 300  # messages of one conversation decision used for training
CONVERSATION_TEXT = 4000  # characters of a conversation's texts given to the model for a suggestion


def examples(organisation: Organisation) -> list[Example]:
    """Every decision of the organisation (not superseded) as training texts with their label."""
    found: list[Example] = []
    decisions = Decision.objects.filter(custodian__organisation=organisation).exclude(status=DecisionStatus.SUPERSEDED)
    for decision in decisions.order_by("id"):
        query = Message.objects.filter(kind__in=("text", "media")).exclude(body=None)
        if decision.message_ids:
            query = query.filter(pk__in=decision.message_ids)
        elif decision.conversation_id:
            query = query.filter(conversation_id=decision.conversation_id)[:PER_CONVERSATION]
        else:
            continue
        found += [Example(body, Label(decision.label)) for body in query.values_list("body", flat=True) if body]
    return found


def retrain(principal: Any, organisation: Organisation, *, actor: str) -> SuggestionModel:
    """Train the organisation's model again from every decision, and store it."""
    if not access.custodians(principal, "classify").filter(organisation=organisation).exists():
        raise access.AccessDenied
    model = train_suggestions(examples(organisation))
    with transaction.atomic():
        SuggestionModelStore.objects.update_or_create(
            organisation=organisation,
            defaults={"data": model.to_bytes(), "decisions": model.decisions, "trained_by": actor},
        )
        log.suggestions_trained(actor, organisation, decisions=model.decisions, status=model.status)
    return model


def model_for(organisation_id: int | None) -> SuggestionModel | None:
    if organisation_id is None:
        return None
    stored = SuggestionModelStore.objects.filter(organisation_id=organisation_id).first()
    return SuggestionModel.from_bytes(bytes(stored.data)) if stored else None


def suggest_texts(model: SuggestionModel | None, texts: list[str]) -> list[Suggestion | None]:
    if model is None or not model.ready:
        return [None] * len(texts)
    return model.suggest_many([text[:CONVERSATION_TEXT] for text in texts])
