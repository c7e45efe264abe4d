"""The one place where access is decided (object level, in the service layer, not per view).

`custodians(principal, action)` is the queryset of custodians a principal may perform `action`
on; `allowed()` and `require()` decide for one custodian, `custodian_by_slug()` finds one within
scope. The web (through web/access.py), the API and the CLI ask these; nothing else decides. User
and role administration is decided here too (`can_manage_user`, `assign_role`, `revoke_role`).

A principal is one of:
- a user (web session, or the CLI with CHATARCHIEF_USER): their role grants, per POLICY;
- a service account (the API): its operations on its own organisation (constants.SERVICE_ACCOUNT_ACTIONS);
- the system actor (`SystemPrincipal`, the CLI otherwise): everything; whoever holds the
  installation's database credentials administers it.

Every decision is noted while `recording()` is active, so a test can prove that a route asked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet

from chatarchief.access.constants import SERVICE_ACCOUNT_ACTIONS, Action, GrantSource, Role, Scope
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
# - woo_coordinator: metadata of the grant's scope here; content ONLY inside the Woo requests they are
#   assigned to, decided by `woo_request_allowed()` below (never through READ_CONTENT: a coordinator
#   cannot open a conversation outside a request).
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


@dataclass(frozen=True)
class SystemPrincipal:
    """The installation acting through its own tools (the CLI without CHATARCHIEF_USER): allowed
    everything, since it holds the database credentials and the master key anyway. `name` is the
    audit log's actor (`cli:<name>`)."""

    name: str
    is_authenticated = True
    pk = None


@dataclass(frozen=True)
class Consultation:
    """One decision: who asked to do what, on which custodian (None: which custodians), and the answer."""

    principal: str
    action: str
    custodian_id: int | None
    allowed: bool | None = None


_recording: ContextVar[list[Consultation] | None] = ContextVar("chatarchief_access_recording", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[Consultation]]:
    """Note every decision made inside (in order); a test proves with it that a route asked."""
    notes: list[Consultation] = []
    token = _recording.set(notes)
    try:
        yield notes
    finally:
        _recording.reset(token)


def _note(principal: Any, action: Action | str, custodian_id: int | None, answer: bool | None = None) -> None:
    notes = _recording.get()
    if notes is not None:
        notes.append(Consultation(_who(principal), str(action), custodian_id, answer))


def _who(principal: Any) -> str:
    if isinstance(principal, SystemPrincipal):
        return f"system:{principal.name}"
    if getattr(principal, "is_service_account", False):
        return f"service-account:{principal.name}"
    return f"user:{getattr(principal, 'pk', None) or 'anonymous'}"


def grants_of(principal: Any) -> list[RoleGrant]:
    if not _is_user(principal) or not getattr(principal, "is_authenticated", False) or not principal.pk:
        return []
    cached = getattr(principal, "_chatarchief_grants", None)
    if cached is None:
        cached = list(RoleGrant.objects.filter(user_id=principal.pk).select_related("custodian"))
        principal._chatarchief_grants = cached
    return cached


def _is_user(principal: Any) -> bool:
    return not isinstance(principal, SystemPrincipal) and not getattr(principal, "is_service_account", False)


def _forget_grants(user: Any) -> None:
    if hasattr(user, "_chatarchief_grants"):
        del user._chatarchief_grants


def roles_of(principal: Any) -> set[str]:
    return {g.role for g in grants_of(principal)}


def _is_global(grant: RoleGrant) -> bool:
    return not grant.custodian_id and not grant.organisation_id


def _scope(principal: Any, action: Action) -> QuerySet[Custodian]:
    if isinstance(principal, SystemPrincipal):
        return Custodian.objects.all()
    if getattr(principal, "is_service_account", False):
        if not principal.active or action not in {SERVICE_ACCOUNT_ACTIONS.get(op) for op in principal.operations}:
            return Custodian.objects.none()
        return Custodian.objects.filter(organisation_id=principal.organisation_id)
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


def custodians(principal: Any, action: Action | str) -> QuerySet[Custodian]:
    """The custodians on whose archive `principal` may perform `action`."""
    action = Action(action)
    _note(principal, action, None)
    return _scope(principal, action)


def allowed(principal: Any, action: Action | str, custodian: Custodian) -> bool:
    action = Action(action)
    answer = _scope(principal, action).filter(pk=custodian.pk).exists()
    _note(principal, action, custodian.pk, answer)
    return answer


