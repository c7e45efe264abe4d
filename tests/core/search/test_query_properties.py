"""Any text at all: the parser answers with a tree or a QueryError, and every tree compiles to an
expression SQLite's FTS5 accepts (so no user input can break or extend the syntax)."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from chatarchief.core.search import QueryError, parse, snippet, to_fts5, to_tsquery

PIECES = st.sampled_from(
    ['"', "(", ")", "-", "*", " ", "AND", "OR", "NOT", "NEAR", ":", "^", "'", "\\", "{", "}", "+",
     "coördinatie", "de", "minister", "é", "ß", "½", "😀", "x_y", "vergader", "a"]
)  # fmt: skip
QUERIES = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=12).map(" ".join)


def _fts5() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(stems, variants, scope, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('de coordinatie minister', 'vergaderingen', 'c1 k1')")
    return db


DB = _fts5()


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_any_query_parses_or_says_why_and_compiles_to_valid_fts5(text):
    try:
        tree = parse(text)
    except QueryError as error:
        assert error.code.startswith("search.") and error.message("nl") and error.message("en")
        return
    DB.execute("SELECT count(*) FROM t WHERE t MATCH ?", [to_fts5(tree)]).fetchone()
    assert to_tsquery(tree)
    snippet(text, tree)
