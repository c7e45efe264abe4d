"""Writers of the ADR report: JSON (the full structure), CSV (one long table), XLSX (a sheet per part).

The CSV has one row per fact with a `record` column saying what the row is (docs/compliance.md lists
the columns per record): `custodian`, `agreement`, `securing`, `gap`, `finding`, `evidence`,
`channel_not_secured`, `month`. Text that a spreadsheet would run as a formula (starting with = + - @
or a tab) gets a leading apostrophe in the CSV; in the XLSX such a cell is typed as text.
The PDF is rendered from the same `ComplianceReport` through an HTML template.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from chatarchief.core.compliance.dates import utc_text
from chatarchief.core.compliance.report import ComplianceReport, CustodianReport

CSV_COLUMNS = [
    "record",
    "custodian",
    "name",
    "organisation",
    "category",
    "agreement",
    "from",
    "to",
    "channel",
    "format",
    "type",
    "by",
    "status",
    "count",
    "sha256",
    "value",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as text, never runs: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_json(report: ComplianceReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"


def _agreement_text(report: CustodianReport) -> str:
    agreement = report.agreement
    if agreement is None:
        return ""
    text = f"{agreement.frequency.value}/{agreement.secured_by.value}"
    return text + (" (default)" if agreement.is_default else "")


def _counts_text(counts: dict[str, int] | Any) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(counts.items()))


def csv_records(report: ComplianceReport) -> Iterator[dict[str, Any]]:
    """Every row of the CSV: per custodian, then the months."""
    for item in report.custodians:
        yield from _custodian_records(item)
    yield from _month_records(report)


def _custodian_records(item: CustodianReport) -> Iterator[dict[str, Any]]:
    facts, at = item.facts, item.cadence.at
    who = {"custodian": facts.slug, "organisation": facts.organisation}
    yield {
        "record": "custodian",
        **who,
        "name": facts.name,
        "category": facts.category,
        "agreement": _agreement_text(item),
        "from": facts.term_start,
        "to": facts.term_end,
        "status": item.status.state.value,
        "value": item.status.light.value,
        "count": sum(item.status.open_findings.values()),
    }
    for agreement in item.agreements:
        yield {
            "record": "agreement",
            **who,
            "from": agreement.valid_from,
            "type": agreement.frequency.value,
            "by": agreement.secured_by.value,
            "value": agreement.secretary or "",
            "channel": ";".join(agreement.channels),
        }
    for moment in item.securing_moments:
        yield {"record": "securing", **who, "from": utc_text(moment)}
    for gap in item.gaps:
        yield {
            "record": "gap",
            **who,
            "from": utc_text(gap.start),
            "to": utc_text(gap.end),
            "type": gap.agreement.frequency.value,
            "status": "open" if gap.is_open else "closed",
            "value": round(gap.overdue(at).total_seconds() / 86400, 1),
        }
    for type_, by, status, count in item.findings:
        yield {"record": "finding", **who, "type": type_, "by": by, "status": status, "count": count}
    for delivery in item.evidence:
        yield {
            "record": "evidence",
            **who,
            "from": utc_text(delivery.secured_at),
            "to": utc_text(delivery.received_at),
            "channel": delivery.channel,
            "format": delivery.format,
            "sha256": delivery.sha256,
            "status": delivery.status,
            "value": _counts_text(delivery.counts),
        }
    for channel in item.channels_not_secured:
        yield {"record": "channel_not_secured", **who, "channel": channel}


def _month_records(report: ComplianceReport) -> Iterator[dict[str, Any]]:
    for bucket in report.months:
        month = f"{bucket.year}-{bucket.month:02d}"
        yield {
            "record": "month",
            "organisation": report.organisation,
            "from": month,
            "type": "secured",
            "count": bucket.secured,
        }
        for by, count in (("custodian", bucket.by_custodian), ("other", bucket.by_others)):
            yield {
                "record": "month",
                "organisation": report.organisation,
                "from": month,
                "type": "findings",
                "by": by,
                "count": count,
            }


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def to_csv(report: ComplianceReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in csv_records(report):
        writer.writerow({k: safe_cell(_plain(v)) for k, v in record.items()})
    return out.getvalue()


# ---------------------------------------------------------------- XLSX

SHEETS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "nl": {
        "custodians": (
            "Functionarissen",
            [
                "kenmerk",
                "naam",
                "organisatie",
                "categorie",
                "functie",
                "afspraak",
                "begin termijn",
                "einde termijn",
                "status",
                "lamp",
                "laatst geborgd",
                "volgende uiterlijk",
                "open bevindingen",
                "eigen overtredingen",
                "kanalen niet geborgd",
            ],
        ),
        "securing": ("Borgmomenten", ["kenmerk", "moment (UTC)"]),
        "gaps": (
            "Hiaten",
            ["kenmerk", "van (UTC)", "tot (UTC)", "uiterlijk (UTC)", "dagen te laat", "open", "frequentie"],
        ),
        "findings": ("Bevindingen", ["kenmerk", "soort", "door", "status", "aantal"]),
        "evidence": (
            "Bewijs",
            [
                "kenmerk",
                "aanlevering",
                "geborgd (UTC)",
                "ontvangen (UTC)",
                "kanaal",
                "formaat",
                "SHA-256",
                "status",
                "aantallen",
            ],
        ),
        "months": ("Per maand", ["maand", "borgmomenten", "bevindingen door functionaris", "bevindingen door anderen"]),
    },
    "en": {
        "custodians": (
            "Custodians",
            [
                "slug",
                "name",
                "organisation",
                "category",
                "function",
                "agreement",
                "term start",
                "term end",
                "state",
                "light",
                "last secured",
                "next due",
                "open findings",
                "own breaches",
                "channels not secured",
            ],
        ),
        "securing": ("Securing moments", ["slug", "moment (UTC)"]),
        "gaps": ("Gaps", ["slug", "from (UTC)", "to (UTC)", "due (UTC)", "days overdue", "open", "frequency"]),
        "findings": ("Findings", ["slug", "type", "by", "status", "count"]),
        "evidence": (
            "Evidence",
            ["slug", "delivery", "secured (UTC)", "received (UTC)", "channel", "format", "SHA-256", "status", "counts"],
        ),
        "months": ("Per month", ["month", "securing moments", "findings by custodian", "findings by others"]),
    },
}


def _sheet_rows(report: ComplianceReport) -> dict[str, list[list[Any]]]:
    rows: dict[str, list[list[Any]]] = {key: [] for key in SHEETS["en"]}
    for item in report.custodians:
        facts, status, at, slug = item.facts, item.status, item.cadence.at, item.facts.slug
        rows["custodians"].append(
            [
                slug,
                facts.name,
                facts.organisation,
                facts.category,
                facts.function,
                _agreement_text(item),
                facts.term_start,
                facts.term_end,
                status.state.value,
                status.light.value,
                utc_text(status.last_secured_at),
                utc_text(status.next_due_at),
                sum(status.open_findings.values()),
                status.breaches_by_custodian,
                ", ".join(item.channels_not_secured),
            ]
        )
        rows["securing"] += [[slug, utc_text(m)] for m in item.securing_moments]
        rows["gaps"] += [
            [
                slug,
                utc_text(g.start),
                utc_text(g.end),
                utc_text(g.due_at),
                round(g.overdue(at).total_seconds() / 86400, 1),
                g.is_open,
                g.agreement.frequency.value,
            ]
            for g in item.gaps
        ]
        rows["findings"] += [[slug, t, b, s, n] for t, b, s, n in item.findings]
        rows["evidence"] += [
            [
                slug,
                d.id,
                utc_text(d.secured_at),
                utc_text(d.received_at),
                d.channel,
                d.format,
                d.sha256,
                d.status,
                _counts_text(d.counts),
            ]
            for d in item.evidence
        ]
    rows["months"] = [[f"{b.year}-{b.month:02d}", b.secured, b.by_custodian, b.by_others] for b in report.months]
    return rows


def to_xlsx(report: ComplianceReport, lang: str = "nl") -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    names = SHEETS["nl" if lang.startswith("nl") else "en"]
    workbook = openpyxl.Workbook(write_only=True)  # streams rows: a large report stays fast
    workbook.properties.creator = "chatarchief"
    workbook.properties.created = workbook.properties.modified = report.generated_at.replace(tzinfo=None)
    bold = Font(bold=True)
    for key, rows in _sheet_rows(report).items():
        title, header = names[key]
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(WriteOnlyCell(sheet, value=h), bold) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header_cell(cell: Any, font: Any) -> Any:
    cell.font = font
    return cell


def _xlsx_cell(sheet: Any, value: Any, make: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith("="):
        cell = make(sheet, value=value)
        cell.data_type = "s"  # text, never a formula (openpyxl would make "=…" one)
        return cell
    return value
