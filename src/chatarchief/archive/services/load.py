"""Stage 3, load: reconcile one parsed conversation with the archive and store the outcome.

One generic loader for every channel. New messages go in with bulk statements (ids allocated up
front, so a million rows take seconds); the rare changed messages (deleted, edited, enriched,
missing) take the careful path in `versions.py`. Storage only: the loader says which messages it
added and changed (`Touched`), and compliance derives its findings from the archive's state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, eq, not_

from django.db import connection

from chatarchief.archive.models import Attachment, Conversation, Coverage, Delivery, Message, Participant
from chatarchief.archive.services import versions
from chatarchief.core.identity import SEPARATOR, Keys
from chatarchief.core.model import Conversation as ParsedConversation
from chatarchief.core.model import Kind, MessageColumns
from chatarchief.core.model import Message as ParsedMessage
from chatarchief.core.reconcile import ArchivedRef, Change, Reconciliation, reconcile

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


@dataclass
class Touched:
    """What loading one conversation of one delivery did to the archive: the messages it added
    (`new`, ids in insertion order; a range on SQLite) and the archived ones whose forms, absences
    or first delivery it changed (`changed`, new ones with an edit history included)."""

    conversation_id: int
    channel: str
    delivery_id: int
    custodian_id: int
    messages: int  # messages of this conversation in the export
    new: Sequence[int] = ()
    changed: set[int] = field(default_factory=set)


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


_REF_COLUMNS = (
    "id, sender_key, {minute}, digest, occurrence, kind, native_id, CASE WHEN edited THEN 1 ELSE 0 END,"
    " first_seen_at < %s, first_seen_at > %s, precision_ms"
)
# The minute of `identity.match_key` (sent_at_ms // 60_000, floored) in SQL, where `/` truncates towards zero.
_MINUTE = "(sent_at_ms - ((sent_at_ms %% 60000) + 60000) %% 60000) / 60000"  # %% : a literal % beside params
# `identity.match_key` in SQL: minute, occurrence, digest and sender joined by the separator.
_MATCH_KEY = f"CAST({_MINUTE} AS TEXT) || %s || CAST(occurrence AS TEXT) || %s || digest || %s || sender_key"
_IN_CHUNK = 900  # ids per IN (...) list: below SQLite's limit on parameters


class DatabaseArchive:
    """The archived messages of one conversation as reconciliation asks for them (the `Archive`
    of core/reconcile.py): a match-key index of every message (two columns, built in SQL), and
    full rows only for what the keys leave open. Comparisons with `exported_at` happen in SQL, so a
    million rows need no datetime parsing."""

    def __init__(self, conversation_id: int, exported_at: dt.datetime, finest_precision_ms: int) -> None:
        self.conversation_id = conversation_id
        self.when = connection.ops.adapt_datetimefield_value(exported_at)
        self.finest = finest_precision_ms
        self.fetched: dict[int, ArchivedRef] = {}
        self._flags: tuple[set[int], dict[int, int], bool] | None = None

    def keyed(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_MATCH_KEY}, id FROM archive_message WHERE conversation_id = %s",  # noqa: S608
                [SEPARATOR, SEPARATOR, SEPARATOR, self.conversation_id],
            )
            return dict(cursor)  # rows straight into the dict: no list of a million tuples first

    def _flagged(self) -> tuple[set[int], dict[int, int], bool]:
        """One pass for the rare rows: first seen after this export, coarser in time than the
        export's finest message, or with a source id."""
        if self._flags is None:
            later: set[int] = set()
            coarse: dict[int, int] = {}
            native = False
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, first_seen_at > %s, precision_ms, native_id FROM archive_message"
                    " WHERE conversation_id = %s AND (first_seen_at > %s OR precision_ms > %s"
                    " OR (native_id IS NOT NULL AND native_id <> ''))",
                    [self.when, self.conversation_id, self.when, self.finest],
                )
                for message_id, after, precision, native_id in cursor.fetchall():
                    if after:
                        later.add(message_id)
                    if precision > self.finest:
                        coarse[message_id] = precision
                    native = native or bool(native_id)
            self._flags = (later, coarse, native)
        return self._flags

    def has_native_ids(self) -> bool:
        return self._flagged()[2]

    def seen_after(self) -> set[int]:
        """Ids first seen after this export (it showed them earlier)."""
        return self._flagged()[0]

    def coarser(self) -> dict[int, int]:
        """Id -> precision_ms of messages whose time is coarser than this export's finest."""
        return self._flagged()[1]

    def refs(self, ids: Collection[int] | None = None) -> list[ArchivedRef]:
        select = "SELECT " + _REF_COLUMNS.format(minute=_MINUTE) + " FROM archive_message WHERE conversation_id = %s"
        params: list[object] = [self.when, self.when, self.conversation_id]
        rows: list[tuple] = []
        with connection.cursor() as cursor:
            if ids is None or len(ids) > 20 * _IN_CHUNK:
                cursor.execute(select, params)
                rows = cursor.fetchall()
                if ids is not None:
                    wanted = ids if isinstance(ids, (set, frozenset, dict)) else set(ids)
                    rows = [row for row in rows if row[0] in wanted]
            else:
                ordered = sorted(ids)
                for start in range(0, len(ordered), _IN_CHUNK):
                    chunk = ordered[start : start + _IN_CHUNK]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"{select} AND id IN ({marks})", [*params, *chunk])
                    rows.extend(cursor.fetchall())
        refs = sorted(map(ArchivedRef._make, rows))
        self.fetched.update((ref.id, ref) for ref in refs)
        return refs

    def special(self) -> set[int]:
        """Ids that have versions or absences: they take the careful path even when unchanged."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT message_id FROM archive_messageversion v JOIN archive_message m ON m.id = v.message_id"
                " WHERE m.conversation_id = %s UNION SELECT DISTINCT message_id FROM archive_absence a"
                " JOIN archive_message m ON m.id = a.message_id WHERE m.conversation_id = %s",
                [self.conversation_id, self.conversation_id],
            )
            return {row[0] for row in cursor.fetchall()}


# A plain text message names only these columns; the rest take their database defaults (kind
# "text", state "current", ...). The time as written is not copied: source_line points into the
# original, which is kept byte for byte.
_PLAIN = (
    "id, conversation_id, sender_key, digest, occurrence, sender_name, sent_at_ms, precision_ms, body,"
    " sort_index, first_delivery_id, first_seen_at, source_line"
)
_FULL = _PLAIN + ", kind, sent_at_raw, native_id, event, details, edited, outgoing, expires_in_ms, state, deleted_by"


# A message is plain when these fields have these values (the shared empty tuple included; a text
# with another empty sequence as attachments takes the full path, which stores the same).
_PLAIN_FIELDS = attrgetter("kind", "native_id", "edited", "outgoing", "expires_in_ms", "attachments")
_PLAIN_VALUES = (Kind.TEXT, None, False, None, None, ())
_PLAIN_COLUMNS = attrgetter("sent_at_ms", "precision_ms", "body", "index")
_NAME = attrgetter("sender_name")
_LINE = attrgetter("line")


def plain_flags(parsed: Sequence[ParsedMessage], positions: list[int]) -> list[bool]:
    """For each position, whether the message there is plain (it goes in with `_PLAIN` columns)."""
    if isinstance(parsed, MessageColumns):  # plain unless the parser kept an object for it
        objects = parsed.objects
        flags = list(map(not_, map(objects.__contains__, positions)))
        if objects:
            for n in compress(range(len(positions)), map(not_, flags)):
                flags[n] = _PLAIN_FIELDS(objects[positions[n]]) == _PLAIN_VALUES
        return flags
    return list(map(eq, map(_PLAIN_FIELDS, map(parsed.__getitem__, positions)), repeat(_PLAIN_VALUES)))


def _insert_new(
    conversation: Conversation,
    delivery: Delivery,
    exported_at: dt.datetime,
    parsed: Sequence[ParsedMessage],
    positions: list[int],
    keys: Keys,
) -> tuple[Sequence[int], list[bool]]:
    """Bulk insert the new messages and their attachments, batch by batch (rows are built per
    batch from columns, never all at once). Returns the new ids, in the order of `positions`, and
    for each whether it was plain."""
    ids = allocate_ids(Message, len(positions))
    when = connection.ops.adapt_datetimefield_value(exported_at)
    flags = plain_flags(parsed, positions)
    cid, did = conversation.pk, delivery.pk
    rows: Callable[..., list[tuple]] = _column_rows if isinstance(parsed, MessageColumns) else _object_rows
    with connection.cursor() as cursor:
        for start in range(0, len(positions), BATCH):
            stop = start + BATCH
            batch, batch_flags, batch_ids = positions[start:stop], flags[start:stop], ids[start:stop]
            if all(batch_flags):
                _execute_batch(cursor, _PLAIN, rows(batch_ids, cid, did, when, parsed, batch, keys))
                continue
            plain_ids, plain_positions = list(compress(batch_ids, batch_flags)), list(compress(batch, batch_flags))
            _execute_batch(cursor, _PLAIN, rows(plain_ids, cid, did, when, parsed, plain_positions, keys))
            others = list(map(not_, batch_flags))
            full_ids, full_positions = list(compress(batch_ids, others)), list(compress(batch, others))
            full_messages = list(map(parsed.__getitem__, full_positions))
            base = rows(full_ids, cid, did, when, parsed, full_positions, keys)  # the plain columns first
            full = list(map(_full_row, base, full_messages))
            attachment_rows = [
                row for i, m in zip(full_ids, full_messages, strict=True) for row in _attachment_rows(i, m)
            ]
            _execute_batch(cursor, _FULL, full)
            if attachment_rows:
                attachment_ids = allocate_ids(Attachment, len(attachment_rows))
                _insert_rows(
                    cursor,
                    "archive_attachment",
                    "id, message_id, position, blob_id, filename, mime_type, media_type, size, omitted",
                    [(i, *row) for i, row in zip(attachment_ids, attachment_rows, strict=True)],
                )
    return ids, flags


def _names(names: Iterable[str | None], senders: list[str]) -> list[str]:
    """The sender name as written, or "" when it is the sender key (most are)."""
    return [("" if name == sender or not name else name) for name, sender in zip(names, senders, strict=True)]


def _column_rows(
    ids: Sequence[int], cid: int, did: int, when: object, table: MessageColumns, positions: list[int], keys: Keys
) -> list[tuple]:
    """Rows for `_PLAIN` straight from the parser's columns (position = the message's index)."""
    return _rows(
        ids,
        (cid, did, when),
        keys,
        positions,
        map(table.names.__getitem__, positions),
        (
            map(table.sent_at_ms.__getitem__, positions),
            map(table.precisions.__getitem__, positions),
            map(table.bodies.__getitem__, positions),
            positions,
        ),
        map(table.lines.__getitem__, positions),
    )


def _object_rows(
    ids: Sequence[int],
    cid: int,
    did: int,
    when: object,
    parsed: Sequence[ParsedMessage],
    positions: list[int],
    keys: Keys,
) -> list[tuple]:
    """Rows for `_PLAIN` from message objects, column by column with C-level maps."""
    messages = list(map(parsed.__getitem__, positions))
    columns = zip(*map(_PLAIN_COLUMNS, messages), strict=True) if messages else ((), (), (), ())
    return _rows(ids, (cid, did, when), keys, positions, map(_NAME, messages), columns, map(_LINE, messages))


def _rows(
    ids: Sequence[int],
    fixed: tuple[int, int, object],
    keys: Keys,
    positions: list[int],
    names: Iterable[str | None],
    columns: Iterable[Iterable[object]],
    lines: Iterable[int],
) -> list[tuple]:
    """`_PLAIN` rows zipped from columns: `columns` gives sent_at_ms, precision_ms, body, sort_index."""
    cid, did, when = fixed
    senders = list(map(keys.senders.__getitem__, positions))
    sent, precision, body, index = columns
    return list(
        zip(
            ids,
            repeat(cid),
            senders,
            map(keys.digests.__getitem__, positions),
            map(keys.occurrences.__getitem__, positions),
            _names(names, senders),
            sent,
            precision,
            body,
            index,
            repeat(did),
            repeat(when),
            lines,
            strict=False,  # repeat() never ends; the columns are equally long
        )
    )


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
    _insert_rows(cursor, "archive_message", columns, rows)


def _insert_rows(cursor: object, table: str, columns: str, rows: list[tuple]) -> None:
    """Insert rows: PostgreSQL's COPY (one stream, no per-row statement: several times faster than
    executemany for a million rows), elsewhere executemany."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        raw = cursor.cursor  # type: ignore[attr-defined]  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
        return
    marks = ", ".join(["%s"] * (columns.count(",") + 1))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # type: ignore[attr-defined]  # noqa: S608


