"""Cadence: officials secure their business chats as their agreement says, at least every 31 days.

The moment a custodian secured their messages is a delivery's `exported_at`. Every gap longer than
the agreement in force allows (core.compliance.cadence), or from the last one (or the clock start:
agreement, term or phase) until today, is one `delivery_overdue` finding, identified by the gap's
start; a gap that a later-ingested older delivery splits is retracted, so the set of findings
depends only on the set of deliveries.

`expected()` works the gaps out without writing (what a page shows); `refresh()` writes them, and
is safe to run again (the ingest pipeline runs it, and so can a scheduled task).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from chatarchief.archive.models import Custodian
from chatarchief.compliance import rules
from chatarchief.compliance.models import Finding, FindingType


def expected(custodian: Custodian, today: dt.datetime) -> dict[str, dict[str, Any]]:
    """Subject -> details of every gap as of `today` (nothing written), judged by the agreements in
    force, the term and the phase (core.compliance.cadence.judge; docs/compliance.md, "Cadence")."""
    judged = rules.judge(custodian, today)
    return {gap.key: gap.details(today) for gap in judged.gaps}


def refresh(custodian: Custodian, today: dt.datetime | None = None) -> list[Finding]:
    """Write the `delivery_overdue` findings as of `today` (idempotent); returns the current ones."""
    today = today or timezone.now()
    current = expected(custodian, today)
    existing = {f.subject: f for f in Finding.objects.filter(custodian=custodian, type=FindingType.DELIVERY_OVERDUE)}
    result = []
    for subject, details in current.items():
        finding = existing.get(subject)
        if finding is None:
            finding = Finding.objects.create(
                custodian=custodian, type=FindingType.DELIVERY_OVERDUE, subject=subject, details=details
            )
        elif finding.details != details or finding.retracted_at is not None:
            finding.details, finding.retracted_at = details, None
            finding.save(update_fields=["details", "retracted_at"])
        result.append(finding)
    for subject, finding in existing.items():
        if subject not in current and finding.retracted_at is None:
            finding.retracted_at = today
            finding.save(update_fields=["retracted_at"])
    return result
