"""SQLite: an FTS5 table beside the entries, queried with MATCH and rowid (= time key) ranges.

Columns of `search_fts`: `stems` (one stem per position), `variants` (folded words whose stem
differs) and `scope` (tokens ``c<custodian>`` and ``k<conversation>``). The custodian and
conversation filters are part of the MATCH expression and the date range is a rowid range, so a
page and its count never leave the full-text index; the rarer sender and channel filters join the
entries. The custodian filter is the cheapest exact one (see `_scope`): an OR of several big
doclists costs more than the term itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connection

from chatarchief.core.search import to_fts5
from chatarchief.core.search.compile import fts5_string
from chatarchief.search.backends import ENTRY_COLUMNS, ENTRY_TABLE, EntryRow, Plan, known_total

FTS_TABLE = "search_fts"
_CHUNK = 10_000  # parameters per IN (...): below SQLite's limit of 32,766
OPTIMIZE_AFTER = 50_000  # rows indexed in one call that make it worth merging the FTS5 index (see finish)
# bm25 weights per column: stems and variants count, scope and sender tokens do not.
_RANK = f"bm25({FTS_TABLE}, 1.0, 1.0, 0.0)"


def _raw():
    connection.ensure_connection()
    return connection.connection


def _any_of(column: str, tokens: list[str]) -> str:
    return f"{column} : (" + " OR ".join(fts5_string(t) for t in tokens) + ")"


def _scope(custodian_ids: tuple[int, ...]) -> tuple[str | None, str | None, bool]:
    """(must match, must not match, nothing visible) for the custodians a search may show, decided
    against the custodians the index holds: no filter when all are visible."""
    indexed = {r[0] for r in _raw().execute("SELECT custodian_id FROM search_indexedcustodian")}
    visible = sorted(indexed.intersection(custodian_ids))
    hidden = sorted(indexed.difference(custodian_ids))
    if not visible:
        return None, None, True
    if not hidden:
        return None, None, False
    if len(visible) <= len(hidden):
        return _any_of("scope", [f"c{i}" for i in visible]), None, False
    return None, _any_of("scope", [f"c{i}" for i in hidden]), False


def match_expression(plan: Plan, required: str | None, forbidden: str | None) -> str:
    """The MATCH expression: the query AND its filters, NOT the hidden custodians and excluded conversations."""
    parts = [f"({to_fts5(plan.tree)})"]
    if required:
        parts.append(required)
    if plan.conversation_id is not None:
        parts.append(f"scope : {fts5_string(f'k{plan.conversation_id}')}")
    expression = " AND ".join(parts)
    unwanted = [f"k{i}" for i in plan.excluded_conversation_ids]
    if unwanted or forbidden:
        exclusions = [e for e in (forbidden, _any_of("scope", unwanted) if unwanted else None) if e]
        expression = f"({expression}) NOT ({' OR '.join(exclusions)})"
    return expression


@contextmanager
def _snapshot():
    """One read transaction for the scope decision, the count and the page (unless one is open)."""
    raw = _raw()
    if connection.in_atomic_block or raw.in_transaction:
        yield
        return
    raw.execute("BEGIN")
    try:
        yield
    finally:
        raw.execute("COMMIT")


class SqliteBackend:
    def insert(self, rows: Sequence[EntryRow]) -> None:
        raw = _raw()
        marks = ", ".join("?" * len(ENTRY_COLUMNS))
        raw.executemany(
            f"INSERT INTO {ENTRY_TABLE} ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks})",  # noqa: S608
            [row.columns() for row in rows],
        )
        raw.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, stems, variants, scope) VALUES (?, ?, ?, ?)",  # noqa: S608
            [
                (
                    row.key,
                    row.forms.stems_text,
                    row.forms.variants_text,
                    f"c{row.custodian_id} k{row.conversation_id}",
                )
                for row in rows
            ],
        )
        raw.executemany(
            "INSERT OR IGNORE INTO search_indexedcustodian (custodian_id) VALUES (?)",
            [(i,) for i in {row.custodian_id for row in rows}],
        )

    def finish(self, inserted: int) -> None:
        """After a big load, merge the FTS5 segments into one ('optimize': 6 s for a million
        messages here); queries with common words then run 2-5x faster. A small load leaves the
        merging to FTS5's automerge, as optimize's cost grows with the whole index."""
        if inserted < OPTIMIZE_AFTER:
            return
        (indexed,) = _raw().execute(f"SELECT count(*) FROM {ENTRY_TABLE}").fetchone()  # noqa: S608
        if inserted * 4 >= indexed:
            self.compact()

    def delete(self, keys: Sequence[int]) -> None:
        raw = _raw()
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ", ".join("?" * len(chunk))
            raw.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608
            raw.execute(f"DELETE FROM {ENTRY_TABLE} WHERE id IN ({marks})", chunk)  # noqa: S608

    def compact(self) -> None:
        """Merge every FTS5 segment into one: deleted rows' tokens leave the index's pages."""
        _raw().execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608

    def scrub(self) -> None:
        """After the commit: copy the WAL into the database and truncate it (old page images)."""
        _raw().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def page(self, plan: Plan) -> tuple[int, list[int]]:
        with _snapshot():
            required, forbidden, nothing = _scope(plan.custodian_ids)
            if nothing:
                return 0, []
            return self._page(plan, match_expression(plan, required, forbidden))

    def _page(self, plan: Plan, expression: str) -> tuple[int, list[int]]:
        source, where, params = FTS_TABLE, f"{FTS_TABLE} MATCH ?", [expression]
        if plan.key_low is not None and plan.key_high is not None:
            where += f" AND {FTS_TABLE}.rowid BETWEEN ? AND ?"
            params += [plan.key_low, plan.key_high]
        if plan.sender_words or plan.channel is not None:
            source += f" JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid"
            if plan.sender_words:
                where += " AND instr(e.sender_words, ?) > 0"
                params.append(f" {' '.join(plan.sender_words)} ")
            if plan.channel is not None:
                where += " AND e.channel = ?"
                params.append(plan.channel)
        order = f"{FTS_TABLE}.rowid DESC" if plan.sort == "time" else f"{_RANK}, {FTS_TABLE}.rowid DESC"
        raw = _raw()
        keys = [
            r[0]
            for r in raw.execute(
                f"SELECT {FTS_TABLE}.rowid FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
                [*params, plan.limit, plan.offset],
            )
        ]
        total = known_total(plan, len(keys))
        if total is None:
            total = raw.execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]  # noqa: S608
        return total, keys
