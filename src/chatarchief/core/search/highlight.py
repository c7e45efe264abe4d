"""Snippets: the part of a message around its hits, with the hit words marked.

Computed from the stored text with the same analysis the index used, so both backends show the same
snippet for the same hit. A snippet is a list of `Part`s (text, hit); `to_html` escapes every part
and wraps hits in ``<mark>`` (the message text is hostile input: never passed on unescaped).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from chatarchief.core.search import analysis
from chatarchief.core.search.query import Node, Phrase, Prefix, Term, positive_leaves

WINDOW = 24  # tokens shown around the hits
LEAD = 6  # tokens shown before the first hit of the window, where there are
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    hit: bool


def _hits(tokens: list[analysis.Token], leaves: list[Term | Prefix | Phrase]) -> tuple[list[bool], set[int]]:
    """Which tokens are hits, and which hit tokens continue a phrase (marked with the one before)."""
    marked = [False] * len(tokens)
    linked: set[int] = set()
    stems = [t.stem for t in tokens]
    for leaf in leaves:
        if isinstance(leaf, Term):
            for i, s in enumerate(stems):
                marked[i] = marked[i] or s == leaf.stem
        elif isinstance(leaf, Prefix):
            for i, t in enumerate(tokens):
                marked[i] = marked[i] or t.stem.startswith(leaf.prefix) or t.folded.startswith(leaf.prefix)
        else:
            size = len(leaf.stems)
            for i in range(len(stems) - size + 1):
                if tuple(stems[i : i + size]) == leaf.stems:
                    marked[i : i + size] = [True] * size
                    linked.update(range(i + 1, i + size))
    return marked, linked


def _window(marked: list[bool]) -> tuple[int, int]:
    """The WINDOW tokens holding the most hits (the earliest such), opened LEAD tokens before."""
    n = len(marked)
    if n <= WINDOW:
        return 0, n
    best, best_start, running = -1, 0, sum(marked[:WINDOW])
    for start in range(n - WINDOW + 1):
        if start:
            running += marked[start + WINDOW - 1] - marked[start - 1]
        if running > best:
            best, best_start = running, start
    first = next((i for i in range(best_start, best_start + WINDOW) if marked[i]), best_start)
    start = max(0, min(first - LEAD, n - WINDOW))
    return start, start + WINDOW


def snippet(text: str, query: Node) -> list[Part]:
    """The snippet of `text` for `query` (the beginning of the text when nothing is marked)."""
    normal = analysis.normalise(text)
    tokens = list(analysis.tokens(normal))
    if not tokens:
        return [Part(_SPACE.sub(" ", normal).strip()[:200], False)] if normal.strip() else []
    marked, linked = _hits(tokens, positive_leaves(query))
    first, last = _window(marked)
    begin = 0 if first == 0 else tokens[first].start
    end = len(normal) if last == len(tokens) else tokens[last - 1].end
    spans: list[tuple[int, int, bool]] = []
    cursor = begin
    for index in range(first, last):
        token = tokens[index]
        if not marked[index] or token.start < cursor:
            continue
        if spans and spans[-1][2] and (index in linked or not normal[cursor : token.start].strip()):
            spans[-1] = (spans[-1][0], token.end, True)  # one mark for a phrase, or hits apart by spaces
        else:
            spans.append((cursor, token.start, False))
            spans.append((token.start, token.end, True))
        cursor = token.end
    spans.append((cursor, end, False))
    parts: list[Part] = []
    for start, stop, hit in spans:
        piece = _SPACE.sub(" ", normal[start:stop])
        if not piece:
            continue
        if parts and parts[-1].hit == hit:
            parts[-1] = Part(parts[-1].text + piece, hit)
        else:
            parts.append(Part(piece, hit))
    if parts and not parts[0].hit:
        parts[0] = Part(parts[0].text.lstrip(), False)
    if parts and not parts[-1].hit:
        parts[-1] = Part(parts[-1].text.rstrip(), False)
    if first > 0:
        parts.insert(0, Part(ELLIPSIS + " ", False))
    if last < len(tokens):
        parts.append(Part(" " + ELLIPSIS, False))
    return _merge([p for p in parts if p.text])


def _merge(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if merged and merged[-1].hit == part.hit:
            merged[-1] = Part(merged[-1].text + part.text, part.hit)
        else:
            merged.append(part)
    return merged


def to_html(parts: list[Part]) -> str:
    """Escaped HTML: hits in ``<mark>``, everything else as text."""
    return "".join(f"<mark>{html.escape(p.text)}</mark>" if p.hit else html.escape(p.text) for p in parts)


def to_text(parts: list[Part]) -> str:
    return "".join(p.text for p in parts)


def mark_all(text: str, query: Node) -> list[Part]:
    """The whole of `text` (NFC) with every hit of `query` marked (a message shown in full, e.g. a
    search hit on the conversation page); one part, unmarked, when nothing matches."""
    normal = analysis.normalise(text)
    tokens = list(analysis.tokens(normal))
    marked, _linked = _hits(tokens, positive_leaves(query)) if tokens else ([], set())
    parts: list[Part] = []
    cursor = 0
    for token, hit in zip(tokens, marked, strict=True):
        if hit and token.start >= cursor:
            parts.append(Part(normal[cursor : token.start], False))
            parts.append(Part(normal[token.start : token.end], True))
            cursor = token.end
    parts.append(Part(normal[cursor:], False))
    return _merge([p for p in parts if p.text])
