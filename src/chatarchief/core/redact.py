"""Redaction *suggestions* for Woo: where personal data probably sits in a message text.

`suggest_redactions(text, contacts=..., officials=...)` returns `Suggestion`s (start, end, kind,
ground, the matched text). Nothing is ever applied here: a person accepts or rejects each one, and
only accepted spans become redactions (`core/packaging/document.py`).

What is found, and how:
- phone numbers: `phonenumbers.PhoneNumberMatcher` with region NL, valid numbers only;
- e-mail addresses: a pattern;
- IBANs: a pattern, then `schwifty` (country length, mod-97 check digits, national check);
- BSNs: nine digits (also ``1234.56.782``/``123 456 782``) that pass the eleven-test; a number that is
  also a phone number written with a leading 0 or + is left to the phone detector;
- Dutch licence plates: the fourteen sidecodes, with dashes, letters without vowels, C or Q;
- names of persons: `deduce` (Dutch de-identification, UMC Utrecht), names group only, minus the
  names of `officials` (public officials acting in office are not redacted under 5.1.2e);
- names of known contacts (`contacts`, e.g. the archive's non-official participants): whole-word,
  case-insensitive, full name and surname.
BSNs get ground 5.1.1e (national identification numbers); everything else 5.1.2e (privacy).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import phonenumbers


class SuggestionKind(StrEnum):
    BSN = "bsn"
    IBAN = "iban"
    EMAIL = "email"
    PHONE = "phone"
    LICENCE_PLATE = "licence_plate"
    CONTACT_NAME = "contact_name"
    PERSON_NAME = "person_name"


# Earlier kinds win where two suggestions overlap.
_PRIORITY = {kind: rank for rank, kind in enumerate(SuggestionKind)}
GROUND_FOR = {kind: "5.1.1e" if kind is SuggestionKind.BSN else "5.1.2e" for kind in SuggestionKind}


@dataclass(frozen=True, slots=True)
class Suggestion:
    start: int
    end: int
    kind: SuggestionKind
    ground: str
    text: str


NameFinder = Callable[[str], Iterable[tuple[int, int]]]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])")
_BSN = re.compile(r"(?<![\d+.\-/])(\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}([ .])\d{3}\2\d{3})(?![\d\-/]|\.\d)")
_INTERNATIONAL_PREFIX = re.compile(r"(?:\+|\b00)\d{1,3}[\s-]*$")
_PLATE_LETTER = "[BDFGHJKLMNPRSTVWXYZ]"
_SIDECODES = (
    "LL-99-99", "99-99-LL", "99-LL-99", "LL-99-LL", "LL-LL-99", "99-LL-LL", "99-LLL-9",
    "9-LLL-99", "LL-999-L", "L-999-LL", "LLL-99-L", "L-99-LLL", "9-LL-999", "999-LL-9",
)  # fmt: skip
_PLATE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(code.replace("L", _PLATE_LETTER).replace("9", r"\d") for code in _SIDECODES)
    + r")(?![\w-])",
    re.IGNORECASE,
)
_HONORIFICS = {
    "de", "het", "mevrouw", "meneer", "mevr", "mw", "dhr", "heer", "mr", "dr", "ir", "drs", "prof",
    "minister", "staatssecretaris", "premier", "dg", "sg", "burgemeester", "wethouder",
}  # fmt: skip


def suggest_redactions(
    text: str,
    *,
    contacts: Iterable[str] = (),
    officials: Iterable[str] = (),
    names: bool = True,
    name_finder: NameFinder | None = None,
) -> list[Suggestion]:
    """Suggested redactions in `text`, ordered by position, never overlapping.

    `names=False` skips the person-name model (the others are cheap); `name_finder` replaces it
    (a callable returning (start, end) pairs), e.g. for a process that must not load deduce.
    """
    found: list[Suggestion] = []
    phones = list(_phones(text))
    found.extend(phones)
    found.extend(_matches(text, _EMAIL, SuggestionKind.EMAIL))
    found.extend(_ibans(text))
    found.extend(_bsns(text, phones))
    found.extend(_matches(text, _PLATE, SuggestionKind.LICENCE_PLATE))
    found.extend(_contacts(text, contacts))
    if names:
        finder = name_finder or deduce_person_names
        found.extend(_persons(text, finder, list(officials)))
    return _without_overlaps(found)


def _suggestion(text: str, start: int, end: int, kind: SuggestionKind) -> Suggestion:
    return Suggestion(start, end, kind, GROUND_FOR[kind], text[start:end])


def _matches(text: str, pattern: re.Pattern[str], kind: SuggestionKind) -> Iterable[Suggestion]:
    return (_suggestion(text, m.start(), m.end(), kind) for m in pattern.finditer(text))


def _phones(text: str) -> Iterable[Suggestion]:
    for match in phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.VALID):
        yield _suggestion(text, match.start, match.end, SuggestionKind.PHONE)


def _ibans(text: str) -> Iterable[Suggestion]:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    for match in _IBAN.finditer(text):
        candidate = match.group(0)
        # The pattern may take a following group of letters or digits too: try shorter until valid.
        while len(candidate.replace(" ", "")) >= 15:
            try:
                IBAN(candidate.upper(), validate_bban=True)
            except SchwiftyException:
                candidate = candidate[:-1].rstrip()
                continue
            yield _suggestion(text, match.start(), match.start() + len(candidate), SuggestionKind.IBAN)
            break


def is_bsn(digits: str) -> bool:
    """The eleven-test of a burgerservicenummer (nine digits, weights 9..2 and -1)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _bsns(text: str, phones: list[Suggestion]) -> Iterable[Suggestion]:
    dialled = [p for p in phones if p.text.lstrip()[:1] in ("0", "+")]
    for match in _BSN.finditer(text):
        if not is_bsn(re.sub(r"\D", "", match.group(1))):
            continue
        if any(p.start < match.end() and match.start() < p.end for p in dialled):
            continue
        if _INTERNATIONAL_PREFIX.search(text, 0, match.start()):
            continue  # "+31 123456782": a (mistyped) phone number, not a BSN
        yield _suggestion(text, match.start(), match.end(), SuggestionKind.BSN)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    words = name.split()
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)


