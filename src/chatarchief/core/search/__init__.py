"""Full-text search, the plain-Python part: analysis, the query language, compilation, snippets.

`parse(text)` gives a query tree (or raises `QueryError`); `to_fts5` and `to_tsquery` compile it for
SQLite FTS5 and PostgreSQL; `index_forms(text)` is what both backends index for a message;
`snippet(text, tree)` marks the hits. See docs/search.md.
"""

from chatarchief.core.search.analysis import IndexForms, fold, index_forms, stem, tokens, words
from chatarchief.core.search.compile import to_fts5, to_tsquery, to_tsvector
from chatarchief.core.search.highlight import Part, snippet, to_html, to_text
from chatarchief.core.search.query import And, Node, Not, Or, Phrase, Prefix, QueryError, Term, parse

__all__ = [
    "And",
    "IndexForms",
    "Node",
    "Not",
    "Or",
    "Part",
    "Phrase",
    "Prefix",
    "QueryError",
    "Term",
    "fold",
    "index_forms",
    "parse",
    "snippet",
    "stem",
    "to_fts5",
    "to_html",
    "to_text",
    "to_tsquery",
    "to_tsvector",
    "tokens",
    "words",
]
