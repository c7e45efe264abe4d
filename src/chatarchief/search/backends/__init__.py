"""The two index layouts behind one interface: `get_backend()` picks the one of the database in use.

Both index exactly the forms `core.search.analysis.index_forms` produces and compile the same query
tree, so they find the same messages; only the relevance order is each engine's own (FTS5 bm25,
PostgreSQL ts_rank), with time as the tie-break.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import connection, connections

from chatarchief.core.search import IndexForms, Node

ENTRY_TABLE = "search_searchentry"
ENTRY_COLUMNS = (
    "id",
    "message_id",
    "custodian_id",
    "conversation_id",
    "sent_at_ms",
    "channel",
    "sender",
    "sender_words",
    "text",
    "digest",
)


@dataclass(slots=True)
class EntryRow:
    """One message as it goes into the index."""

    key: int
    message_id: int
    custodian_id: int
    conversation_id: int
    sent_at_ms: int
    channel: str
    sender: str
    sender_words: str
    text: str
    digest: str
    forms: IndexForms

    def columns(self) -> tuple[object, ...]:
        return (
            self.key,
            self.message_id,
            self.custodian_id,
            self.conversation_id,
            self.sent_at_ms,
            self.channel,
            self.sender,
            self.sender_words,
            self.text,
            self.digest,
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """A search as the backends run it: the query tree and every filter, already checked."""

    tree: Node
    custodian_ids: tuple[int, ...]
    conversation_id: int | None
    key_low: int | None
    key_high: int | None
    sender_words: tuple[str, ...]
    channel: str | None
    excluded_conversation_ids: tuple[int, ...]
    sort: str  # "time" (newest first) or "relevance"
    limit: int
    offset: int


def known_total(plan: Plan, found: int) -> int | None:
    """The total when a page shows it (a short page is the last one), else None: count."""
    if found < plan.limit and (found > 0 or plan.offset == 0):
        return plan.offset + found
    return None


class Backend(Protocol):
    def insert(self, rows: Sequence[EntryRow]) -> None: ...

    def finish(self, inserted: int) -> None: ...

    def delete(self, keys: Sequence[int]) -> None: ...

    def compact(self) -> None: ...

    def scrub(self) -> None: ...

    def page(self, plan: Plan) -> tuple[int, list[int]]: ...


FULLTEXT_TABLES = {"sqlite": ("search_fts",), "postgresql": ("search_document", "search_termcount")}


def clear_fulltext_without_entries(using: str = "default", **_: object) -> None:
    """Empty the full-text table when the entries are gone (after `flush`): an FTS5 row or tsvector
    without its entry would be a hit that cannot be shown. Cheap when entries exist."""
    db = connections[using]
    existing = set(db.introspection.table_names(include_views=False))
    tables = [t for t in FULLTEXT_TABLES.get(db.vendor, ()) if t in existing]
    if not tables:
        return
    with db.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {ENTRY_TABLE} LIMIT 1")  # noqa: S608
        if cursor.fetchone() is None:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def get_backend() -> Backend:
    if connection.vendor == "sqlite":
        from chatarchief.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    if connection.vendor == "postgresql":
        from chatarchief.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise RuntimeError(f"full-text search supports SQLite and PostgreSQL, not {connection.vendor}")
