"""Message-level findings: one per subject, updated (never duplicated) when more is learnt."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chatarchief.archive.models import Conversation, Delivery, Message, MessageVersion
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.model import Deleter, Kind, SystemEvent
from chatarchief.core.model import Message as ParsedMessage


def upsert(
    type_: str,
    custodian_id: int,
    subject: str,
    *,
    conversation_id: int | None = None,
    message_id: int | None = None,
    delivery_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Finding:
    finding, created = Finding.objects.get_or_create(
        custodian_id=custodian_id,
        type=type_,
        subject=subject,
        defaults={
            "conversation_id": conversation_id,
            "message_id": message_id,
            "delivery_id": delivery_id,
            "details": details or {},
        },
    )
    if not created:
        changed = []
        if details is not None and finding.details != details:
            finding.details = details
            changed.append("details")
        if delivery_id is not None and finding.delivery_id != delivery_id:
            finding.delivery_id = delivery_id
            changed.append("delivery")
        if finding.retracted_at is not None:
            finding.retracted_at = None
            changed.append("retracted_at")
        if changed:
            finding.save(update_fields=changed)
    return finding


def _custodian_id(message: Message) -> int:
    return Conversation.objects.values_list("custodian_id", flat=True).get(pk=message.conversation_id)


def _by(deleted_by: str) -> str:
    return "custodian" if deleted_by == Deleter.SELF.value else "other"


def message_deleted(message: Message, delivery_id: int, *, content_preserved: bool) -> None:
    upsert(
        FindingType.MESSAGE_DELETED,
        _custodian_id(message),
        f"message:{message.pk}",
        conversation_id=message.conversation_id,
        message_id=message.pk,
        delivery_id=delivery_id,
        details={"by": _by(message.deleted_by), "content_preserved": content_preserved},
    )


def message_edited(message: Message, version_count: int) -> None:
    first_edit = (
        MessageVersion.objects.filter(message=message, edited=True)
        .order_by("exported_at", "id")
        .values_list("delivery_id", flat=True)
        .first()
        or message.first_delivery_id
    )
    upsert(
        FindingType.MESSAGE_EDITED,
        _custodian_id(message),
        f"message:{message.pk}",
        conversation_id=message.conversation_id,
        message_id=message.pk,
        delivery_id=first_edit,
        details={"versions": version_count, "content_preserved": True},
    )


def message_missing(message: Message) -> None:
    first = message.absences.order_by("exported_at", "delivery_id").first()
    if first is None:
        return
    upsert(
        FindingType.MESSAGE_MISSING,
        _custodian_id(message),
        f"message:{message.pk}",
        conversation_id=message.conversation_id,
        message_id=message.pk,
        delivery_id=first.delivery_id,
        details={"content_preserved": message.body is not None, "absent_in": message.absences.count()},
    )


SELF_CARRIED = (FindingType.VIEW_ONCE, FindingType.DISAPPEARING_ENABLED, FindingType.DISAPPEARING_DISABLED)


def first_shown_in(message_ids: list[int], single_form: list[int], delivery: Delivery) -> None:
    """Findings a message carries by itself name the first (oldest) delivery that showed it; so do
    a deletion or edit known from one form only (a tombstone or edit marker never seen otherwise)."""
    Finding.objects.filter(message_id__in=message_ids, type__in=SELF_CARRIED).update(delivery=delivery)
    Finding.objects.filter(
        message_id__in=single_form, type__in=(FindingType.MESSAGE_DELETED, FindingType.MESSAGE_EDITED)
    ).update(delivery=delivery)


def _carried(parsed: ParsedMessage) -> tuple[str, dict[str, Any]] | None:
    """The finding a new message carries by itself, if any."""
    kind = parsed.kind
    if kind is Kind.DELETED:
        by = _by(parsed.deleted_by.value if parsed.deleted_by else "")
        return FindingType.MESSAGE_DELETED, {"by": by, "content_preserved": False}
    if kind is Kind.VIEW_ONCE:
        return FindingType.VIEW_ONCE, {"sender": parsed.sender or ""}
    if parsed.event is SystemEvent.DISAPPEARING_ENABLED:
        return FindingType.DISAPPEARING_ENABLED, {
            "timer_seconds": (parsed.details or {}).get("timer_seconds"),
            "by": parsed.sender or "",
        }
    if parsed.event is SystemEvent.DISAPPEARING_DISABLED:
        return FindingType.DISAPPEARING_DISABLED, {"by": parsed.sender or ""}
    if parsed.edited and not parsed.revisions:
        return FindingType.MESSAGE_EDITED, {"versions": 1, "content_preserved": False}
    return None


def for_new_messages(conversation: Conversation, delivery: Delivery, new: Iterable[tuple[int, ParsedMessage]]) -> None:
    """Findings that new messages carry by themselves (tombstone, edit marker, view-once, timers),
    written with one bulk statement: the subjects are new message ids, so they cannot exist yet.
    `new` need only hold the messages that are not plain text (the loader knows which)."""
    from django.db import connection
    from django.utils import timezone

    from chatarchief.archive.services import versions

    details_field = Finding._meta.get_field("details")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for message_id, parsed in new:
        carried = _carried(parsed)
        if carried is not None:
            rows.append(
                (
                    carried[0],
                    conversation.custodian_id,
                    conversation.pk,
                    message_id,
                    delivery.pk,
                    now,
                    details_field.get_db_prep_save(carried[1], connection),
                    f"message:{message_id}",
                )
            )
        if parsed.revisions:
            versions.add_revisions(message_id, parsed, delivery)
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO compliance_finding (type, custodian_id, conversation_id, message_id, delivery_id,"
                " detected_at, details, subject) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
