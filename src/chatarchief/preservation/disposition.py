"""Disposition: a destruction list (vernietigingslijst) of conversations whose retention period has
ended, approved by a records manager (role `reviewer`, informatiebeheerder) and a second person with
another role (`admin` or `operator`), then executed: content destroyed as an exclusion destroys it
(messages, versions, media, search entries, findings; originals destroyed or derived without the
conversation; freed space scrubbed, see review.exclusion and review.scrub), a tombstone kept on each
item, every step audited. Execution is refused, before anything is destroyed, when a legal hold
covers any item (the hold is named).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.access.constants import Role
from chatarchief.archive.models import Conversation, Delivery, Message
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.preservation import holds, retention
from chatarchief.preservation.models import DispositionItem, DispositionList, DispositionStatus

MANAGER_ROLE = Role.REVIEWER
SECOND_ROLES = (Role.ADMIN, Role.OPERATOR)


def _error(code: str, nl: str, en: str) -> ChatarchiefError:
    return ChatarchiefError(f"preservation.{code}", nl=nl, en=en)


def _moment(ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC) if ms is not None else None


def _span(conversation_id: int) -> dict[str, Any]:
    return Message.objects.filter(conversation_id=conversation_id).aggregate(
        first=Min("sent_at_ms"), last=Max("sent_at_ms")
    )


def propose(*, actor: str, as_of: dt.date | None = None) -> tuple[DispositionList | None, list[dict[str, Any]]]:
    """A destruction list of every conversation whose period ended by `as_of` (today), not already on
    an open list; conversations under a legal hold are left off and returned as (conversation, hold)."""
    as_of = as_of or timezone.localdate()
    open_refs = set(
        DispositionItem.objects.exclude(disposition__status=DispositionStatus.EXECUTED).values_list(
            "conversation_ref", flat=True
        )
    )
    due: list[tuple[Conversation, str, dt.date]] = []
    held: list[dict[str, Any]] = []
    for conversation in Conversation.objects.select_related("custodian").order_by("id"):
        if conversation.pk in open_refs:
            continue
        found = retention.category_of(conversation)
        ends = retention.expires_on(conversation, found) if found else None
        if ends is None or ends > as_of:
            continue
        span = _span(conversation.pk)
        blocking = holds.blocking(
            conversation=conversation, period_from=_moment(span["first"]), period_to=_moment(span["last"])
        )
        if blocking:
            held.append({"conversation_id": conversation.pk, "hold_id": blocking[0].pk})
            continue
        due.append((conversation, found.code if found else "", ends))
    if not due:
        return None, held
    with transaction.atomic():
        record = DispositionList.objects.create(as_of=as_of, proposed_by=actor)
        for conversation, code, ends in due:
            DispositionItem.objects.create(
                disposition=record,
                custodian_id=conversation.custodian_id,
                conversation=conversation,
                conversation_ref=conversation.pk,
                channel=conversation.channel,
                category_code=code,
                expired_on=ends,
                message_count=Message.objects.filter(conversation=conversation).count(),
            )
        log.disposition_proposed(actor, record, items=len(due), held=len(held))
    return record, held


def get(list_id: int) -> DispositionList:
    found = DispositionList.objects.filter(pk=list_id).first()
    if found is None:
        raise _error(
            "unknown_list", f"Onbekende vernietigingslijst: {list_id}.", f"Unknown destruction list: {list_id}."
        )
    return found


def approve(list_id: int, user: Any, *, actor: str) -> DispositionList:
    """One approval: the records manager's (role reviewer), or the second (admin or operator, another
    person). Both given: the list is approved."""
    roles = access.roles_of(user)
    name = getattr(user, "username", str(user))
    with transaction.atomic():
        record = DispositionList.objects.select_for_update().get(pk=get(list_id).pk)
        if record.status != DispositionStatus.PROPOSED:
            raise _error(
                "not_proposed",
                f"Lijst {record.pk} wacht niet op goedkeuring.",
                f"List {record.pk} is not awaiting approval.",
            )
        if name in (record.manager_approved_by, record.second_approved_by):
            raise _error(
                "same_person",
                "U keurde deze lijst al goed: een tweede persoon keurt goed.",
                "You already approved this list: a second person approves.",
            )
        now = timezone.now()
        if not record.manager_approved_by and MANAGER_ROLE in roles:
            record.manager_approved_by, record.manager_approved_at, role = name, now, str(MANAGER_ROLE)
        elif not record.second_approved_by and (second := next((r for r in SECOND_ROLES if r in roles), None)):
            record.second_approved_by, record.second_role, record.second_approved_at = name, str(second), now
            role = str(second)
        else:
            raise _error(
                "may_not_approve",
                "Goedkeuren vraagt een informatiebeheerder en daarna een beheerder of Doc-Direkt/secretariaat (een ander persoon).",
                "Approval needs a records manager (reviewer) and a second person who is admin or operator.",
            )
        if record.manager_approved_by and record.second_approved_by:
            record.status = DispositionStatus.APPROVED
        record.save()
        log.disposition_approved(actor, record, role=role)
    return record


def execute(list_id: int, *, actor: str) -> DispositionList:
    """Destroy the approved list's conversations (see the module's docstring). Refused under a hold."""
    from chatarchief.review import exclusion, fingerprints, originals, scrub

    record = get(list_id)
    if record.status != DispositionStatus.APPROVED:
        raise _error(
            "not_approved",
            f"Lijst {record.pk} is niet (of niet door twee rollen) goedgekeurd, of al uitgevoerd.",
            f"List {record.pk} is not approved (by two roles), or was executed already.",
        )
    items = list(record.items.select_related("custodian").order_by("id"))
    for item in items:  # every hold checked before anything is destroyed
        span = _span(item.conversation_ref)
        holds.require_not_held(
            action="disposition",
            actor=actor,
            conversation=item.conversation_ref,
            custodian=item.custodian_id,
            period_from=_moment(span["first"]),
            period_to=_moment(span["last"]),
        )
    removed: list[str] = []
    with scrub.secure_delete(), transaction.atomic():
        for item in items:
            conversation = Conversation.objects.filter(pk=item.conversation_ref).first()
            if conversation is None:
                continue
            ids = list(Message.objects.filter(conversation=conversation).values_list("id", flat=True))
            span = _span(conversation.pk)
            item.period_from, item.period_to, item.message_count = (
                _moment(span["first"]),
                _moment(span["last"]),
                len(ids),
            )
            fp = fingerprints.conversation_fingerprint(item.custodian_id, conversation.channel, conversation.key)
            deliveries = list(Delivery.objects.filter(coverage__conversation=conversation).distinct().order_by("id"))
            media = exclusion.purge_messages(ids)
            exclusion.purge_conversation(conversation)
            candidates = list(media)
            gone_from = originals.Excluded(conversations={fp})
            for delivery in deliveries:
                delivery.refresh_from_db()
                change = originals.rewrite(
                    delivery, item.custodian, gone_from, covers_remaining=delivery.coverage.exists()
                )
                item.destroyed_originals += int(change.kind == "destroyed")
                item.derived_originals += int(change.kind == "derived")
                candidates += originals.apply(delivery, change, None)
            gone = exclusion.delete_unreferenced(candidates)
            item.removed_media = len(set(gone) & set(media))
            removed += gone
            item.conversation, item.executed_at = None, timezone.now()
            item.save()
        record.status = DispositionStatus.EXECUTED
        record.executed_by, record.executed_at = actor, timezone.now()
        record.save(update_fields=["status", "executed_by", "executed_at"])
        log.disposition_executed(
            actor,
            record,
            conversations=len(items),
            messages=sum(i.message_count for i in items),
            removed_files=len(removed),
        )
        transaction.on_commit(lambda: exclusion.remove_files(removed))
    scrub.after_exclusion()
    return record


def as_dict(record: DispositionList) -> dict[str, Any]:
    return {
        "list_id": record.pk,
        "status": record.status,
        "as_of": record.as_of.isoformat(),
        "approvals": {
            "records_manager": record.manager_approved_by or None,
            "second": record.second_approved_by or None,
            "second_role": record.second_role or None,
        },
        "items": [
            {
                "conversation_id": i.conversation_ref,
                "custodian": i.custodian.slug,
                "channel": i.channel,
                "category": i.category_code,
                "expired_on": i.expired_on.isoformat(),
                "messages": i.message_count,
                "period_from": i.period_from.isoformat() if i.period_from else None,
                "period_to": i.period_to.isoformat() if i.period_to else None,
                "executed_at": i.executed_at.isoformat() if i.executed_at else None,
            }
            for i in record.items.select_related("custodian").order_by("id")
        ],
    }
