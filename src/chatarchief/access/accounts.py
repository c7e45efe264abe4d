"""Local user accounts: creation with a role grant, and switching an account off."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chatarchief.access.constants import Role
from chatarchief.access.services import AccessDenied, can_manage_user, grant
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.archive.services import registry
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError


def _scope(organisation_code: str | None, custodian_slug: str | None) -> tuple[Organisation | None, Custodian | None]:
    """The organisation and custodian a new grant names; each must exist, and the custodian must
    belong to the organisation when both are named."""
    organisation = registry.get_organisation(organisation_code) if organisation_code else None
    custodian = None
    if custodian_slug:
        custodian = Custodian.objects.filter(slug=custodian_slug).first()
        if custodian is None:
            raise ChatarchiefError(
                "accounts.unknown_custodian",
                nl=f"Functionaris {custodian_slug!r} bestaat niet.",
                en=f"Custodian {custodian_slug!r} does not exist.",
            )
    if organisation is not None and custodian is not None and custodian.organisation_id != organisation.pk:
        raise ChatarchiefError(
            "accounts.custodian_outside_organisation",
            nl=f"Functionaris {custodian.slug!r} hoort niet bij organisatie {organisation.code!r}.",
            en=f"Custodian {custodian.slug!r} does not belong to organisation {organisation.code!r}.",
        )
    return organisation, custodian


def add_user(
    username: str,
    password: str,
    *,
    actor: str,
    role: str | None = None,
    custodian_slug: str | None = None,
    organisation_code: str | None = None,
) -> Any:
    """Create a local account, with a role grant if `role` is given. Everything is checked first:
    a weak password, an existing name, an unknown organisation or custodian, or a custodian outside
    the named organisation creates nothing."""
    User = get_user_model()
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ChatarchiefError(
            "accounts.weak_password",
            nl="Wachtwoord te zwak: " + " ".join(exc.messages),
            en="Password too weak: " + " ".join(exc.messages),
        ) from None
    if User.objects.filter(username=username).exists():
        raise ChatarchiefError(
            "accounts.exists", nl=f"Gebruiker {username!r} bestaat al.", en=f"User {username!r} exists."
        )
    organisation, custodian = _scope(organisation_code, custodian_slug)
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        if role:
            grant(user, Role(role), organisation=organisation, custodian=custodian)
        if role == Role.CUSTODIAN and custodian is not None:
            Custodian.objects.filter(pk=custodian.pk).update(user=user)
        log.user_added(
            actor, user, role=role or "", custodian=custodian_slug or "", organisation=organisation_code or ""
        )
    return user


def _end_sessions(user: Any) -> int:
    """Delete the open sessions of `user` (database sessions: every request reads its session)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def disable_user(username: str, *, actor: str, principal: Any = None) -> Any:
    """Switch an account off: it can no longer log in, and its open sessions end at once. A web
    admin (`principal`) must manage the user; the CLI acts as the system actor."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ChatarchiefError(
            "accounts.unknown", nl=f"Gebruiker {username!r} bestaat niet.", en=f"No user {username!r}."
        )
    if principal is not None and not can_manage_user(principal, user):
        raise AccessDenied
    with transaction.atomic():
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        log.user_disabled(actor, user, _end_sessions(user))
    return user
