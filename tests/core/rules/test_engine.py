"""Conversation rules, their combination, and the message labels inside business conversations."""

from __future__ import annotations

import datetime as dt

import pytest

from chatarchief.core.contacts import Contact
from chatarchief.core.rules.contact_book import ContactBook
from chatarchief.core.rules.engine import classify_conversation, combine
from chatarchief.core.rules.labels import (
    ConversationFacts,
    Label,
    MessageFacts,
    ParticipantFacts,
    RuleHit,
)

B, P, Q = Label.BUSINESS, Label.PRIVATE, Label.PARTY
ME = ParticipantFacts("me", "Eva Bakker", "+31610000001", is_self=True)
T0 = dt.datetime(2025, 5, 14, 8, 0, tzinfo=dt.UTC)

BOOK = ContactBook(
    [
        Contact("Thomas Hendriks", B, ("+31620000009",)),
        Contact("Mark ❤️", P, ("+31630000001",)),
        Contact("Henk Mulder", Q, ("+31640000001",)),
        Contact("Joke Brouwer", Q, ("+31640000002",)),
        Contact("Ahmed Yilmaz", Q, ()),
        Contact("Oma", P, ()),
    ]
)


def _person(name: str, phone: str | None = None) -> ParticipantFacts:
    return ParticipantFacts(phone or name, name, phone)


def _chat(title, people, texts=(), *, group=None, minutes=1):
    messages = [
        MessageFacts(i, sender.key, text, T0 + dt.timedelta(minutes=i * minutes))
        for i, (sender, text) in enumerate(texts)
    ]
    return ConversationFacts(
        title, group if group is not None else len(people) > 2, "whatsapp", [ME, *people], messages, id=title
    )


def _routine(sender, n=10):
    return [(sender, f"Notitie {i} over de begroting staat klaar") for i in range(n)]


def test_one_to_one_by_phone_by_name_and_by_title():
    mark = _person("Mark ❤️")
    by_name = classify_conversation(_chat("Mark ❤️", [mark], [(mark, "Hoe laat ben je thuis?")]), BOOK)
    assert (by_name.label, by_name.rule, by_name.confidence) == (P, "contacts.one_to_one", 0.85)
    assert "naam" in by_name.hits[0].reason_nl and "Mark" not in by_name.hits[0].reason_nl  # no private names
    by_phone = classify_conversation(_chat("+31 6 30000001", [_person("+31 6 30000001", "+31630000001")]), BOOK)
    assert (by_phone.label, by_phone.confidence) == (P, 0.95)
    only_me = classify_conversation(_chat("Henk Mulder", [], [(ME, "Bel je vanavond")], group=False), BOOK)
    assert only_me.label is Q and "chat name" in only_me.hits[0].reason_en


def test_one_to_one_with_unknown_person_falls_back_to_the_business_presumption():
    stranger = _person("+31 6 60000001", "+31660000001")
    result = classify_conversation(_chat("+31 6 60000001", [stranger], [(stranger, "Kunt u reageren?")]), BOOK)
    assert (result.label, result.rule, result.confidence, result.doubtful) == (B, "default.business", 0.6, True)
    assert result.messages == []


def test_group_where_most_members_are_party_contacts_is_party():
    members = [_person("Henk Mulder"), _person("Joke Brouwer"), _person("Ahmed Yilmaz"), _person("+31 6 5", "+3165")]
    result = classify_conversation(_chat("Utrecht e.o.", members, [(members[0], "Koffie?")]), BOOK)
    assert (result.label, result.rule) == (Q, "contacts.group_members")
    assert result.confidence == pytest.approx(0.55 + 0.4 * 0.75)
    assert "3 van de 4" in result.hits[0].reason_nl


def test_group_without_a_majority_is_not_labelled_by_members():
    members = [_person("Henk Mulder"), _person("Joke Brouwer"), _person("Anna"), _person("Bert")]
    result = classify_conversation(_chat("Zaterdag", members), BOOK)
    assert result.rule == "default.business"


def test_group_names_label_groups():
    members = [_person("Anna"), _person("Bert")]
    assert classify_conversation(_chat("Campagneteam TK2025", members), BOOK).label is Q
    assert classify_conversation(_chat("D66 afdeling Leiden", members), BOOK).label is Q
    assert classify_conversation(_chat("Familie Bakker", members), BOOK).label is P
    assert classify_conversation(_chat("Afdeling Juridische Zaken", members), BOOK).label is B


