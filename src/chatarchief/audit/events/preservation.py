"""Audit events of preservation: fixity, legal holds, retention and disposition, transfer, backup, audit extracts (issue 19). Ids and counts only.

Called as `chatarchief.audit.log.<name>` like every event (see audit/log.py)."""

from __future__ import annotations

from typing import Any

from chatarchief.audit.models import AuditEvent
from chatarchief.audit.record import _record

__all__ = [
    "audit_trail_exported",
    "fixity_checked",
    "hold_added",
    "hold_removed",
    "hold_refused",
    "audit_exported",
    "retention_category_set",
    "retention_overridden",
    "term_ended",
    "disposition_proposed",
    "disposition_approved",
    "disposition_executed",
    "backup_made",
    "restored",
    "transfer_packaged",
]


def audit_trail_exported(actor: str, custodian: str, *, events: int, filters: dict[str, Any]) -> AuditEvent:
    """An auditor downloaded (part of) a custodian's audit trail as CSV."""
    return _record(actor, "audit.exported", custodian=custodian, count=events, **{"filter": filters})


def fixity_checked(actor: str, run: Any) -> AuditEvent:
    """A fixity check of the blob store (`chatarchief verify` or the scheduled task)."""
    return _record(
        actor,
        "preservation.fixity_checked",
        obj=run,
        checked=run.checked,
        sample_percent=run.sample_percent,
        failures=len(run.failures),
        failed=[f["sha256"] for f in run.failures][:100],
    )


def hold_added(actor: str, hold: Any) -> AuditEvent:
    return _record(
        actor,
        "preservation.hold_added",
        obj=hold,
        custodian=hold.custodian.slug if hold.custodian_id else "",
        conversation=hold.conversation_id,
        period_from=hold.period_from,
        period_to=hold.period_to,
        reason=hold.reason,
    )


def hold_removed(actor: str, hold: Any) -> AuditEvent:
    return _record(
        actor,
        "preservation.hold_removed",
        obj=hold,
        custodian=hold.custodian.slug if hold.custodian_id else "",
        conversation=hold.conversation_id,
    )


def hold_refused(actor: str, hold: Any, action: str) -> AuditEvent:
    """A destruction or exclusion refused because of a legal hold."""
    return _record(
        actor,
        "preservation.hold_refused",
        obj=hold,
        custodian=hold.custodian.slug if hold.custodian_id else "",
        refused=action,
    )


def audit_exported(actor: str, *, start: str, end: str, events: int, file: str) -> AuditEvent:
    """An extract of the audit log written for an auditor (`chatarchief audit export`)."""
    return _record(actor, "audit.exported", start=start, end=end, events=events, file=file)


def retention_category_set(actor: str, category: Any) -> AuditEvent:
    return _record(
        actor,
        "preservation.retention_category_set",
        obj=category,
        code=category.code,
        appraisal=category.action,
        period_years=category.period_years,
        trigger=category.trigger,
        custodian_category=category.custodian_category,
    )


def retention_overridden(actor: str, conversation: Any, code: str) -> AuditEvent:
    return _record(
        actor, "preservation.retention_overridden", obj=conversation, custodian=conversation.custodian.slug, code=code
    )


def term_ended(actor: str, custodian: Any, ended_on: Any) -> AuditEvent:
    return _record(actor, "preservation.term_ended", obj=custodian, custodian=custodian.slug, ended_on=ended_on)


def disposition_proposed(actor: str, record: Any, *, items: int, held: int) -> AuditEvent:
    return _record(actor, "preservation.disposition_proposed", obj=record, items=items, held=held)


def disposition_approved(actor: str, record: Any, *, role: str) -> AuditEvent:
    return _record(actor, "preservation.disposition_approved", obj=record, role=role, status=record.status)


def disposition_executed(actor: str, record: Any, **counts: int) -> AuditEvent:
    """A destruction list carried out: numbers and conversation ids only."""
    return _record(
        actor,
        "preservation.disposition_executed",
        obj=record,
        conversations_destroyed=[i.conversation_ref for i in record.items.all()],
        **counts,
    )


def backup_made(actor: str, *, folder: str) -> AuditEvent:
    """A backup of database, blob store and keys (`chatarchief backup`)."""
    return _record(actor, "preservation.backup_made", folder=folder)


def restored(actor: str, *, folder: str, events: int) -> AuditEvent:
    """An empty instance restored from a backup (`chatarchief restore`)."""
    return _record(actor, "preservation.restored", folder=folder, events=events)


def transfer_packaged(actor: str, custodian: Any, **counts: Any) -> AuditEvent:
    """A transfer package (BagIt + MDTO) written for an e-depot (`chatarchief transfer package`)."""
    return _record(actor, "preservation.transfer_packaged", obj=custodian, custodian=custodian.slug, **counts)
