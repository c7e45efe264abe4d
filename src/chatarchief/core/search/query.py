"""The search query language: parsed into a small tree, the same for every backend.

    woorden naast elkaar     every word must occur (AND)
    "een zin"                the words in this order, next to each other
    a AND b, a OR b          in capitals; AND binds tighter than OR; ( ) group
    a NOT b, a -b            a, but not b (also -"een zin" and -(a OR b))
    coord*                   a word starting with coord (at least two letters)

Words are folded and stemmed as the indexed text is (`analysis`), so ``coordinatie`` finds
``coördinatie`` and back, and ``vergaderingen`` finds ``vergadering``. A word that analyses to
several tokens (``Noord-Holland``, ``IMG-0001.jpg``) is a phrase of them. Lower-case ``and``, ``or``
and ``not`` are ordinary words. Malformed queries raise `QueryError` (Dutch and English).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.search import analysis

MIN_PREFIX = 2


class QueryError(ChatarchiefError):
    """A search query that cannot be understood; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Term:
    stem: str
    word: str


@dataclass(frozen=True, slots=True)
class Prefix:
    prefix: str


@dataclass(frozen=True, slots=True)
class Phrase:
    stems: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Union[Term, Prefix, Phrase, And, Or, Not]  # noqa: UP007 (a runtime alias under slots dataclasses)


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str  # word, phrase, and, or, not, minus, open, close
    text: str
    at: int  # 1-based column for messages


def _error(code: str, nl: str, en: str, at: int | None = None) -> QueryError:
    if at is not None:
        nl, en = f"{nl} (positie {at})", f"{en} (position {at})"
    return QueryError(f"search.{code}", nl=nl, en=en)


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _error(
                    "unbalanced_quote",
                    "Een aanhalingsteken wordt niet gesloten",
                    "A quotation mark is not closed",
                    i + 1,
                )
            out.append(_Lexeme("phrase", text[i + 1 : end], i + 1))
            i = end + 1
        elif char in "()":
            out.append(_Lexeme("open" if char == "(" else "close", char, i + 1))
            i += 1
        elif char == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            out.append(_Lexeme("minus", char, i + 1))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '"()':
                i += 1
            word = text[start:i]
            kind = {"AND": "and", "OR": "or", "NOT": "not"}.get(word, "word")
            out.append(_Lexeme(kind, word, start + 1))
    return out


def _word_node(lexeme: _Lexeme) -> Node | None:
    text = lexeme.text
    if text.endswith("*"):
        pieces = analysis.words(text.rstrip("*"))
        if not pieces:
            return None
        if len(pieces) > 1:
            raise _error(
                "prefix_one_word",
                "Een * mag alleen achter één woord staan",
                "A * may only follow a single word",
                lexeme.at,
            )
        if len(pieces[0]) < MIN_PREFIX:
            raise _error(
                "prefix_too_short",
                f"Zet minstens {MIN_PREFIX} letters voor een *",
                f"Put at least {MIN_PREFIX} letters before a *",
                lexeme.at,
            )
        return Prefix(pieces[0])
    return _sequence(analysis.words(text))


def _sequence(pieces: list[str]) -> Node | None:
    if not pieces:
        return None
    stems = tuple(analysis.stem(p) for p in pieces)
    if len(pieces) == 1:
        return Term(stems[0], pieces[0])
    return Phrase(stems, tuple(pieces))


