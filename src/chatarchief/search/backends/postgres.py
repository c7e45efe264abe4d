"""PostgreSQL: a narrow table `search_document` (id, custodian, conversation, tsvector built in
Python) with a GIN index, beside the entries.

Rows go in with COPY; a query is the compiled tsquery cast with ``::tsquery`` (no text search
configuration re-analyses it); custodian and conversation filters are columns of the narrow table,
sender and channel filters join the entries; the date range is an id (= time key) range, and
"newest first" is the primary key order. A count visits a heap page per hit (no index-only count on
GIN), so the narrow table keeps the pages few: 250 bytes a row instead of 380; a one-word total
comes from `search_termcount` (per custodian, how many indexed messages hold each stem) instead,
and a phrase, a relevance order or a conversation filter takes page and total from one pass.

A phrase's index condition leaves out its words that are far more frequent than its rarest one
(`narrowed`): GIN would decode the whole posting list of ``de`` or ``van`` (half a million entries
on a million messages) to intersect it with a few thousand, while the positions are checked on every
candidate row anyway. An article and the word after it are asked for as one pair lexeme
(``^de begrot``, `core.search.compile.pairs`), which both words' postings would only approximate:
"de minister" reads its 1,628 hits instead of the 16,185 messages holding *minister*. The full
query stays as the check, so the hits are the same.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db import DatabaseError, connection

from chatarchief.core.search import And, Node, Not, Or, Phrase, Term, to_tsquery, to_tsvector
from chatarchief.core.search.compile import MARKS, article_pairs, pairs, tsquery_lexeme
from chatarchief.search.backends import ENTRY_COLUMNS, ENTRY_TABLE, EntryRow, Plan, known_total

ANALYZE_AFTER = 50_000  # rows indexed in one call after which the planner's statistics are refreshed
# a phrase's word stays out of the GIN condition when more than COMMON_FACTOR times as many messages
# hold it as hold the phrase's rarest word, and more than COMMON_FLOOR (a short posting list costs
# nothing to decode)
COMMON_FACTOR = 4
COMMON_FLOOR = 20_000
# within one conversation, a query whose rarest required word more messages hold than this is
# checked on the conversation's rows (its index) instead of intersecting a posting list that long
# (GIN decodes about ten million postings a second: 550 ms for a word in 5 of 17 million messages,
# against 40 ms for the 42,000 rows of the largest conversation)
CONVERSATION_SCAN_ABOVE = 250_000


# for the statements of one search: the former value read and the setting turned off in one round
# trip (the subquery is evaluated first: OFFSET 0 keeps it apart), put back by `page` afterwards
PARALLEL = "max_parallel_workers_per_gather"
SERIAL = (
    "SELECT s.former FROM (SELECT current_setting(%s) AS former OFFSET 0) s,"
    " LATERAL (SELECT set_config(%s, '0', false)) t"
)
PARALLEL_ABOVE = 1_000_000  # messages holding the rarest required word, beyond which it stays on

DOCUMENT_TABLE = "search_document"
TERMCOUNT_TABLE = "search_termcount"


def from_where(plan: Plan, index_query: str | None = None, by_conversation: bool = False) -> tuple[str, list[object]]:
    """``FROM … WHERE …`` of a plan over the narrow table `d` (joining the entries `e` for the
    sender and channel filters). `index_query`: a tsquery every hit matches, for the GIN index; the
    plan's own query is then checked row by row (``IS TRUE`` keeps the planner from the index).
    `by_conversation`: no GIN at all, every row of the plan's conversation checked."""
    source = f"{DOCUMENT_TABLE} d"
    query = to_tsquery(plan.tree)
    checked = "(d.document @@ %s::tsquery) IS TRUE"
    conditions: list[str]
    params: list[object]
    if by_conversation:
        conditions, params = [checked], [query]
    elif index_query:
        conditions, params = ["d.document @@ %s::tsquery", checked], [index_query, query]
    else:
        conditions, params = ["d.document @@ %s::tsquery"], [query]
    conditions.append("d.custodian_id = ANY(%s)")
    params.append(list(plan.custodian_ids))
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
            _count_terms(cursor, rows)

    def finish(self, inserted: int) -> None:
        """After indexing: move the GIN index's pending list into its tree (every search scans the
        pending list, up to 4 MB, until then) and refresh statistics after a big load."""
        with connection.cursor() as cursor:
            _add_counts(cursor)
            cursor.execute("SELECT gin_clean_pending_list('search_document_gin')")
            if inserted >= ANALYZE_AFTER:
                cursor.execute(f"ANALYZE {ENTRY_TABLE}")
                cursor.execute(f"ANALYZE {DOCUMENT_TABLE}")

    def delete(self, keys: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            _uncount(cursor, list(keys))  # before the documents go: their stems are read from them
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
            cursor.execute(f"VACUUM FULL ANALYZE {TERMCOUNT_TABLE}")

    def page(self, plan: Plan) -> tuple[int, list[int]]:
        """One page of keys and the total, with parallel query off for the search's statements
        (`SERIAL`): on large tables the planner sends a search's bitmap heap scan to parallel workers,
        whose start costs more than the scan saves (at 11 M messages a chat's key took 15-34 ms
        with two workers, 9-11 ms without; a conversation search 41-51 against 23-34 ms). Left on for
        a search over the whole archive whose rarest required word more than PARALLEL_ABOVE messages
        hold (a phrase of two words each in 3.5 M messages: 2.0 s with two workers, 2.4 s without)."""
        phrase = has_phrase(plan.tree)
        counts = word_counts(plan) if phrase or plan.conversation_id is not None else {}
        huge = plan.conversation_id is None and bool(counts) and min(counts.values()) > PARALLEL_ABOVE
        if huge:
            return self._page(plan, phrase, counts)
        with connection.cursor() as cursor:
            cursor.execute(SERIAL, [PARALLEL, PARALLEL])  # one round trip: the former value, and off
            former = cursor.fetchone()[0]
            try:
                return self._page(plan, phrase, counts)
            finally:
                with contextlib.suppress(DatabaseError):  # an aborted transaction puts it back itself
                    cursor.execute("SELECT set_config(%s, %s, false)", [PARALLEL, former])

    def _page(self, plan: Plan, phrase: bool, counts: dict[str, int]) -> tuple[int, list[int]]:
        if plan.conversation_id is not None and counts and min(counts.values()) > CONVERSATION_SCAN_ABOVE:
            return self._one_pass(plan, *from_where(plan, by_conversation=True))
        source, params = from_where(plan, narrowed(plan, counts) if phrase else None)
        if phrase or plan.sort == "relevance" or plan.conversation_id is not None:
            return self._one_pass(plan, source, params)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id {source} ORDER BY d.id DESC LIMIT %s OFFSET %s", [*params, plan.limit, plan.offset]
            )
            keys = [r[0] for r in cursor.fetchall()]
            total = known_total(plan, len(keys))
            if total is None and counted_by_term(plan):
                total = _term_total(cursor, plan)
            if total is None:  # counting visits a heap page per hit: only when the page cannot tell
                cursor.execute(f"SELECT count(*) {source}", params)
                total = cursor.fetchone()[0]
            return total, keys

    def _one_pass(self, plan: Plan, source: str, params: list[object]) -> tuple[int, list[int]]:
        """Page and count from one bitmap scan of the hits. For a phrase, walking the primary key
        newest first would recheck positions row after row until 50 match (15 ms for "de minister"
        on a million messages) before the count rechecks every candidate again; a relevance order
        ranks every hit anyway; within a conversation both the page and the count would intersect
        the GIN bitmap with the conversation's (6-8 ms each for 84,000 messages). Materialised, the
        hits are read once (the planner cannot turn the CTE into that primary-key walk)."""
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


