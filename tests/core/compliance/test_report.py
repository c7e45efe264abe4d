"""The ADR report: the data, its CSV/XLSX/JSON writers and chart, and that nothing private gets in."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import openpyxl

from chatarchief.core.compliance.actors import attribute_export
from chatarchief.core.compliance.agreements import make_agreement
from chatarchief.core.compliance.chart import month_range, monthly, render_svg, table_rows
from chatarchief.core.compliance.report import CustodianFacts, DeliveryFact, Period, build_report
from chatarchief.core.compliance.report_writers import CSV_COLUMNS, to_csv, to_json, to_xlsx
from chatarchief.core.compliance.status import FindingFact
from tests.generators.whatsapp import Spec, write_export

UTC = dt.UTC
PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
GENERATED = dt.datetime(2025, 7, 1, 8, tzinfo=UTC)

# Private things a report must never contain: bodies, the chat title, the file name, contacts' names.
TITLE = "Crisisteam Zwanenburg"
FILE_NAME = f"WhatsApp-chat met {TITLE}.txt"
CONTACT = "Bram Hendriksen-Privé"
BODIES = ("Geheimwoord Zeppelinstraat", "Aanbesteding Kraanvogel loopt mis", "Nieuwe tekst Ooievaar")


def parsed_delivery(tmp_path):
    """A real WhatsApp export with a deletion, an edit and a timer, as the report's input facts."""
    from chatarchief.core import formats
    from chatarchief.core.model import ParseOptions

    t = dt.datetime(2025, 3, 3, 9, 0)
    specs = [
        Spec("Anne de Vries", t, BODIES[0]),
        Spec(CONTACT, t + dt.timedelta(minutes=1), BODIES[1]),
        Spec("Anne de Vries", t + dt.timedelta(minutes=2), BODIES[2], kind="edited"),
        Spec("Anne de Vries", t + dt.timedelta(minutes=3), kind="deleted_self"),
        Spec(None, t + dt.timedelta(minutes=4), f"{CONTACT} heeft verdwijnende berichten ingeschakeld.", kind="system"),
    ]
    path = write_export(tmp_path / FILE_NAME, specs, title=TITLE)
    export = formats.get("whatsapp").parse(str(path), ParseOptions(source_name=FILE_NAME))
    by_index = {m.index: m for m in export.conversations[0].messages}
    findings = [
        FindingFact(act.act.value, act.attribution.by.value, "open", by_index[act.message_index].sent_at, 7)
        for act in attribute_export(export)
    ]
    secured = dt.datetime(2025, 3, 4, 10, tzinfo=UTC)
    delivery = DeliveryFact(
        7, secured + dt.timedelta(hours=1), secured, "whatsapp", "whatsapp",
        hashlib.sha256(path.read_bytes()).hexdigest(), counts={"messages": export.message_count, "new": 5, "deleted": 1},
    )  # fmt: skip
    return delivery, findings


def facts(tmp_path, **changes) -> CustodianFacts:
    delivery, findings = parsed_delivery(tmp_path)
    earlier = DeliveryFact(3, dt.datetime(2025, 1, 20, tzinfo=UTC), dt.datetime(2025, 1, 20, tzinfo=UTC), "signal",
                           "signal_v2", "a" * 64, counts={"messages": 12})  # fmt: skip
    failed = DeliveryFact(5, dt.datetime(2025, 2, 1, tzinfo=UTC), None, "sms", "sms_backup_restore", "b" * 64, "failed")
    base = {
        "slug": "anne-de-vries",
        "name": "Anne de Vries",
        "organisation": "BZK",
        "category": "bewindspersoon",
        "function": "Minister",
        "agreements": [
            make_agreement("monthly", "self", "2025-01-01", channels=["whatsapp", "signal", "sms"]),
            make_agreement("weekly", "doc-direkt", "2025-05-01", channels=["whatsapp", "signal"]),
        ],
        "term_start": dt.date(2024, 7, 2),
        "deliveries": [earlier, failed, delivery],
        "findings": [
            *findings,
            FindingFact("delivery_overdue", "custodian", "explained", dt.datetime(2025, 2, 20, tzinfo=UTC)),
        ],
    }
    base.update(changes)
    return CustodianFacts(**base)


def test_report_per_custodian_in_scope(tmp_path):
    out_of_scope = facts(tmp_path, slug="later", term_start=dt.date(2025, 9, 1))
    report = build_report("BZK", PERIOD, [facts(tmp_path), out_of_scope], generated_at=GENERATED)
    (anne,) = report.custodians
    assert [a.frequency.value for a in anne.agreements] == ["monthly", "weekly"]
    assert anne.agreement.frequency.value == "weekly" and anne.agreement.secured_by.value == "doc-direkt"
    assert anne.securing_moments == [dt.datetime(2025, 1, 20, tzinfo=UTC), dt.datetime(2025, 3, 4, 10, tzinfo=UTC)]
    # Jan 20 -> Mar 4 is late (monthly); Mar 4 -> the weekly agreement of May 1 (+7 days) -> open until Jun 30
    assert [(g.start.date(), g.end) for g in anne.gaps] == [(dt.date(2025, 1, 20), anne.securing_moments[1]),
                                                          (dt.date(2025, 3, 4), None)]  # fmt: skip
    assert anne.status.state.value == "overdue" and anne.status.light.value == "red"
    assert ("message_deleted", "custodian", "open", 1) in anne.findings
    assert ("disappearing_enabled", "other", "open", 1) in anne.findings
    assert [d.id for d in anne.evidence] == [3, 5, 7]
    assert anne.channels_not_secured == []  # weekly agreement: whatsapp and signal, both delivered
    assert report.totals()["red"] == 1
    march = next(b for b in report.months if (b.year, b.month) == (2025, 3))
    assert (march.secured, march.by_custodian, march.by_others) == (1, 2, 1)


