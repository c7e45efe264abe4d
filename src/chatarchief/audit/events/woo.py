"""Audit events of search and Woo requests (issue 18): what was searched and read for which request; the requester's name is never logged.

Called as `chatarchief.audit.log.<name>` like every event (see audit/log.py)."""

from __future__ import annotations

from typing import Any

from chatarchief.audit.models import AuditEvent
from chatarchief.audit.record import _record

__all__ = [
    "search_run",
    "woo_request_created",
    "woo_request_changed",
    "woo_searched",
    "woo_content_read",
    "woo_assessed",
    "woo_redaction_changed",
    "woo_exported",
]


def search_run(actor: str, where: str, *, query: str, filters: dict[str, Any], total: int) -> AuditEvent:
    """A full-text search: the query, its filters and how many hits it had (where: search, woo:<id>)."""
    return _record(actor, "search.run", where=where, query=query, filters=filters, total=total)


def woo_request_created(actor: str, request: Any, *, custodians: list[str]) -> AuditEvent:
    return _record(
        actor,
        "woo.request_created",
        obj=request,
        reference=request.reference,
        custodians=custodians,
        period=[request.period_from, request.period_to],
    )


def woo_request_changed(actor: str, request: Any, *, change: str, **details: Any) -> AuditEvent:
    return _record(actor, "woo.request_changed", obj=request, reference=request.reference, change=change, **details)


def woo_searched(actor: str, record: Any, *, documents: list[int]) -> AuditEvent:
    """A query run for a Woo request (the zoekslag row), with the documents its hits fell in."""
    return _record(
        actor,
        "woo.searched",
        obj=record,
        reference=record.request.reference,
        query=record.query,
        hits=record.hits,
        documents=documents,
    )


def woo_content_read(actor: str, request: Any, custodian: str, *, what: str, message_ids: list[int]) -> AuditEvent:
    """Message content opened or exported for a Woo request: who read which messages, for which request."""
    return _record(
        actor,
        "content.read",
        obj=request,
        custodian=custodian,
        what=what,
        request=request.reference,
        message_ids=message_ids,
    )


def woo_assessed(actor: str, assessment: Any) -> AuditEvent:
    document = assessment.document
    return _record(
        actor,
        "woo.assessed",
        obj=assessment,
        reference=document.request.reference,
        document=document.number,
        decision=assessment.decision,
        grounds=list(assessment.grounds),
        confirmed_by=assessment.confirmed_by,
    )


def woo_redaction_changed(actor: str, redaction: Any, *, change: str) -> AuditEvent:
    """A redaction added or removed (kind and ground only: never the redacted text)."""
    document = redaction.document
    return _record(
        actor,
        "woo.redaction_" + change,
        obj=redaction,
        reference=document.request.reference,
        document=document.number,
        kind=redaction.kind,
        ground=redaction.ground,
        message=redaction.message,
    )


def woo_exported(actor: str, export: Any, *, files: int) -> AuditEvent:
    return _record(
        actor,
        "woo.exported",
        obj=export,
        reference=export.request.reference,
        documents=export.documents,
        pdfs=export.pdfs,
        files=files,
        manifest_sha256=export.manifest_sha256,
    )
