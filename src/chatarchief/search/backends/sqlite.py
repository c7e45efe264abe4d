"""SQLite: an FTS5 table beside the entries, queried with MATCH and rowid (= time key) ranges.

Columns of `search_fts`: `stems` (one stem per position), `variants` (folded words whose stem
differs), `scope` (tokens ``c<custodian>``, ``k<conversation>``, ``h<channel>``) and `sender`
(folded sender words). Every filter except the date range is part of the MATCH expression and the
date range is a rowid range, so a page and its count never leave the full-text index.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from chatarchief.core.search import to_fts5
from chatarchief.core.search.compile import fts5_string
from chatarchief.search.backends import ENTRY_COLUMNS, ENTRY_TABLE, EntryRow, Plan, channel_token

FTS_TABLE = "search_fts"
_CHUNK = 10_000  # parameters per IN (...): below SQLite's limit of 32,766
# bm25 weights per column: stems and variants count, scope and sender tokens do not.
_RANK = f"bm25({FTS_TABLE}, 1.0, 1.0, 0.0, 0.0)"


def _raw():
    connection.ensure_connection()
    return connection.connection


def match_expression(plan: Plan) -> str:
    """The MATCH expression of a plan: the query AND its filters, NOT the excluded conversations."""
    parts = [f"({to_fts5(plan.tree)})"]
    parts.append("scope : (" + " OR ".join(fts5_string(f"c{i}") for i in plan.custodian_ids) + ")")
    if plan.conversation_id is not None:
        parts.append(f"scope : {fts5_string(f'k{plan.conversation_id}')}")
    if plan.channel is not None:
        parts.append(f"scope : {fts5_string(channel_token(plan.channel))}")
    if plan.sender_words:
        parts.append(f"sender : {fts5_string(' '.join(plan.sender_words))}")
    expression = " AND ".join(parts)
    if plan.excluded_conversation_ids:
        excluded = " OR ".join(fts5_string(f"k{i}") for i in plan.excluded_conversation_ids)
        expression = f"({expression}) NOT (scope : ({excluded}))"
    return expression


class SqliteBackend:
    def insert(self, rows: Sequence[EntryRow]) -> None:
        raw = _raw()
        marks = ", ".join("?" * len(ENTRY_COLUMNS))
        raw.executemany(
            f"INSERT INTO {ENTRY_TABLE} ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks})",  # noqa: S608
            [row.columns() for row in rows],
        )
        raw.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, stems, variants, scope, sender) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
            [
                (
                    row.key,
                    " ".join(row.forms.stems),
                    " ".join(row.forms.variants),
                    f"c{row.custodian_id} k{row.conversation_id} {channel_token(row.channel)}",
                    row.sender_words,
                )
                for row in rows
            ],
        )

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
        where = f"{FTS_TABLE} MATCH ?"
        params: list[object] = [match_expression(plan)]
        if plan.key_low is not None and plan.key_high is not None:
            where += " AND rowid BETWEEN ? AND ?"
            params += [plan.key_low, plan.key_high]
        raw = _raw()
        total = raw.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {where}", params).fetchone()[0]  # noqa: S608
        if total <= plan.offset:
            return total, []
        order = "rowid DESC" if plan.sort == "time" else f"{_RANK}, rowid DESC"
        rows = raw.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
            [*params, plan.limit, plan.offset],
        ).fetchall()
        return total, [r[0] for r in rows]
