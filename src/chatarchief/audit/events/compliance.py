"""Audit events of compliance: agreements, the roster and phases, the findings workflow, reminders, reports, receipts (issue 17).

Called as `chatarchief.audit.log.<name>` like every event (see audit/log.py)."""

from __future__ import annotations

from typing import Any

from chatarchief.audit.models import AuditEvent
from chatarchief.audit.record import _record

__all__ = [
    "agreement_recorded",
    "roster_imported",
    "custodian_scope_changed",
    "finding_stepped",
    "reminder_sent",
    "compliance_report_made",
    "receipt_made",
    "phase_set",
]


def agreement_recorded(actor: str, agreement: Any) -> AuditEvent:
    return _record(
        actor,
        "agreement.recorded",
        obj=agreement,
        custodian=agreement.custodian.slug,
        frequency=agreement.frequency,
        secured_by=agreement.secured_by,
        secretary=agreement.secretary,
        channels=list(agreement.channels or []),
        valid_from=agreement.valid_from.isoformat(),
    )


def roster_imported(actor: str, *, file: str, created: int, updated: int) -> AuditEvent:
    return _record(actor, "roster.imported", file=file, created=created, updated=updated)


def custodian_scope_changed(actor: str, custodian: Any, changes: dict[str, Any]) -> AuditEvent:
    return _record(actor, "custodian.scope_changed", obj=custodian, custodian=custodian.slug, changes=changes)


def finding_stepped(actor: str, finding: Any, *, source: str, target: str, note: str) -> AuditEvent:
    return _record(
        actor,
        "finding.stepped",
        obj=finding,
        custodian=finding.custodian.slug,
        type=finding.type,
        source=source,
        target=target,
        note=note,
    )


def reminder_sent(actor: str, reminder: Any) -> AuditEvent:
    return _record(
        actor,
        "reminder.sent",
        obj=reminder,
        custodian=reminder.custodian.slug,
        kind=reminder.kind,
        role=reminder.role,
        due_at=reminder.due_at.isoformat(),
    )


def compliance_report_made(actor: str, *, organisation: str, start: str, end: str, output_format: str) -> AuditEvent:
    return _record(actor, "report.compliance", organisation=organisation, start=start, end=end, format=output_format)


def receipt_made(actor: str, delivery: Any, *, lang: str) -> AuditEvent:
    return _record(actor, "receipt.made", obj=delivery, custodian=delivery.custodian.slug, lang=lang)


def phase_set(actor: str, phase: Any) -> AuditEvent:
    return _record(
        actor,
        "phase.set",
        obj=phase,
        code=phase.code,
        name=phase.name,
        starts_on=phase.starts_on.isoformat() if phase.starts_on else None,
    )
