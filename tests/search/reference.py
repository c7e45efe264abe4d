"""A reference evaluator: whether a message text matches a query tree, computed in plain Python
from the same analysis. Both backends must agree with it, so they agree with each other."""

from __future__ import annotations

from chatarchief.core.search import And, Node, Not, Or, Phrase, Prefix, Term, tokens


def matches(tree: Node, text: str) -> bool:
    found = list(tokens(text))
    stems = [t.stem for t in found]
    return _eval(tree, stems, [t.folded for t in found])


def _eval(node: Node, stems: list[str], folded: list[str]) -> bool:
    if isinstance(node, Term):
        return node.stem in stems
    if isinstance(node, Prefix):
        return any(s.startswith(node.prefix) for s in stems) or any(f.startswith(node.prefix) for f in folded)
    if isinstance(node, Phrase):
        size = len(node.stems)
        return any(tuple(stems[i : i + size]) == node.stems for i in range(len(stems) - size + 1))
    if isinstance(node, And):
        return all(_eval(i, stems, folded) for i in node.items)
    if isinstance(node, Or):
        return any(_eval(i, stems, folded) for i in node.items)
    if isinstance(node, Not):
        return not _eval(node.item, stems, folded)
    raise TypeError(node)
