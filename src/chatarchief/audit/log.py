"""One function per audit event type (views and services call these, never `_record` or the model).

Events are hash-chained: each row's hash covers its fields and the previous row's hash, so
`chatarchief audit verify` proves the log intact. A new kind of event gets its own function below,
named after what happened, with the details it keeps (never message content or secrets): here for
the archive, intake, access and the API; in `audit/events/<app>.py` for review, compliance,
preservation and Woo (all offered here, so callers write `log.<event>(...)`). The chain itself is
`audit/record.py`.
"""

from __future__ import annotations

from typing import Any

from chatarchief.audit.events.compliance import *  # noqa: F403 (the phase-2 apps' events, offered here too)
from chatarchief.audit.events.preservation import *  # noqa: F403
from chatarchief.audit.events.review import *  # noqa: F403
from chatarchief.audit.events.woo import *  # noqa: F403
from chatarchief.audit.models import AuditEvent
from chatarchief.audit.record import _record, verify  # noqa: F401 (verify: offered as log.verify)

# --- the events -----------------------------------------------------------------------------------


def custodian_added(actor: str, custodian: Any) -> AuditEvent:
    return _record(actor, "custodian.added", obj=custodian, custodian=custodian.slug, name=custodian.name)


def delivery_received(actor: str, delivery: Any) -> AuditEvent:
    return _record(
        actor,
        "delivery.received",
        obj=delivery,
        custodian=delivery.custodian.slug,
        file=delivery.file_name,
        sha256=delivery.sha256,
        size=delivery.size,
    )


def delivery_finished(actor: str, delivery: Any) -> AuditEvent:
    return _record(
        actor,
        f"delivery.{delivery.status}",
        obj=delivery,
        custodian=delivery.custodian.slug,
        file=delivery.file_name,
        sha256=delivery.sha256,
        format=delivery.format,
        counts=delivery.counts,
        error=delivery.error_code,
    )


def content_read(actor: str, what: str, obj: Any, custodian: str, **details: Any) -> AuditEvent:
    """Every read of message content or media by a person."""
    return _record(actor, "content.read", obj=obj, custodian=custodian, what=what, **details)


def findings_listed(actor: str, custodian: str, count: int) -> AuditEvent:
    return _record(actor, "findings.listed", custodian=custodian, count=count)


def login(actor: str, success: bool) -> AuditEvent:
    return _record(actor, "auth.login" if success else "auth.login_failed")


def master_key_rotated(actor: str, report: dict[str, Any]) -> AuditEvent:
    """Blob data keys re-wrapped under a new master key (the key id only; never key material)."""
    return _record(
        actor,
        "keys.rotated",
        key_id=report["key_id"],
        blobs=report["blobs"],
        rewrapped=report["rewrapped"],
        unchanged=report["unchanged"],
        failed=len(report["failed"]),
    )


def service_account_added(actor: str, account: Any) -> AuditEvent:
    """An integration API account created (its token prefix only; the token itself is never logged)."""
    return _record(
        actor,
        "api.account_added",
        obj=account,
        name=account.name,
        organisation=account.organisation.code,
        operations=list(account.operations),
        token_prefix=account.token_prefix,
    )


def api_read(actor: str, what: str, custodian: str = "", obj: Any = None, **details: Any) -> AuditEvent:
    """A read through the integration API (status, custodian list, compliance): metadata only."""
    return _record(actor, "api.read", obj=obj, custodian=custodian, what=what, **details)


def api_denied(actor: str, operation: str, reason: str, custodian: str = "", **details: Any) -> AuditEvent:
    """A service account asked for something it may not do (missing operation, other organisation)."""
    return _record(actor, "api.denied", custodian=custodian, operation=operation, reason=reason, **details)


def organisation_added(actor: str, organisation: Any) -> AuditEvent:
    return _record(actor, "organisation.added", obj=organisation, code=organisation.code)


