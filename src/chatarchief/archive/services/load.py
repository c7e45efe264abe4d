"""Stage 3, load: reconcile one parsed conversation with the archive and store the outcome.

One generic loader for every channel. New messages go in with bulk statements (ids allocated up
front, so a million rows take seconds); the rare changed messages (deleted, edited, enriched,
missing) take the careful path in `versions.py`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from chatarchief.archive.models import Attachment, Conversation, Coverage, Delivery, Message, Participant
from chatarchief.archive.services import findings, versions
from chatarchief.core.model import Conversation as ParsedConversation
from chatarchief.core.model import Kind
from chatarchief.core.model import Message as ParsedMessage
from chatarchief.core.reconcile import ArchivedRef, Change, reconcile

BATCH = 20_000


@dataclass
class LoadCounts:
    messages: int = 0
    new: int = 0
    unchanged: int = 0
    enriched: int = 0
    deleted: int = 0
    edited: int = 0
    missing: int = 0

    def add(self, other: LoadCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def allocate_ids(model: type, count: int) -> Sequence[int]:
    """Reserve `count` primary keys for a bulk insert (inside the ingest transaction)."""
    if count == 0:
        return ()
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return range(start, start + count)  # a range, not a list: a million ids cost nothing


def _conversation(custodian_id: int, parsed: ParsedConversation) -> Conversation:
    conversation, created = Conversation.objects.get_or_create(
        custodian_id=custodian_id,
        channel=parsed.channel.value,
        key=parsed.key[:300],
        defaults={"title": parsed.title[:500], "is_group": parsed.is_group, "native_id": parsed.native_id or ""},
    )
    if not created and parsed.is_group and not conversation.is_group:
        Conversation.objects.filter(pk=conversation.pk).update(is_group=True)
    known = set(conversation.participants.values_list("key", flat=True))
    Participant.objects.bulk_create(
        [
            Participant(
                conversation=conversation, key=p.key[:200], name=p.name[:300], phone=p.phone or "", is_self=p.is_self
            )
            for p in {p.key: p for p in parsed.participants}.values()
            if p.key not in known
        ]
    )
    return conversation


def _archived(conversation: Conversation, exported_at: dt.datetime) -> tuple[list[ArchivedRef], set[int]]:
    """The conversation's archived messages, and the ids that have versions or absences (those
    take the careful path even when unchanged). Comparisons with `exported_at` happen in SQL, so a
    million rows need no datetime parsing."""
    when = connection.ops.adapt_datetimefield_value(exported_at)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, sender_key, sent_at_ms / 60000, digest, occurrence, kind, native_id,"
            " CASE WHEN edited THEN 1 ELSE 0 END,"
            " first_seen_at < %s, first_seen_at > %s, precision_ms FROM archive_message WHERE conversation_id = %s",
            [when, when, conversation.pk],
        )
        refs = list(map(ArchivedRef._make, cursor.fetchall()))
        cursor.execute(
            "SELECT DISTINCT message_id FROM archive_messageversion v JOIN archive_message m ON m.id = v.message_id"
            " WHERE m.conversation_id = %s UNION SELECT DISTINCT message_id FROM archive_absence a"
            " JOIN archive_message m ON m.id = a.message_id WHERE m.conversation_id = %s",
            [conversation.pk, conversation.pk],
        )
        special = {row[0] for row in cursor.fetchall()}
    return refs, special


# A plain text message names only these columns; the rest take their database defaults (kind
# "text", state "current", ...). The time as written is not copied: source_line points into the
# original, which is kept byte for byte.
_PLAIN = (
    "id, conversation_id, sender_key, digest, occurrence, sender_name, sent_at_ms, precision_ms, body,"
    " sort_index, first_delivery_id, first_seen_at, source_line"
)
_FULL = _PLAIN + ", kind, sent_at_raw, native_id, event, details, edited, outgoing, expires_in_ms, state, deleted_by"
_TEXT = Kind.TEXT


def _is_plain(m: ParsedMessage) -> bool:
    return (
        m.kind is _TEXT
        and m.native_id is None
        and not m.edited
        and m.outgoing is None
        and m.expires_in_ms is None
        and not m.attachments
    )


def _insert_new(
    conversation: Conversation,
    delivery: Delivery,
    exported_at: dt.datetime,
    parsed: list[ParsedMessage],
    positions: list[int],
    keys: list[tuple[str, int, str, int]],
) -> Sequence[int]:
    """Bulk insert the new messages and their attachments, batch by batch (rows are built per
    batch, never all at once). Returns the new ids, in the order of `positions`."""
    ids = allocate_ids(Message, len(positions))
    when = connection.ops.adapt_datetimefield_value(exported_at)
    ids_iter = iter(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(positions), BATCH):
            plain: list[tuple] = []
            full: list[tuple] = []
            attachment_rows: list[tuple] = []
            for position in positions[start : start + BATCH]:
                message_id = next(ids_iter)
                m = parsed[position]
                sender, _minute, digest, occurrence = keys[position]
                name = m.sender_name or ""
                row = (
                    message_id,
                    conversation.pk,
                    sender,
                    digest,
                    occurrence,
                    "" if name == sender else name,
                    m.sent_at_ms,
                    m.precision_ms,
                    m.body,
                    m.index,
                    delivery.pk,
                    when,
                    m.line,
                )
                if _is_plain(m):
                    plain.append(row)
                    continue
                full.append(_full_row(row, m))
                attachment_rows.extend(_attachment_rows(message_id, m))
            _execute_batch(cursor, _PLAIN, plain)
            _execute_batch(cursor, _FULL, full)
            if attachment_rows:
                attachment_ids = allocate_ids(Attachment, len(attachment_rows))
                cursor.executemany(
                    "INSERT INTO archive_attachment (id, message_id, position, blob_id, filename, mime_type, media_type, size, omitted)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [(i, *row) for i, row in zip(attachment_ids, attachment_rows, strict=True)],
                )
    return ids


def _full_row(row: tuple, m: ParsedMessage) -> tuple:
    tomb = m.kind is Kind.DELETED
    details = Message._meta.get_field("details").get_db_prep_save(m.details, connection) if m.details else None
    head = row[:8] + (None if tomb else m.body,) + row[9:]
    return head + (
        m.kind.value,
        m.raw_time[:64],
        m.native_id,
        m.event.value if m.event else "",
        details,
        m.edited,
        m.outgoing,
        m.expires_in_ms,
        "deleted" if tomb else "current",
        m.deleted_by.value if m.deleted_by else "",
    )


def _attachment_rows(message_id: int, m: ParsedMessage) -> list[tuple]:
    return [
        (
            message_id,
            n,
            a.sha256 if a.sha256 and not a.omitted and a.open is not None else None,
            (a.filename or "")[:500],
            (a.mime_type or "")[:200],
            (a.media_type or "")[:32],
            a.size,
            a.omitted,
        )
        for n, a in enumerate(m.attachments)
    ]


def _execute_batch(cursor: object, columns: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join(["%s"] * (columns.count(",") + 1))
        cursor.executemany(f"INSERT INTO archive_message ({columns}) VALUES ({marks})", rows)  # type: ignore[attr-defined]  # noqa: S608


def _coverage(
    conversation: Conversation, delivery: Delivery, exported_at: dt.datetime, parsed: ParsedConversation
) -> Coverage | None:
    span = parsed.span()
    if span is None:
        return None
    return Coverage.objects.create(
        delivery=delivery,
        conversation=conversation,
        exported_at=exported_at,
        first_ms=span[0],
        last_ms=span[1],
        message_count=len(parsed.messages),
    )


def load_conversation(
    custodian_id: int, delivery: Delivery, exported_at: dt.datetime, parsed: ParsedConversation
) -> tuple[Conversation, LoadCounts]:
    conversation = _conversation(custodian_id, parsed)
    archived, special = _archived(conversation, exported_at)
    messages = parsed.messages
    result = reconcile(messages, archived)
    counts = LoadCounts(messages=len(messages), new=len(result.new))
    coverage = _coverage(conversation, delivery, exported_at, parsed)

    new_ids = _insert_new(conversation, delivery, exported_at, messages, result.new, result.keys)
    by_id = {ref.id: ref for ref in archived} if archived else {}
    tally: Counter[Change] = Counter()
    careful: list[tuple[int, int, Change]] = []
    earlier: dict[int, tuple[ParsedMessage, Change]] = {}
    unchanged = Change.UNCHANGED
    for match in result.matches:
        change = match.change
        tally[change] += 1
        ref = by_id[match.archived_id]
        message = messages[match.index]
        if change is not unchanged or ref.id in special or message.precision_ms < ref.precision_ms:
            careful.append((ref.id, match.index, change))
        if ref.seen_after:
            earlier[ref.id] = (message, change)
    counts.unchanged = tally[Change.UNCHANGED]
    counts.enriched = tally[Change.ENRICHED]
    counts.deleted = tally[Change.DELETED]
    counts.edited = tally[Change.EDITED]

    for archived_id, position, change in careful:
        versions.apply(archived_id, messages[position], result.keys[position][2], change, delivery, exported_at)
    if earlier:
        versions.lower_first_seen(conversation.pk, earlier, delivery, exported_at)

    findings.for_new_messages(
        conversation,
        delivery,
        [(i, messages[p]) for p, i in zip(result.new, new_ids, strict=True) if not _is_plain(messages[p])],
    )
    # missing: archived messages this export covers but did not show
    if coverage is not None:
        first_minute, last_minute = coverage.first_ms // 60_000, coverage.last_ms // 60_000
        absent = [
            i for i in result.unmatched if first_minute <= by_id[i].minute <= last_minute and by_id[i].seen_before
        ]
        counts.missing = versions.record_absences(absent, delivery, exported_at)
    # messages this delivery showed first, absent from later deliveries that cover them
    if new_ids and Coverage.objects.filter(conversation=conversation, exported_at__gt=exported_at).exists():
        versions.absences_in_later_deliveries(conversation.pk, exported_at, dict.fromkeys(new_ids))
    return conversation, counts
