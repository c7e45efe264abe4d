"""The careful path for the few messages an export changes: versions, deletions, edits, absences.

A message is never overwritten. Every form it took (original text, tombstone, edit) is a
MessageVersion dated by the export that showed it; the message's visible fields are derived from
the set of its forms, so the archive ends up the same whatever order the exports arrive in.
Storage only: what these changes mean (deleted, edited, missing findings) is compliance's to say,
from the state left here (chatarchief.compliance.findings).
"""

from __future__ import annotations

import datetime as dt

from chatarchief.archive.models import Absence, Attachment, Coverage, Delivery, Message, MessageVersion
from chatarchief.core.identity import TOMBSTONE, _short_hash, is_placeholder, normalise_text
from chatarchief.core.model import Kind
from chatarchief.core.model import Message as ParsedMessage
from chatarchief.core.reconcile import Change


def _materialise(message: Message) -> list[MessageVersion]:
    """The message's forms; a message seen in one form so far gets that form written out first."""
    forms = list(message.versions.all())
    if forms:
        return forms
    original = MessageVersion.objects.create(
        message=message,
        delivery_id=message.first_delivery_id,
        exported_at=message.first_seen_at,
        kind=message.kind,
        body=message.body,
        digest=message.digest,
        edited=message.edited,
        deleted_by=message.deleted_by,
    )
    return [original]


def _add_form(
    message: Message,
    forms: list[MessageVersion],
    *,
    kind: str,
    body: str | None,
    digest: str,
    edited: bool,
    deleted_by: str,
    delivery: Delivery,
    exported_at: dt.datetime,
    revision: int | None = None,
) -> None:
    for form in forms:
        if form.digest == digest and form.kind == kind:
            if form.exported_at > exported_at:  # an older export showed this form first
                form.exported_at, form.delivery = exported_at, delivery
                form.save(update_fields=["exported_at", "delivery"])
            return
    forms.append(
        MessageVersion.objects.create(
            message=message,
            delivery=delivery,
            exported_at=exported_at,
            kind=kind,
            body=body,
            digest=digest,
            edited=edited,
            deleted_by=deleted_by,
            revision=revision,
        )
    )


def _form_of(parsed: ParsedMessage, digest: str) -> dict[str, object]:
    tomb = parsed.kind is Kind.DELETED
    return {
        "kind": parsed.kind.value,
        "body": None if tomb else parsed.body,
        "digest": digest,
        "edited": parsed.edited,
        "deleted_by": parsed.deleted_by.value if parsed.deleted_by else "",
    }


def _enrich_media(message: Message, parsed: ParsedMessage, digest: str) -> None:
    attachments = list(message.attachments.all())
    for position, incoming in enumerate(parsed.attachments):
        if not incoming.sha256 or incoming.omitted:
            continue
        fields = {
            "blob_id": incoming.sha256,
            "omitted": False,
            "size": incoming.size,
            "filename": (incoming.filename or "")[:500],
            "mime_type": (incoming.mime_type or "")[:200],
        }
        if position < len(attachments):
            Attachment.objects.filter(pk=attachments[position].pk).update(**fields)
        else:
            Attachment.objects.create(
                message=message, position=position, media_type=incoming.media_type or "", **fields
            )
    message.digest = digest
    message.kind = parsed.kind.value


def apply(
    message_id: int, parsed: ParsedMessage, digest: str, change: Change, delivery: Delivery, exported_at: dt.datetime
) -> None:
    message = Message.objects.select_for_update().get(pk=message_id)
    if parsed.precision_ms < message.precision_ms:
        message.sent_at_ms, message.precision_ms = parsed.sent_at_ms, parsed.precision_ms
        message.sent_at_raw = parsed.raw_time[:64]
    if change is Change.ENRICHED and is_placeholder(message.digest):
        _enrich_media(message, parsed, digest)
    elif change is not Change.UNCHANGED or message.versions.exists():
        forms = _materialise(message)
        if not (change is Change.UNCHANGED and is_placeholder(digest)):
            _add_form(message, forms, **_form_of(parsed, digest), delivery=delivery, exported_at=exported_at)
        derive(message, forms)
    message.save()
    refresh_state(message)


def derive(message: Message, forms: list[MessageVersion]) -> None:
    """The visible message from its forms: the newest content, never a tombstone instead of it."""
    content = [f for f in forms if f.kind != Kind.DELETED.value]
    tombs = sorted((f for f in forms if f.kind == Kind.DELETED.value), key=lambda f: (f.exported_at, f.digest))
    if content:
        latest = max(content, key=lambda f: (f.exported_at, f.revision or 0, f.digest))
        message.body, message.kind, message.digest = latest.body, latest.kind, latest.digest
    else:
        message.body, message.kind, message.digest = None, Kind.DELETED.value, TOMBSTONE
    message.edited = any(f.edited for f in content) or len({f.digest for f in content}) > 1
    message.deleted_by = tombs[0].deleted_by if tombs else ""
    if tombs:
        message.state = "deleted"


