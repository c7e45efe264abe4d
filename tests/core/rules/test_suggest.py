"""The model learned from decisions: train, predict, explain, store, and its graceful refusals."""

from __future__ import annotations

import json
import os
import pickle

import pytest

from chatarchief.core.rules.labels import Label
from chatarchief.core.rules.suggest import (
    MIN_DECISIONS,
    Decision,
    SuggestionModel,
    SuggestionModelError,
    train_suggestions,
)

B, P, Q = Label.BUSINESS, Label.PRIVATE, Label.PARTY
DECISIONS = [
    Decision("Gefeliciteerd met je verjaardag!", P),
    Decision("Fijne verjaardag, geniet van je dag", P),
    Decision("Gecondoleerd met je vader, veel sterkte", P),
    Decision("Sterkte morgen, je kunt het", P),
    Decision("Kamerbrief over stikstof graag voor donderdag", B),
    Decision("Notitie over de begroting staat in de map", B),
    Decision("Het overleg met de provincie is verschoven", B),
    Decision("Concept-antwoorden Kamervragen woningbouw", B),
    Decision("Wie komt er naar de ledenvergadering zaterdag?", Q),
    Decision("Kandidatenlijst moet vrijdag naar het partijbureau", Q),
    Decision("Flyeren op de markt met het campagneteam", Q),
    Decision("Partijbestuur vergadert over de campagne", Q),
]


@pytest.fixture(scope="module")
def model() -> SuggestionModel:
    return train_suggestions(DECISIONS)


def test_predicts_and_explains_with_the_terms_that_drove_it(model):
    assert model.ready and model.decisions == 12 and model.counts == {"business": 4, "party": 4, "private": 4}
    suggestion = model.suggest("Van harte gefeliciteerd met je verjaardag")
    assert suggestion.label is P
    assert 1 / 3 < suggestion.confidence <= 1
    terms = [term for term, _ in suggestion.terms]
    assert "gefeliciteerd" in terms and "verjaardag" in terms
    assert all(weight > 0 for _, weight in suggestion.terms)
    assert [w for _, w in suggestion.terms] == sorted((w for _, w in suggestion.terms), reverse=True)
    assert "je" not in terms and "met" not in terms  # Dutch function words are left out
    assert model.suggest("De Kamerbrief over de begroting").label is B
    assert model.suggest("Zaterdag ledenvergadering bij het partijbureau").label is Q
    assert suggestion.as_dict()["label"] == "private"


def test_two_labels_only_still_explains_both_ways():
    two = train_suggestions([d for d in DECISIONS * 2 if d.label is not Q])
    assert two.suggest("gecondoleerd, veel sterkte").label is P
    business = two.suggest("kamerbrief begroting")
    assert business.label is B and business.terms and business.terms[0][1] > 0


def test_stored_and_read_back_it_suggests_the_same(model):
    data = model.to_bytes()
    header = json.loads(data.split(b"\n")[1])
    assert header["status"] == "ready" and header["scikit_learn"]
    again = SuggestionModel.from_bytes(data)
    text = "Sterkte morgen in het debat"
    assert again.suggest(text) == model.suggest(text)


def test_too_few_decisions_and_one_label_give_no_suggestion_and_say_why():
    few = train_suggestions(DECISIONS[: MIN_DECISIONS - 1])
    assert not few.ready and few.suggest("gefeliciteerd") is None
    assert "9 van minstens 10" in few.why_not()[0]
    one = train_suggestions([Decision(f"nota {i}", B) for i in range(20)])
    assert one.status == "one_label" and one.suggest("nota") is None
    assert "same label" in one.why_not()[1]
    again = SuggestionModel.from_bytes(one.to_bytes())
    assert again.status == "one_label" and again.counts == {"business": 20}
    assert train_suggestions([Decision("  ", B)] * 30).status == "too_few_decisions"


def test_empty_text_gets_no_suggestion(model):
    assert model.suggest("   ") is None and model.why_not() is None


def test_many_at_once_equal_one_by_one(model):
    texts = ["Gefeliciteerd!", "", "Kamerbrief begroting", "flyeren met het campagneteam"]
    assert model.suggest_many(texts) == [model.suggest(text) for text in texts]
    assert model.suggest_many(texts)[1] is None


def test_pickles_and_damaged_bytes_are_refused():
    with pytest.raises(SuggestionModelError):
        SuggestionModel.from_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(SuggestionModelError):
        SuggestionModel.from_bytes(b"chatarchief-suggestions\n{not json\n")
    header = json.dumps({"format": "chatarchief-suggestions/1", "status": "ready", "counts": {}}).encode()
    with pytest.raises(SuggestionModelError) as caught:
        SuggestionModel.from_bytes(b"chatarchief-suggestions\n" + header + b"\n" + b"PK\x03\x04broken")
    assert caught.value.code == "suggestions.bad_model"


def test_a_model_naming_an_untrusted_function_is_refused_without_running_it():
    import skops.io
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    hostile = Pipeline(
        [("tfidfvectorizer", FunctionTransformer(os.getcwd)), ("logisticregression", LogisticRegression())]
    )
    header = json.dumps({"format": "chatarchief-suggestions/1", "status": "ready", "counts": {}}).encode()
    data = b"chatarchief-suggestions\n" + header + b"\n" + skops.io.dumps(hostile)
    with pytest.raises(SuggestionModelError) as caught:
        SuggestionModel.from_bytes(data)
    assert "UntrustedTypesFoundException" in caught.value.message("en")
