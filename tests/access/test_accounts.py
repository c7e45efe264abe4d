"""User accounts from the command line: grants name existing places only (issue 14, item 4), and a
disabled account ends its sessions at once (item 9); an organisation's admin sees only the grants
of their own organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.models import RoleGrant
from chatarchief.access.services import grant
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-2026"


@pytest.fixture
def places(tmp_path: Any) -> Any:
    registry.add_organisation("A", "Ministerie A", actor="test")
    registry.add_organisation("B", "Ministerie B", actor="test")
    registry.add_custodian("a1", name="Functionaris a1", actor="test", organisation="A")
    registry.add_custodian("b1", name="Functionaris b1", actor="test", organisation="B")
    secret = tmp_path / "password"
    secret.write_text(PASSWORD, encoding="utf-8")
    return secret


def _add(secret: Any, *args: str) -> int:
    return main(["user", "add", "nieuw", "--password-file", str(secret), *args])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "admin", "--organisation", "NOPE"], "Organisatie 'NOPE' bestaat niet."),
        (["--role", "operator", "--custodian", "a-1"], "Functionaris 'a-1' bestaat niet."),
        (["--role", "operator", "--organisation", "A", "--custodian", "b1"], "hoort niet bij organisatie 'A'"),
    ],
    ids=["unknown organisation", "unknown custodian", "custodian of another organisation"],
)
def test_a_grant_must_name_existing_places_and_nothing_is_created_otherwise(places, capsys, args, says):
    assert _add(places, *args) == 2
    assert says in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="nieuw").exists()
    assert not RoleGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="user.added").exists()


def test_a_grant_in_a_known_place_is_made(places):
    assert _add(places, "--role", "operator", "--organisation", "a", "--custodian", "a1") == 0
    made = RoleGrant.objects.get(user__username="nieuw")
    assert (made.role, made.organisation.code, made.custodian.slug) == ("operator", "A", "a1")


def test_an_organisation_admin_sees_only_grants_in_their_organisation(places, client):
    admin = get_user_model().objects.create_user("beheerder-a")
    grant(admin, Role.ADMIN, organisation=registry.add_organisation("A", "A", actor="test"))
    both = get_user_model().objects.create_user("in-a-en-b")
    grant(both, Role.AUDITOR, organisation=registry.add_organisation("A", "A", actor="test"))
    grant(both, Role.REVIEWER, custodian=registry.get_custodian("b1"))
    client.force_login(admin)
    page = client.get(reverse("users")).content.decode()
    assert "in-a-en-b" in page and "Auditor (ADR) · A" in page
    assert "Informatiebeheerder · Functionaris b1" not in page


def _signed_in(client: Any, user: Any) -> Any:
    client.force_login(user)
    pass_second_factor(client, user, recent_auth=True)
    assert client.get(reverse("home")).status_code == 200
    return client


def test_user_disable_ends_open_sessions_at_once(places, client):
    user = get_user_model().objects.create_user("vertrekt", password=PASSWORD)
    _signed_in(client, user)
    assert main(["user", "disable", "vertrekt"]) == 0
    after = client.get(reverse("home"))
    assert after.status_code == 302 and after["Location"].startswith("/login/")
    user.refresh_from_db()
    assert not user.is_active
    again = client.post(reverse("login"), {"username": "vertrekt", "password": PASSWORD})
    assert again.status_code == 200  # the login form again: a disabled account cannot log in
    event = AuditEvent.objects.get(action="user.disabled")
    assert event.details == {"user": "vertrekt", "sessions": 1} and event.actor.startswith("cli:")


def test_an_admin_disables_a_user_from_the_users_page(places, client):
    admin = get_user_model().objects.create_user("beheerder", password=PASSWORD)
    grant(admin, Role.ADMIN, organisation=registry.get_custodian("a1").organisation)
    target = get_user_model().objects.create_user("medewerker", password=PASSWORD)
    grant(target, Role.AUDITOR, organisation=registry.get_custodian("a1").organisation)
    from django.test import Client

    their_session = _signed_in(Client(), target)
    _signed_in(client, admin)
    response = client.post(reverse("user_disable", args=[target.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("users")
    target.refresh_from_db()
    assert not target.is_active
    assert their_session.get(reverse("home"))["Location"].startswith("/login/")
    assert AuditEvent.objects.get(action="user.disabled").actor == "web:beheerder"


def test_disabling_an_unknown_user_is_an_error(places, capsys):
    assert main(["user", "disable", "niemand"]) == 2
    assert "bestaat niet" in capsys.readouterr().err
