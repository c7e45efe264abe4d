"""Who the CLI acts as: the user named by CHATARCHIEF_USER (their grants apply, decided by
chatarchief.access.services), else the system actor."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    registry.add_custodian("a1", name="A1", actor="test", organisation="A")
    registry.add_custodian("b1", name="B1", actor="test", organisation="B")
    reviewer = get_user_model().objects.create_user("lezer-a")
    grant(reviewer, Role.REVIEWER, organisation=registry.add_organisation("A", "A", actor="test"))
    get_user_model().objects.create_user("weg", is_active=False)


def _slugs(capsys) -> list[str]:
    return [row["slug"] for row in json.loads(capsys.readouterr().out)]


def test_without_chatarchief_user_the_cli_is_the_system_actor(places, monkeypatch, capsys):
    monkeypatch.delenv("CHATARCHIEF_USER", raising=False)
    monkeypatch.setenv("CHATARCHIEF_ACTOR", "beheer")
    assert main(["custodian", "list", "--json"]) == 0
    assert _slugs(capsys) == ["a1", "b1"]
    assert main(["messages", "--custodian", "b1"]) == 0
    assert AuditEvent.objects.filter(action="content.read", actor="cli:beheer", custodian_slug="b1").exists()


def test_a_named_user_gets_their_grants_only(places, monkeypatch, capsys):
    monkeypatch.setenv("CHATARCHIEF_USER", "lezer-a")
    monkeypatch.delenv("CHATARCHIEF_ACTOR", raising=False)
    assert main(["custodian", "list", "--json"]) == 0
    assert _slugs(capsys) == ["a1"]
    assert main(["messages", "--custodian", "a1"]) == 0
    capsys.readouterr()
    assert main(["messages", "--custodian", "b1"]) == 2
    assert "geen toegang" in capsys.readouterr().err
    assert main(["findings", "--custodian", "b1"]) == 2
    assert not AuditEvent.objects.filter(action__in=["content.read", "findings.listed"], custodian_slug="b1").exists()
    assert AuditEvent.objects.filter(action="content.read", actor="cli:lezer-a", custodian_slug="a1").exists()


@pytest.mark.parametrize("username", ["niemand", "weg"])
def test_an_unknown_or_disabled_user_is_refused(places, monkeypatch, capsys, username):
    monkeypatch.setenv("CHATARCHIEF_USER", username)
    assert main(["custodian", "list"]) == 2
    assert "is geen actieve gebruiker" in capsys.readouterr().err