def required_lexemes(node: Node) -> list[str]:
    """The stems every hit of `node` holds: its words and phrases, or those of an AND (a NOT, OR or
    prefix inside an AND adds none)."""
    if isinstance(node, Term):
        return [node.stem]
    if isinstance(node, Phrase):
        return list(node.stems)
    if isinstance(node, And):
        return [stem for item in node.items for stem in required_lexemes(item)]
    return []


def word_counts(plan: Plan) -> dict[str, int]:
    """How many indexed messages of the plan's custodians hold each stem every hit must hold
    (`search_termcount`; nought for a stem none holds); empty when the query requires none."""
    lexemes = sorted(set(required_lexemes(plan.tree)))
    if not lexemes:
        return {}
    with connection.cursor() as cursor:
        return _counts(cursor, lexemes, plan.custodian_ids)


def _counts(cursor, lexemes: list[str], custodian_ids: Sequence[int]) -> dict[str, int]:
    """`search_termcount` summed over the custodians, for each of `lexemes` (nought when none)."""
    cursor.execute(
        f"SELECT lexeme, sum(n) FROM {TERMCOUNT_TABLE} WHERE lexeme = ANY(%s) AND custodian_id = ANY(%s)"  # noqa: S608
        " GROUP BY lexeme",
        [lexemes, list(custodian_ids)],
    )
    return dict.fromkeys(lexemes, 0) | {lexeme: int(n) for lexeme, n in cursor.fetchall()}


