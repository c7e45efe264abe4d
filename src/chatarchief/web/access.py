"""Who may see what. One place for scope decisions; views and API ask here, never decide themselves."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from chatarchief.archive.models import Custodian


def custodians_for(user: Any) -> QuerySet[Custodian]:
    """The custodians whose archive this user may open."""
    if not getattr(user, "is_authenticated", False):
        return Custodian.objects.none()
    if user.is_superuser:
        return Custodian.objects.all()
    return Custodian.objects.filter(user=user)


def custodian_or_403(user: Any, slug: str) -> Custodian:
    custodian = custodians_for(user).filter(slug=slug).first()
    if custodian is None:
        raise PermissionDenied
    return custodian


def can_read_content(user: Any, custodian: Custodian) -> bool:
    return custodians_for(user).filter(pk=custodian.pk).exists()


def can_deliver(user: Any, custodian: Custodian) -> bool:
    return custodians_for(user).filter(pk=custodian.pk).exists()


def actor(user: Any) -> str:
    return f"web:{getattr(user, 'username', 'anonymous')}"