def refresh_state(message: Message) -> None:
    """current / missing from the absences, unless deleted."""
    if message.state == "deleted":
        return
    absent_in = set(message.absences.values_list("delivery_id", flat=True))
    state = "current"
    if absent_in:
        minute_ms = message.minute * 60_000
        latest = (
            Coverage.objects.filter(
                conversation_id=message.conversation_id,
                first_ms__lte=minute_ms + 59_999,
                last_ms__gte=minute_ms,
                exported_at__gte=message.first_seen_at,
            )
            .order_by("-exported_at", "-delivery_id")
            .values_list("delivery_id", flat=True)
            .first()
        )
        state = "missing" if latest in absent_in else "current"
    if state != message.state:
        Message.objects.filter(pk=message.pk).update(state=state)
        message.state = state


def record_absences(message_ids: list[int], delivery: Delivery, exported_at: dt.datetime) -> int:
    if not message_ids:
        return 0
    Absence.objects.bulk_create(
        [Absence(message_id=i, delivery=delivery, exported_at=exported_at) for i in message_ids], ignore_conflicts=True
    )
    for message in Message.objects.filter(pk__in=message_ids):
        refresh_state(message)
    return len(message_ids)


def lower_first_seen(
    conversation_id: int, shown: dict[int, tuple[ParsedMessage, Change]], delivery: Delivery, exported_at: dt.datetime
) -> set[int]:
    """Messages this (older) delivery showed before the delivery that first archived them.

    The oldest export that showed a message gives its wording (body, sender name, line) and,
    at equal precision, its time; so the archive does not depend on the order of ingest. The
    deliveries in between covered these messages without showing them: those are absences.
    Returns the ids of the messages changed (the shown ones and any with a new absence)."""
    before: dict[int, dt.datetime] = {}
    changed = []
    fields = [
        "first_seen_at",
        "first_delivery",
        "sort_index",
        "source_line",
        "sender_name",
        "body",
        "sent_at_ms",
        "sent_at_raw",
        "precision_ms",
    ]
    for message in Message.objects.filter(pk__in=list(shown)).prefetch_related("versions"):
        parsed, change = shown[message.pk]
        before[message.pk] = message.first_seen_at
        message.first_seen_at, message.first_delivery = exported_at, delivery
        message.sort_index, message.source_line = parsed.index, parsed.line
        if change is Change.UNCHANGED and not message.versions.all():
            name = parsed.sender_name or ""
            message.sender_name = "" if name == message.sender_key else name
            if parsed.kind is not Kind.DELETED:
                message.body = parsed.body
        if parsed.precision_ms <= message.precision_ms:
            message.sent_at_ms, message.precision_ms = parsed.sent_at_ms, parsed.precision_ms
            message.sent_at_raw = parsed.raw_time[:64]
        changed.append(message)
    Message.objects.bulk_update(changed, fields, batch_size=2000)
    return set(shown) | absences_in_later_deliveries(conversation_id, exported_at, before)


def absences_in_later_deliveries(
    conversation_id: int, exported_at: dt.datetime, until: dict[int, dt.datetime | None]
) -> set[int]:
    """Deliveries newer than this one (and older than `until[message]`, if set) that cover a
    message's time yet did not show it. Returns the ids of the messages given an absence."""
    spans = list(
        Coverage.objects.filter(conversation_id=conversation_id, exported_at__gt=exported_at).values_list(
            "delivery_id", "exported_at", "first_ms", "last_ms"
        )
    )
    ids = list(until)
    absent: set[int] = set()
    if not spans or not ids:
        return absent
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        by_delivery: dict[int, list[int]] = {}
        for message_id, sent_at_ms in Message.objects.filter(pk__in=chunk).values_list("pk", "sent_at_ms"):
            minute = sent_at_ms // 60_000
            limit = until[message_id]
            for delivery_id, when, first_ms, last_ms in spans:
                if (limit is None or when < limit) and first_ms // 60_000 <= minute <= last_ms // 60_000:
                    by_delivery.setdefault(delivery_id, []).append(message_id)
        for delivery_id, missing in by_delivery.items():
            delivery = Delivery.objects.get(pk=delivery_id)
            record_absences(missing, delivery, delivery.exported_at or exported_at)
            absent.update(missing)
    return absent


def add_revisions(message_id: int, parsed: ParsedMessage, delivery: Delivery) -> None:
    """A new message that arrives with its own edit history (Signal, Telegram): one version each."""
    message = Message.objects.get(pk=message_id)
    forms = _materialise(message)
    for number, revision in enumerate(parsed.revisions):
        _add_form(
            message,
            forms,
            kind=revision.kind.value,
            body=revision.body,
            digest=_short_hash(normalise_text(revision.body)),
            edited=False,
            deleted_by="",
            delivery=delivery,
            exported_at=message.first_seen_at,
            revision=number,
        )
    current = next(f for f in forms if f.digest == message.digest)
    current.revision = len(parsed.revisions)
    current.save(update_fields=["revision"])
    derive(message, forms)
    message.save()
