"""Local user accounts and their role grants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError


def add_user(
    username: str,
    password: str,
    *,
    actor: str,
    role: str | None = None,
    custodian_slug: str | None = None,
    organisation_code: str | None = None,
) -> Any:
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
    user = User.objects.create_user(username=username, password=password)
    custodian = Custodian.objects.filter(slug=custodian_slug).first() if custodian_slug else None
    organisation = Organisation.objects.filter(code=organisation_code.upper()).first() if organisation_code else None
    if role:
        grant(user, Role(role), organisation=organisation, custodian=custodian)
    if role == Role.CUSTODIAN and custodian is not None:
        Custodian.objects.filter(pk=custodian.pk).update(user=user)
    log.record(
        actor,
        "user.added",
        obj=user,
        username=username,
        role=role or "",
        custodian=custodian_slug or "",
        organisation=organisation_code or "",
    )
    return user
