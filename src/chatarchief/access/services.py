"""The one place where access is decided (object level, in the service layer, not per view).

`custodians(principal, action)` is the queryset of custodians a principal may perform `action`
on; `require(principal, action, custodian)` raises AccessDenied otherwise. Views, the API and the
CLI ask these; nothing else decides. User and role administration is decided here too
(`can_manage_user`, `assign_role`, `revoke_role`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet

from chatarchief.access.constants import Action, GrantSource, Role, Scope
from chatarchief.access.models import RoleGrant
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError


class AccessDenied(ChatarchiefError):
    def __init__(self) -> None:
        super().__init__("access.denied", nl="U hebt hier geen toegang toe.", en="You do not have access to this.")


# Which roles allow which actions, and over what scope (see constants.Scope).
# - custodian: the own archive (grant.custodian): read, deliver, propose labels.
# - operator: the assigned custodians (or an organisation): deliver, register agreements; no content.
# - reviewer: classification within the organisation (needs content).
# - woo_coordinator: content only inside the scope of their Woo requests. Woo requests do not exist
#   yet, so a Woo coordinator reads NO content; metadata of the organisation only.
# - auditor: metadata, findings and the audit trail of the organisation; NEVER content or media.
# - admin: users, roles, settings (organisation, or everywhere for a grant without scope); no content
#   unless the same user also holds a content role.
POLICY: dict[Role, dict[Action, Scope]] = {
    Role.CUSTODIAN: {
        Action.VIEW_METADATA: Scope.GRANT,
        Action.READ_CONTENT: Scope.GRANT,
        Action.DELIVER: Scope.GRANT,
        Action.PROPOSE_LABEL: Scope.GRANT,
    },
    Role.OPERATOR: {
        Action.VIEW_METADATA: Scope.GRANT,
        Action.DELIVER: Scope.GRANT,
        Action.REGISTER_AGREEMENT: Scope.GRANT,
    },
    Role.REVIEWER: {Action.VIEW_METADATA: Scope.GRANT, Action.READ_CONTENT: Scope.GRANT, Action.CLASSIFY: Scope.GRANT},
    Role.WOO_COORDINATOR: {Action.VIEW_METADATA: Scope.GRANT},
    Role.AUDITOR: {Action.VIEW_METADATA: Scope.GRANT, Action.VIEW_AUDIT_TRAIL: Scope.GRANT},
    Role.ADMIN: {
        Action.VIEW_METADATA: Scope.GRANT_OR_ALL,
        Action.VIEW_AUDIT_TRAIL: Scope.GRANT_OR_ALL,
        Action.ADMINISTER: Scope.GRANT_OR_ALL,
    },
}


def grants_of(principal: Any) -> list[RoleGrant]:
    if not getattr(principal, "is_authenticated", False) or not getattr(principal, "pk", None):
        return []
    cached = getattr(principal, "_chatarchief_grants", None)
    if cached is None:
        cached = list(RoleGrant.objects.filter(user_id=principal.pk).select_related("custodian"))
        principal._chatarchief_grants = cached
    return cached


def _forget_grants(user: Any) -> None:
    if hasattr(user, "_chatarchief_grants"):
        del user._chatarchief_grants


def roles_of(principal: Any) -> set[str]:
    return {g.role for g in grants_of(principal)}


def _is_global(grant: RoleGrant) -> bool:
    return not grant.custodian_id and not grant.organisation_id


def custodians(principal: Any, action: Action | str) -> QuerySet[Custodian]:
    """The custodians on whose archive `principal` may perform `action`."""
    action = Action(action)
    condition = Q(pk__in=[])
    for grant in grants_of(principal):
        scope = POLICY.get(Role(grant.role), {}).get(action)
        if scope is None:
            continue
        if scope == Scope.GRANT_OR_ALL and _is_global(grant):
            return Custodian.objects.all()
        if grant.custodian_id:
            condition |= Q(pk=grant.custodian_id)
        elif grant.organisation_id:
            condition |= Q(organisation_id=grant.organisation_id)
    return Custodian.objects.filter(condition)


def allowed(principal: Any, action: Action | str, custodian: Custodian) -> bool:
    return custodians(principal, action).filter(pk=custodian.pk).exists()


def require(principal: Any, action: Action | str, custodian: Custodian) -> None:
    if not allowed(principal, action, custodian):
        raise AccessDenied


def grant(
    user: Any,
    role: Role | str,
    *,
    organisation: Any = None,
    custodian: Any = None,
    source: GrantSource | str = GrantSource.LOCAL,
) -> RoleGrant:
    obj, _ = RoleGrant.objects.get_or_create(
        user=user,
        role=Role(role),
        organisation=organisation,
        custodian=custodian,
        defaults={"source": GrantSource(source)},
    )
    _forget_grants(user)
    return obj


# --- administration of users and roles ------------------------------------------------------------


@dataclass(frozen=True)
class AdminScope:
    """Where a principal may administer: everywhere, or within these organisations."""

    everywhere: bool
    organisation_ids: frozenset[int]

    def __bool__(self) -> bool:
        return self.everywhere or bool(self.organisation_ids)

    def covers(self, organisation_id: int | None) -> bool:
        return self.everywhere or (organisation_id is not None and organisation_id in self.organisation_ids)


def admin_scope(principal: Any) -> AdminScope:
    everywhere, orgs = False, set()
    for g in grants_of(principal):
        if POLICY.get(Role(g.role), {}).get(Action.ADMINISTER) is None:
            continue
        if _is_global(g):
            everywhere = True
        elif g.organisation_id:
            orgs.add(g.organisation_id)
        elif g.custodian is not None and g.custodian.organisation_id:
            orgs.add(g.custodian.organisation_id)
    return AdminScope(everywhere, frozenset(orgs))


def _grant_organisation_id(organisation: Any, custodian: Any) -> int | None:
    if custodian is not None:
        return custodian.organisation_id
    return getattr(organisation, "pk", None)


def can_manage_grant(principal: Any, organisation: Any = None, custodian: Any = None) -> bool:
    """May `principal` hand out or take back a grant with this scope? A grant without scope: only a global admin."""
    scope = admin_scope(principal)
    if organisation is None and custodian is None:
        return scope.everywhere
    return scope.covers(_grant_organisation_id(organisation, custodian))


def manageable_users(principal: Any) -> QuerySet[Any]:
    """The users whose roles `principal` may see and change (never themselves)."""
    User = get_user_model()
    scope = admin_scope(principal)
    if not scope:
        return User.objects.none()
    query = User.objects.exclude(pk=principal.pk)
    if scope.everywhere:
        return query
    inside = Q(role_grants__organisation_id__in=scope.organisation_ids) | Q(
        role_grants__custodian__organisation_id__in=scope.organisation_ids
    )
    return query.filter(inside).distinct()


def can_manage_user(principal: Any, target: Any) -> bool:
    """An admin manages users whose every grant lies inside the admin's scope; nobody manages themselves."""
    if target is None or getattr(principal, "pk", None) == target.pk:
        return False
    scope = admin_scope(principal)
    if scope.everywhere:
        return True
    grants = list(RoleGrant.objects.filter(user=target).select_related("custodian"))
    return bool(grants) and all(can_manage_grant(principal, g.organisation, g.custodian) for g in grants)


