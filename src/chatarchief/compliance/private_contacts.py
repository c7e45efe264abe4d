"""`private_contact` findings: a delivery from the business phone holds a conversation with a contact
marked private or party (the instruction's first line of defence, a separate business phone, failed).

Compliance does not own contacts: the review app registers where they come from
(`register_contact_source`: custodian -> `core.rules.contact_book.ContactBook`). One finding per
delivery and conversation (`subject`), with the category and how the contact was recognised; never
the contact's name. A conversation excluded at ingest has no archive row: its finding names the
delivery only (`record`, called by the review app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chatarchief.archive.models import Conversation, Custodian
from chatarchief.archive.services.load import Touched
from chatarchief.compliance.findings import upsert
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.rules.contact_book import ContactBook, Match
from chatarchief.core.rules.labels import Label, ParticipantFacts
from chatarchief.core.rules.text import fold_name

ContactSource = Callable[[Custodian], ContactBook]
_SOURCES: list[ContactSource] = []
FLAGGED = (Label.PRIVATE, Label.PARTY)


def register_contact_source(source: ContactSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def _book(custodian: Custodian) -> ContactBook:
    contacts = [c for source in _SOURCES for c in source(custodian).contacts]
    return ContactBook(contacts)


def flagged_match(conversation: Conversation, custodian: Custodian, book: ContactBook) -> Match | None:
    """The first participant (or, for a 1:1 chat, the chat's name) that is a private or party contact."""
    own = {fold_name(custodian.name)}
    phones = set(custodian.phone_numbers or [])
    for p in conversation.participants.all():
        if p.is_self or fold_name(p.name) in own or fold_name(p.key) in own or (p.phone or p.key) in phones:
            continue
        found = book.match(ParticipantFacts(key=p.key, name=p.name, phone=p.phone or None))
        if found is not None and found.contact.category in FLAGGED:
            return found
    if not conversation.is_group:
        found = book.match_name(conversation.title)
        if found is not None and found.contact.category in FLAGGED:
            return found
    return None


def record(
    custodian_id: int, delivery_id: int, *, category: str, by: str, conversation_id: int | None, subject: str
) -> Finding:
    return upsert(
        FindingType.PRIVATE_CONTACT,
        custodian_id,
        subject,
        conversation_id=conversation_id,
        delivery_id=delivery_id,
        details={"category": category, "matched_by": by, "excluded_at_ingest": conversation_id is None},
    )


def for_load(touched: Iterable[Touched]) -> list[Finding]:
    """The findings of one load: every loaded conversation with a private or party contact."""
    touched = list(touched)
    if not touched or not _SOURCES:
        return []
    custodian = Custodian.objects.get(pk=touched[0].custodian_id)
    book = _book(custodian)
    if not len(book):
        return []
    found = []
    conversations: dict[int, Any] = {
        c.pk: c for c in Conversation.objects.filter(pk__in=[t.conversation_id for t in touched])
    }
    for item in touched:
        match = flagged_match(conversations[item.conversation_id], custodian, book)
        if match is not None:
            found.append(
                record(
                    item.custodian_id,
                    item.delivery_id,
                    category=str(match.contact.category),
                    by=match.by,
                    conversation_id=item.conversation_id,
                    subject=f"delivery:{item.delivery_id}:conversation:{item.conversation_id}",
                )
            )
    return found
