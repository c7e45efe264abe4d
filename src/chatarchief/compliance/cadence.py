"""Cadence: officials must secure their business chats at least every 31 days.

The moment a custodian secured their messages is a delivery's `exported_at`. Every gap of more
than `CADENCE_DAYS` between two such moments, or from the last one until today, is one
`delivery_overdue` finding, identified by the gap's start; a gap that a later-ingested older
delivery splits is retracted, so the set of findings depends only on the set of deliveries.

`expected()` works the gaps out without writing (what a page shows); `refresh()` writes them, and
is safe to run again (the ingest pipeline runs it, and so can a scheduled task).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from chatarchief.archive.models import Custodian, DeliveryStatus
from chatarchief.compliance.models import Finding, FindingType


def gaps(
    moments: list[dt.datetime], today: dt.datetime, limit_days: int
) -> list[tuple[dt.datetime, dt.datetime | None, float]]:
    """(start, end or None for 'until today', days) for every gap longer than the limit."""
    found = []
    ordered = sorted(set(moments))
    for start, end in zip(ordered, ordered[1:], strict=False):
        days = (end - start).total_seconds() / 86400
        if days > limit_days:
            found.append((start, end, days))
    if ordered:
        days = (today - ordered[-1]).total_seconds() / 86400
        if days > limit_days:
            found.append((ordered[-1], None, days))
    return found


def secured_moments(custodian: Custodian) -> list[dt.datetime]:
    """Every moment the custodian secured their chats (the `exported_at` of ingested deliveries)."""
    return list(
        custodian.deliveries.filter(status=DeliveryStatus.INGESTED, exported_at__isnull=False).values_list(
            "exported_at", flat=True
        )
    )


def expected(custodian: Custodian, today: dt.datetime) -> dict[str, dict[str, Any]]:
    """Subject -> details of every gap as of `today` (nothing written)."""
    current = {}
    for start, end, days in gaps(secured_moments(custodian), today, settings.CADENCE_DAYS):
        subject = f"gap:{start.astimezone(dt.UTC).isoformat()}"
        current[subject] = {
            "from": start.isoformat(),
            "to": end.isoformat() if end else None,
            "days": round(days, 1),
            "limit_days": settings.CADENCE_DAYS,
            "open": end is None,
        }
    return current


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
