"""A service account's token can be revoked, from the command line and from the users page (issue
14, item 9): it stops working at once, and the revocation is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.api.models import ServiceAccount
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from tests.api.conftest import bearer
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db


def test_serviceaccount_revoke_stops_the_token(world, client, capsys):
    token = world.token("mdm-bzk", ["read_status"])
    assert client.get("/api/v1/custodians", **bearer(token)).status_code == 200
    assert main(["serviceaccount", "revoke", "mdm-bzk"]) == 0
    assert "service account mdm-bzk (BZK) revoked" in capsys.readouterr().out
    assert client.get("/api/v1/custodians", **bearer(token)).status_code == 401
    assert not ServiceAccount.objects.get(name="mdm-bzk").active
    event = AuditEvent.objects.get(action="api.account_revoked")
    assert event.details["name"] == "mdm-bzk" and token not in str(event.details)


def test_revoking_an_unknown_account_is_an_error(world, capsys):
    assert main(["serviceaccount", "revoke", "bestaat-niet"]) == 2
    assert "bestaat niet" in capsys.readouterr().err


def _admin_of(world, code: str) -> Client:
    admin = get_user_model().objects.create_user(f"beheerder-{code.lower()}")
    grant(admin, Role.ADMIN, organisation=world.own.organisation if code == "BZK" else world.other.organisation)
    client = Client()
    client.force_login(admin)
    pass_second_factor(client, admin, recent_auth=True)
    return client


def test_an_admin_revokes_an_account_of_their_organisation_only(world):
    token = world.token("mdm-bzk", ["read_status"])
    other = world.token("mdm-fin", ["read_status"], organisation="FIN")
    api = Client()
    admin = _admin_of(world, "BZK")
    page = admin.get(reverse("users")).content.decode()
    assert "mdm-bzk" in page and "mdm-fin" not in page
    fin = ServiceAccount.objects.get(name="mdm-fin")
    assert admin.post(reverse("serviceaccount_revoke", args=[fin.pk])).status_code == 404
    assert api.get("/api/v1/custodians", **bearer(other)).status_code == 200
    bzk = ServiceAccount.objects.get(name="mdm-bzk")
    assert admin.post(reverse("serviceaccount_revoke", args=[bzk.pk])).status_code == 302
    assert api.get("/api/v1/custodians", **bearer(token)).status_code == 401
    assert AuditEvent.objects.get(action="api.account_revoked").actor == "web:beheerder-bzk"