ANALYZE_AFTER = 50_000  # new messages in one delivery after which the planner's statistics are refreshed


def refresh_statistics(new_messages: int) -> bool:
    """After a big load, bring the query planner's statistics up to date (autovacuum would, later):
    `ANALYZE` on PostgreSQL, `PRAGMA optimize` on SQLite. Outside the load's transaction."""
    if new_messages < ANALYZE_AFTER:
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE archive_message")
            cursor.execute("ANALYZE archive_conversation")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
    return True


# tables whose planner statistics the workers keep current between loads (`analyze_stale`, from
# their housekeeping), whatever autovacuum's settings: loads of a few hundred messages each never
# reach ANALYZE_AFTER, and a plan made on the statistics of an empty table is wrong by orders of
# magnitude (a search within one conversation took 650-800 ms instead of 10 at 17 M messages)
STATISTICS_TABLES = (
    "archive_message",
    "archive_conversation",
    "search_searchentry",
    "search_document",
    "search_termcount",
)
STALE_FRACTION = 0.1  # of a table's rows changed since its last ANALYZE
STALE_MIN_ROWS = 50_000


def analyze_stale(min_rows: int = STALE_MIN_ROWS, fraction: float = STALE_FRACTION) -> list[str]:
    """PostgreSQL: ANALYZE each of STATISTICS_TABLES whose rows changed since its last analysis (by
    anyone: autovacuum, a load, this) by at least `min_rows` and more than `fraction` of its rows
    (`pg_stat_user_tables`). Returns the tables analysed; SQLite: none (`PRAGMA optimize` after big
    loads, `refresh_statistics`)."""
    if connection.vendor != "postgresql":
        return []
    return _maintain("ANALYZE", "n_mod_since_analyze", STATISTICS_TABLES, min_rows, fraction)


