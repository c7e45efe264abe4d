"""A query tree as an FTS5 MATCH expression and as a PostgreSQL tsquery.

Both index layouts hold the same forms (`analysis.index_forms`): the stems in position order, and the
folded variants of words whose stem differs. FTS5 keeps them in the columns `stems` and `variants`;
PostgreSQL in one tsvector, the variants marked with `VARIANT_MARK`. Every user word reaches the
engines quoted as a literal (FTS5 strings, tsquery lexemes), so no user input is read as syntax.
"""

from __future__ import annotations

from chatarchief.core.search.analysis import fold, stem
from chatarchief.core.search.query import And, Node, Not, Or, Phrase, Prefix, Term

VARIANT_MARK = "~"  # never a token character, so a variant lexeme cannot equal a stem
PAIR_MARK = "^"  # idem, for the word pairs below
MARKS = (VARIANT_MARK, PAIR_MARK)  # the first characters of lexemes that are not stems
# PostgreSQL: the Dutch articles are in a large share of all messages (``de`` in more than half), so a
# phrase such as "de begroting" found its candidates by the noun alone and checked the positions of
# every message holding it (16,185 for "de minister" on a million messages). Each article with the word after it
# is indexed as one more lexeme, ``^de begrot``: the messages holding that pair are exactly those in
# which the article stands right before the word, so GIN gives the phrase's candidates directly.
PAIR_LEADS = frozenset(stem(fold(word)) for word in ("de", "het", "een"))


def fts5_string(token: str) -> str:
    """An FTS5 string literal: double quotes, embedded quotes doubled."""
    return '"' + token.replace('"', '""') + '"'


def to_fts5(node: Node) -> str:
    """The FTS5 MATCH expression of `node` over the columns stems and variants."""
    if isinstance(node, Term):
        return f"stems : {fts5_string(node.stem)}"
    if isinstance(node, Prefix):
        return "{stems variants} : " + fts5_string(node.prefix) + " *"
    if isinstance(node, Phrase):
        return "stems : " + fts5_string(" ".join(node.stems))
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(i) for i in node.items) + ")"
    if isinstance(node, And):
        positive = [to_fts5(i) for i in node.items if not isinstance(i, Not)]
        negative = [to_fts5(i.item) for i in node.items if isinstance(i, Not)]
        expression = "(" + " AND ".join(positive) + ")"
        if negative:
            expression = f"({expression} NOT ({' OR '.join(negative)}))"
        return expression
    raise TypeError(f"cannot compile {node!r} on its own")  # a lone Not is refused by the parser


def tsquery_lexeme(token: str) -> str:
    """A tsquery (and tsvector) lexeme literal: single quotes, quote and backslash escaped."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def to_tsquery(node: Node) -> str:
    """The tsquery text of `node` (cast with ``::tsquery``, never through a parser that stems)."""
    if isinstance(node, Term):
        return tsquery_lexeme(node.stem)
    if isinstance(node, Prefix):
        return f"({tsquery_lexeme(node.prefix)}:* | {tsquery_lexeme(VARIANT_MARK + node.prefix)}:*)"
    if isinstance(node, Phrase):
        return "(" + " <-> ".join(tsquery_lexeme(s) for s in node.stems) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(i) for i in node.items) + ")"
    if isinstance(node, And):
        parts = [f"!{to_tsquery(i.item)}" if isinstance(i, Not) else to_tsquery(i) for i in node.items]
        return "(" + " & ".join(parts) + ")"
    raise TypeError(f"cannot compile {node!r} on its own")


def article_pairs(stems: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (article, next stem) pairs of a run of stems, in order, each once (`PAIR_LEADS`)."""
    return list(dict.fromkeys((a, b) for a, b in zip(stems, stems[1:], strict=False) if a in PAIR_LEADS))


def pairs(stems: tuple[str, ...]) -> list[str]:
    """The pair lexemes of a run of stems (`article_pairs`), marked (``^de begrot``). A phrase
    holds the pairs of its stems; a message that matches the phrase holds them too."""
    return [f"{PAIR_MARK}{a} {b}" for a, b in article_pairs(stems)]


def to_tsvector(stems: tuple[str, ...], variants: tuple[str, ...]) -> str:
    """The tsvector text of one message's index forms: stems with positions, variants and the
    article pairs marked (the marked lexemes carry no positions: they are asked for, not matched
    as phrases)."""
    positions: dict[str, list[str]] = {}
    for position, word in enumerate(stems, start=1):
        positions.setdefault(word, []).append(str(position))
    parts = [f"{tsquery_lexeme(word)}:{','.join(at)}" for word, at in positions.items()]
    parts.extend(tsquery_lexeme(VARIANT_MARK + v) for v in variants)
    parts.extend(tsquery_lexeme(pair) for pair in pairs(stems))
    return " ".join(parts)
