"""Beheer: users and role grants (admins), and a custodian's audit trail (auditors, admins).

Every decision is asked of chatarchief.access.services; changes need a recent re-authentication.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chatarchief.access import authn, otp
from chatarchief.access.accounts import disable_user
from chatarchief.access.constants import Action, Role
from chatarchief.access.models import RoleGrant
from chatarchief.access.services import (
    AccessDenied,
    admin_scope,
    assign_role,
    can_manage_organisation,
    can_manage_user,
    manageable_users,
    revoke_role,
    visible_grants,
)
from chatarchief.api.accounts import revoke_service_account
from chatarchief.api.models import ServiceAccount
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.core.errors import ChatarchiefError
from chatarchief.web import access
from chatarchief.web.security import require_recent_auth


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Rol"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie"), queryset=Organisation.objects.none(), required=False
    )
    custodian = forms.ModelChoiceField(
        label=gettext_lazy("Functionaris"), queryset=Custodian.objects.none(), required=False
    )

    def __init__(self, *args: object, principal: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        scope = admin_scope(principal)
        orgs = (
            Organisation.objects.all()
            if scope.everywhere
            else Organisation.objects.filter(pk__in=scope.organisation_ids)
        )
        custodians = (
            Custodian.objects.all()
            if scope.everywhere
            else Custodian.objects.filter(organisation_id__in=scope.organisation_ids)
        )
        self.fields["organisation"].queryset = orgs.order_by("code")
        self.fields["custodian"].queryset = custodians.order_by("name")


def _require_admin(request: HttpRequest) -> None:
    if not admin_scope(request.user):
        raise PermissionDenied


@require_GET
def users(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    rows = []
    for user in manageable_users(request.user).order_by("username"):
        grants = visible_grants(request.user, user).order_by("role")
        grant_form = GrantForm(principal=request.user, auto_id=f"id_grant{user.pk}_%s")  # unique ids per row
        rows.append({"user": user, "grants": grants, "enrolled": otp.is_enrolled(user), "grant_form": grant_form})
    accounts = [
        a
        for a in ServiceAccount.objects.select_related("organisation").order_by("name")
        if can_manage_organisation(request.user, a.organisation_id)
    ]
    context = {"rows": rows, "form": GrantForm(principal=request.user), "service_accounts": accounts}
    return render(request, "users.html", context)


def _target(request: HttpRequest, pk: int) -> Any:
    _require_admin(request)
    target = get_user_model().objects.filter(pk=pk).first()
    if target is None or not can_manage_user(request.user, target) and target.role_grants.exists():
        raise Http404
    return target


@require_POST
@require_recent_auth
def user_grant(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    form = GrantForm(request.POST, principal=request.user)
    if not form.is_valid():
        flash.error(request, _("Ongeldige rol of reikwijdte."))
        return redirect("users")
    try:
        assign_role(
            request.user,
            target,
            form.cleaned_data["role"],
            actor=access.actor(request.user),
            organisation=form.cleaned_data["organisation"],
            custodian=form.cleaned_data["custodian"],
        )
    except AccessDenied:
        raise PermissionDenied from None
    flash.success(request, _("Rol toegekend."))
    return redirect("users")


@require_POST
@require_recent_auth
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "organisation", "custodian"), pk=pk)
    try:
        revoke_role(request.user, grant, actor=access.actor(request.user))
    except AccessDenied:
        raise Http404 from None
    flash.success(request, _("Rol ingetrokken."))
    return redirect("users")


@require_POST
@require_recent_auth
def user_totp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    if not can_manage_user(request.user, target):
        raise Http404
    otp.reset(target.get_username(), actor=access.actor(request.user))
    flash.success(
        request, _("Tweestapsverificatie hersteld: de gebruiker stelt bij de volgende aanmelding een nieuwe app in.")
    )
    return redirect("users")


@require_POST
@require_recent_auth
def user_disable(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    try:
        disable_user(target.get_username(), actor=access.actor(request.user), principal=request.user)
    except AccessDenied:
        raise Http404 from None
    flash.success(request, _("Gebruiker uitgeschakeld; open sessies zijn beëindigd."))
    return redirect("users")


@require_POST
@require_recent_auth
def serviceaccount_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    account = get_object_or_404(ServiceAccount, pk=pk)
    try:
        revoke_service_account(account.name, actor=access.actor(request.user), principal=request.user)
    except ChatarchiefError:
        raise Http404 from None
    flash.success(request, _("Serviceaccount ingetrokken: het token werkt niet meer."))
    return redirect("users")


def _woo_scope(user: Any) -> Any:
    from chatarchief.access.services import woo_scope

    return woo_scope(user)


def navigation(request: HttpRequest) -> dict[str, object]:
    """Template context: which menu items this user may see (the views check again)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"nav": {}}
    if not authn.second_factor_done(request):
        return {"nav": {}}
    return {
        "nav": {
            "verified": True,
            "can_deliver": access.custodians_for(user, Action.DELIVER).exists(),
            "can_administer": bool(admin_scope(user)),
            "can_review": access.custodians_for(user, Action.CLASSIFY).exists(),
            "can_search": access.custodians_for(user, Action.READ_CONTENT).exists(),
            "can_woo": _woo_scope(user).exists(),
        }
    }
