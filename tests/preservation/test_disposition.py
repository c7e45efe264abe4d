"""Retention and disposition (issue 19): categories per custodian category, a per-conversation
override, a destruction list proposed, approved by a records manager and a second role, refused under
a legal hold (the hold named), and executed: no content left, a complete tombstone, audit events."""

from __future__ import annotations

import json

import pytest

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Attachment, Blob, Conversation, Message
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.preservation import disposition
from chatarchief.preservation.holds import HeldError
from tests.review import scenario
from tests.review.helpers import blob_contents, custodian_with_reviewers, ingest_month, leaks_in_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(tmp_path, monkeypatch, django_user_model):
    monkeypatch.setenv("CHATARCHIEF_LANG", "en")
    custodian, manager, _ = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    admin = django_user_model.objects.create_user("carla-admin")
    grant(admin, Role.ADMIN, organisation=custodian.organisation)
    return custodian, manager, admin


def _run(capsys, *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_destruction_list_from_proposal_to_tombstone(archive, capsys, django_capture_on_commit_callbacks):
    custodian, manager, admin = archive
    staff = Conversation.objects.get(custodian=custodian, title=scenario.STAFF)
    doomed = list(Conversation.objects.filter(custodian=custodian).exclude(pk=staff.pk).order_by("id"))
    bodies = [
        b
        for b in Message.objects.filter(conversation__in=doomed).values_list("body", flat=True)
        if b and len(b) >= 12 and not Message.objects.filter(conversation=staff, body__contains=b[:12]).exists()
    ]
    media = set(
        Attachment.objects.filter(message__conversation__in=doomed).exclude(blob=None).values_list("blob", flat=True)
    )
    assert bodies and media
    counts = {c.pk: c.messages.count() for c in doomed}

    assert main(["retention", "category", "2.1", "--description", "Overige zakelijke chats", "--action",
                 "vernietigen", "--years", "1", "--trigger", "last_message",
                 "--custodian-category", "sleutelfunctionaris"]) == 0  # fmt: skip
    assert main(["retention", "category", "1.1", "--description", "Beleid", "--action", "bewaren"]) == 0
    assert main(["retention", "set", "--conversation", str(staff.pk), "--category", "1.1"]) == 0
    capsys.readouterr()

    proposed = _run(capsys, "disposition", "propose", "--as-of", "2099-01-01")
    list_id = proposed["list_id"]
    assert [i["conversation_id"] for i in proposed["items"]] == [c.pk for c in doomed]
    assert proposed["held"] == [] and all(i["category"] == "2.1" for i in proposed["items"])
    assert _run(capsys, "disposition", "propose", "--as-of", "2099-01-01")["list_id"] is None  # already listed

    # not yet approved; the same person twice; then a records manager and an admin
    assert main(["disposition", "execute", str(list_id)]) == 2
    assert "not approved" in capsys.readouterr().err
    assert _run(capsys, "disposition", "approve", str(list_id), "--by", manager.username)["status"] == "proposed"
    assert main(["disposition", "approve", str(list_id), "--by", manager.username]) == 2
    assert "second person" in capsys.readouterr().err
    approved = _run(capsys, "disposition", "approve", str(list_id), "--by", admin.username)
    assert approved["status"] == "approved"
    assert approved["approvals"] == {
        "records_manager": manager.username,
        "second": admin.username,
        "second_role": "admin",
    }

    # a legal hold refuses the execution and names itself; nothing is destroyed
    hold_id = _run(capsys, "hold", "add", "--custodian", custodian.slug, "--reason", "Rechtszaak X")["hold_id"]
    with pytest.raises(HeldError) as refused:
        disposition.execute(list_id, actor="test")
    assert f"legal hold {hold_id}" in refused.value.message("en") and "Rechtszaak X" in refused.value.message("en")
    assert main(["disposition", "execute", str(list_id)]) == 2
    assert f"legal hold {hold_id}" in capsys.readouterr().err
    assert Conversation.objects.filter(pk__in=counts).count() == len(doomed)
    assert main(["hold", "remove", str(hold_id)]) == 0
    capsys.readouterr()

    with django_capture_on_commit_callbacks(execute=True):  # the blob files go after the commit
        executed = _run(capsys, "disposition", "execute", str(list_id))
    assert executed["status"] == "executed"
    for item in executed["items"]:  # the tombstone: id, channel, period, count, category, time
        assert item["messages"] == counts[item["conversation_id"]] and item["channel"] == "whatsapp"
        assert item["period_from"] and item["period_to"] and item["executed_at"] and item["category"] == "2.1"
    assert not Conversation.objects.filter(pk__in=counts).exists()
    assert not Message.objects.filter(conversation_id__in=counts).exists()
    assert Conversation.objects.filter(pk=staff.pk).exists() and staff.messages.exists()
    assert not Blob.objects.filter(sha256__in=media).exists()
    blob_contents()  # no file left in the store that no Blob row names
    assert leaks_in_database(tuple(bodies)) == []
    assert main(["verify"]) == 0  # what is left is whole
    actions = set(
        AuditEvent.objects.filter(action__startswith="preservation.disposition").values_list("action", flat=True)
    )
    assert actions == {
        "preservation.disposition_proposed",
        "preservation.disposition_approved",
        "preservation.disposition_executed",
    }
    assert AuditEvent.objects.filter(action="preservation.hold_refused").count() == 2


def test_a_held_conversation_is_left_off_the_list(archive, capsys):
    custodian, _, _ = archive
    spouse = Conversation.objects.get(custodian=custodian, title=scenario.SPOUSE)
    assert main(["retention", "category", "2.1", "--description", "Chats", "--action", "vernietigen", "--years", "1",
                 "--trigger", "end_of_term", "--custodian-category", "sleutelfunctionaris"]) == 0  # fmt: skip
    capsys.readouterr()
    assert _run(capsys, "disposition", "propose", "--as-of", "2099-01-01")["list_id"] is None  # term not ended
    assert main(["retention", "term", "--custodian", custodian.slug, "--ended", "2026-06-30"]) == 0
    capsys.readouterr()
    hold_id = _run(capsys, "hold", "add", "--conversation", str(spouse.pk), "--reason", "Woo-verzoek")["hold_id"]
    assert _run(capsys, "disposition", "propose", "--as-of", "2027-06-29")["list_id"] is None  # not yet expired
    proposed = _run(capsys, "disposition", "propose", "--as-of", "2027-06-30")
    assert spouse.pk not in [i["conversation_id"] for i in proposed["items"]]
    assert len(proposed["items"]) == 2
    assert proposed["held"] == [{"conversation_id": spouse.pk, "hold_id": hold_id}]


def test_a_category_needs_a_period_to_destroy(archive, capsys):
    assert main(["retention", "category", "9", "--description", "x", "--action", "vernietigen"]) == 2
    assert "needs a retention period" in capsys.readouterr().err


def test_the_daily_task_proposes_a_list_when_periods_have_ended(archive, settings):
    from chatarchief.preservation.tasks import propose_disposition

    assert settings.PERIODIC_TASKS["disposition"]["task"] == "chatarchief.preservation.tasks.propose_disposition"
    assert propose_disposition.enqueue().return_value == {"list_id": None, "held": []}  # no category yet
    main(["retention", "category", "2.1", "--description", "Chats", "--action", "vernietigen", "--years", "1",
          "--trigger", "last_message", "--custodian-category", "sleutelfunctionaris"])  # fmt: skip
    result = propose_disposition.enqueue().return_value  # the scenario's chats are from 2025: expired
    assert result["list_id"] is not None
    assert disposition.get(result["list_id"]).proposed_by == "system:retention"
    assert propose_disposition.enqueue().return_value["list_id"] is None  # already on the open list
