"""Retention: selection-list categories per custodian category, overridable per conversation, and
when each conversation's period ends (the ground of a destruction list, see disposition)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chatarchief.archive.models import Conversation, Custodian, CustodianCategory, Message
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.preservation.models import (
    ConversationRetention,
    CustodianTerm,
    RetentionAction,
    RetentionCategory,
    RetentionTrigger,
)


def _error(code: str, nl: str, en: str) -> ChatarchiefError:
    return ChatarchiefError(f"preservation.{code}", nl=nl, en=en)


def add_category(
    *,
    actor: str,
    code: str,
    description: str,
    action: str,
    period_years: int | None = None,
    trigger: str = RetentionTrigger.END_OF_TERM,
    custodian_category: str = "",
) -> RetentionCategory:
    """Add (or change) a selection-list entry. `custodian_category`: it becomes the default of every
    custodian of that category (one default per custodian category)."""
    if action not in RetentionAction.values:
        raise _error("bad_action", f"Onbekende waardering: {action}.", f"Unknown appraisal: {action}.")
    if trigger not in RetentionTrigger.values:
        raise _error("bad_trigger", f"Onbekende start van de termijn: {trigger}.", f"Unknown trigger: {trigger}.")
    if action == RetentionAction.VERNIETIGEN and period_years is None:
        raise _error(
            "no_period",
            "Een categorie 'vernietigen' heeft een bewaartermijn nodig.",
            "A 'vernietigen' category needs a retention period.",
        )
    if custodian_category and custodian_category not in CustodianCategory.values:
        raise _error(
            "bad_category", f"Onbekende categorie: {custodian_category}.", f"Unknown category: {custodian_category}."
        )
    with transaction.atomic():
        if custodian_category:
            RetentionCategory.objects.filter(custodian_category=custodian_category).exclude(code=code).update(
                custodian_category=""
            )
        category, _ = RetentionCategory.objects.update_or_create(
            code=code,
            defaults={
                "description": description,
                "action": action,
                "period_years": period_years,
                "trigger": trigger,
                "custodian_category": custodian_category,
            },
        )
        log.retention_category_set(actor, category)
    return category


def category(code: str) -> RetentionCategory:
    found = RetentionCategory.objects.filter(code=code).first()
    if found is None:
        raise _error("unknown_category", f"Onbekende selectielijstcategorie: {code}.", f"Unknown category: {code}.")
    return found


def override(conversation_id: int, code: str, *, actor: str) -> ConversationRetention:
    conversation = Conversation.objects.select_related("custodian").filter(pk=conversation_id).first()
    if conversation is None:
        raise _error(
            "unknown_conversation", f"Onbekend gesprek: {conversation_id}.", f"Unknown conversation: {conversation_id}."
        )
    with transaction.atomic():
        row, _ = ConversationRetention.objects.update_or_create(
            conversation=conversation, defaults={"category": category(code), "set_by": actor}
        )
        log.retention_overridden(actor, conversation, code)
    return row


def end_term(slug: str, ended_on: dt.date, *, actor: str) -> CustodianTerm:
    custodian = Custodian.objects.filter(slug=slug).first()
    if custodian is None:
        raise _error("unknown_custodian", f"Onbekende bewaarder: {slug}.", f"Unknown custodian: {slug}.")
    with transaction.atomic():
        term, _ = CustodianTerm.objects.update_or_create(custodian=custodian, defaults={"ended_on": ended_on})
        log.term_ended(actor, custodian, ended_on)
    return term


def category_of(conversation: Conversation) -> RetentionCategory | None:
    """The conversation's own category, else its custodian's category's default."""
    own = ConversationRetention.objects.filter(conversation=conversation).select_related("category").first()
    if own is not None:
        return own.category
    return RetentionCategory.objects.filter(custodian_category=conversation.custodian.category).first()


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expires_on(conversation: Conversation, found: RetentionCategory | None = None) -> dt.date | None:
    """The day the conversation's retention period ends; None: kept (bewaren), no category, or the
    trigger has not happened (term not ended)."""
    found = found or category_of(conversation)
    if found is None or found.action != RetentionAction.VERNIETIGEN or found.period_years is None:
        return None
    if found.trigger == RetentionTrigger.END_OF_TERM:
        term = CustodianTerm.objects.filter(custodian_id=conversation.custodian_id).first()
        start = term.ended_on if term else None
    else:
        last = Message.objects.filter(conversation=conversation).aggregate(last=Max("sent_at_ms"))["last"]
        start = (
            timezone.localtime(dt.datetime.fromtimestamp(last / 1000, tz=dt.UTC)).date() if last is not None else None
        )
    return _plus_years(start, found.period_years) if start else None