def narrowed(plan: Plan, counts: dict[str, int]) -> str | None:
    """The GIN condition of a search with a phrase: its article pairs instead of their words, and
    without its words much commoner than its rarest (`counts`: `word_counts`); None when neither
    applies (the query itself is the condition). Every hit matches it (`_without`): the same hits."""
    common: set[str] = set()
    if len(counts) >= 2:
        ceiling = max(COMMON_FACTOR * min(counts.values()), COMMON_FLOOR)
        common = {lexeme for lexeme, n in counts.items() if n > ceiling}
    return _without(plan.tree, common) if common or _has_pairs(plan.tree) else None


def _has_pairs(node: Node) -> bool:
    if isinstance(node, Phrase):
        return bool(pairs(node.stems))
    return isinstance(node, And) and any(_has_pairs(item) for item in node.items)


def _without(node: Node, common: set[str]) -> str | None:
    """The tsquery of `node` with the `common` stems of its words and phrases left out, and a
    phrase's article pairs asked for instead of the words they hold (a phrase becomes an AND of its
    pairs and other words); an OR, a NOT or a prefix stays as it is. Implied by `node`; None when
    nothing is left (never at the top: the rarest word is not common, and a pair is never left out)."""
    if isinstance(node, Term):
        return None if node.stem in common else tsquery_lexeme(node.stem)
    if isinstance(node, Phrase):
        covered = {word for pair in article_pairs(node.stems) for word in pair}
        kept = [tsquery_lexeme(pair) for pair in pairs(node.stems)]
        kept += [tsquery_lexeme(stem) for stem in dict.fromkeys(node.stems) if stem not in common | covered]
        return "(" + " & ".join(kept) + ")" if kept else None
    if isinstance(node, And):
        parts = [
            f"!{to_tsquery(item.item)}" if isinstance(item, Not) else _without(item, common) for item in node.items
        ]
        kept = [part for part in parts if part is not None]
        return "(" + " & ".join(kept) + ")" if kept else None
    return to_tsquery(node)


def counted_by_term(plan: Plan) -> bool:
    """Whether `search_termcount` gives this search's total: one word, no filter beyond the
    custodians and excluded conversations (a conversation, date range, sender or channel is not in
    the counts; a conversation's own count is quick from the GIN and conversation indexes)."""
    return (
        isinstance(plan.tree, Term)
        and plan.conversation_id is None
        and plan.key_low is None
        and plan.key_high is None
        and not plan.sender_words
        and plan.channel is None
    )


