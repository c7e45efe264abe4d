"""Writing the index: bulk (re)indexing of messages, and removal that leaves no text behind.

Indexing reads messages with plain SQL in batches, analyses them in Python (core.search) and writes
entries and full-text rows in bulk (executemany on SQLite, COPY on PostgreSQL): no triggers, no
per-row ORM saves. Every function is idempotent: indexing again replaces, syncing skips what is
current (same digest and time), removing what is gone removes nothing.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

from chatarchief.archive.models import Conversation, Coverage
from chatarchief.core.search import index_forms, words
from chatarchief.core.search.keys import assign_keys
from chatarchief.search.backends import ENTRY_TABLE, EntryRow, get_backend

BATCH = 20_000
BULK_CACHE_KIB = 256 * 1024  # SQLite page cache while indexing in bulk
_CHUNK = 10_000  # ids per IN (...) list
_RETRIES = 5

try:
    import psycopg

    _INTEGRITY: tuple[type[Exception], ...] = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)
except ImportError:  # pragma: no cover (psycopg is a dependency)
    _INTEGRITY = (IntegrityError, sqlite3.IntegrityError)


def _in(column: str, ids: Sequence[int]) -> tuple[str, list[object]]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _select(sql: str, column: str, ids: Sequence[int]) -> list[tuple]:
    """`sql` with ``{where}`` replaced by ``column IN ids``, run in chunks."""
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            condition, params = _in(column, ids[start : start + _CHUNK])
            cursor.execute(sql.format(where=condition), params)
            rows.extend(cursor.fetchall())
    return rows


_MESSAGES = (
    "SELECT m.id, m.conversation_id, c.custodian_id, c.channel, m.sent_at_ms, m.sender_name, m.sender_key,"
    " m.body, m.digest FROM archive_message m JOIN archive_conversation c ON c.id = m.conversation_id"
    " WHERE {where}"
)
_FILES = "SELECT message_id, filename FROM archive_attachment WHERE {where} AND filename <> '' ORDER BY position, id"


def _entry_rows(message_ids: Sequence[int]) -> list[EntryRow]:
    files: dict[int, list[str]] = defaultdict(list)
    for message_id, filename in _select(_FILES, "message_id", message_ids):
        files[message_id].append(filename)
    rows = []
    sender_words: dict[str, str] = {}
    for mid, conversation_id, custodian_id, channel, ms, sender_name, sender_key, body, digest in _select(
        _MESSAGES, "m.id", message_ids
    ):
        text = "\n".join([body or "", *files.get(mid, ())]) if mid in files else (body or "")
        sender = sender_name or sender_key or ""
        if sender not in sender_words:
            sender_words[sender] = f" {' '.join(words(sender))} "
        rows.append(
            EntryRow(
                0, mid, custodian_id, conversation_id, ms, channel, sender, sender_words[sender], text, digest,
                index_forms(text),
            )
        )  # fmt: skip
    return rows


def _existing_keys(message_ids: Sequence[int]) -> list[int]:
    return [r[0] for r in _select(f"SELECT id FROM {ENTRY_TABLE} WHERE {{where}}", "message_id", message_ids)]  # noqa: S608


def _store(rows: list[EntryRow]) -> None:
    """Insert rows with fresh time keys; a key taken by another message moves to the next slot."""
    backend = get_backend()
    taken: set[int] = set()
    for _ in range(_RETRIES):
        keys = assign_keys([(r.sent_at_ms, r.message_id) for r in rows], set(taken))
        for row, key in zip(rows, keys, strict=True):
            row.key = key
        rows.sort(key=lambda r: r.key)  # B-tree pages filled in order
        try:
            with transaction.atomic():
                backend.insert(rows)
            return
        except _INTEGRITY:
            clashes = _select(f"SELECT id FROM {ENTRY_TABLE} WHERE {{where}}", "id", keys)  # noqa: S608
            if not clashes:
                raise
            taken.update(r[0] for r in clashes)
    raise RuntimeError("search index: no free time key after several tries")


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """SQLite: a bigger page cache while indexing in bulk (the index's B-trees are written in time
    order, not in message order); the connection's own size comes back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        former = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {min(former, -BULK_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {former}")


def index_messages(message_ids: Iterable[int]) -> int:
    """(Re)index these messages, whatever the index holds for them. Returns the number indexed."""
    return _reindex(sorted(set(message_ids)), None)


def _reindex(ids: list[int], old_keys: list[int] | None) -> int:
    """Index `ids`, first removing their entries (`old_keys` when the caller knows them)."""
    backend = get_backend()
    done = 0
    with transaction.atomic(), _large_page_cache():
        if old_keys:
            backend.delete(old_keys)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            old = _existing_keys(batch) if old_keys is None else []
            if old:
                backend.delete(old)
            rows = _entry_rows(batch)
            if rows:
                _store(rows)
            done += len(rows)
        if done:
            backend.finish(done)
    return done


