"""The compliance dashboard's numbers: per organisation and custodian the light, last secured, next
due and open findings, and the securing moments and findings per month over 12 months.

Everything is read in a handful of aggregate queries (rules.statuses; the months in SQL with
TruncMonth), so the page stays fast with thousands of custodians (bench/bench_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncMonth

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.compliance import rules
from chatarchief.compliance.models import Finding
from chatarchief.core.compliance import chart
from chatarchief.core.compliance.dates import zone
from chatarchief.core.compliance.workflow import FindingStatus


@dataclass
class OrganisationSummary:
    code: str
    name: str
    lights: Counter = field(default_factory=Counter)
    custodians: int = 0
    breaches: int = 0
    by_others: int = 0
    open_findings: Counter = field(default_factory=Counter)

    @property
    def light(self) -> str:
        if self.lights["red"]:
            return "red"
        return "orange" if self.lights["orange"] else "green"


@dataclass
class Overview:
    at: dt.datetime
    judged: list[rules.Judged]
    organisations: list[OrganisationSummary]
    months: list[chart.MonthBucket]
    lights: Counter

    def chart_svg(self, lang: str) -> str:
        return chart.render_svg(self.months, lang=lang, ident="dashboard-chart")

    def chart_rows(self, lang: str) -> list[dict[str, Any]]:
        return chart.table_rows(self.months, lang)


def months(custodian_ids: Sequence[int], end: dt.datetime, count: int = 12) -> list[chart.MonthBucket]:
    """Securing moments and findings (by the custodian, by others) per calendar month, in SQL."""
    tz = zone(settings.TIME_ZONE)
    keys = [(year, month + 1) for year, month in chart.month_range(end.astimezone(tz).date(), count)]
    first = dt.datetime(keys[0][0], keys[0][1], 1, tzinfo=tz)
    counts: dict[tuple[int, int], list[int]] = {key: [0, 0, 0] for key in keys}
    ids = list(custodian_ids)

    def bucket(month: dt.datetime | None) -> list[int] | None:
        if month is None:
            return None
        local = month.astimezone(tz) if month.tzinfo else month
        return counts.get((local.year, local.month))

    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        secured = (
            Delivery.objects.filter(
                custodian_id__in=chunk, status=DeliveryStatus.INGESTED, exported_at__gte=first, exported_at__lte=end
            )
            .annotate(month=TruncMonth("exported_at", tzinfo=tz))
            .values("month")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in secured:
            slot = bucket(row["month"])
            if slot is not None:
                slot[0] += row["n"]
        found = (
            Finding.objects.filter(custodian_id__in=chunk, retracted_at__isnull=True)
            .annotate(moment=Coalesce("delivery__exported_at", "detected_at"))
            .filter(moment__gte=first, moment__lte=end)
            .annotate(month=TruncMonth("moment", tzinfo=tz), by=KT("details__by"))
            .values("month", "type", "by")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in found:
            slot = bucket(row["month"])
            if slot is not None:
                own = row["type"] == rules.OVERDUE or row["by"] == "custodian"
                slot[1 if own else 2] += row["n"]
    return [chart.MonthBucket(year, month, *counts[(year, month)]) for year, month in keys]


def overview(custodians: Sequence[Custodian], at: dt.datetime) -> Overview:
    judged = rules.statuses(list(custodians), at)
    summaries: dict[str, OrganisationSummary] = {}
    lights: Counter = Counter()
    for item in judged:
        organisation = item.custodian.organisation
        code = organisation.code if organisation else "-"
        summary = summaries.get(code) or summaries.setdefault(
            code, OrganisationSummary(code, organisation.name if organisation else "")
        )
        summary.custodians += 1
        summary.lights[item.status.light.value] += 1
        summary.breaches += item.status.breaches_by_custodian
        summary.by_others += item.status.open_by_others
        summary.open_findings.update(item.status.open_findings)
        lights[item.status.light.value] += 1
    return Overview(
        at, judged, sorted(summaries.values(), key=lambda s: s.code), months([c.pk for c in custodians], at), lights
    )


def findings_by_type(custodian: Custodian) -> dict[str, Counter]:
    """Open findings of one custodian per type, split by `by` (custodian, other, unknown)."""
    rows = (
        Finding.objects.filter(custodian=custodian, retracted_at__isnull=True, status=FindingStatus.OPEN.value)
        .annotate(by=KT("details__by"))
        .values("type", "by")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by = "custodian" if row["type"] == rules.OVERDUE else (row["by"] or "unknown")
        found[row["type"]][by] += row["n"]
    return dict(found)


def filter_findings(query: Any, filters: dict[str, Any]) -> Any:
    """The findings page's filters: organisation, custodian, type, by, status, period."""
    if filters.get("organisation"):
        query = query.filter(custodian__organisation__code__iexact=filters["organisation"])
    if filters.get("custodian"):
        query = query.filter(custodian__slug=filters["custodian"])
    if filters.get("type"):
        query = query.filter(type=filters["type"])
    if filters.get("by"):
        if filters["by"] == "custodian":
            query = query.filter(Q(details__by="custodian") | Q(type=rules.OVERDUE))
        else:
            query = query.filter(details__by=filters["by"]).exclude(type=rules.OVERDUE)
    if filters.get("status"):
        query = query.filter(status=filters["status"])
    if filters.get("start"):
        query = query.filter(detected_at__date__gte=filters["start"])
    if filters.get("end"):
        query = query.filter(detected_at__date__lte=filters["end"])
    return query
