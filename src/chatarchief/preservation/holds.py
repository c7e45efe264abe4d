"""Legal holds: a custodian's archive or one conversation, optionally limited to a period, that may
not be destroyed (disposition) or excluded (review) while the hold stands (a Woo request, litigation).

`blocking(...)` lists the active holds that cover what is about to go; `require_not_held(...)` raises
a `HeldError` naming the hold (id and reason) and audits the refusal. Every destructive path calls
it first: `review.exclusion.execute` and `preservation.disposition.execute`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chatarchief.archive.models import Conversation, Custodian
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.preservation.models import LegalHold


class HeldError(ChatarchiefError):
    """What was asked would destroy or exclude content under a legal hold."""

    def __init__(self, hold: LegalHold, action: str) -> None:
        self.hold = hold
        super().__init__(
            "preservation.held",
            nl=f"Geweigerd ({action}): valt onder juridische bewaarplicht {hold.pk} ({describe(hold, 'nl')}).",
            en=f"Refused ({action}): under legal hold {hold.pk} ({describe(hold, 'en')}).",
        )


def describe(hold: LegalHold, lang: str = "nl") -> str:
    nl = lang.startswith("nl")
    if hold.conversation_id:
        what = (f"gesprek {hold.conversation_id}") if nl else f"conversation {hold.conversation_id}"
    else:
        what = (f"archief van {hold.custodian.slug}") if nl else f"archive of {hold.custodian.slug}"
    if hold.period_from or hold.period_to:
        start = hold.period_from.isoformat() if hold.period_from else "…"
        end = hold.period_to.isoformat() if hold.period_to else "…"
        what += f", {start} – {end}"
    return f"{what}; {'reden' if nl else 'reason'}: {hold.reason}"


def _not_found(kind: str, ref: Any) -> ChatarchiefError:
    names = {
        "custodian": ("bewaarder", "custodian"),
        "conversation": ("gesprek", "conversation"),
        "hold": ("bewaarplicht", "hold"),
    }
    nl, en = names[kind]
    return ChatarchiefError(f"preservation.unknown_{kind}", nl=f"Onbekende {nl}: {ref}.", en=f"Unknown {en}: {ref}.")


def add(
    *,
    actor: str,
    reason: str,
    custodian: str | Custodian | None = None,
    conversation: int | Conversation | None = None,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
) -> LegalHold:
    """Put a custodian's archive or one conversation (in a period, when given) under a legal hold."""
    if not reason.strip():
        raise ChatarchiefError("preservation.no_reason", nl="Geef een reden op.", en="Give a reason.")
    if period_from and period_to and period_from > period_to:
        raise ChatarchiefError(
            "preservation.bad_period", nl="De periode eindigt voor ze begint.", en="The period ends before it starts."
        )
    if isinstance(custodian, str):
        found = Custodian.objects.filter(slug=custodian).first()
        if found is None:
            raise _not_found("custodian", custodian)
        custodian = found
    if isinstance(conversation, int):
        conv = Conversation.objects.select_related("custodian").filter(pk=conversation).first()
        if conv is None:
            raise _not_found("conversation", conversation)
        conversation = conv
    if conversation is not None and custodian is None:
        custodian = conversation.custodian
    with transaction.atomic():
        hold = LegalHold.objects.create(
            custodian=custodian,
            conversation=conversation,
            conversation_ref=getattr(conversation, "pk", None),
            period_from=period_from,
            period_to=period_to,
            reason=reason.strip(),
            created_by=actor,
        )
        log.hold_added(actor, hold)
    return hold


def remove(hold_id: int, *, actor: str) -> LegalHold:
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise _not_found("hold", hold_id)
        if hold.removed_at is None:
            hold.removed_at = timezone.now()
            hold.removed_by = actor
            hold.save(update_fields=["removed_at", "removed_by"])
            log.hold_removed(actor, hold)
    return hold


def active() -> list[LegalHold]:
    return list(LegalHold.objects.filter(removed_at__isnull=True).select_related("custodian"))


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def blocking(
    *,
    custodian: Custodian | int | None = None,
    conversation: Conversation | int | None = None,
    period_from: dt.date | dt.datetime | None = None,
    period_to: dt.date | dt.datetime | None = None,
) -> list[LegalHold]:
    """The active holds covering the custodian's archive or the conversation in the period (no period:
    any time). A hold on a custodian covers all its conversations; a hold on a conversation covers
    that conversation only."""
    conversation_id = getattr(conversation, "pk", conversation)
    custodian_id = getattr(custodian, "pk", custodian)
    if conversation_id is not None and custodian_id is None:
        custodian_id = Conversation.objects.filter(pk=conversation_id).values_list("custodian_id", flat=True).first()
    subject = Q(custodian_id=custodian_id, conversation__isnull=True) if custodian_id is not None else Q(pk__in=[])
    if conversation_id is not None:
        subject |= Q(conversation_id=conversation_id)
    holds = LegalHold.objects.filter(subject, removed_at__isnull=True).select_related("custodian")
    start, end = _day(period_from), _day(period_to)
    if end is not None:
        holds = holds.filter(Q(period_from__isnull=True) | Q(period_from__lte=end))
    if start is not None:
        holds = holds.filter(Q(period_to__isnull=True) | Q(period_to__gte=start))
    return list(holds.order_by("id"))


def require_not_held(*, action: str, actor: str = "system", **what: Any) -> None:
    """Raise HeldError naming the first hold that covers `what` (see `blocking`); the refusal is audited."""
    found = blocking(**what)
    if found:
        log.hold_refused(actor, found[0], action)
        raise HeldError(found[0], action)


def require_exclusion_allowed(decision: Any, *, actor: str) -> None:
    """For review.exclusion.execute: refuse when a hold covers the decision's conversation in the span
    of the messages it would exclude."""
    from django.db.models import Max, Min

    from chatarchief.archive.models import Message

    if decision.conversation_id is None:
        return
    messages = Message.objects.filter(conversation_id=decision.conversation_id)
    if decision.message_ids:
        messages = messages.filter(pk__in=decision.message_ids)
    span = messages.aggregate(first=Min("sent_at_ms"), last=Max("sent_at_ms"))
    moment = {k: dt.datetime.fromtimestamp(v / 1000, tz=dt.UTC) if v is not None else None for k, v in span.items()}
    require_not_held(
        action="exclusion",
        actor=actor,
        custodian=decision.custodian_id,
        conversation=decision.conversation_id,
        period_from=moment["first"],
        period_to=moment["last"],
    )