def test_nothing_private_in_any_output(tmp_path):
    report = build_report("BZK", PERIOD, [facts(tmp_path)], generated_at=GENERATED)
    xlsx = to_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        xlsx_text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    outputs = {
        "json": to_json(report),
        "csv": to_csv(report),
        "xlsx": xlsx_text,
        "svg": report.chart_svg("nl") + report.chart_svg("en"),
    }
    forbidden = [*BODIES, TITLE, FILE_NAME, CONTACT, "Zwanenburg", "Hendriksen", "Zeppelin", "Kraanvogel", "Ooievaar"]
    for name, text in outputs.items():
        assert "Anne de Vries" in text or name == "svg"  # the outputs are not empty
        for word in forbidden:
            assert word not in text, f"{word!r} leaked into the {name} report"


def test_csv_is_one_long_table_and_formulas_are_defused(tmp_path):
    hostile = facts(tmp_path, name='=HYPERLINK("http://evil","klik")', function="@SUM(A1)")
    report = build_report("BZK", PERIOD, [hostile], generated_at=GENERATED)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert list(rows[0]) == CSV_COLUMNS
    records = {r["record"] for r in rows}
    assert records == {"custodian", "agreement", "securing", "gap", "finding", "evidence", "month"}
    custodian = next(r for r in rows if r["record"] == "custodian")
    assert custodian["name"].startswith("'=") and custodian["value"] == "red"
    evidence = [r for r in rows if r["record"] == "evidence"]
    assert [r["sha256"][:1] for r in evidence] == ["a", "b", evidence[2]["sha256"][0]]
    assert "messages=" in evidence[2]["value"]
    assert len([r for r in rows if r["record"] == "month"]) == 36
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, "en")))["Custodians"]
    assert sheet["B2"].value == '=HYPERLINK("http://evil","klik")' and sheet["B2"].data_type == "s"


def test_json_has_the_documented_shape(tmp_path):
    data = json.loads(to_json(build_report("BZK", PERIOD, [facts(tmp_path)], generated_at=GENERATED)))
    assert data["period"] == {"from": "2025-01-01", "to": "2025-06-30"}
    (anne,) = data["custodians"]
    assert set(anne) >= {"agreement", "status", "securing_moments", "gaps", "findings", "evidence"}
    assert anne["evidence"][2]["counts"] == {"deleted": 1, "messages": 6, "new": 5}
    assert "file_name" not in json.dumps(data) and len(data["months"]) == 12


def test_xlsx_has_a_sheet_per_part_in_dutch(tmp_path):
    workbook = openpyxl.load_workbook(
        io.BytesIO(to_xlsx(build_report("BZK", PERIOD, [facts(tmp_path)], generated_at=GENERATED)))
    )
    assert workbook.sheetnames == ["Functionarissen", "Borgmomenten", "Hiaten", "Bevindingen", "Bewijs", "Per maand"]
    assert workbook["Bewijs"].max_row == 4 and workbook["Per maand"].max_row == 13


# ---------------------------------------------------------------- chart


def test_month_range_crosses_the_year():
    assert month_range(dt.date(2025, 2, 10), 3) == [(2024, 11), (2025, 0), (2025, 1)]


def test_chart_counts_and_accessible_svg():
    moments = [dt.datetime(2025, 3, 31, 23, 30, tzinfo=UTC)]  # 1 April in Amsterdam
    findings = [FindingFact("view_once", "custodian", at=dt.datetime(2025, 4, 2, tzinfo=UTC)),
                FindingFact("view_once", "unknown", at=dt.datetime(2025, 4, 3, tzinfo=UTC))]  # fmt: skip
    buckets = monthly(moments, findings, dt.date(2025, 4, 30))
    assert (buckets[-1].secured, buckets[-1].by_custodian, buckets[-1].by_others) == (1, 1, 1)
    svg = render_svg(buckets, lang="nl", ident="c1")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Borgmomenten en bevindingen per maand</title>' in svg
    assert "apr 2025: 1 borgmomenten" in svg and svg.count("<rect") == 3 + 12 * 3
    assert table_rows(buckets, "en")[-1] == {
        "month": "Apr 2025",
        "secured": 1,
        "by_custodian": 1,
        "by_others": 1,
        "findings": 2,
    }
    assert "<script" not in svg and "style=" not in svg
