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
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.archive.services.load import Touched
from chatarchief.audit import log
from chatarchief.compliance import cadence, findings, manage, private_contacts, rules, snapshot
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.compliance.dates import end_of_day
from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.workflow import FindingStatus

OPEN = FindingStatus.OPEN.value


@dataclass
class Status:
    """A custodian's compliance as of `at`."""

    custodian: Custodian
    at: dt.datetime
    cadence_days: int  # the period of the agreement in force (31: the monthly minimum)
    last_secured_at: dt.datetime | None
    findings: list[Finding]  # open ones; cadence gaps as of `at` (an open gap not yet recorded has no id)
    next_due_at: dt.datetime | None = None

    @property
    def overdue(self) -> bool:
        """Nothing secured within the agreed period until `at` (the clock runs: docs/compliance.md)."""
        return self.next_due_at is not None and self.at > self.next_due_at


def status(custodian: Custodian, at: dt.datetime | None = None) -> Status:
    """Open findings and cadence of a custodian as of `at` (default now). Reads only."""
    at = at or timezone.now()
    stored = list(
        Finding.objects.filter(custodian=custodian, retracted_at__isnull=True).select_related(
            "custodian", "conversation", "message"
        )
    )
    overdue = {f.subject: f for f in stored if f.type == FindingType.DELIVERY_OVERDUE}
    shown = [f for f in stored if f.type != FindingType.DELIVERY_OVERDUE and f.status == OPEN]
    for subject, details in cadence.expected(custodian, at).items():
        if subject in overdue and overdue[subject].status != OPEN:
            continue  # explained, closed or an accepted risk: not open any more
        gap = overdue.get(subject) or Finding(
            custodian=custodian, type=FindingType.DELIVERY_OVERDUE, subject=subject, details=details
        )
        gap.details = details  # as of `at`, in memory only
        shown.append(gap)
    judged = rules.judge(custodian, at)
    days = judged.agreement.period.days if judged.agreement else settings.CADENCE_DAYS
    return Status(custodian, at, days, judged.last_secured_at, shown, judged.next_due_at)


def record_load(touched: Iterable[Touched]) -> None:
    """The findings stage of an ingest: each loaded conversation's message findings, and a
    `private_contact` finding for a conversation with a private or party contact."""
    touched = list(touched)
    for conversation in touched:
        findings.for_load(conversation)
    private_contacts.for_load(touched)


def refresh_cadence(custodian: Custodian, at: dt.datetime | None = None) -> list[Finding]:
    """Write the cadence findings as of `at` (default now); safe to run any number of times. Also
    brings the dashboard's snapshot of this custodian up to date (compliance/snapshot.py)."""
    written = cadence.refresh(custodian, at)
    snapshot.refresh([custodian])
    return written


# ---------------------------------------------------------------- agreements, roster, workflow, status

set_agreement = manage.set_agreement
agreement_view = manage.agreement_view
import_roster = manage.import_roster
step_findings = manage.step_findings
may_handle = manage.may_handle
set_phase = manage.set_phase
phases_list = manage.phases_list


def visible_custodians(principal: Any, organisation: str | None = None) -> QuerySet[Custodian]:
    """The custodians whose compliance a principal may see, optionally of one organisation."""
    query = access.custodians(principal, Action.VIEW_METADATA).select_related("organisation")
    if organisation:
        if not Organisation.objects.filter(code__iexact=organisation).exists():
            raise ComplianceError(
                "status.unknown_organisation",
                nl=f"Onbekende organisatie {organisation!r}.",
                en=f"Unknown organisation {organisation!r}.",
            )
        query = query.filter(organisation__code__iexact=organisation)
    return query.order_by("organisation__code", "slug")


def judge_at(at_day: dt.date | None) -> tuple[dt.datetime, bool]:
    """The moment to judge: now, or the end of `at_day` (then later deliveries are ignored)."""
    if at_day is None:
        return timezone.now(), False
    return end_of_day(at_day, settings.TIME_ZONE), True


def status_rows(principal: Any, *, organisation: str | None = None, at_day: dt.date | None = None) -> list[dict]:
    """`chatarchief status --json`: one row per visible custodian (rules.status_row)."""
    at, as_of = judge_at(at_day)
    return [
        rules.status_row(j) for j in rules.statuses(list(visible_custodians(principal, organisation)), at, as_of=as_of)
    ]


def compliance_report_file(
    principal: Any, *, organisation: str, start: dt.date, end: dt.date, output_format: str, actor: str, lang: str = "nl"
) -> bytes:
    """The ADR report of one organisation and period as a file (pdf, csv, xlsx, json), over the
    custodians the principal may see; an audit event names who made it."""
    from chatarchief.compliance import report

    custodians = list(visible_custodians(principal, organisation))
    made = report.compliance_report(custodians, organisation.upper(), start, end)
    data = report.render(made, output_format, lang)
    log.compliance_report_made(
        actor,
        organisation=organisation.upper(),
        start=start.isoformat(),
        end=end.isoformat(),
        output_format=output_format,
    )
    return data


def receipt_files(principal: Any, delivery: Any, *, lang: str, actor: str) -> tuple[bytes, bytes]:
    """The receipt PDF of a delivery and its detached signature (metadata: whoever sees the delivery)."""
    from chatarchief.compliance import receipt

    access.require(principal, Action.VIEW_METADATA, delivery.custodian)
    pdf = receipt.receipt_pdf(delivery, lang)
    signature = receipt.sign(pdf)
    log.receipt_made(actor, delivery, lang=lang)
    return pdf, signature