_STALE = (
    "SELECT m.id, e.id FROM archive_message m LEFT JOIN search_searchentry e ON e.message_id = m.id AND {entries}"
    " WHERE {where} AND (e.id IS NULL OR e.digest <> m.digest OR e.sent_at_ms <> m.sent_at_ms)"
)


def _stale(conversation_ids: Sequence[int]) -> list[tuple[int, int | None]]:
    """(message id, its entry's id or None) for every message of these conversations whose entry is
    missing or out of date. The entries are read by their conversation (an index range): joined on
    the message id alone, PostgreSQL hash-joined the whole entry table, a cost that grew with the
    archive (538 ms for one conversation at a million messages). A message without an entry in its
    conversation is looked up by id, so that an entry filed elsewhere is replaced, not doubled."""
    rows: list[tuple[int, int | None]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(conversation_ids), _CHUNK):
            chunk = conversation_ids[start : start + _CHUNK]
            entries, entry_params = _in("e.conversation_id", chunk)
            where, params = _in("m.conversation_id", chunk)
            cursor.execute(_STALE.format(entries=entries, where=where), [*entry_params, *params])
            rows.extend(cursor.fetchall())
    unmatched = [message_id for message_id, entry_id in rows if entry_id is None]
    if unmatched:
        sql = "SELECT message_id, id FROM search_searchentry WHERE {where}"
        elsewhere = dict(_select(sql, "message_id", unmatched))
        rows = [(m, elsewhere.get(m) if e is None else e) for m, e in rows]
    return rows


def index_conversations(conversation_ids: Iterable[int]) -> int:
    """Index every message of these conversations that the index lacks or holds in an older form."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return 0
    stale = _stale(ids)
    return _reindex(sorted(r[0] for r in stale), [r[1] for r in stale if r[1] is not None])


def index_conversation(conversation_id: int) -> int:
    return index_conversations([conversation_id])


def index_custodian(custodian_id: int) -> int:
    return index_conversations(Conversation.objects.filter(custodian_id=custodian_id).values_list("pk", flat=True))


def index_delivery(delivery_id: int) -> int:
    """Index what a delivery brought or changed: the conversations it covered, synced."""
    return index_conversations(
        Coverage.objects.filter(delivery_id=delivery_id).values_list("conversation_id", flat=True)
    )


def _secure_delete(on: bool | int) -> int:
    """Set SQLite's secure_delete (freed space overwritten with zeros); returns the former value."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        former = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA secure_delete = {int(on)}")
    return former


def remove_messages(message_ids: Iterable[int]) -> int:
    """Remove these messages from the index, leaving none of their words in it.

    On SQLite the rows are deleted with ``secure_delete`` on (freed space is zeroed) and the FTS5
    index is merged into one segment ('optimize'), which drops the deleted rows' tokens. After the
    transaction commits, call `scrub_freed_space()` (WAL checkpoint on SQLite; VACUUM FULL of the
    index table on PostgreSQL). Returns the number of entries removed.
    """
    ids = sorted(set(message_ids))
    backend = get_backend()
    with transaction.atomic():
        keys = _existing_keys(ids)
        former = _secure_delete(True)
        try:
            if keys:
                backend.delete(keys)
                backend.compact()
        finally:
            _secure_delete(former)
    return len(keys)


def remove_conversation(conversation_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT message_id FROM {ENTRY_TABLE} WHERE conversation_id = %s", [conversation_id])  # noqa: S608
        message_ids = [r[0] for r in cursor.fetchall()]
    return remove_messages(message_ids)


_ORPHANS = (
    "SELECT e.message_id FROM search_searchentry e LEFT JOIN archive_message m ON m.id = e.message_id"
    " WHERE m.id IS NULL"
)


def remove_orphans() -> int:
    """Remove the entries whose message is gone (deleted without `remove_messages`): a safety net
    for the exclusion procedure to run after deleting messages. Returns the number removed."""
    with connection.cursor() as cursor:
        cursor.execute(_ORPHANS)
        message_ids = [r[0] for r in cursor.fetchall()]
    return remove_messages(message_ids) if message_ids else 0


def scrub_freed_space() -> None:
    """After a removal has committed: leave no old page image behind (outside any transaction).

    SQLite: ``PRAGMA wal_checkpoint(TRUNCATE)`` (the WAL holds the pages as they were).
    PostgreSQL: ``VACUUM FULL ANALYZE`` of search_document and search_searchentry (plain VACUUM
    keeps dead tuples' bytes and the GIN index's keys; this rewrites both; it locks the tables).
    """
    if connection.in_atomic_block:
        raise RuntimeError("scrub_freed_space() runs after the removal's transaction, outside any transaction")
    get_backend().scrub()
