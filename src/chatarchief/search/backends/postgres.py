"""PostgreSQL: a narrow table `search_document` (id, custodian, conversation, tsvector built in
Python) with a GIN index, beside the entries.

Rows go in with COPY; a query is the compiled tsquery cast with ``::tsquery`` (no text search
configuration re-analyses it); custodian and conversation filters are columns of the narrow table,
sender and channel filters join the entries; the date range is an id (= time key) range, and
"newest first" is the primary key order. A count visits a heap page per hit (no index-only count on
GIN), so the narrow table keeps the pages few: 250 bytes a row instead of 380.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from chatarchief.core.search import And, Node, Not, Or, Phrase, to_tsquery, to_tsvector
from chatarchief.search.backends import ENTRY_COLUMNS, ENTRY_TABLE, EntryRow, Plan, known_total

ANALYZE_AFTER = 50_000  # rows indexed in one call after which the planner's statistics are refreshed


DOCUMENT_TABLE = "search_document"


def from_where(plan: Plan) -> tuple[str, list[object]]:
    """``FROM … WHERE …`` of a plan over the narrow table `d` (joining the entries `e` for the
    sender and channel filters)."""
    source = f"{DOCUMENT_TABLE} d"
    conditions = ["d.document @@ %s::tsquery", "d.custodian_id = ANY(%s)"]
    params: list[object] = [to_tsquery(plan.tree), list(plan.custodian_ids)]
    if plan.conversation_id is not None:
        conditions.append("d.conversation_id = %s")
        params.append(plan.conversation_id)
    if plan.excluded_conversation_ids:
        conditions.append("NOT (d.conversation_id = ANY(%s))")
        params.append(list(plan.excluded_conversation_ids))
    if plan.key_low is not None and plan.key_high is not None:
        conditions.append("d.id BETWEEN %s AND %s")
        params += [plan.key_low, plan.key_high]
    if plan.sender_words or plan.channel is not None:
        source += f" JOIN {ENTRY_TABLE} e ON e.id = d.id"
        if plan.channel is not None:
            conditions.append("e.channel = %s")
            params.append(plan.channel)
        if plan.sender_words:
            conditions.append("strpos(e.sender_words, %s) > 0")
            params.append(f" {' '.join(plan.sender_words)} ")
    return f"FROM {source} WHERE {' AND '.join(conditions)}", params


class PostgresBackend:
    def insert(self, rows: Sequence[EntryRow]) -> None:
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {ENTRY_TABLE} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row.columns())
            columns = "id, custodian_id, conversation_id, document"
            with cursor.cursor.copy(f"COPY {DOCUMENT_TABLE} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    forms = row.forms
                    copy.write_row(
                        (row.key, row.custodian_id, row.conversation_id, to_tsvector(forms.stems, forms.variants))
                    )
            cursor.execute(
                "INSERT INTO search_indexedcustodian (custodian_id) SELECT unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                [sorted({row.custodian_id for row in rows})],
            )

    def finish(self, inserted: int) -> None:
        """After indexing: move the GIN index's pending list into its tree (every search scans the
        pending list, up to 4 MB, until then) and refresh statistics after a big load."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('search_document_gin')")
            if inserted >= ANALYZE_AFTER:
                cursor.execute(f"ANALYZE {ENTRY_TABLE}")
                cursor.execute(f"ANALYZE {DOCUMENT_TABLE}")

    def delete(self, keys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DOCUMENT_TABLE} WHERE id = ANY(%s)", [list(keys)])  # noqa: S608
            cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE id = ANY(%s)", [list(keys)])  # noqa: S608

    def compact(self) -> None:
        """Nothing inside the transaction: dead rows and GIN keys go with `scrub` after the commit."""

    def scrub(self) -> None:
        """After the commit: rewrite the table and its indexes (VACUUM FULL), so neither the heap's
        dead tuples nor the GIN index's keys keep a removed message's words (plain VACUUM keeps both)."""
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL ANALYZE {DOCUMENT_TABLE}")
            cursor.execute(f"VACUUM FULL ANALYZE {ENTRY_TABLE}")

    def page(self, plan: Plan) -> tuple[int, list[int]]:
        source, params = from_where(plan)
        if plan.sort == "relevance" or has_phrase(plan.tree):
            return self._one_pass(plan, source, params)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id {source} ORDER BY d.id DESC LIMIT %s OFFSET %s", [*params, plan.limit, plan.offset]
            )
            keys = [r[0] for r in cursor.fetchall()]
            total = known_total(plan, len(keys))
            if total is None:  # counting visits a heap page per hit: only when the page cannot tell
                cursor.execute(f"SELECT count(*) {source}", params)
                total = cursor.fetchone()[0]
            return total, keys

    def _one_pass(self, plan: Plan, source: str, params: list[object]) -> tuple[int, list[int]]:
        """Page and count from one bitmap scan of the hits. For a phrase, walking the primary key
        newest first would recheck positions row after row until 50 match (15 ms for "de minister"
        on a million messages) before the count rechecks every candidate again; a relevance order
        ranks every hit anyway. Materialised, the hits are read once (the planner cannot turn the
        CTE into that primary-key walk)."""
        rank, order = "", "id DESC"
        rank_params: list[object] = []
        if plan.sort == "relevance":
            rank, order, rank_params = (
                ", ts_rank(d.document, %s::tsquery) AS rank",
                "rank DESC, id DESC",
                [to_tsquery(plan.tree)],
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH hits AS MATERIALIZED (SELECT d.id{rank} {source})"
                " SELECT (SELECT count(*) FROM hits),"
                f" ARRAY(SELECT id FROM hits ORDER BY {order} LIMIT %s OFFSET %s)",
                [*rank_params, *params, plan.limit, plan.offset],
            )
            total, keys = cursor.fetchone()
            return total, list(keys)


def has_phrase(node: Node) -> bool:
    """Whether a query tree holds a phrase (a tsquery ``<->``, which GIN cannot answer without the
    row's positions)."""
    if isinstance(node, Phrase):
        return True
    if isinstance(node, And | Or):
        return any(has_phrase(item) for item in node.items)
    if isinstance(node, Not):
        return has_phrase(node.item)
    return False
