"""`chatarchief search`: the issue's JSON shape, the same Dutch queries on SQLite and PostgreSQL (the
suite runs on both), only what the acting principal may read, private never (not even counted), and
an audit event per search."""

from __future__ import annotations

import json

import pytest

from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = {"message_id", "conversation_id", "conversation_title", "custodian", "sent_at", "sender", "snippet"}


def run(capsys, *args):
    assert main(["search", *args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def bodies(world, result):
    return {world.body_of(h["message_id"]) for h in result["hits"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("coordinatie", 5),  # diacritics folded both ways (extern-c's included: the system actor sees all)
        ("coördinatie", 5),
        ('"minister van financien"', 1),
        ("kamer* NOT verplaatst", 1),
        ("crisis OR burgemeester OR ideeën", 2),
        ("vergader*", 3),
    ],
)
def test_shape_and_counts(world, capsys, query, expected):
    result = run(capsys, query)
    assert set(result) == {"total", "hits"}
    assert result["total"] == expected == len(result["hits"])
    for hit in result["hits"]:
        assert set(hit) == KEYS


def test_total_ignores_limit_and_filters_apply(world, capsys):
    result = run(capsys, "coordinatie", "--limit", "2")
    assert result["total"] == 5 and len(result["hits"]) == 2
    only_b = run(capsys, "coordinatie", "--custodian", "sg-b")
    assert bodies(world, only_b) == {"Coördinatie van de staatssecretarissen morgen"}
    in_conversation = run(capsys, "coordinatie", "--conversation", str(world.crisisteam.pk))
    assert {h["conversation_title"] for h in in_conversation["hits"]} == {"Crisisteam"}
    dated = run(capsys, "coordinatie", "--from", "2024-03-02", "--to", "2024-03-05")
    assert bodies(world, dated) == {
        "Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer",
        "Coördinatie van de staatssecretarissen morgen",
    }
    by_sender = run(capsys, "coordinatie", "--sender", "bob")
    assert bodies(world, by_sender) == {"Coordinatie met de gemeente is lastig"}
    assert run(capsys, "coordinatie", "--channel", "signal")["total"] == 0
    relevance = run(capsys, "coordinatie", "--sort", "relevance")
    assert relevance["total"] == 5
    assert "<mark>" in result["hits"][0]["snippet"]
    assert AuditEvent.objects.filter(action="search.run").count() == 7  # one per search
    read = AuditEvent.objects.filter(action="content.read", details__what="search").first()
    assert read.details["message_ids"]


def test_only_what_the_user_may_read(world, capsys, monkeypatch):
    from django.contrib.auth import get_user_model

    from chatarchief.access import services as access

    user = get_user_model().objects.create_user("minister", password="x")
    access.grant(user, "custodian", custodian=world.a)
    monkeypatch.setenv("CHATARCHIEF_USER", "minister")
    result = run(capsys, "coordinatie")
    assert {h["custodian"] for h in result["hits"]} == {"minister-a"} and result["total"] == 3
    # another custodian's archive is refused like an unknown one
    assert main(["search", "coordinatie", "--custodian", "sg-b", "--json"]) == 2
    assert "sg-b" in capsys.readouterr().err


def test_private_conversations_are_neither_shown_nor_counted(world, capsys):
    from django.utils import timezone

    from chatarchief.review.constants import DecisionStatus
    from chatarchief.review.models import Decision

    before = run(capsys, "coordinatie")["total"]
    Decision.objects.create(
        custodian=world.a,
        conversation=world.kabinet,
        conversation_ref=world.kabinet.pk,
        label="private",
        reason="privé",
        status=DecisionStatus.AWAITING_CONFIRMATION,
        decided_by_name="r",
        decided_at=timezone.now(),
    )
    after = run(capsys, "coordinatie")
    assert after["total"] == before - 1
    assert "Kabinet" not in {h["conversation_title"] for h in after["hits"]}


def test_bad_query_is_one_clear_line(world, capsys, monkeypatch):
    monkeypatch.setenv("CHATARCHIEF_LANG", "nl")
    assert main(["search", '"open', "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chatarchief: ") and len(err.strip().splitlines()) == 1
