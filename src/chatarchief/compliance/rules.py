"""The archive's records as the inputs of the plain-Python rules (core.compliance), in bulk.

`timelines(ids, at)` reads, in one query each, what the cadence of many custodians needs (securing
moments, agreement versions, term and phase); `statuses(custodians, at)` judges them and adds their
findings (counted in SQL by type, `by` and workflow status). The dashboard, `chatarchief status`, the
reminders and the report all read through here, so they agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.fields.json import KT

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.compliance.models import Agreement as AgreementRow
from chatarchief.compliance.models import CustodianScope, Finding, FindingType, Phase
from chatarchief.core.compliance import cadence as core_cadence
from chatarchief.core.compliance.agreements import Agreement, make_agreement
from chatarchief.core.compliance.roster import Phase as PhaseRule
from chatarchief.core.compliance.roster import phase_start
from chatarchief.core.compliance.status import FindingFact, Status, status_of
from chatarchief.core.compliance.workflow import FindingStatus

OVERDUE = FindingType.DELIVERY_OVERDUE.value


def agreement_of(row: AgreementRow) -> Agreement:
    return make_agreement(
        row.frequency,
        row.secured_by,
        row.valid_from,
        channels=row.channels or (),
        secretary=row.secretary or None,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        version=row.pk,
    )


def phases() -> dict[str, PhaseRule]:
    return {p.code.casefold(): PhaseRule(p.code, p.name, p.starts_on) for p in Phase.objects.all()}


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def timelines(custodians: Sequence[Custodian], at: dt.datetime | None = None) -> dict[int, core_cadence.Timeline]:
    """The cadence input of every custodian (moments after `at` are left for `judge` to ignore)."""
    ids = [c.pk for c in custodians]
    moments: dict[int, list[dt.datetime]] = defaultdict(list)
    agreements: dict[int, list[Agreement]] = defaultdict(list)
    scopes: dict[int, CustodianScope] = {}
    for chunk in _chunks(ids):
        deliveries = Delivery.objects.filter(
            custodian_id__in=chunk, status=DeliveryStatus.INGESTED, exported_at__isnull=False
        )
        if at is not None:
            deliveries = deliveries.filter(exported_at__lte=at)
        for custodian_id, moment in deliveries.values_list("custodian_id", "exported_at"):
            moments[custodian_id].append(moment)
        for row in AgreementRow.objects.filter(custodian_id__in=chunk):
            agreements[row.custodian_id].append(agreement_of(row))
        scopes.update({s.custodian_id: s for s in CustodianScope.objects.filter(custodian_id__in=chunk)})
    known_phases = phases()
    found = {}
    for custodian in custodians:
        scope = scopes.get(custodian.pk)
        found[custodian.pk] = core_cadence.Timeline(
            moments=moments.get(custodian.pk, []),
            agreements=agreements.get(custodian.pk, []),
            term_start=scope.term_start if scope else None,
            term_end=scope.term_end if scope else None,
            phase_start=phase_start(scope.phase, known_phases) if scope and scope.phase else None,
            zone=custodian.zone_name,
        )
    return found


def judge(custodian: Custodian, at: dt.datetime) -> core_cadence.Cadence:
    return core_cadence.judge(timelines([custodian], at)[custodian.pk], at)


@dataclass(frozen=True)
class Judged:
    """One custodian judged at a moment: the cadence and the status (light, state, counts)."""

    custodian: Custodian
    cadence: core_cadence.Cadence
    status: Status


def finding_counts(ids: Sequence[int], at: dt.datetime | None = None) -> dict[int, list[tuple[str, str, str, int]]]:
    """Per custodian: (type, by, workflow status, count) of the stored findings other than cadence
    gaps (those are judged afresh), known at `at` (their delivery secured by then)."""
    counts: dict[int, list[tuple[str, str, str, int]]] = defaultdict(list)
    for chunk in _chunks(list(ids)):
        query = Finding.objects.filter(custodian_id__in=chunk, retracted_at__isnull=True).exclude(type=OVERDUE)
        if at is not None:
            query = query.filter(Q(delivery__exported_at__lte=at) | Q(delivery__isnull=True, detected_at__lte=at))
        rows = (
            query.annotate(by=KT("details__by"))
            .values("custodian_id", "type", "by", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[row["custodian_id"]].append((row["type"], row["by"] or "unknown", row["status"], row["n"]))
    return counts


def gap_statuses(ids: Sequence[int]) -> dict[tuple[int, str], str]:
    """(custodian, gap key) -> workflow status of the stored cadence findings."""
    found: dict[tuple[int, str], str] = {}
    for chunk in _chunks(list(ids)):
        query = Finding.objects.filter(custodian_id__in=chunk, type=OVERDUE)
        for custodian_id, subject, state in query.values_list("custodian_id", "subject", "status"):
            found[(custodian_id, subject)] = state
    return found


def statuses(custodians: Sequence[Custodian], at: dt.datetime, *, as_of: bool = False) -> list[Judged]:
    """Every custodian judged at `at`. `as_of`: ignore what was secured or found after `at`."""
    custodians = list(custodians)
    ids = [c.pk for c in custodians]
    lines = timelines(custodians, at if as_of else None)
    counts = finding_counts(ids, at if as_of else None)
    gaps = gap_statuses(ids)
    judged = []
    for custodian in custodians:
        cadence = core_cadence.judge(lines[custodian.pk], at)
        facts = [
            FindingFact(type_, by, state)
            for type_, by, state, n in counts.get(custodian.pk, [])
            for _ in range(min(n, 1_000_000))
        ]
        facts += [
            FindingFact(OVERDUE, "custodian", gaps.get((custodian.pk, gap.key), FindingStatus.OPEN.value), gap.start)
            for gap in cadence.gaps
        ]
        judged.append(Judged(custodian, cadence, status_of(cadence, facts)))
    return judged


def status_row(judged: Judged) -> dict[str, object]:
    """One custodian as `chatarchief status --json` prints it (issue 17 item 9: exactly these keys)."""
    shown = judged.status.as_dict()
    custodian = judged.custodian
    return {
        "slug": custodian.slug,
        "organisation": custodian.organisation.code if custodian.organisation_id else None,
        "agreement": shown["agreement"],
        "last_secured_at": shown["last_secured_at"],
        "next_due_at": shown["next_due_at"],
        "state": shown["state"],
        "light": shown["light"],
        "open_findings": shown["open_findings"],
        "breaches_by_custodian": shown["breaches_by_custodian"],
    }