class _Parser:
    def __init__(self, lexemes: list[_Lexeme], length: int) -> None:
        self.lexemes = lexemes
        self.pos = 0
        self.length = length

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        return lexeme

    def _end_column(self) -> int:
        return self.length + 1

    def _operand_follows(self) -> bool:
        nxt = self.peek()
        return nxt is not None and nxt.kind in ("word", "phrase", "open", "minus", "not")

    def _require_operand(self, operator: _Lexeme) -> None:
        if self._operand_follows():
            return
        if operator.kind == "not":
            raise _error("lone_not", "NOT zonder woord erna", "NOT without a word after it", operator.at)
        raise _error(
            "lone_operator",
            f"{operator.text} heeft aan beide kanten een woord nodig",
            f"{operator.text} needs a word on both sides",
            operator.at,
        )

    def parse_or(self) -> Node | None:
        first = self.peek()
        if first is not None and first.kind in ("and", "or"):
            raise _error(
                "lone_operator",
                f"{first.text} heeft aan beide kanten een woord nodig",
                f"{first.text} needs a word on both sides",
                first.at,
            )
        items = [self.parse_and()]
        while (nxt := self.peek()) is not None and nxt.kind == "or":
            self.take()
            self._require_operand(nxt)
            items.append(self.parse_and())
        return _combine(Or, items)

    def parse_and(self) -> Node | None:
        items = [self.parse_unary()]
        while (nxt := self.peek()) is not None:
            if nxt.kind == "and":
                self.take()
                self._require_operand(nxt)
            elif not self._operand_follows():
                break
            items.append(self.parse_unary())
        return _combine(And, items)

    def parse_unary(self) -> Node | None:
        lexeme = self.take()
        if lexeme.kind == "not":
            self._require_operand(lexeme)
            return _negate(self.parse_unary())
        if lexeme.kind == "minus":
            return _negate(self.parse_primary(self.take()))
        return self.parse_primary(lexeme)

    def parse_primary(self, lexeme: _Lexeme) -> Node | None:
        if lexeme.kind == "word":
            return _word_node(lexeme)
        if lexeme.kind == "phrase":
            return _sequence(analysis.words(lexeme.text))
        if lexeme.kind == "open":
            if (nxt := self.peek()) is None:
                raise _error(
                    "unbalanced_parenthesis", "Een haakje wordt niet gesloten", "A parenthesis is not closed", lexeme.at
                )
            if nxt.kind == "close":
                self.take()
                return None
            inner = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "close":
                raise _error(
                    "unbalanced_parenthesis", "Een haakje wordt niet gesloten", "A parenthesis is not closed", lexeme.at
                )
            self.take()
            return inner
        if lexeme.kind == "minus":
            return _negate(self.parse_primary(self.take()))
        raise _error(
            "unbalanced_parenthesis",
            "Een haakje sluiten zonder haakje openen",
            "A closing parenthesis without an opening one",
            lexeme.at,
        )


def _negate(node: Node | None) -> Node | None:
    if node is None:
        return None
    return node.item if isinstance(node, Not) else Not(node)


def _combine(kind: type[And] | type[Or], items: list[Node | None]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        if item is None:
            continue
        flat.extend(item.items if isinstance(item, kind) else (item,))
    unique = list(dict.fromkeys(flat))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else kind(tuple(unique))


def _check_negations(node: Node, top: bool = True) -> None:
    only_negative = _error(
        "only_negative",
        "Met alleen NOT of - valt er niets te zoeken: noem ook een woord dat er wel in moet staan",
        "NOT or - alone finds nothing: also give a word that must occur",
    )
    if isinstance(node, Not):
        if top:
            raise only_negative
        _check_negations(node.item, top=True)
    elif isinstance(node, And):
        if all(isinstance(i, Not) for i in node.items):
            raise only_negative
        for item in node.items:
            _check_negations(item, top=False)
    elif isinstance(node, Or):
        if any(isinstance(i, Not) for i in node.items):
            raise _error(
                "not_in_or",
                "NOT of - kan niet in een OR staan: sluit iets uit naast een woord dat er wel in moet staan",
                "NOT or - cannot stand in an OR: exclude something beside a word that must occur",
            )
        for item in node.items:
            _check_negations(item, top=True)


def parse(text: str) -> Node:
    """The query tree of `text`; raises `QueryError` for an empty or malformed query."""
    parser = _Parser(_lex(text), len(text))
    node = parser.parse_or() if parser.peek() is not None else None
    stray = parser.peek()
    if stray is not None:  # only a closing parenthesis stops parse_or early
        raise _error(
            "unbalanced_parenthesis",
            "Een haakje sluiten zonder haakje openen",
            "A closing parenthesis without an opening one",
            stray.at,
        )
    if node is None:
        raise _error("empty", "Geef een of meer woorden om te zoeken", "Give one or more words to search for")
    _check_negations(node)
    return node


def positive_leaves(node: Node) -> list[Term | Prefix | Phrase]:
    """The terms a hit can show (what a NOT excludes is never highlighted)."""
    if isinstance(node, Not):
        return []
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in positive_leaves(item)]
    return [node]
