"""The one place where access is decided (object level, in the service layer, not per view).

`custodians(principal, action)` is the queryset of custodians a principal may perform `action`
on; `require(principal, action, custodian)` raises AccessDenied otherwise. Views, the API and the
CLI ask these; nothing else decides.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chatarchief.access.constants import Action, Role
from chatarchief.access.models import RoleGrant
from chatarchief.archive.models import Custodian
from chatarchief.core.errors import ChatarchiefError


class AccessDenied(ChatarchiefError):
    def __init__(self) -> None:
        super().__init__("access.denied", nl="U hebt hier geen toegang toe.", en="You do not have access to this.")


# Which roles allow which actions, and over what scope ("own", "assigned", "organisation", "all").
POLICY: dict[Role, dict[Action, str]] = {
    Role.CUSTODIAN: {Action.VIEW_METADATA: "grant", Action.READ_CONTENT: "grant", Action.DELIVER: "grant"},
    Role.OPERATOR: {Action.VIEW_METADATA: "grant", Action.DELIVER: "grant", Action.REGISTER_AGREEMENT: "grant"},
    Role.REVIEWER: {Action.VIEW_METADATA: "grant", Action.READ_CONTENT: "grant", Action.CLASSIFY: "grant"},
    Role.WOO_COORDINATOR: {Action.VIEW_METADATA: "grant"},
    Role.AUDITOR: {Action.VIEW_METADATA: "grant"},
    Role.ADMIN: {Action.VIEW_METADATA: "all", Action.ADMINISTER: "all"},
}


def grants_of(principal: Any) -> list[RoleGrant]:
    if not getattr(principal, "is_authenticated", False) or not getattr(principal, "pk", None):
        return []
    cached = getattr(principal, "_chatarchief_grants", None)
    if cached is None:
        cached = list(RoleGrant.objects.filter(user_id=principal.pk))
        principal._chatarchief_grants = cached
    return cached


def roles_of(principal: Any) -> set[str]:
    return {g.role for g in grants_of(principal)}


def custodians(principal: Any, action: Action | str) -> QuerySet[Custodian]:
    """The custodians on whose archive `principal` may perform `action`."""
    action = Action(action)
    condition = Q(pk__in=[])
    for grant in grants_of(principal):
        scope = POLICY.get(Role(grant.role), {}).get(action)
        if scope == "all":
            return Custodian.objects.all()
        if scope == "grant":
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


def grant(user: Any, role: Role | str, *, organisation: Any = None, custodian: Any = None) -> RoleGrant:
    obj, _ = RoleGrant.objects.get_or_create(user=user, role=Role(role), organisation=organisation, custodian=custodian)
    if hasattr(user, "_chatarchief_grants"):
        del user._chatarchief_grants
    return obj
