"""The access service: scopes of each role, and who may administer which users and roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from chatarchief.access.constants import Action, GrantSource, Role
from chatarchief.access.models import RoleGrant
from chatarchief.access.services import (
    POLICY,
    AccessDenied,
    GrantSpec,
    admin_scope,
    allowed,
    assign_role,
    can_manage_user,
    custodians,
    grant,
    manageable_users,
    require,
    revoke_role,
    sync_grants,
)
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    a = registry.add_organisation("A", "A", actor="t")
    b = registry.add_organisation("B", "B", actor="t")
    return {
        "A": a,
        "B": b,
        "a1": registry.add_custodian("a1", name="a1", actor="t", organisation="A"),
        "a2": registry.add_custodian("a2", name="a2", actor="t", organisation="A"),
        "b1": registry.add_custodian("b1", name="b1", actor="t", organisation="B"),
    }


def _user(name: str, role: Role | None = None, **scope: Any) -> Any:
    user = get_user_model().objects.create_user(name)
    if role:
        grant(user, role, **scope)
    return user


def _slugs(user: Any, action: Action) -> set[str]:
    return set(custodians(user, action).values_list("slug", flat=True))


def test_no_role_reads_content_except_custodian_and_reviewer() -> None:
    readers = {role for role, actions in POLICY.items() if Action.READ_CONTENT in actions}
    assert readers == {Role.CUSTODIAN, Role.REVIEWER}
    for role in (Role.AUDITOR, Role.ADMIN, Role.WOO_COORDINATOR, Role.OPERATOR):
        assert Action.READ_CONTENT not in POLICY[role] and Action.CLASSIFY not in POLICY[role]


def test_scopes_per_role(world: dict[str, Any]) -> None:
    custodian = _user("c", Role.CUSTODIAN, custodian=world["a1"])
    operator = _user("o", Role.OPERATOR, custodian=world["a1"])
    reviewer = _user("r", Role.REVIEWER, organisation=world["A"])
    auditor = _user("au", Role.AUDITOR, organisation=world["A"])
    woo = _user("w", Role.WOO_COORDINATOR, organisation=world["A"])
    admin = _user("ad", Role.ADMIN, organisation=world["A"])
    root = _user("root", Role.ADMIN)
    assert _slugs(custodian, Action.READ_CONTENT) == {"a1"} and _slugs(custodian, Action.PROPOSE_LABEL) == {"a1"}
    assert _slugs(operator, Action.DELIVER) == {"a1"} and _slugs(operator, Action.READ_CONTENT) == set()
    assert _slugs(operator, Action.REGISTER_AGREEMENT) == {"a1"}
    assert _slugs(reviewer, Action.CLASSIFY) == {"a1", "a2"} and _slugs(reviewer, Action.DELIVER) == set()
    assert _slugs(auditor, Action.VIEW_METADATA) == {"a1", "a2"} and _slugs(auditor, Action.VIEW_AUDIT_TRAIL) == {
        "a1",
        "a2",
    }
    assert _slugs(auditor, Action.READ_CONTENT) == set()
    assert _slugs(woo, Action.VIEW_METADATA) == {"a1", "a2"} and _slugs(woo, Action.READ_CONTENT) == set()
    assert _slugs(admin, Action.ADMINISTER) == {"a1", "a2"} and _slugs(admin, Action.READ_CONTENT) == set()
    assert _slugs(root, Action.VIEW_METADATA) == {"a1", "a2", "b1"} and _slugs(root, Action.READ_CONTENT) == set()
    with pytest.raises(AccessDenied):
        require(auditor, Action.READ_CONTENT, world["a1"])
    assert not allowed(reviewer, Action.VIEW_METADATA, world["b1"])


def test_an_admin_with_a_content_role_reads_content(world: dict[str, Any]) -> None:
    admin = _user("ad", Role.ADMIN)
    assert _slugs(admin, Action.READ_CONTENT) == set()
    grant(admin, Role.REVIEWER, organisation=world["B"])
    assert _slugs(admin, Action.READ_CONTENT) == {"b1"}


def test_organisation_admin_manages_only_their_organisation(world: dict[str, Any]) -> None:
    admin = _user("ad", Role.ADMIN, organisation=world["A"])
    inside = _user("in", Role.AUDITOR, organisation=world["A"])
    mixed = _user("mixed", Role.AUDITOR, organisation=world["A"])
    grant(mixed, Role.REVIEWER, organisation=world["B"])
    outside = _user("out", Role.AUDITOR, organisation=world["B"])
    assert admin_scope(admin).organisation_ids == {world["A"].pk}
    assert set(manageable_users(admin).values_list("username", flat=True)) == {"in", "mixed"}
    assert can_manage_user(admin, inside) and not can_manage_user(admin, mixed) and not can_manage_user(admin, outside)
    assign_role(admin, inside, Role.REVIEWER, actor="web:ad", organisation=world["A"])
    assert allowed(inside, Action.READ_CONTENT, world["a2"])
    with pytest.raises(AccessDenied):
        assign_role(admin, inside, Role.REVIEWER, actor="web:ad", organisation=world["B"])
    with pytest.raises(AccessDenied):
        assign_role(admin, inside, Role.ADMIN, actor="web:ad")  # a grant without scope: global admins only
    with pytest.raises(AccessDenied):
        revoke_role(admin, outside.role_grants.get(), actor="web:ad")
    assert AuditEvent.objects.filter(action="access.role_granted", details__user="in").count() == 1


def test_nobody_changes_their_own_roles(world: dict[str, Any]) -> None:
    root = _user("root", Role.ADMIN)
    with pytest.raises(AccessDenied):
        assign_role(root, root, Role.REVIEWER, actor="web:root", organisation=world["A"])
    with pytest.raises(AccessDenied):
        revoke_role(root, root.role_grants.get(), actor="web:root")
    assert not can_manage_user(root, root)


def test_revoke_logs_and_removes(world: dict[str, Any]) -> None:
    root = _user("root", Role.ADMIN)
    target = _user("t", Role.AUDITOR, organisation=world["A"])
    revoke_role(root, target.role_grants.get(), actor="web:root")
    assert not RoleGrant.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(action="access.role_revoked", details__user="t").exists()


def test_sync_grants_replaces_only_sso_grants(world: dict[str, Any]) -> None:
    user = _user("sso", Role.CUSTODIAN, custodian=world["a1"])  # a local grant stays
    sync_grants(
        user, [GrantSpec("auditor", organisation="a"), GrantSpec("reviewer", organisation="NOPE")], actor="oidc:sso"
    )
    assert {(g.role, g.source) for g in user.role_grants.all()} == {("custodian", "local"), ("auditor", "oidc")}
    sync_grants(user, [GrantSpec("operator", custodian="b1")], actor="oidc:sso")
    assert {(g.role, g.source) for g in user.role_grants.all()} == {
        ("custodian", "local"),
        ("operator", GrantSource.OIDC),
    }
    assert _slugs(user, Action.DELIVER) == {"a1", "b1"}