def user_added(actor: str, user: Any, *, role: str, custodian: str, organisation: str) -> AuditEvent:
    return _record(
        actor,
        "user.added",
        obj=user,
        username=user.username,
        role=role,
        custodian=custodian,
        organisation=organisation,
    )


def user_disabled(actor: str, user: Any, sessions: int) -> AuditEvent:
    """A user account switched off; its open sessions ended."""
    return _record(actor, "user.disabled", obj=user, user=user.username, sessions=sessions)


def role_granted(actor: str, grant: Any) -> AuditEvent:
    return _record(
        actor,
        "access.role_granted",
        obj=grant,
        custodian=getattr(grant.custodian, "slug", ""),
        user=grant.user.username,
        role=str(grant.role),
        organisation=getattr(grant.organisation, "code", ""),
    )


def role_revoked(actor: str, grant: Any) -> AuditEvent:
    return _record(
        actor,
        "access.role_revoked",
        obj=grant,
        custodian=getattr(grant.custodian, "slug", ""),
        user=grant.user.username,
        role=grant.role,
        organisation=getattr(grant.organisation, "code", ""),
    )


def roles_synced(actor: str, user: Any, source: str, roles: list[str]) -> AuditEvent:
    """A single sign-on replaced the user's grants from the identity provider."""
    return _record(actor, "access.roles_synced", obj=user, user=user.username, source=source, roles=roles)


def login_failed(actor: str, stage: str) -> AuditEvent:
    """A wrong password, or a wrong code at a later stage (`totp`, `totp_setup`, `reauth`)."""
    return _record(actor, "auth.login_failed", stage=stage)


def second_factor_passed(actor: str, method: str) -> AuditEvent:
    return _record(actor, "auth.second_factor", method=method)


def reauthenticated(actor: str) -> AuditEvent:
    return _record(actor, "auth.reauthenticated")


def totp_enrolled(actor: str, user: Any) -> AuditEvent:
    return _record(actor, "auth.totp_enrolled", obj=user, user=user.username)


def totp_reset(actor: str, user: Any, devices: int) -> AuditEvent:
    return _record(actor, "auth.totp_reset", obj=user, user=user.username, devices=devices)


def totp_provisioned(actor: str, user: Any) -> AuditEvent:
    """A device with a known key (demo data and tests only)."""
    return _record(actor, "auth.totp_provisioned", obj=user, user=user.username)


def service_account_revoked(actor: str, account: Any) -> AuditEvent:
    """An integration API account switched off: its token no longer works."""
    return _record(
        actor,
        "api.account_revoked",
        obj=account,
        name=account.name,
        organisation=account.organisation.code,
        token_prefix=account.token_prefix,
    )


def logged_out(actor: str, reason: str, address: str) -> AuditEvent:
    """A web session ended: `user` (logout), `session_expired` (past its lifetime) or `locked_out`."""
    return _record(actor, "auth.logout", reason=reason, address=address)


def locked_out(actor: str, address: str, *, stage: str, failures: int) -> AuditEvent:
    """django-axes refused an account from an address after repeated failed passwords or codes
    (`stage`: password, totp, totp_setup, reauth); again for every attempt while locked out."""
    return _record(actor, "auth.locked_out", address=address, stage=stage, failures=failures)


def blobs_renamed(actor: str, report: dict[str, Any]) -> AuditEvent:
    """Blobs of an older store moved from their plain SHA-256 names to keyed names (`keys rename-blobs`)."""
    return _record(
        actor, "keys.blobs_renamed", legacy=report["legacy"], renamed=report["renamed"], failed=len(report["failed"])
    )


def blobs_collected(actor: str, report: dict[str, Any]) -> AuditEvent:
    """`chatarchief gc` removed blobs no record refers to (what an interrupted ingest left)."""
    return _record(actor, "blobs.collected", removed=len(report["removed"]), sha256=report["removed"][:1000])
