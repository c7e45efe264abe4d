"""Local user accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from chatarchief.archive.models import Custodian
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError


def add_user(username: str, password: str, *, actor: str, custodian_slug: str | None = None, admin: bool = False) -> Any:
    User = get_user_model()
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ChatarchiefError(
            "accounts.weak_password", nl="Wachtwoord te zwak: " + " ".join(exc.messages),
            en="Password too weak: " + " ".join(exc.messages),
        ) from None
    if User.objects.filter(username=username).exists():
        raise ChatarchiefError("accounts.exists", nl=f"Gebruiker {username!r} bestaat al.", en=f"User {username!r} exists.")
    user = User.objects.create_user(username=username, password=password, is_superuser=admin, is_staff=admin)
    if custodian_slug:
        Custodian.objects.filter(slug=custodian_slug).update(user=user)
    log.record(actor, "user.added", obj=user, username=username, admin=admin, custodian=custodian_slug or "")
    return user
