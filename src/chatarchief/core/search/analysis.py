"""Text analysis shared by both search backends: tokens, diacritic folding, Dutch stemming.

Both backends index exactly what this module produces, so SQLite and PostgreSQL find the same
messages: a token is a run of letters and digits (after NFC normalisation), folded (NFKD, combining
marks dropped, case-folded: ``Coördinatie`` -> ``coordinatie``) and stemmed with the Snowball Dutch
stemmer that PostgreSQL's ``dutch`` text search configuration uses (``dutch_porter``; a test on
PostgreSQL compares it with ``ts_lexize('dutch_stem', ...)``). Stop words are kept: every word can be
searched and a phrase matches exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

# PostgreSQL keeps positions up to 16383 in a tsvector; both backends index at most this many tokens
# of one message, so phrase matching agrees everywhere.
MAX_POSITIONS = 16_383
# Longer tokens (base64, hashes) are not indexed: PostgreSQL lexemes are limited to 2 KB.
MAX_TOKEN_CHARS = 200

_WORD = re.compile(r"[^\W_]+")
_STEMMER = snowballstemmer.stemmer("dutch_porter")


class Token(NamedTuple):
    """One indexed token: its span in the (NFC-normalised) text, its folded form and its stem."""

    start: int
    end: int
    folded: str
    stem: str


def normalise(text: str) -> str:
    """NFC, so that a decomposed ``o`` + diaeresis is one letter and offsets stay meaningful."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=262_144)
def fold(word: str) -> str:
    """Diacritics removed and case folded: ``Financiën`` -> ``financien``."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=262_144)
def stem(folded: str) -> str:
    """The Dutch stem of a folded word (digits and other scripts come back unchanged)."""
    return _STEMMER.stemWord(folded)


@lru_cache(maxsize=262_144)
def _pieces(raw: str) -> tuple[str, ...]:
    """A raw word's folded pieces: folding can yield separators (``½`` -> ``1⁄2``)."""
    folded = fold(raw)
    if _WORD.fullmatch(folded):
        return (folded,)
    return tuple(_WORD.findall(folded))


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, in order, with spans in ``normalise(text)``."""
    count = 0
    for match in _WORD.finditer(normalise(text)):
        for piece in _pieces(match.group()):
            if len(piece) > MAX_TOKEN_CHARS:
                continue
            if count >= MAX_POSITIONS:
                return
            count += 1
            yield Token(match.start(), match.end(), piece, stem(piece))


def words(text: str) -> list[str]:
    """The folded tokens of `text` (unstemmed): for sender names and query words."""
    return [piece for raw in _WORD.findall(normalise(text)) for piece in _pieces(raw) if len(piece) <= MAX_TOKEN_CHARS]


class IndexForms(NamedTuple):
    """What both backends index for one text, as space-separated words.

    `stems_text`: one stem per token position, in order (terms and phrases match these).
    `variants_text`: the folded words whose stem differs from them, once each (a prefix query matches
    these as well, so ``vergadering*`` finds ``vergaderingen`` although its stem is ``vergader``).
    """

    stems_text: str
    variants_text: str

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(self.stems_text.split())

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(self.variants_text.split())


class _WordForms(dict[str, str]):
    """raw word -> its stems (space-separated), filled on first sight; `variants` likewise holds
    the word's folded pieces whose stem differs. Dict look-ups in C keep bulk indexing fast."""

    LIMIT = 500_000  # distinct raw words remembered (both maps start afresh beyond it)

    def __init__(self) -> None:
        super().__init__()
        self.variants = _Variants(self)

    def __missing__(self, raw: str) -> str:
        pieces = [p for p in _pieces(raw) if len(p) <= MAX_TOKEN_CHARS]
        stems = [stem(p) for p in pieces]
        if len(self) >= self.LIMIT:
            self.clear()
            self.variants.clear()
        self.variants[raw] = " ".join(p for p, s in zip(pieces, stems, strict=True) if p != s)
        self[raw] = value = " ".join(stems)
        return value


class _Variants(dict[str, str]):
    def __init__(self, forms: _WordForms) -> None:
        super().__init__()
        self.forms = forms

    def __missing__(self, raw: str) -> str:
        self.forms.pop(raw, None)
        self.forms[raw]  # noqa: B018 (fills both maps)
        return self[raw]


_FORMS = _WordForms()


def index_forms(text: str) -> IndexForms:
    """The stems and variants of `text` (at most MAX_POSITIONS tokens), the same as `tokens` gives."""
    raw_words = _WORD.findall(normalise(text))
    stems_text = " ".join(filter(None, map(_FORMS.__getitem__, raw_words)))
    variants = " ".join(filter(None, map(_FORMS.variants.__getitem__, raw_words)))
    if variants:
        variants = " ".join(dict.fromkeys(variants.split()))
    if stems_text.count(" ") >= MAX_POSITIONS:
        kept = list(tokens(text))
        stems_text = " ".join(t.stem for t in kept)
        variants = " ".join(dict.fromkeys(t.folded for t in kept if t.folded != t.stem))
    return IndexForms(stems_text, variants)
