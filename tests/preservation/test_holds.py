"""Legal holds (issue 19): `chatarchief hold add/remove`, `holds.blocking`, and an exclusion refused
under a hold with the hold named (review.exclusion.execute asks first)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chatarchief.archive.models import Conversation, Message
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.preservation import holds
from chatarchief.preservation.models import LegalHold
from chatarchief.review.decisions import confirm, decide
from tests.review import scenario
from tests.review.helpers import custodian_with_reviewers, ingest_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATARCHIEF_LANG", "en")
    custodian, first, second = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    return custodian, first, second


def _hold(capsys, *args: str) -> int:
    assert main(["hold", "add", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["hold_id"]


def test_hold_add_and_remove_from_the_command_line(archive, capsys):
    custodian, _, _ = archive
    spouse = Conversation.objects.get(custodian=custodian, title=scenario.SPOUSE)
    on_custodian = _hold(capsys, "--custodian", custodian.slug, "--reason", "Woo-verzoek 2026-17")
    on_chat = _hold(
        capsys, "--conversation", str(spouse.pk), "--from", "2026-01-01", "--to", "2026-03-31", "--reason", "Rechtszaak"
    )
    assert LegalHold.objects.get(pk=on_chat).custodian == custodian
    assert [h.pk for h in holds.blocking(custodian=custodian)] == [on_custodian]
    assert [h.pk for h in holds.blocking(conversation=spouse)] == [on_custodian, on_chat]
    assert [h.pk for h in holds.blocking(conversation=spouse, period_from=dt.date(2026, 5, 1))] == [on_custodian]
    assert main(["hold", "remove", str(on_custodian)]) == 0
    assert [h.pk for h in holds.blocking(conversation=spouse, period_to=dt.date(2026, 1, 1))] == [on_chat]
    assert holds.blocking(conversation=spouse, period_from=dt.date(2026, 4, 1)) == []
    actions = list(AuditEvent.objects.filter(action__startswith="preservation.hold").values_list("action", flat=True))
    assert actions == ["preservation.hold_added", "preservation.hold_added", "preservation.hold_removed"]


def test_hold_add_refuses_bad_input(archive, capsys):
    assert main(["hold", "add", "--custodian", "nobody", "--reason", "x"]) == 2
    assert "Unknown custodian: nobody" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["hold", "add", "--reason", "x"])  # neither --custodian nor --conversation
    assert (
        main(["hold", "add", "--custodian", "eva", "--from", "2026-02-01", "--to", "2026-01-01", "--reason", "x"]) == 2
    )
    assert not LegalHold.objects.exists()


def test_an_exclusion_under_a_hold_is_refused_with_the_hold_named(archive, capsys):
    custodian, first, second = archive
    spouse = Conversation.objects.get(custodian=custodian, title=scenario.SPOUSE)
    messages = Message.objects.filter(conversation=spouse).count()
    hold_id = _hold(capsys, "--custodian", custodian.slug, "--reason", "Woo-verzoek 2026-17")
    decision = decide(first, label="private", reason="Echtgenoot", actor="test:anna", conversation_id=spouse.pk)
    with pytest.raises(holds.HeldError) as refused:
        confirm(second, decision, actor="test:bram")
    assert f"legal hold {hold_id}" in refused.value.message("en") and "Woo-verzoek 2026-17" in refused.value.message(
        "en"
    )
    assert Message.objects.filter(conversation=spouse).count() == messages
    decision.refresh_from_db()
    assert decision.status == "awaiting_confirmation" and decision.confirmed_by_name == ""
    assert AuditEvent.objects.filter(action="preservation.hold_refused").count() == 1

    # lifted: the same confirmation goes through
    assert main(["hold", "remove", str(hold_id)]) == 0
    confirm(second, decision, actor="test:bram")
    assert not Conversation.objects.filter(pk=spouse.pk).exists()


def test_a_hold_outside_the_period_does_not_block(archive, capsys):
    custodian, first, second = archive
    spouse = Conversation.objects.get(custodian=custodian, title=scenario.SPOUSE)
    _hold(capsys, "--custodian", custodian.slug, "--from", "1999-01-01", "--to", "1999-12-31", "--reason", "Oud")
    decision = decide(first, label="private", reason="Echtgenoot", actor="test:anna", conversation_id=spouse.pk)
    confirm(second, decision, actor="test:bram")
    assert not Conversation.objects.filter(pk=spouse.pk).exists()


def test_an_open_woo_request_holds_its_custodians_until_it_is_closed(archive, capsys):
    """A Woo request puts a legal hold on every custodian in scope for its period: an exclusion there
    is refused naming the request; closing the request lifts its holds (and only its own)."""
    custodian, first, second = archive
    spouse = Conversation.objects.get(custodian=custodian, title=scenario.SPOUSE)
    litigation = _hold(capsys, "--custodian", custodian.slug, "--from", "1999-01-01", "--to", "1999-12-31",
                       "--reason", "Rechtszaak")  # fmt: skip
    assert main(["woo", "create", "--reference", "WOO-2026-041", "--subject", "Stikstof", "--received", "2026-11-02",
                 "--from", "2000-01-01", "--to", "2030-12-31", "--custodian", custodian.slug, "--json"]) == 0  # fmt: skip
    request_id = json.loads(capsys.readouterr().out)["id"]
    (held,) = [h for h in holds.blocking(conversation=spouse) if h.pk != litigation]
    assert held.reason == "Woo-verzoek WOO-2026-041: Stikstof" and held.custodian == custodian
    decision = decide(first, label="private", reason="Echtgenoot", actor="test:anna", conversation_id=spouse.pk)
    with pytest.raises(holds.HeldError) as refused:
        confirm(second, decision, actor="test:bram")
    assert "Woo-verzoek WOO-2026-041" in refused.value.message("en")
    assert Message.objects.filter(conversation=spouse).exists()

    assert main(["woo", "close", str(request_id)]) == 0
    assert [h.pk for h in holds.blocking(conversation=spouse)] == [litigation]
    assert LegalHold.objects.get(pk=litigation).removed_at is None  # not the request's: it stays
    confirm(second, decision, actor="test:bram")
    assert not Conversation.objects.filter(pk=spouse.pk).exists()
