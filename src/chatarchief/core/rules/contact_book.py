"""Matching the participants of a conversation to known contacts.

A participant matches a contact by phone number, by Signal or Telegram id, and, where the export
shows only a display name (WhatsApp shows the name saved in the phone's address book), by that
name, compared folded (case, diacritics, whitespace, emoji). A name shared by contacts of different
categories matches none of them: the rules then know nothing rather than something wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chatarchief.core.contacts import Contact, normalise_contact_phone, normalise_signal_id, normalise_telegram_id
from chatarchief.core.rules.labels import ParticipantFacts
from chatarchief.core.rules.text import fold_name


@dataclass(frozen=True, slots=True)
class Match:
    """A participant matched to a contact, and on what (`phone`, `id` or `name`)."""

    contact: Contact
    by: str


class ContactBook:
    """The contacts of a custodian (and their organisation), indexed for matching."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self.contacts = list(contacts)
        self._by_id: dict[str, Contact] = {}
        self._by_name: dict[str, Contact | None] = {}
        for contact in self.contacts:
            for value in contact.phones:
                self._by_id.setdefault(value, contact)
            for value in (*contact.signal_ids, *contact.telegram_ids):
                self._by_id.setdefault(value, contact)
            name = fold_name(contact.name)
            earlier = self._by_name.get(name, contact)
            # two contacts of one name and different categories: the name alone decides nothing
            self._by_name[name] = contact if earlier is not None and earlier.category == contact.category else None

    def __len__(self) -> int:
        return len(self.contacts)

    def match(self, participant: ParticipantFacts) -> Match | None:
        """The contact this participant is, or None. The custodian (`is_self`) matches no one."""
        if participant.is_self:
            return None
        for value in _identifiers(participant):
            found = self._by_id.get(value)
            if found is not None:
                return Match(found, "phone" if value.startswith("+") else "id")
        return self.match_name(participant.name)

    def match_name(self, name: str) -> Match | None:
        """The one contact of this display name (folded), or None (unknown or ambiguous)."""
        if not name:
            return None
        found = self._by_name.get(fold_name(name))
        return Match(found, "name") if found is not None else None


def _identifiers(participant: ParticipantFacts) -> list[str]:
    """Every normalised identifier a participant can be known by."""
    values: list[str] = []
    for raw in (participant.phone, participant.key, participant.name):
        if raw and raw.lstrip().startswith(("+", "00")):
            phone = normalise_contact_phone(raw)
            if phone:
                values.append(phone)
    native = participant.native_id or ""
    if native:
        values += [v for v in (normalise_signal_id(native), normalise_telegram_id(native)) if v]
    if participant.key.startswith("signal:"):
        found = normalise_signal_id(participant.key.removeprefix("signal:"))
        if found:
            values.append(found)
    return values
