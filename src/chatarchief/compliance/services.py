"""Compliance services: what the CLI, the web app, the API and the ingest pipeline call.

- `status(custodian, at)`: a custodian's open findings and cadence as of `at`, written nowhere
  (the CLI's `findings`, the custodian page and the API's compliance read this one thing).
- `record_load(touched)`: the findings stage of the ingest pipeline (message findings from the
  archive's state, for the messages a load touched).
- `refresh_cadence(custodian, at)`: write the `delivery_overdue` findings as of `at`; idempotent,
  run by the pipeline and fit for a scheduled task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from chatarchief.archive.models import Custodian, DeliveryStatus
from chatarchief.archive.services.load import Touched
from chatarchief.compliance import cadence, findings, private_contacts
from chatarchief.compliance.models import Finding, FindingType


@dataclass
class Status:
    """A custodian's compliance as of `at`."""

    custodian: Custodian
    at: dt.datetime
    cadence_days: int
    last_secured_at: dt.datetime | None
    findings: list[Finding]  # open ones; cadence gaps as of `at` (an open gap not yet recorded has no id)

    @property
    def overdue(self) -> bool:
        """Nothing secured within the cadence until `at`."""
        last = self.last_secured_at
        return last is None or (self.at - last).total_seconds() > self.cadence_days * 86400


def status(custodian: Custodian, at: dt.datetime | None = None) -> Status:
    """Open findings and cadence of a custodian as of `at` (default now). Reads only."""
    at = at or timezone.now()
    stored = list(
        Finding.objects.filter(custodian=custodian, retracted_at__isnull=True).select_related(
            "custodian", "conversation", "message"
        )
    )
    overdue = {f.subject: f for f in stored if f.type == FindingType.DELIVERY_OVERDUE}
    shown = [f for f in stored if f.type != FindingType.DELIVERY_OVERDUE]
    for subject, details in cadence.expected(custodian, at).items():
        gap = overdue.get(subject) or Finding(
            custodian=custodian, type=FindingType.DELIVERY_OVERDUE, subject=subject, details=details
        )
        gap.details = details  # as of `at`, in memory only
        shown.append(gap)
    last = custodian.deliveries.filter(status=DeliveryStatus.INGESTED).aggregate(last=Max("exported_at"))["last"]
    return Status(custodian, at, settings.CADENCE_DAYS, last, shown)


def record_load(touched: Iterable[Touched]) -> None:
    """The findings stage of an ingest: each loaded conversation's message findings, and a
    `private_contact` finding for a conversation with a private or party contact."""
    touched = list(touched)
    for conversation in touched:
        findings.for_load(conversation)
    private_contacts.for_load(touched)


def refresh_cadence(custodian: Custodian, at: dt.datetime | None = None) -> list[Finding]:
    """Write the cadence findings as of `at` (default now); safe to run any number of times."""
    return cadence.refresh(custodian, at)
