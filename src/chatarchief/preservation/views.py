"""Preservation pages: legal holds, destruction lists (approve). A few lines each around the services;
access is asked of `access.services`."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chatarchief.access import services as access
from chatarchief.access.constants import Action, Role
from chatarchief.archive.models import Conversation
from chatarchief.core.errors import ChatarchiefError
from chatarchief.preservation import disposition, holds
from chatarchief.preservation.forms import HoldForm
from chatarchief.preservation.models import DispositionList, LegalHold

HOLD_ROLES = {Role.REVIEWER, Role.WOO_COORDINATOR, Role.AUDITOR, Role.ADMIN}
DISPOSITION_ROLES = {Role.REVIEWER, Role.ADMIN, Role.OPERATOR, Role.AUDITOR}
APPROVING_ROLES = {disposition.MANAGER_ROLE, *disposition.SECOND_ROLES}


def _actor(request: HttpRequest) -> str:
    return f"web:{getattr(request.user, 'username', 'anonymous')}"


def _lang() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


def _require_role(request: HttpRequest, roles: set[str]) -> None:
    if not access.roles_of(request.user) & {str(r) for r in roles}:
        raise PermissionDenied


HOLD_EDIT_ROLES = {Role.REVIEWER, Role.WOO_COORDINATOR, Role.ADMIN}


def _hold_page(request: HttpRequest, form: HoldForm | None = None, status: int = 200) -> HttpResponse:
    visible = access.custodians(request.user, Action.VIEW_METADATA)
    rows = (
        LegalHold.objects.filter(custodian__in=visible)
        .select_related("custodian")
        .order_by("removed_at", "-created_at", "-id")
    )
    may_edit = bool(access.roles_of(request.user) & {str(r) for r in HOLD_EDIT_ROLES})
    if may_edit and form is None:
        form = HoldForm(custodians=[(c.slug, c.name) for c in visible.order_by("name")])
    return render(
        request,
        "preservation/holds.html",
        {"holds": [{"hold": h, "what": holds.describe(h, _lang())} for h in rows], "form": form, "may_edit": may_edit},
        status=status,
    )


def hold_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, HOLD_ROLES)
    return _hold_page(request)


@require_POST
def hold_add(request: HttpRequest) -> HttpResponse:
    _require_role(request, HOLD_EDIT_ROLES)
    visible = access.custodians(request.user, Action.VIEW_METADATA)
    form = HoldForm(request.POST, custodians=[(c.slug, c.name) for c in visible.order_by("name")])
    if not form.is_valid():
        return _hold_page(request, form, status=400)
    custodian = access.custodian_by_slug(request.user, Action.VIEW_METADATA, form.cleaned_data["custodian"])
    if custodian is None:
        raise PermissionDenied
    conversation = form.cleaned_data["conversation"]
    if conversation is not None and not Conversation.objects.filter(pk=conversation, custodian=custodian).exists():
        form.add_error("conversation", _("Dit gesprek hoort niet bij deze functionaris."))
        return _hold_page(request, form, status=400)
    try:
        hold = holds.add(
            actor=_actor(request),
            custodian=None if conversation else custodian,
            conversation=conversation,
            period_from=form.cleaned_data["period_from"],
            period_to=form.cleaned_data["period_to"],
            reason=form.cleaned_data["reason"],
        )
    except ChatarchiefError as error:
        form.add_error(None, error.message(_lang()))
        return _hold_page(request, form, status=400)
    flash.success(request, _("Bewaarplicht %(n)s opgelegd.") % {"n": hold.pk})
    return redirect(reverse("hold_list"))


@require_POST
def hold_remove(request: HttpRequest) -> HttpResponse:
    _require_role(request, HOLD_EDIT_ROLES)
    try:
        hold_id = int(request.POST.get("hold", ""))
    except ValueError:
        raise PermissionDenied from None
    hold = LegalHold.objects.select_related("custodian").filter(pk=hold_id).first()
    if hold is None or hold.custodian is None:
        raise PermissionDenied
    access.require(request.user, Action.VIEW_METADATA, hold.custodian)
    holds.remove(hold.pk, actor=_actor(request))
    flash.success(request, _("Bewaarplicht %(n)s opgeheven.") % {"n": hold.pk})
    return redirect(reverse("hold_list"))


def _visible_lists(request: HttpRequest) -> list[DispositionList]:
    visible = set(access.custodians(request.user, Action.VIEW_METADATA).values_list("pk", flat=True))
    shown = []
    for record in DispositionList.objects.prefetch_related("items__custodian").order_by("-proposed_at", "-id")[:50]:
        items = list(record.items.all())
        if items and all(item.custodian_id in visible for item in items):
            shown.append(record)
    return shown


def disposition_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, DISPOSITION_ROLES)
    roles = access.roles_of(request.user)
    return render(
        request,
        "preservation/dispositions.html",
        {
            "lists": [(record, f"list-{record.pk}") for record in _visible_lists(request)],
            "can_approve": bool(roles & {str(r) for r in APPROVING_ROLES}),
            "me": request.user.get_username(),
        },
    )


@require_POST
def disposition_approve(request: HttpRequest) -> HttpResponse:
    _require_role(request, APPROVING_ROLES)
    try:
        list_id = int(request.POST.get("list", ""))
    except ValueError:
        raise PermissionDenied from None
    record = next((r for r in _visible_lists(request) if r.pk == list_id), None)
    if record is None:
        raise PermissionDenied
    for item in record.items.all():
        access.require(request.user, Action.VIEW_METADATA, item.custodian)
    try:
        disposition.approve(record.pk, request.user, actor=_actor(request))
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    else:
        flash.success(request, _("Vernietigingslijst %(n)s goedgekeurd.") % {"n": record.pk})
    return redirect(reverse("disposition_list"))
