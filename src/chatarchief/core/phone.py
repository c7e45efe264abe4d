"""Phone numbers: one normaliser for senders read from exports and for numbers a person types in.

Exports (lenient, the default): whatever a chat app wrote as a sender or address becomes "+<digits>"
when it is a phone number (national numbers are read in region NL); anything else (a short code
"1200", an alphanumeric sender "KPN", an e-mail address) is kept as written, so no sender is lost.
User input (``strict=True``): the number must be a possible phone number; it comes back in E.164
("+31612345678"), or a `PhoneNumberError` says it is not one.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from chatarchief.core.errors import ChatarchiefError

REGION = "NL"  # national numbers in exports of Dutch officials, and typed in by Dutch users
_SEPARATORS = re.compile(r"[\s\-().\u00a0\u202f\u2010-\u2015\u2212/]")
_DIGITS = re.compile(r"\+?\d+")


class PhoneNumberError(ChatarchiefError):
    """A number typed in (strict mode) that is no phone number."""


def normalise_phone(raw: str, *, strict: bool = False) -> str:
    """A phone number as "+<digits>"; see the module text for the lenient and the strict contract."""
    if strict:
        return _strict(raw)
    return _lenient(raw)


def phone_or_none(value: object) -> str | None:
    """ "+<digits>" when `value` is text holding a phone number, else None (for optional id fields)."""
    if not isinstance(value, str) or not value.strip():
        return None
    number = _lenient(value)
    return number if number.startswith("+") else None


@lru_cache(maxsize=65536)
def _lenient(raw: str) -> str:
    text = raw.strip()
    cleaned = _SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(cleaned):
        return text
    if cleaned.startswith("+"):
        return cleaned
    if cleaned.startswith("00") and len(cleaned) > 4:
        return "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, REGION)
    except phonenumbers.NumberParseException:
        return cleaned
    if not phonenumbers.is_possible_number(number):
        return cleaned
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _strict(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise PhoneNumberError(
            "phone.invalid", nl=f"Ongeldig telefoonnummer: {raw!r}.", en=f"Invalid phone number: {raw!r}."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
