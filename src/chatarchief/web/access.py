"""Thin view helpers over the access service (chatarchief.access.services decides)."""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from chatarchief.access.constants import Action
from chatarchief.access.services import allowed, custodians
from chatarchief.archive.models import Custodian


def custodians_for(user: Any, action: Action = Action.VIEW_METADATA) -> QuerySet[Custodian]:
    return custodians(user, action)


def custodian_or_403(user: Any, slug: str, action: Action = Action.VIEW_METADATA) -> Custodian:
    custodian = custodians(user, action).filter(slug=slug).first()
    if custodian is None:
        raise PermissionDenied
    return custodian


def can_read_content(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.READ_CONTENT, custodian)


def can_view_audit_trail(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.VIEW_AUDIT_TRAIL, custodian)


def can_deliver(user: Any, custodian: Custodian) -> bool:
    return allowed(user, Action.DELIVER, custodian)


def actor(user: Any) -> str:
    return f"web:{getattr(user, 'username', 'anonymous')}"


def download_name(name: str) -> str:
    """A file name safe to offer for download: no folders, no control or bidi-format characters
    (U+202E would show "factuur\u202efdp.exe" as "factuurexe.pdf")."""
    base = os.path.basename(name.replace("\\", "/"))
    cleaned = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cf"}).strip(" .")
    return cleaned or "bestand"
