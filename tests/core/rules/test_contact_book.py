"""Matching participants to contacts: phone, Signal/Telegram id, display name; ambiguity; self."""

from __future__ import annotations

from chatarchief.core.contacts import Contact
from chatarchief.core.model import Channel, Conversation, Kind, Message, Participant
from chatarchief.core.rules.adapt import facts_from_conversation
from chatarchief.core.rules.contact_book import ContactBook
from chatarchief.core.rules.labels import Label, ParticipantFacts

ACI = "0a1b2c3d-0000-4000-8000-00000000abcd"
BOOK = ContactBook(
    [
        Contact("Chloe de Wit", Label.BUSINESS, ("+31620000002",)),
        Contact("Joke", Label.PARTY, signal_ids=(ACI,), telegram_ids=("user777", "jokeb")),
        Contact("Jan", Label.BUSINESS, ("+31620000003",)),
        Contact("JAN", Label.PRIVATE, ("+31630000003",)),
        Contact("Piet", Label.PRIVATE, ("+31630000004",)),
        Contact("piet", Label.PRIVATE, ("+31630000005",)),
    ]
)


def test_match_by_phone_in_any_notation():
    for facts in (
        ParticipantFacts("+31620000002", "+31 6 20000002", "+31620000002"),
        ParticipantFacts("x", "Onbekend", "+31 (0)6-2000 0002".replace("(0)", "")),
        ParticipantFacts("0031620000002", "0031 6 20000002"),
    ):
        match = BOOK.match(facts)
        assert match is not None and match.contact.name == "Chloe de Wit" and match.by == "phone", facts


def test_match_by_signal_aci_and_telegram_ids():
    signal = BOOK.match(ParticipantFacts(f"signal:{ACI}", "J.", native_id=ACI.upper()))
    assert signal is not None and (signal.contact.name, signal.by) == ("Joke", "id")
    telegram = BOOK.match(ParticipantFacts("user777", "Joke B", native_id="user777"))
    assert telegram is not None and telegram.by == "id"


def test_match_by_display_name_folded():
    match = BOOK.match(ParticipantFacts("Chloë  de WIT", "Chloë  de WIT"))
    assert match is not None and match.by == "name"


def test_a_name_shared_by_two_categories_matches_nobody_but_one_category_does():
    assert BOOK.match(ParticipantFacts("Jan", "Jan")) is None
    assert BOOK.match(ParticipantFacts("x", "Jan", "+31630000003")).contact.category is Label.PRIVATE
    assert BOOK.match(ParticipantFacts("Piet", "Piet")).contact.category is Label.PRIVATE


def test_the_custodian_is_never_a_contact():
    assert BOOK.match(ParticipantFacts("me", "Chloe de Wit", "+31620000002", is_self=True)) is None
    assert BOOK.match(ParticipantFacts("nobody", "Nobody")) is None
    assert len(BOOK) == 6


def test_facts_from_a_parsed_conversation_mark_the_custodian_and_keep_captions():
    conversation = Conversation(
        key="k",
        title="Staf",
        channel=Channel.WHATSAPP,
        is_group=True,
        participants=[
            Participant("Eva Bakker", "Eva Bakker"),
            Participant("+31620000002", "+31 6 20000002", "+31620000002"),
        ],
        messages=[
            Message(0, None, 1_700_000_000_000, Kind.SYSTEM, "Eva heeft de groep gemaakt"),
            Message(1, "Eva Bakker", 1_700_000_060_000, Kind.MEDIA, "Gefeliciteerd!"),
            Message(2, "+31620000002", 1_700_000_120_000, Kind.DELETED, ""),
        ],
    )
    facts = facts_from_conversation(conversation, self_names=["eva bakker"])
    assert [p.is_self for p in facts.participants] == [True, False]
    assert [(m.id, m.sender_key, m.text) for m in facts.messages] == [
        (1, "Eva Bakker", "Gefeliciteerd!"),
        (2, "+31620000002", ""),
    ]
    assert facts.is_group and facts.channel == "whatsapp" and facts.id == "k"
    assert facts.messages[0].sent_at.year == 2023