def _contacts(text: str, contacts: Iterable[str]) -> Iterable[Suggestion]:
    for name in contacts:
        words = name.split()
        full = _name_pattern(name)
        if full is None:
            continue
        yield from _matches(text, full, SuggestionKind.CONTACT_NAME)
        surname = words[-1]
        if len(words) > 1 and len(surname) >= 4:  # "Jansen" alone, written with a capital
            pattern = re.compile(r"(?<!\w)" + re.escape(surname[:1].upper() + surname[1:]) + r"(?!\w)")
            yield from _matches(text, pattern, SuggestionKind.CONTACT_NAME)


def _tokens(name: str) -> set[str]:
    return {w for w in re.findall(r"\w+", name.casefold()) if w not in _HONORIFICS and len(w) > 1}


def _persons(text: str, finder: NameFinder, officials: list[str]) -> Iterable[Suggestion]:
    official_tokens = [_tokens(name) for name in officials]
    for start, end in finder(text):
        tokens = _tokens(text[start:end])
        if tokens and any(tokens <= known for known in official_tokens):
            continue  # a public official acting in office
        yield _suggestion(text, start, end, SuggestionKind.PERSON_NAME)


def _without_overlaps(found: list[Suggestion]) -> list[Suggestion]:
    kept: list[Suggestion] = []
    for candidate in sorted(found, key=lambda s: (_PRIORITY[s.kind], s.start, -s.end)):
        if all(candidate.end <= s.start or s.end <= candidate.start for s in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda s: (s.start, s.end))


# ---- deduce ---------------------------------------------------------------------------------------

_DEDUCE: Any = None
_DEDUCE_LOCK = threading.Lock()
# deduce's processors other than the person names: skipped (faster, and the detectors above cover
# phone numbers, e-mail and BSN with the rules this project wants).
_DEDUCE_SKIPPED = {
    "locations", "placename", "street_pattern", "street_lookup", "housenumber", "postal_code", "postbus",
    "remove_street_tags", "clean_street_tags", "institutions", "hospital", "institution", "dates",
    "date_dmy_1", "date_dmy_2", "date_ymd_1", "date_ymd_2", "ages", "age", "identifiers", "bsn",
    "identifier", "phone_numbers", "phone", "email_addresses", "email", "urls", "url", "redactor",
}  # fmt: skip
_PERSON_TAGS = ("persoon", "patient")


def _deduce() -> Any:
    """The process-wide deduce model: loaded once (about 10 s and 1 GB; the first build about a minute)."""
    global _DEDUCE
    with _DEDUCE_LOCK:
        if _DEDUCE is None:
            # deduce configures the root logger on import and logs through it while loading
            # (`logging.basicConfig`): both undone, so a CLI's --json output stays clean.
            root = logging.getLogger()
            handlers, level = root.handlers[:], root.level
            try:
                from deduce import Deduce

                _DEDUCE = Deduce()
            finally:
                root.handlers[:] = handlers
                root.setLevel(level)
    return _DEDUCE


def warm_name_finder() -> None:
    """Build deduce's lookup cache now (`make install` runs this once), not at the first suggestion."""
    deduce_person_names("Goedemorgen Jan de Vries")


def deduce_person_names(text: str) -> list[tuple[int, int]]:
    """Where deduce sees names of persons in Dutch text."""
    if not text.strip():
        return []
    document = _deduce().deidentify(text, disabled=_DEDUCE_SKIPPED)
    return sorted((a.start_char, a.end_char) for a in document.annotations if any(tag in a.tag for tag in _PERSON_TAGS))
