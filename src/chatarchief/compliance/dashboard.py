"""The compliance dashboard's numbers: per organisation and custodian the light, last secured, next
due and open findings, and the securing moments and findings per month over 12 months.

Everything is read in a handful of aggregate queries (rules.statuses; the months in SQL with
TruncMonth), so the page stays fast with thousands of custodians (bench/bench_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Func, Q, QuerySet
from django.db.models.fields.json import KT

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.compliance import rules, snapshot
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


class MonthKey(Func):
    """`YYYY-MM` of a moment in SQL: in the installation's time zone on PostgreSQL; on SQLite (which
    stores UTC text) of the UTC moment, so a moment within two hours of midnight on the first of a
    month may count in the month before. Cheap: no Python function per row."""

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date_trunc is about twice as fast as to_char here; the first of the month comes back as a
        # timestamp, made a key by `month_key`
        template = f"date_trunc('month', %(expressions)s AT TIME ZONE '{settings.TIME_ZONE}')"
        return self.as_sql(compiler, connection, template=template, **extra)


def month_key(value: Any) -> str:
    """`YYYY-MM` from what MonthKey gives: text on SQLite, a timestamp on PostgreSQL."""
    return value if isinstance(value, str) else f"{value.year:04d}-{value.month:02d}"


def months(custodians: QuerySet[Custodian], end: dt.datetime, count: int = 12) -> list[chart.MonthBucket]:
    """Securing moments and findings (by the custodian, by others) per calendar month, in SQL."""
    tz = zone(settings.TIME_ZONE)
    keys = [(year, month + 1) for year, month in chart.month_range(end.astimezone(tz).date(), count)]
    first = dt.datetime(keys[0][0], keys[0][1], 1, tzinfo=tz)
    counts: dict[str, list[int]] = {f"{year:04d}-{month:02d}": [0, 0, 0] for year, month in keys}
    deliveries = Delivery.objects.filter(status=DeliveryStatus.INGESTED, exported_at__gte=first, exported_at__lte=end)
    findings = Finding.objects.filter(retracted_at__isnull=True, detected_at__gte=first, detected_at__lte=end)
    if custodians.query.where:  # not everyone: only these custodians (no subquery when it is everyone)
        deliveries = deliveries.filter(custodian__in=custodians)
        findings = findings.filter(custodian__in=custodians)
    for month, n in deliveries.values_list(MonthKey("exported_at")).annotate(n=Count("id")).order_by():
        if month_key(month) in counts:
            counts[month_key(month)][0] += n
    rows = findings.annotate(by=KT("details__by")).values_list(MonthKey("detected_at"), "type", "by")
    for month, type_, by, n in rows.annotate(n=Count("id")).order_by():
        if month_key(month) in counts:
            counts[month_key(month)][1 if type_ == rules.OVERDUE or by == "custodian" else 2] += n
    return [chart.MonthBucket(year, month, *counts[f"{year:04d}-{month:02d}"]) for year, month in keys]


def overview(custodians: QuerySet[Custodian], at: dt.datetime) -> Overview:
    """The dashboard over these custodians: per organisation and in total, from the snapshots in
    aggregate queries (compliance/snapshot.py), and the months."""
    snapshot.ensure(custodians, at)
    rows = snapshot.summary(custodians, at)
    lights: Counter = Counter()
    organisations = []
    for row in rows:
        summary = OrganisationSummary(
            row["custodian__organisation__code"] or "-",
            row["custodian__organisation__name"] or "",
            Counter({"red": row["red"], "orange": row["orange"], "green": row["green"]}),
            row["custodians"],
            row["breaches"] or 0,
            row["by_others"] or 0,
        )
        lights.update(summary.lights)
        organisations.append(summary)
    return Overview(at, [], organisations, months(custodians, at), lights)


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
