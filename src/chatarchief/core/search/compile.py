"""A query tree as an FTS5 MATCH expression and as a PostgreSQL tsquery.

Both index layouts hold the same forms (`analysis.index_forms`): the stems in position order, and the
folded variants of words whose stem differs. FTS5 keeps them in the columns `stems` and `variants`;
PostgreSQL in one tsvector, the variants marked with `VARIANT_MARK`. Every user word reaches the
engines quoted as a literal (FTS5 strings, tsquery lexemes), so no user input is read as syntax.
"""

from __future__ import annotations

from chatarchief.core.search.analysis import stem as stem_of
from chatarchief.core.search.query import And, Node, Not, Or, Phrase, Prefix, Term

VARIANT_MARK = "~"  # never a token character, so a variant lexeme cannot equal a stem
PAIR_MARK = "^"  # nor this: a pair lexeme ("^de minister") cannot equal a stem or a variant

# Pairs of adjacent stems in which one is among the most frequent Dutch words are indexed as one
# lexeme each (the "common grams" of search engines), and a phrase asks for its pairs as well as for
# its stems in a row: a phrase with "de" or "van" then narrows to the rows holding the pair before
# PostgreSQL rechecks positions ("de minister": 11,200 rows rechecked for 1,628 hits before, about
# 1,700 after). Exact either way: a row with the phrase holds its pairs. Changing this list changes
# what the index must hold: search migration 0003 adds the pairs to rows indexed before it.
COMMON_WORDS = (
    "de het een en van in op te dat die is met voor aan er niet om als ook zijn bij of naar tot uit"
    " over door maar dan wat je ik we u ze hij zij dit deze wordt worden nog al"
)
COMMON_STEMS = frozenset(stem_of(word) for word in COMMON_WORDS.split())


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
        phrase = "(" + " <-> ".join(tsquery_lexeme(s) for s in node.stems) + ")"
        pairs = common_pairs(node.stems)
        return f"({phrase} & {' & '.join(map(tsquery_lexeme, pairs))})" if pairs else phrase
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(i) for i in node.items) + ")"
    if isinstance(node, And):
        parts = [f"!{to_tsquery(i.item)}" if isinstance(i, Not) else to_tsquery(i) for i in node.items]
        return "(" + " & ".join(parts) + ")"
    raise TypeError(f"cannot compile {node!r} on its own")


def to_tsvector(stems: tuple[str, ...], variants: tuple[str, ...]) -> str:
    """The tsvector text of one message's index forms: stems with positions, variants marked."""
    positions: dict[str, list[str]] = {}
    for position, stem in enumerate(stems, start=1):
        positions.setdefault(stem, []).append(str(position))
    parts = [f"{tsquery_lexeme(stem)}:{','.join(at)}" for stem, at in positions.items()]
    parts.extend(tsquery_lexeme(VARIANT_MARK + v) for v in variants)
    parts.extend(map(tsquery_lexeme, common_pairs(stems)))
    return " ".join(parts)


def common_pairs(stems: tuple[str, ...] | list[str]) -> list[str]:
    """The pair lexemes of adjacent stems of which one is common (`COMMON_STEMS`), once each, in order."""
    common = COMMON_STEMS
    return list(
        dict.fromkeys(
            f"{PAIR_MARK}{a} {b}" for a, b in zip(stems, stems[1:], strict=False) if a in common or b in common
        )
    )
