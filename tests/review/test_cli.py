"""The review commands: contacts import, classify --json (issue 16's exact shape), review decide /
confirm (four eyes) / agenda."""

from __future__ import annotations

import json

import pytest

from chatarchief.cli import main
from chatarchief.review.models import Contact, ContactMark, Decision
from tests.review import scenario
from tests.review.helpers import custodian_with_reviewers, import_scenario_contacts, ingest_month

pytestmark = pytest.mark.django_db(transaction=True)


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_contacts_import_is_all_or_nothing_and_names_the_bad_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHATARCHIEF_LANG", "en")
    custodian, _, _ = custodian_with_reviewers()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,phone,category,note\nMark,+31 6 30000001,privé,\nJan,+31 6 30000002,vriend,\n", encoding="utf-8"
    )
    assert main(["contacts", "import", str(bad), "--custodian", custodian.slug]) == 2
    error = capsys.readouterr().err
    assert "bad.csv" in error and "line 3" in error
    assert not Contact.objects.exists()

    good = scenario.write_contacts(tmp_path / "contacts.csv")
    assert main(["contacts", "import", str(good), "--custodian", custodian.slug, "--json"]) == 0
    assert _json(capsys) == {"contacts": 3, "created": 3, "changed": 0, "unchanged": 0}
    assert main(["contacts", "import", str(good), "--custodian", custodian.slug, "--json"]) == 0
    assert _json(capsys)["unchanged"] == 3
    changed = tmp_path / "changed.csv"
    changed.write_text(
        good.read_text(encoding="utf-8").replace("privé;echtgenoot", "partij;toch partij"), encoding="utf-8"
    )
    assert main(["contacts", "import", str(changed), "--custodian", custodian.slug, "--json"]) == 0
    assert _json(capsys)["changed"] == 1
    spouse = Contact.objects.get(name=scenario.SPOUSE)
    assert spouse.category == "party"
    assert [m.category for m in ContactMark.objects.filter(contact=spouse)] == ["private", "party"]


def test_classify_json_has_exactly_the_issue_shape(tmp_path, capsys):
    custodian, _, _ = custodian_with_reviewers()
    import_scenario_contacts(custodian, tmp_path)
    ingest_month(custodian, tmp_path, 1)
    assert main(["classify", "--custodian", custodian.slug, "--json"]) == 0
    result = _json(capsys)
    assert set(result) == {"conversations", "messages"}
    labels = {c["title"]: c["label"] for c in result["conversations"]}
    assert labels == {scenario.SPOUSE: "private", scenario.COLLEAGUE: "business", scenario.STAFF: "business"}
    for row in result["conversations"]:
        assert set(row) == {"conversation_id", "title", "label", "confidence", "decided", "rules"}
        assert row["decided"] is False and all(set(r) == {"rule", "reason"} for r in row["rules"])
    assert len(result["messages"]) == 1
    message = result["messages"][0]
    assert set(message) == {"message_id", "conversation_id", "sent_at", "label", "confidence", "rule", "reason"}
    assert message["label"] == "private" and message["rule"] == "phrases.congratulations"
    assert message["sent_at"].startswith("2025-01-14T07:55:00+01:00")


def test_decide_and_confirm_by_two_reviewers_and_never_by_the_same(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHATARCHIEF_LANG", "en")
    custodian, first, second = custodian_with_reviewers()
    import_scenario_contacts(custodian, tmp_path)
    ingest_month(custodian, tmp_path, 1)
    assert main(["classify", "--custodian", custodian.slug, "--json"]) == 0
    result = _json(capsys)
    spouse = next(c["conversation_id"] for c in result["conversations"] if c["label"] == "private")
    wish = result["messages"][0]["message_id"]

    args = ["review", "decide", "--conversation", str(spouse), "--label", "private", "--by", first.username]
    assert main([*args, "--reason", "Echtgenoot", "--json"]) == 0
    decided = _json(capsys)
    assert set(decided) == {"decision_id", "status"} and decided["status"] == "awaiting_confirmation"

    assert main(["review", "confirm", str(decided["decision_id"]), "--by", first.username, "--json"]) == 2
    assert "four eyes" in capsys.readouterr().err
    assert Decision.objects.get(pk=decided["decision_id"]).status == "awaiting_confirmation"

    assert main(["review", "confirm", str(decided["decision_id"]), "--by", second.username, "--json"]) == 0
    assert _json(capsys) == {
        "excluded_messages": 4,
        "destroyed_originals": 1,
        "derived_originals": 0,
        "removed_media": 1,
    }

    assert (
        main(
            [
                "review",
                "decide",
                "--message",
                str(wish),
                "--label",
                "business",
                "--by",
                second.username,
                "--reason",
                "Toch zakelijk",
                "--json",
            ]
        )
        == 0
    )
    assert _json(capsys)["status"] == "final"
    assert main(["review", "confirm", str(Decision.objects.latest("id").pk), "--by", first.username]) == 2

    assert main(["review", "agenda", "--organisation", "BZK", "--json"]) == 0
    agenda = _json(capsys)
    assert agenda["organisation"] == "BZK" and agenda["awaiting_confirmation"] == []
    assert all(item["conversation_id"] != spouse for item in agenda["items"])
    assert main(["messages", "--custodian", custodian.slug]) == 0
    assert all(w not in capsys.readouterr().out for w in scenario.TEXT_MARKERS)


def test_decide_refuses_a_user_without_the_reviewer_role(tmp_path, capsys):
    from django.contrib.auth import get_user_model

    custodian, _, _ = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    get_user_model().objects.create_user("buitenstaander")
    conversation = custodian.conversations.first()
    assert (
        main(
            [
                "review",
                "decide",
                "--conversation",
                str(conversation.pk),
                "--label",
                "private",
                "--by",
                "buitenstaander",
                "--reason",
                "x",
            ]
        )
        == 2
    )
    assert not Decision.objects.exists()