def require(principal: Any, action: Action | str, custodian: Custodian) -> None:
    if not allowed(principal, action, custodian):
        raise AccessDenied


def may_operate(account: Any, operation: str) -> bool:
    """May this service account use an API operation at all (before any object is looked up)?"""
    answer = bool(account.active) and operation in account.operations and operation in SERVICE_ACCOUNT_ACTIONS
    _note(account, f"operation:{operation}", None, answer)
    return answer


def custodian_by_slug(principal: Any, action: Action | str, slug: str) -> Custodian | None:
    """The custodian with this slug if `principal` may perform `action` on it; None otherwise (out
    of scope looks exactly like not existing)."""
    action = Action(action)
    custodian = _scope(principal, action).select_related("organisation").filter(slug=slug).first()
    asked = custodian.pk if custodian else Custodian.objects.filter(slug=slug).values_list("pk", flat=True).first()
    _note(principal, action, asked, custodian is not None)
    return custodian


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
    _note(principal, Action.ADMINISTER, None)
    if isinstance(principal, SystemPrincipal):
        return AdminScope(True, frozenset())
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


def visible_grants(principal: Any, target: Any) -> QuerySet[RoleGrant]:
    """The grants of `target` that `principal` administers (an organisation's admin sees none of
    the grants the user holds elsewhere)."""
    grants = RoleGrant.objects.filter(user=target).select_related("organisation", "custodian")
    scope = admin_scope(principal)
    if scope.everywhere:
        return grants
    return grants.filter(
        Q(organisation_id__in=scope.organisation_ids) | Q(custodian__organisation_id__in=scope.organisation_ids)
    )


def can_manage_organisation(principal: Any, organisation_id: int | None) -> bool:
    """May `principal` administer what belongs to this organisation (e.g. its service accounts)?"""
    return admin_scope(principal).covers(organisation_id)


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
        log.role_granted(actor, obj)
    return obj


def revoke_role(principal: Any, grant_obj: RoleGrant, *, actor: str) -> None:
    _require_admin_of(principal, grant_obj.user, grant_obj.organisation, grant_obj.custodian)
    with transaction.atomic():
        log.role_revoked(actor, grant_obj)
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
        roles = sorted(f"{r}:{getattr(o, 'code', '') or ''}:{getattr(c, 'slug', '') or ''}" for r, o, c in wanted)
        log.roles_synced(actor, user, str(source), roles)
    _forget_grants(user)
    return result


# --- Woo requests (chatarchief.woo) ---------------------------------------------------------------
# A Woo coordinator reads content only inside a request they are assigned to: within the request's
# custodians (and the woo app limits it to the request's period and documents). The request is passed
# in (duck-typed: `.coordinators` and `.custodians` managers), so access never imports the woo app.


def woo_scope(principal: Any) -> QuerySet[Custodian]:
    """The custodians a principal may put in scope of a Woo request it creates or works on: those its
    woo_coordinator grants cover (everything for the system actor)."""
    _note(principal, "woo", None)
    if isinstance(principal, SystemPrincipal):
        return Custodian.objects.all()
    if not _is_user(principal):
        return Custodian.objects.none()
    condition = Q(pk__in=[])
    for g in grants_of(principal):
        if g.role != Role.WOO_COORDINATOR:
            continue
        if _is_global(g):
            return Custodian.objects.all()
        if g.custodian_id:
            condition |= Q(pk=g.custodian_id)
        elif g.organisation_id:
            condition |= Q(organisation_id=g.organisation_id)
    return Custodian.objects.filter(condition)


def woo_request_allowed(principal: Any, request: Any) -> bool:
    """May `principal` work on this Woo request (search, read its documents, assess, redact,
    export)? The system actor may; a user only while assigned to it as coordinator and holding the
    woo_coordinator role over every custodian in its scope."""
    wanted = set(request.custodians.values_list("pk", flat=True))
    if isinstance(principal, SystemPrincipal):
        answer = True
    elif not _is_user(principal) or not getattr(principal, "pk", None):
        answer = False
    else:
        assigned = request.coordinators.filter(pk=principal.pk).exists()
        covered = set(woo_scope(principal).filter(pk__in=wanted).values_list("pk", flat=True))
        answer = assigned and wanted <= covered
    for custodian_id in sorted(wanted) or [None]:
        _note(principal, f"woo_request:{request.pk}", custodian_id, answer)
    return answer


def require_woo_request(principal: Any, request: Any) -> None:
    if not woo_request_allowed(principal, request):
        raise AccessDenied
