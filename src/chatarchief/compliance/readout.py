"""Findings in the stable shapes the shells show: the CLI's `findings --format json` (README) and
the API's metadata-only `open_findings`. Both read a `compliance.services.Status`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chatarchief.archive.services.readout import iso
from chatarchief.compliance.models import Finding

if TYPE_CHECKING:
    from chatarchief.compliance.services import Status


def finding_dict(finding: Finding, zone: ZoneInfo) -> dict[str, Any]:
    """A finding as `chatarchief findings` prints it (`id` and `detected_at` are null for an open
    cadence gap not recorded yet: a page shows it as of now without writing it)."""
    message = finding.message
    return {
        "id": finding.pk,
        "type": finding.type,
        "custodian": finding.custodian.slug,
        "conversation_id": finding.conversation_id,
        "conversation_title": finding.conversation.title if finding.conversation else None,
        "message_id": finding.message_id,
        "message_sent_at": iso(message.sent_at_ms, zone) if message else None,
        "delivery_id": finding.delivery_id,
        "detected_at": finding.detected_at.isoformat() if finding.detected_at else None,
        "details": finding.details,
    }


def cli_order(finding: Finding) -> tuple[str, int, int]:
    """`chatarchief findings`: by type, then by the message's time, then by id."""
    return (finding.type, finding.message.sent_at_ms if finding.message else -1, finding.pk or 0)


def metadata(finding: Finding) -> dict[str, Any]:
    """A finding for the API: metadata only, never message content."""
    return {
        "id": finding.pk,
        "type": finding.type,
        "detected_at": finding.detected_at,
        "conversation_id": finding.conversation_id,
        "message_id": finding.message_id,
        "delivery_id": finding.delivery_id,
        "details": finding.details or {},
    }


def findings(status: Status) -> list[dict[str, Any]]:
    """`chatarchief findings --format json`: a custodian's open findings (README), in the CLI's order."""
    zone = status.custodian.zone
    return [finding_dict(f, zone) for f in sorted(status.findings, key=cli_order)]


def open_findings(status: Status) -> list[dict[str, Any]]:
    """The API's `open_findings`: metadata only, oldest first (an open gap not recorded yet last)."""
    return [metadata(f) for f in sorted(status.findings, key=lambda f: (f.pk is None, f.detected_at, f.pk or 0))]
