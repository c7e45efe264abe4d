"""The ADR report from the archive's records: the facts (core.compliance.report.CustodianFacts) of every
custodian of one organisation, the report, and its files (PDF, CSV, XLSX, JSON).

Nothing here reads a message: deliveries give their date, channel, SHA-256 and counts (no file name),
findings their type, `by`, status and moment (no actor, no conversation title). `fixity` is the
last fixity run of the blob store, from the source the preservation app registers when it is installed
(`register_fixity_source`; compliance imports nothing of preservation).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation

from chatarchief.archive.models import Coverage, Custodian, Delivery
from chatarchief.compliance import rules
from chatarchief.compliance.models import Agreement as AgreementRow
from chatarchief.compliance.models import CustodianScope, Finding
from chatarchief.core.compliance import cadence as core_cadence
from chatarchief.core.compliance import report_writers
from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.report import (
    ComplianceReport,
    CustodianFacts,
    DeliveryFact,
    Period,
    build_report,
)
from chatarchief.core.compliance.roster import phase_start
from chatarchief.core.compliance.status import FindingFact
from chatarchief.core.compliance.workflow import FindingStatus

FORMATS = ("pdf", "csv", "xlsx", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
# The last fixity run of the blob store: a function the preservation app registers when it starts
# (preservation.apps), so that compliance needs no import of preservation. None: no source, or no run yet.
_fixity_source: Callable[[], dict[str, Any] | None] | None = None

# The PDF's style (WeasyPrint, added after core.packaging.pdf's base style; not a web page)
REPORT_CSS = """
body { font-size: 9.5pt; } h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #01689b; }
h3 { font-size: 10.5pt; margin: 10pt 0 3pt; } table { border-collapse: collapse; width: 100%; margin: 3pt 0; } th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #e5f0f9; } .num { text-align: right; } .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; word-break: break-all; } .muted { color: #555; }
"""


def register_fixity_source(source: Callable[[], dict[str, Any] | None] | None) -> None:
    global _fixity_source
    _fixity_source = source


def last_fixity_run() -> dict[str, Any] | None:
    """The newest finished fixity run (keys: finished_at, checked, failures, ok, ...), or None."""
    return _fixity_source() if _fixity_source is not None else None


def _channels(delivery_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, set[str]] = defaultdict(set)
    for delivery_id, channel in Coverage.objects.filter(delivery_id__in=list(delivery_ids)).values_list(
        "delivery_id", "conversation__channel"
    ):
        found[delivery_id].add(channel)
    return {k: "+".join(sorted(v)) for k, v in found.items()}


def facts(custodians: Sequence[Custodian], period: Period) -> list[CustodianFacts]:
    """What the report needs of each custodian (read in bulk; never a message, file name or title)."""
    ids = [c.pk for c in custodians]
    scopes = {s.custodian_id: s for s in CustodianScope.objects.filter(custodian_id__in=ids)}
    agreements = defaultdict(list)
    for row in AgreementRow.objects.filter(custodian_id__in=ids):
        agreements[row.custodian_id].append(rules.agreement_of(row))
    deliveries = defaultdict(list)
    rows = list(
        Delivery.objects.filter(custodian_id__in=ids).values(
            "id", "custodian_id", "received_at", "exported_at", "format", "sha256", "status", "counts"
        )
    )
    channels = _channels([r["id"] for r in rows])
    for row in rows:
        deliveries[row["custodian_id"]].append(
            DeliveryFact(
                id=row["id"],
                received_at=row["received_at"],
                secured_at=row["exported_at"],
                channel=channels.get(row["id"], ""),
                format=row["format"],
                sha256=row["sha256"],
                status=row["status"],
                counts={k: v for k, v in (row["counts"] or {}).items() if isinstance(v, int)},
            )
        )
    found = defaultdict(list)
    query = (
        Finding.objects.filter(custodian_id__in=ids, retracted_at__isnull=True)
        .exclude(type=rules.OVERDUE)
        .annotate(by=KT("details__by"), moment=Coalesce("delivery__exported_at", "detected_at"))
        .values_list("custodian_id", "type", "by", "status", "moment", "delivery_id")
    )
    for custodian_id, type_, by, state, moment, delivery_id in query:
        found[custodian_id].append(FindingFact(type_, by or "unknown", state, moment, delivery_id))
    gap_states = rules.gap_statuses(ids)
    known_phases = rules.phases()
    result = []
    for custodian in custodians:
        scope = scopes.get(custodian.pk)
        item = CustodianFacts(
            slug=custodian.slug,
            name=custodian.name,
            organisation=custodian.organisation.code if custodian.organisation_id else "",
            category=custodian.category,
            function=custodian.function,
            agreements=agreements.get(custodian.pk, []),
            term_start=scope.term_start if scope else None,
            term_end=scope.term_end if scope else None,
            phase=(scope.phase or None) if scope else None,
            phase_start=phase_start(scope.phase, known_phases) if scope and scope.phase else None,
            deliveries=deliveries.get(custodian.pk, []),
            findings=found.get(custodian.pk, []),
            zone=custodian.zone_name,
        )
        gaps = core_cadence.judge(item.timeline(), period.ends).gaps  # the cadence findings at the period's end
        gap_facts = [
            FindingFact(
                rules.OVERDUE, "custodian", gap_states.get((custodian.pk, g.key), FindingStatus.OPEN.value), g.start
            )
            for g in gaps
        ]
        result.append(replace(item, findings=[*item.findings, *gap_facts]))
    return result


def compliance_report(
    custodians: Sequence[Custodian], organisation: str, start: dt.date, end: dt.date
) -> ComplianceReport:
    if end < start:
        raise ComplianceError(
            "report.bad_period",
            nl="De einddatum ligt voor de begindatum.",
            en="The end date is before the start date.",
        )
    period = Period(start, end, settings.TIME_ZONE)
    return build_report(organisation, period, facts(custodians, period), generated_at=timezone.now())


def as_json(report: ComplianceReport) -> str:
    data = json.loads(report_writers.to_json(report))
    data["fixity"] = last_fixity_run()
    return json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)  # the run's moments: ISO 8601


def render(report: ComplianceReport, output_format: str, lang: str = "nl") -> bytes:
    """The report as a file in `output_format` (pdf, csv, xlsx, json)."""
    if output_format == "json":
        return as_json(report).encode("utf-8")
    if output_format == "csv":
        return report_writers.to_csv(report).encode("utf-8")
    if output_format == "xlsx":
        return report_writers.to_xlsx(report, lang=lang)
    if output_format == "pdf":
        return to_pdf(report, lang)
    raise ComplianceError(
        "report.bad_format",
        nl=f"Onbekend formaat {output_format!r} (pdf, csv, xlsx of json).",
        en=f"Unknown format {output_format!r} (pdf, csv, xlsx or json).",
    )


def report_html(report: ComplianceReport, lang: str = "nl") -> str:
    from chatarchief.compliance import words

    with translation.override(lang):
        rows = []
        for item in report.custodians:
            rows.append(
                {
                    "item": item,
                    "light": words.LIGHTS[item.status.light.value],
                    "state": words.STATES[item.status.state.value],
                    "agreement": words.agreement_words(item.agreement.as_dict()) if item.agreement else None,
                    "findings": [
                        (words.finding_label(t), words.BY.get(b, b), words.STATUSES.get(s, s), n)
                        for t, b, s, n in item.findings
                    ],
                }
            )
        return render_to_string(
            "compliance/report_pdf.html",
            {
                "report": report,
                "rows": rows,
                "totals": report.totals(),
                "chart_svg": report.chart_svg(lang),
                "fixity": last_fixity_run(),
                "lang": lang,
            },
        )


def to_pdf(report: ComplianceReport, lang: str = "nl") -> bytes:
    from chatarchief.core.packaging.pdf import html_to_pdf

    return html_to_pdf(
        report_html(report, lang), stylesheet=REPORT_CSS, identifier=f"adr-{report.organisation}".encode()
    )
