"""`chatarchief serviceaccount add` prints the token once; the token works, and only its hash is kept."""

from __future__ import annotations

import hashlib

import pytest

from chatarchief.api.models import ServiceAccount
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_add_prints_a_working_token_once(world, client, capsys):
    code = main(
        [
            "serviceaccount",
            "add",
            "mdm-bzk",
            "--organisation",
            "BZK",
            "--operation",
            "deliver",
            "--operation",
            "read_status",
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "service account mdm-bzk (BZK): deliver, read_status"
    token = lines[-1]
    account = ServiceAccount.objects.get(name="mdm-bzk")
    assert account.operations == ["deliver", "read_status"]
    assert account.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert client.get("/api/v1/custodians", **bearer(token)).status_code == 200
    event = AuditEvent.objects.get(action="api.account_added")
    assert event.details["token_prefix"] == account.token_prefix and token not in str(event.details)


def test_unknown_organisation_and_duplicate_name_are_refused(world, capsys):
    assert main(["serviceaccount", "add", "x", "--organisation", "NOPE", "--operation", "deliver"]) == 2
    assert "Organisatie 'NOPE' bestaat niet." in capsys.readouterr().err
    assert main(["serviceaccount", "add", "x", "--organisation", "BZK", "--operation", "deliver"]) == 0
    assert main(["serviceaccount", "add", "x", "--organisation", "BZK", "--operation", "deliver"]) == 2
    assert "bestaat al" in capsys.readouterr().err
    assert ServiceAccount.objects.count() == 1


def test_unknown_operation_is_a_usage_error(world):
    with pytest.raises(SystemExit):
        main(["serviceaccount", "add", "x", "--organisation", "BZK", "--operation", "read_content"])