def test_content_share_labels_a_conversation_full_of_campaign_talk():
    stranger = _person("+31 6 5", "+3165")
    texts = [(stranger, "Zaterdag flyeren?"), (ME, "Ja"), (stranger, "Daarna canvassen"), (stranger, "Posters plakken")]
    result = classify_conversation(_chat("+31 6 5", [stranger], texts), BOOK)
    assert (result.label, result.rule) == (Q, "content.share")
    assert result.messages == []  # a party conversation leaves whole: no message labels


def test_a_business_chat_keeps_its_label_and_lists_the_private_messages():
    thomas = _person("Thomas Hendriks")
    texts = [
        *_routine(thomas, 6),
        (thomas, "Hartelijk gefeliciteerd met je verjaardag! 🎉"),
        (ME, "Dankjewel, lief dat je eraan denkt!"),
        *_routine(ME, 6),
        (ME, "Zie je zaterdag op het partijcongres?"),
    ]
    result = classify_conversation(_chat("Thomas Hendriks", [thomas], texts), BOOK)
    assert (result.label, result.rule) == (B, "contacts.one_to_one")
    assert [(m.message_id, m.label, m.rule) for m in result.messages] == [
        (6, P, "phrases.congratulations"),
        (7, P, "context.reply"),
        (14, Q, "phrases.party_bodies"),
    ]
    assert result.messages[1].confidence == pytest.approx(0.65)


def test_decided_label_decides_which_messages_differ():
    mark = _person("Mark ❤️")
    facts = _chat("Mark ❤️", [mark], [(mark, "Sterkte morgen in het debat"), (mark, "Kusjes")])
    assert classify_conversation(facts, BOOK).messages == []
    decided = classify_conversation(facts, BOOK, decided_label=B)
    assert decided.label is P  # the rules' own label stays what it is
    assert [(m.message_id, m.label) for m in decided.messages] == [(0, P), (1, P)]


@pytest.mark.parametrize(
    ("reply", "same_sender", "minutes", "labelled"),
    [
        ("Dank je wel!", False, 1, True),
        ("Bedankt hoor", False, 60, True),
        ("Dank je wel!", True, 1, False),  # the wisher thanking themselves is no reply
        ("Dank je, ik stuur je de nota over de begroting morgen na het MT", False, 1, False),  # too long
        ("Dank je wel!", False, 60 * 13, False),  # too late
        ("Prima", False, 1, False),  # no thanks
    ],
)
def test_context_reply(reply, same_sender, minutes, labelled):
    thomas = _person("Thomas Hendriks")
    texts = [*_routine(thomas, 8), (thomas, "Gefeliciteerd!"), (thomas if same_sender else ME, reply)]
    facts = _chat("Thomas Hendriks", [thomas], texts, minutes=minutes)
    found = {m.message_id for m in classify_conversation(facts, BOOK).messages}
    assert found == ({8, 9} if labelled else {8})


def test_thanks_after_a_business_message_stay_business():
    thomas = _person("Thomas Hendriks")
    texts = [*_routine(thomas, 8), (thomas, "Nota staat klaar"), (ME, "Dank je wel!")]
    assert classify_conversation(_chat("Thomas Hendriks", [thomas], texts), BOOK).messages == []


def test_combine_reinforces_agreement_and_lowers_confidence_on_conflict():
    def hit(label, confidence):
        return RuleHit("r", "1", label, confidence, "", "")

    assert combine([hit(Q, 0.8), hit(Q, 0.5)]) == (Q, 0.9)
    label, confidence = combine([hit(B, 0.9), hit(Q, 0.6)])
    assert label is B and confidence == pytest.approx(0.9 * 0.7)
    assert combine([hit(B, 0.6), hit(P, 0.6)])[0] is B  # a tie goes to business: kept for review


def test_conflicting_rules_make_a_doubtful_label_with_every_hit_listed():
    thomas = _person("Thomas Hendriks")
    result = classify_conversation(_chat("VVD", [thomas], _routine(thomas)), BOOK)
    assert result.label is B and result.doubtful
    assert {h.rule for h in result.hits} == {"contacts.one_to_one", "phrases.party_names"}
    assert [h.as_dict("en")["label"] for h in result.hits] == ["business", "party"]
