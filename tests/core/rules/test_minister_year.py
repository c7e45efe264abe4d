"""Acceptance (issue 16): on a generated year of a minister's business phone, with a small contacts
file, the rules alone label every conversation correctly and find the private messages inside
business chats."""

from __future__ import annotations

import pytest

from chatarchief.core.rules.labels import Label
from tests.generators.minister_year import evaluate, minister_year


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    year = minister_year(seed=16)
    return year, evaluate(year, tmp_path_factory.mktemp("year"))


def test_the_year_holds_the_scenario(evaluation):
    year, _ = evaluation
    truth = year.conversation_truth
    assert sorted(truth.values()).count(Label.BUSINESS) == 9
    assert [t for t, label in truth.items() if label is Label.PRIVATE] == ["Mark ❤️"]
    assert {t for t, label in truth.items() if label is Label.PARTY} == {
        "Utrecht e.o.",
        "Campagneteam TK2025",
        "Henk Mulder",
    }
    special = year.message_truth
    assert len(special) == 10 and set(special.values()) == {Label.PRIVATE}
    assert {title for title, _, _ in special} == {"Jeroen Smit", "Thomas Hendriks", "Staf minister"}
    assert year.message_count > 2000


def test_rules_alone_label_every_conversation_correctly(evaluation):
    _, result = evaluation
    wrong = {title: pair for title, pair in result.conversations.items() if pair[0] is not pair[1]}
    assert wrong == {}
    assert len(result.conversations) == 13


def test_rules_find_every_private_message_inside_business_chats_and_nothing_else(evaluation):
    _, result = evaluation
    assert {key: label for key, label in result.found_special.items() if label is not Label.PRIVATE} == {}
    assert result.false_special == []
    scores = result.scores(result.messages)
    assert all(precision == 1.0 and recall == 1.0 for precision, recall, _ in scores.values())


def test_the_generator_is_reproducible_by_seed():
    first, again, other = minister_year(seed=3), minister_year(seed=3), minister_year(seed=4)
    assert [c.specs for c in first.chats] == [c.specs for c in again.chats]
    assert [c.specs for c in first.chats] != [c.specs for c in other.chats]
    assert first.conversation_truth == other.conversation_truth