def _maintain(command: str, counter: str, tables: Sequence[str], min_rows: int, fraction: float) -> list[str]:
    """Run `command` on each of `tables` whose `counter` in `pg_stat_user_tables` is at least
    `min_rows` and more than `fraction` of its live rows; the tables, in name order."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT relname, {counter}, n_live_tup FROM pg_stat_user_tables"  # noqa: S608  (a fixed column name)
            " WHERE schemaname = current_schema() AND relname = ANY(%s) ORDER BY relname",
            [list(tables)],
        )
        stale = [name for name, count, live in cursor.fetchall() if count >= min_rows and count > fraction * live]
        for name in stale:
            cursor.execute(f'{command} "{name}"')
    return stale


# tables rewritten in place by upserts (a word's count changes with every indexing run of its
# custodian): each update leaves a dead row version. Without autovacuum (this project's CI machine)
# `search_termcount` held 8.7 million dead versions beside 2.9 million live rows after two months of a
# 1,000-custodian ministry, 789 MB, and a search's word-count lookup read 2,800 heap pages instead of
# its index alone (7.7 -> 3.5 ms after VACUUM)
VACUUM_TABLES = ("search_termcount",)
DEAD_FRACTION = 0.5  # dead row versions, of the live rows


def vacuum_stale(min_rows: int = STALE_MIN_ROWS, fraction: float = DEAD_FRACTION) -> list[str]:
    """PostgreSQL: VACUUM (ANALYZE) each of VACUUM_TABLES holding at least `min_rows` dead row
    versions and more than `fraction` of its live rows (`pg_stat_user_tables`), as autovacuum would.
    Returns the tables vacuumed. Not inside a transaction (VACUUM cannot run in one): then none."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []
    return _maintain("VACUUM (ANALYZE)", "n_dead_tup", VACUUM_TABLES, min_rows, fraction)


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
) -> tuple[Conversation, LoadCounts, Touched]:
    conversation = _conversation(custodian_id, parsed)
    messages = parsed.messages
    finest = min(
        messages.precisions if isinstance(messages, MessageColumns) else map(attrgetter("precision_ms"), messages),
        default=1,
    )
    archive = DatabaseArchive(conversation.pk, exported_at, finest)
    result = reconcile(messages, archive)
    counts = LoadCounts(messages=len(messages), new=len(result.new))
    coverage = _coverage(conversation, delivery, exported_at, parsed)

    new_ids, plain = _insert_new(conversation, delivery, exported_at, messages, result.new, result.keys)
    touched = Touched(conversation.pk, conversation.channel, delivery.pk, custodian_id, len(messages), new_ids)
    careful, earlier = _careful(archive, result, messages)
    tally = Counter(match.change for match in result.aligned)
    counts.unchanged = len(result.exact_ids) + tally[Change.UNCHANGED]
    counts.enriched = tally[Change.ENRICHED]
    counts.deleted = tally[Change.DELETED]
    counts.edited = tally[Change.EDITED]

    for archived_id, position, change in careful:
        versions.apply(archived_id, messages[position], result.keys.digests[position], change, delivery, exported_at)
    touched.changed.update(archived_id for archived_id, _, _ in careful)
    if earlier:
        touched.changed |= versions.lower_first_seen(conversation.pk, earlier, delivery, exported_at)
    # new messages that bring their own edit history (Signal, Telegram): one version per revision
    for message_id, position in compress(zip(new_ids, result.new, strict=True), map(not_, plain)):
        if messages[position].revisions:
            versions.add_revisions(message_id, messages[position], delivery)
            touched.changed.add(message_id)
    # missing: archived messages this export covers but did not show
    if coverage is not None:
        first_minute, last_minute = coverage.first_ms // 60_000, coverage.last_ms // 60_000
        absent = [r.id for r in result.unmatched if first_minute <= r.minute <= last_minute and r.seen_before]
        counts.missing = versions.record_absences(absent, delivery, exported_at)
        touched.changed.update(absent)
    # messages this delivery showed first, absent from later deliveries that cover them
    if new_ids and Coverage.objects.filter(conversation=conversation, exported_at__gt=exported_at).exists():
        touched.changed |= versions.absences_in_later_deliveries(conversation.pk, exported_at, dict.fromkeys(new_ids))
    return conversation, counts, touched


