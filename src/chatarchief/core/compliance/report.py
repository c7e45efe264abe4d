"""The ADR report as data: per custodian in scope during a period, how they secured and what was found.

Per custodian: the agreement in force (and every version in force during the period), the securing
moments, the gaps, the findings counted by type, `by` and status, the status at the period's end, and
an evidence list per delivery: date, channel, format, SHA-256, counts and status.

What the report never holds, by construction: no message content, no file names, no conversation
titles, no names of private contacts. The input types have no field for any of them
(`DeliveryFact` carries no file name, `FindingFact` no message), so no writer can leak them.
Every value is plain (str, int, date, list, dict) so an HTML template, CSV, XLSX and JSON render
the same data; `ComplianceReport.as_dict()` is the JSON form.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatarchief.core.compliance import chart
from chatarchief.core.compliance.agreements import Agreement, agreement_in_force, effective
from chatarchief.core.compliance.cadence import Cadence, Gap, Timeline, judge
from chatarchief.core.compliance.dates import DEFAULT_ZONE, end_of_day, local_date, start_of_day, utc_text
from chatarchief.core.compliance.status import FindingFact, Status, status_of

INGESTED = "ingested"


@dataclass(frozen=True)
class DeliveryFact:
    """One delivery as evidence: deliberately without file name or anything a file holds."""

    id: int
    received_at: dt.datetime
    secured_at: dt.datetime | None  # the exported_at: the securing moment
    channel: str
    format: str
    sha256: str
    status: str = INGESTED  # ingested | duplicate | failed
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CustodianFacts:
    slug: str
    name: str  # the official's own name (a public office); never a contact's
    organisation: str
    category: str = ""
    function: str = ""
    agreements: Sequence[Agreement] = ()
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    phase: str | None = None
    phase_start: dt.date | None = None
    deliveries: Sequence[DeliveryFact] = ()
    findings: Sequence[FindingFact] = ()
    zone: str = DEFAULT_ZONE

    def timeline(self) -> Timeline:
        moments = [d.secured_at for d in self.deliveries if d.status == INGESTED and d.secured_at is not None]
        return Timeline(moments, self.agreements, self.term_start, self.term_end, self.phase_start, self.zone)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    zone: str = DEFAULT_ZONE

    @property
    def begins(self) -> dt.datetime:
        return start_of_day(self.start, self.zone)

    @property
    def ends(self) -> dt.datetime:
        return end_of_day(self.end, self.zone)

    def holds(self, instant: dt.datetime | None) -> bool:
        return instant is not None and self.begins <= instant < self.ends


@dataclass(frozen=True)
class CustodianReport:
    facts: CustodianFacts
    cadence: Cadence
    status: Status
    agreements: list[Agreement]  # every version in force at some moment of the period
    securing_moments: list[dt.datetime]
    gaps: list[Gap]
    findings: list[tuple[str, str, str, int]]  # (type, by, status, count)
    evidence: list[DeliveryFact]
    channels_not_secured: list[str]  # agreed channels without an ingested delivery in the period

    @property
    def agreement(self) -> Agreement | None:
        return self.status.agreement

    def as_dict(self) -> dict[str, Any]:
        at = self.cadence.at
        facts = self.facts
        return {
            "slug": facts.slug,
            "name": facts.name,
            "organisation": facts.organisation,
            "category": facts.category,
            "function": facts.function,
            "term_start": _day(facts.term_start),
            "term_end": _day(facts.term_end),
            "phase": facts.phase,
            "agreement": self.agreement.as_dict() if self.agreement else None,
            "agreements_in_period": [a.as_dict() for a in self.agreements],
            "status": self.status.as_dict(),
            "securing_moments": [utc_text(m) for m in self.securing_moments],
            "gaps": [g.details(at) for g in self.gaps],
            "findings": [{"type": t, "by": b, "status": s, "count": n} for t, b, s, n in self.findings],
            "evidence": [_evidence(d) for d in self.evidence],
            "channels_not_secured": self.channels_not_secured,
        }


@dataclass(frozen=True)
class ComplianceReport:
    organisation: str
    period: Period
    generated_at: dt.datetime
    custodians: list[CustodianReport]
    months: list[chart.MonthBucket]

    def chart_svg(self, lang: str = "nl") -> str:
        return chart.render_svg(self.months, lang=lang, ident=f"report-{self.organisation.lower()}")

    def totals(self) -> dict[str, int]:
        lights = Counter(c.status.light.value for c in self.custodians)
        return {
            "custodians": len(self.custodians),
            "green": lights["green"],
            "orange": lights["orange"],
            "red": lights["red"],
            "securing_moments": sum(len(c.securing_moments) for c in self.custodians),
            "gaps": sum(len(c.gaps) for c in self.custodians),
            "open_findings": sum(n for c in self.custodians for _t, _b, s, n in c.findings if s == "open"),
            "breaches_by_custodian": sum(c.status.breaches_by_custodian for c in self.custodians),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "generated_at": utc_text(self.generated_at),
            "totals": self.totals(),
            "custodians": [c.as_dict() for c in self.custodians],
            "months": chart.table_rows(self.months, "en"),
        }


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _evidence(delivery: DeliveryFact) -> dict[str, Any]:
    return {
        "delivery_id": delivery.id,
        "secured_at": utc_text(delivery.secured_at),
        "received_at": utc_text(delivery.received_at),
        "channel": delivery.channel,
        "format": delivery.format,
        "sha256": delivery.sha256,
        "status": delivery.status,
        "counts": {k: int(v) for k, v in sorted(delivery.counts.items())},
    }


def in_scope_during(facts: CustodianFacts, period: Period) -> bool:
    """In scope at some day of the period: the term overlaps it and the phase started by its end."""
    if facts.term_start is not None and facts.term_start > period.end:
        return False
    if facts.term_end is not None and facts.term_end < period.start:
        return False
    return facts.phase_start is None or facts.phase_start <= period.end


def custodian_report(facts: CustodianFacts, period: Period) -> CustodianReport:
    at = period.ends
    cadence = judge(facts.timeline(), at)
    in_period = [f for f in facts.findings if f.at is None or period.holds(f.at)]
    counted = Counter((f.type, f.by or "unknown", f.status) for f in in_period)
    evidence = sorted(
        (d for d in facts.deliveries if period.holds(d.secured_at or d.received_at)),
        key=lambda d: (d.secured_at or d.received_at, d.id),
    )
    secured = [m for m in cadence.moments if period.holds(m)]
    gaps = [g for g in cadence.gaps if g.start < period.ends and (g.end or at) > period.begins]
    return CustodianReport(
        facts=facts,
        cadence=cadence,
        status=status_of(cadence, facts.findings),
        agreements=_agreements_during(facts.agreements, period),
        securing_moments=secured,
        gaps=gaps,
        findings=sorted((t, b, s, n) for (t, b, s), n in counted.items()),
        evidence=evidence,
        channels_not_secured=_channels_not_secured(facts, evidence, cadence),
    )


def _agreements_during(agreements: Sequence[Agreement], period: Period) -> list[Agreement]:
    first = agreement_in_force(agreements, period.start)
    later = [a for a in effective(agreements) if period.start < a.valid_from <= period.end]
    return ([first] if first else []) + later


def _channels_not_secured(facts: CustodianFacts, evidence: list[DeliveryFact], cadence: Cadence) -> list[str]:
    agreement = cadence.agreement
    if agreement is None or not agreement.channels:
        return []
    delivered = {d.channel for d in evidence if d.status == INGESTED}
    return [c for c in agreement.channels if c not in delivered]


def build_report(
    organisation: str,
    period: Period,
    custodians: Sequence[CustodianFacts],
    *,
    generated_at: dt.datetime,
) -> ComplianceReport:
    """The report of one organisation over one period, for every custodian in scope during it."""
    reports = [
        custodian_report(f, period) for f in sorted(custodians, key=lambda f: f.slug) if in_scope_during(f, period)
    ]
    moments = [m for r in reports for m in r.facts.timeline().moments]
    findings = [f for r in reports for f in r.facts.findings]
    months = chart.monthly(
        moments, findings, local_date(period.ends - dt.timedelta(seconds=1), period.zone), 12, period.zone
    )
    return ComplianceReport(organisation, period, generated_at, reports, months)
