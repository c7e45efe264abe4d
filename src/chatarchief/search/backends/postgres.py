"""PostgreSQL: the entries' `document` tsvector (built in Python) with a GIN index.

Rows go in with COPY; a query is the compiled tsquery cast with ``::tsquery`` (no text search
configuration re-analyses it), the filters are plain columns, the date range an id (= time key)
range, and "newest first" is the primary key order.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from chatarchief.core.search import to_tsquery, to_tsvector
from chatarchief.search.backends import ENTRY_COLUMNS, ENTRY_TABLE, EntryRow, Plan, known_total

ANALYZE_AFTER = 50_000  # rows indexed in one call after which the planner's statistics are refreshed


def where_clause(plan: Plan) -> tuple[str, list[object]]:
    conditions = ["document @@ %s::tsquery", "custodian_id = ANY(%s)"]
    params: list[object] = [to_tsquery(plan.tree), list(plan.custodian_ids)]
    if plan.conversation_id is not None:
        conditions.append("conversation_id = %s")
        params.append(plan.conversation_id)
    if plan.channel is not None:
        conditions.append("channel = %s")
        params.append(plan.channel)
    if plan.sender_words:
        conditions.append("strpos(sender_words, %s) > 0")
        params.append(f" {' '.join(plan.sender_words)} ")
    if plan.excluded_conversation_ids:
        conditions.append("NOT (conversation_id = ANY(%s))")
        params.append(list(plan.excluded_conversation_ids))
    if plan.key_low is not None and plan.key_high is not None:
        conditions.append("id BETWEEN %s AND %s")
        params += [plan.key_low, plan.key_high]
    return " AND ".join(conditions), params


class PostgresBackend:
    def insert(self, rows: Sequence[EntryRow]) -> None:
        columns = ", ".join((*ENTRY_COLUMNS, "document"))
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {ENTRY_TABLE} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row.columns(), to_tsvector(row.forms.stems, row.forms.variants)))
            cursor.execute(
                "INSERT INTO search_indexedcustodian (custodian_id) SELECT unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                [sorted({row.custodian_id for row in rows})],
            )

    def finish(self, inserted: int) -> None:
        """After indexing: move the GIN index's pending list into its tree (every search scans the
        pending list, up to 4 MB, until then) and refresh statistics after a big load."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('search_entry_document')")
            if inserted >= ANALYZE_AFTER:
                cursor.execute(f"ANALYZE {ENTRY_TABLE}")

    def delete(self, keys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE id = ANY(%s)", [list(keys)])  # noqa: S608

    def compact(self) -> None:
        """Nothing inside the transaction: dead rows and GIN keys go with `scrub` after the commit."""

    def scrub(self) -> None:
        """After the commit: rewrite the table and its indexes (VACUUM FULL), so neither the heap's
        dead tuples nor the GIN index's keys keep a removed message's words (plain VACUUM keeps both)."""
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL ANALYZE {ENTRY_TABLE}")

    def page(self, plan: Plan) -> tuple[int, list[int]]:
        where, params = where_clause(plan)
        order = "id DESC"
        order_params: list[object] = []
        if plan.sort == "relevance":
            order, order_params = "ts_rank(document, %s::tsquery) DESC, id DESC", [to_tsquery(plan.tree)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {ENTRY_TABLE} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
                [*params, *order_params, plan.limit, plan.offset],
            )
            keys = [r[0] for r in cursor.fetchall()]
            total = known_total(plan, len(keys))
            if total is None:  # counting visits a heap page per hit: only when the page cannot tell
                cursor.execute(f"SELECT count(*) FROM {ENTRY_TABLE} WHERE {where}", params)  # noqa: S608
                total = cursor.fetchone()[0]
            return total, keys
