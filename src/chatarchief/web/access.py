"""Thin view helpers over the access service (chatarchief.access.services decides)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from chatarchief.access.constants import Action
from chatarchief.access.services import allowed, custodian_by_slug, custodians
from chatarchief.archive.models import Custodian


def custodians_for(user: Any, action: Action = Action.VIEW_METADATA) -> QuerySet[Custodian]:
    return custodians(user, action)


def custodian_or_403(user: Any, slug: str, action: Action = Action.VIEW_METADATA) -> Custodian:
    custodian = custodian_by_slug(user, action, slug)
    if custodian is None:
        raise PermissionDenied
    return custodian


def can_read_content(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.READ_CONTENT, custodian)


def can_view_audit_trail(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.VIEW_AUDIT_TRAIL, custodian)


def can_deliver(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.DELIVER, custodian)


def can_view(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.VIEW_METADATA, custodian)


def actor(user: Any) -> str:
    return f"web:{getattr(user, 'username', 'anonymous')}"
