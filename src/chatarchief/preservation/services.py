"""What other parts of chatarchief call: fixity runs, legal holds (see preservation.holds)."""

from __future__ import annotations

from typing import Any

from chatarchief.preservation import fixity
from chatarchief.preservation.models import FixityRun


def verify(*, actor: str, sample: float | None = None) -> FixityRun:
    """Run a fixity check now (the CLI, the scheduled task)."""
    return fixity.run(actor=actor, sample=sample)


def last_fixity_run() -> dict[str, Any] | None:
    """The newest finished fixity run for the dashboard and the report: None when none ran yet.

    Keys: id, started_at, finished_at (aware datetimes), sample_percent (None: every blob), checked,
    bytes_checked, seconds, failures (the count), ok (bool), failed (the failures' list)."""
    record = FixityRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()
    if record is None:
        return None
    return {
        "id": record.pk,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "sample_percent": record.sample_percent,
        "checked": record.checked,
        "bytes_checked": record.bytes_checked,
        "seconds": record.seconds,
        "failures": len(record.failures),
        "ok": record.ok,
        "failed": list(record.failures),
    }