def _require_admin_of(principal: Any, target: Any, organisation: Any, custodian: Any) -> None:
    if getattr(principal, "pk", None) == target.pk:  # four eyes: never change one's own roles
        raise AccessDenied
    if not can_manage_grant(principal, organisation, custodian):
        raise AccessDenied
    if not admin_scope(principal).everywhere and not can_manage_user(principal, target) and target.role_grants.exists():
        raise AccessDenied


def assign_role(
    principal: Any,
    target: Any,
    role: Role | str,
    *,
    actor: str,
    organisation: Organisation | None = None,
    custodian: Custodian | None = None,
) -> RoleGrant:
    """Give `target` a role (checked: the principal administers that scope; not their own account)."""
    _require_admin_of(principal, target, organisation, custodian)
    with transaction.atomic():
        obj = grant(target, role, organisation=organisation, custodian=custodian)
        log.record(
            actor,
            "access.role_granted",
            obj=obj,
            custodian=getattr(custodian, "slug", ""),
            user=target.username,
            role=str(role),
            organisation=getattr(organisation, "code", ""),
        )
    return obj


def revoke_role(principal: Any, grant_obj: RoleGrant, *, actor: str) -> None:
    _require_admin_of(principal, grant_obj.user, grant_obj.organisation, grant_obj.custodian)
    with transaction.atomic():
        log.record(
            actor,
            "access.role_revoked",
            obj=grant_obj,
            custodian=getattr(grant_obj.custodian, "slug", ""),
            user=grant_obj.user.username,
            role=grant_obj.role,
            organisation=getattr(grant_obj.organisation, "code", ""),
        )
        grant_obj.delete()
    _forget_grants(grant_obj.user)


@dataclass(frozen=True)
class GrantSpec:
    """A grant described by names (as an identity provider hands them over)."""

    role: str
    organisation: str | None = None  # organisation code, e.g. "BZK"
    custodian: str | None = None  # custodian slug


def sync_grants(
    user: Any, specs: list[GrantSpec], *, actor: str, source: GrantSource = GrantSource.OIDC
) -> list[RoleGrant]:
    """Make the user's grants from `source` exactly `specs` (unknown organisations/custodians are skipped)."""
    wanted: list[tuple[str, Organisation | None, Custodian | None]] = []
    for spec in specs:
        organisation = (
            Organisation.objects.filter(code=spec.organisation.upper()).first() if spec.organisation else None
        )
        custodian = Custodian.objects.filter(slug=spec.custodian).first() if spec.custodian else None
        if (spec.organisation and organisation is None) or (spec.custodian and custodian is None):
            continue
        wanted.append((spec.role, organisation, custodian))
    keys = {(r, getattr(o, "pk", None), getattr(c, "pk", None)) for r, o, c in wanted}
    with transaction.atomic():
        for existing in RoleGrant.objects.filter(user=user, source=source):
            if (existing.role, existing.organisation_id, existing.custodian_id) not in keys:
                existing.delete()
        result = [grant(user, r, organisation=o, custodian=c, source=source) for r, o, c in wanted]
        log.record(
            actor,
            "access.roles_synced",
            obj=user,
            user=user.username,
            source=str(source),
            roles=sorted(f"{r}:{getattr(o, 'code', '') or ''}:{getattr(c, 'slug', '') or ''}" for r, o, c in wanted),
        )
    _forget_grants(user)
    return result