def _careful(
    archive: DatabaseArchive, result: Reconciliation, messages: Sequence[ParsedMessage]
) -> tuple[list[tuple[int, int, Change]], dict[int, tuple[ParsedMessage, Change]]]:
    """Matches that need more than a count: changed ones, ones with versions or absences, ones
    this export times more precisely, and ones first archived from a later export (this older
    one showed them earlier). Exact matches are looked at only when one of those sets is not empty."""
    special, later, coarse = archive.special(), archive.seen_after(), archive.coarser()
    careful: list[tuple[int, int, Change]] = []
    earlier: dict[int, tuple[ParsedMessage, Change]] = {}
    unchanged = Change.UNCHANGED
    candidates = [(m.archived_id, m.index, m.change) for m in result.aligned]
    if result.exact_ids and (special or later or coarse):
        look = special.union(later, coarse)
        candidates += [
            (i, p, unchanged) for i, p in zip(result.exact_ids, result.exact_positions, strict=True) if i in look
        ]
    for archived_id, position, change in candidates:
        message = messages[position]
        if (
            change is not unchanged
            or archived_id in special
            or (archived_id in coarse and message.precision_ms < coarse[archived_id])
        ):
            careful.append((archived_id, position, change))
        if archived_id in later:
            earlier[archived_id] = (message, change)
    return careful, earlier