def _term_total(cursor, plan: Plan) -> int:
    """The custodians' counts of the word, less its hits in the excluded conversations (few: counted
    from the GIN index and the conversation index together)."""
    assert isinstance(plan.tree, Term)
    total = _counts(cursor, [plan.tree.stem], plan.custodian_ids)[plan.tree.stem]
    if plan.excluded_conversation_ids and total:
        cursor.execute(
            f"SELECT count(*) FROM {DOCUMENT_TABLE} WHERE document @@ %s::tsquery"  # noqa: S608
            " AND conversation_id = ANY(%s) AND custodian_id = ANY(%s)",
            [to_tsquery(plan.tree), list(plan.excluded_conversation_ids), list(plan.custodian_ids)],
        )
        total -= int(cursor.fetchone()[0])
    return total


def _delta_table(cursor) -> None:
    """A temporary table of counts to add, emptied at every commit (a rolled-back insert takes its
    rows with it, so `finish` adds exactly what the transaction indexed)."""
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_termcount_delta (lexeme text, custodian_id bigint, n integer)"
        " ON COMMIT DELETE ROWS"
    )


def _count_terms(cursor, rows: Sequence[EntryRow]) -> None:
    """Note the rows' stems for `search_termcount` (per custodian, how many messages hold each);
    `finish` adds them up once per indexing run, so a word is written once, not once a batch."""
    per_custodian: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        per_custodian[row.custodian_id].update(set(row.forms.stems))
    _delta_table(cursor)
    with cursor.cursor.copy("COPY search_termcount_delta FROM STDIN") as copy:
        for custodian_id, counts in per_custodian.items():
            for lexeme, n in counts.items():
                copy.write_row((lexeme, custodian_id, n))


def _add_counts(cursor) -> None:
    _delta_table(cursor)
    cursor.execute(
        f"INSERT INTO {TERMCOUNT_TABLE} (lexeme, custodian_id, n)"  # noqa: S608
        " SELECT lexeme, custodian_id, sum(n) FROM search_termcount_delta"
        " GROUP BY lexeme, custodian_id ORDER BY lexeme, custodian_id"
        f" ON CONFLICT (lexeme, custodian_id) DO UPDATE SET n = {TERMCOUNT_TABLE}.n + EXCLUDED.n"
    )
    cursor.execute("TRUNCATE search_termcount_delta")


def _uncount(cursor, keys: list[int]) -> None:
    """Take the stems of documents about to be deleted off their custodians' counts; rows that
    reach nought are deleted (no count is kept for a word no indexed message holds). The stems are
    read from the documents once, into a temporary table emptied at every commit."""
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_termcount_gone (lexeme text, custodian_id bigint, k integer)"
        " ON COMMIT DELETE ROWS"
    )
    cursor.execute("TRUNCATE search_termcount_gone")
    cursor.execute(
        "INSERT INTO search_termcount_gone SELECT u.lexeme, d.custodian_id, count(*)"  # noqa: S608
        f" FROM {DOCUMENT_TABLE} d, unnest(d.document) AS u WHERE d.id = ANY(%s) AND left(u.lexeme, 1) <> ALL(%s)"
        " GROUP BY u.lexeme, d.custodian_id",
        [keys, list(MARKS)],  # marked lexemes are not counted
    )
    match = "t.lexeme = g.lexeme AND t.custodian_id = g.custodian_id"
    # rows locked in the order the indexer's upsert takes them: a removal and an indexing run of the
    # same custodian wait for each other instead of deadlocking
    cursor.execute(
        f"SELECT 1 FROM {TERMCOUNT_TABLE} t JOIN search_termcount_gone g ON {match}"  # noqa: S608
        " ORDER BY t.lexeme, t.custodian_id FOR UPDATE OF t"
    )
    cursor.execute(f"DELETE FROM {TERMCOUNT_TABLE} t USING search_termcount_gone g WHERE {match} AND t.n <= g.k")  # noqa: S608
    cursor.execute(f"UPDATE {TERMCOUNT_TABLE} t SET n = t.n - g.k FROM search_termcount_gone g WHERE {match}")  # noqa: S608


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
