"""Service accounts: creation, revocation, token check.

What an account may do is decided in chatarchief.access.services, like for users: a service
account is a principal there (its operations, on the custodians of its own organisation, never
content). `has_operation` and `custodians_for_service_account` ask it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.api.constants import Operation
from chatarchief.api.models import ServiceAccount
from chatarchief.archive.models import Custodian
from chatarchief.archive.services import registry
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError

TOKEN_PREFIX = "ca_"  # noqa: S105 (a public marker, not a secret)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_service_account(
    name: str, organisation_code: str, operations: Iterable[str], *, actor: str
) -> tuple[ServiceAccount, str]:
    """Create an account; returns it with its token, which is not stored and cannot be shown again."""
    wanted = sorted({Operation(op).value for op in operations})
    organisation = registry.get_organisation(organisation_code)
    if ServiceAccount.objects.filter(name=name).exists():
        raise ChatarchiefError(
            "api.account_exists",
            nl=f"Serviceaccount {name!r} bestaat al.",
            en=f"Service account {name!r} already exists.",
        )
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    account = ServiceAccount.objects.create(
        name=name, organisation=organisation, operations=wanted, token_prefix=prefix, token_hash=_hash(token)
    )
    log.service_account_added(actor, account)
    return account, token


def authenticate(token: str) -> ServiceAccount | None:
    """The active account this token belongs to, or None (constant-time comparison of hashes)."""
    if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
        return None
    prefix = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
    account = ServiceAccount.objects.select_related("organisation").filter(token_prefix=prefix, active=True).first()
    if account is None or not hmac.compare_digest(account.token_hash, _hash(token)):
        return None
    now = timezone.now()
    if account.last_used_at is None or (now - account.last_used_at).total_seconds() > 60:
        ServiceAccount.objects.filter(pk=account.pk).update(last_used_at=now)
    return account


def revoke_service_account(name: str, *, actor: str, principal: Any = None) -> ServiceAccount:
    """Switch an account off: its token stops working at once (401). `principal` (a web admin)
    must administer the account's organisation; the CLI acts as the system actor."""
    account = ServiceAccount.objects.select_related("organisation").filter(name=name).first()
    if account is None or (
        principal is not None and not access.can_manage_organisation(principal, account.organisation_id)
    ):
        raise ChatarchiefError(
            "api.unknown_account",
            nl=f"Serviceaccount {name!r} bestaat niet.",
            en=f"Service account {name!r} does not exist.",
        )
    if account.active:
        ServiceAccount.objects.filter(pk=account.pk).update(active=False)
        account.active = False
        log.service_account_revoked(actor, account)
    return account


def has_operation(account: ServiceAccount, operation: Operation | str) -> bool:
    return access.may_operate(account, Operation(operation).value)


def custodians_for_service_account(account: ServiceAccount, action: Action | str) -> QuerySet[Custodian]:
    """The custodians on whose archive `account` may perform `action` (access.services decides)."""
    return access.custodians(account, action)
