"""Signal people, the same way for the legacy backup, backup v2 and Desktop.

A Signal contact may be known by a phone number (e164), an account id (ACI, a UUID), both, or
neither. Every format turns what it has into a `Person` here:

- ``key`` (the sender key every message and participant carries): the phone number as
  "+<digits>" when there is one (so a contact lines up with WhatsApp and SMS), else
  ``signal:<aci>`` (lower case), else ``signal:<key_fallback>``;
- ``stable_id`` (what thread keys ``signal:thread:<id>`` and native message ids are built from):
  the ACI, else the phone number, else ``stable_fallback``. The legacy backup puts the phone number
  first (`phone_first`): databases from before 2020 hold no ACI, and a contact must keep its
  threads from one backup to the next;
- ``name``: the first non-empty of the names the format offers, else the phone number, the ACI
  or ``name_fallback``.

`Directory` finds a person again by any handle a message names them by (ACI in any case, phone
number, or the format's own row id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from chatarchief.core.model import Participant
from chatarchief.core.phone import phone_or_none

T = TypeVar("T")


@dataclass(slots=True)
class Person:
    key: str
    name: str
    stable_id: str
    phone: str | None = None
    aci: str | None = None  # lower case

    def participant(self) -> Participant:
        return Participant(key=self.key, name=self.name, phone=self.phone, native_id=self.aci)


def e164(value: object) -> str | None:
    """A phone number as "+<digits>" from a text (any notation) or from v2's integer field, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"+{value}" if value > 0 else None
    return phone_or_none(value)


def person(  # noqa: PLR0913 - the handles and the two fallbacks of each format, by keyword
    *,
    phone: str | None,
    aci: str | None,
    names: Iterable[str | None],
    key_fallback: str,
    stable_fallback: str,
    name_fallback: str,
    phone_first: bool = False,
) -> Person:
    """A contact from its handles (`phone` already "+<digits>", see `e164`)."""
    aci = aci.strip().lower() if aci and aci.strip() else None
    first, second = (phone, aci) if phone_first else (aci, phone)
    name = next((n for n in names if n), None) or phone or aci or name_fallback
    key = phone or (f"signal:{aci}" if aci else f"signal:{key_fallback}")
    return Person(key=key, name=name, stable_id=first or second or stable_fallback, phone=phone, aci=aci)


class Directory(Generic[T]):
    """What a format keeps per person (a Participant, a recipient row), found by any handle: ACI
    (in any case), phone number, or the format's own row or conversation id."""

    def __init__(self) -> None:
        self._by_handle: dict[str, T] = {}

    def add(self, value: T, *handles: str | None) -> T:
        for handle in handles:
            if handle:
                self._by_handle[handle.lower()] = value
        return value

    def find(self, handle: str | None) -> T | None:
        return self._by_handle.get(handle.lower()) if handle else None
