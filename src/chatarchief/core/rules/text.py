"""Text folding for matching: case, diacritics, typographic quotes and dashes, whitespace.

`fold()` is what phrases and message texts are compared in (``"Gecondoleerd" == "gecondoléérd"``);
`fold_name()` is what display names are compared in (also without emoji and invisible marks, so
"Mark ❤️" in a WhatsApp export matches "Mark" in a contacts file).
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_NAME_DROPPED = frozenset(("Mn", "Me", "Cf", "Cc", "So", "Sk", "Cs", "Co", "Cn"))


def strip_accents(text: str) -> str:
    """The text without diacritics, with plain quotes and dashes; case kept. ASCII passes through."""
    if text.isascii():
        return text
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return text.translate(_TYPOGRAPHIC)


def fold(text: str) -> str:
    """The text as phrases are matched in: without diacritics, case folded."""
    if text.isascii():
        return text.lower()
    return strip_accents(text).casefold()


def fold_name(name: str) -> str:
    """A display name as names are compared: folded, without emoji or invisible marks, spaces collapsed."""
    text = fold(name)
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _NAME_DROPPED)
    return " ".join(text.split())
