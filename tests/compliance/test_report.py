"""`chatarchief report compliance ... --format pdf|csv|xlsx|json --out FILE`: per custodian the
agreement, securing moments, gaps, findings by type/by/status and the evidence; and no message body,
no file name, no conversation title, no private contact's name in any format (issue 17 item 8)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from pdfminer.high_level import extract_text

from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.compliance import report
from chatarchief.intake.pipeline import ingest
from tests.generators.whatsapp import Spec, write_export

pytestmark = pytest.mark.django_db

BODY = "Vertrouwelijk: de begroting stijgt met 12 procent"
PRIVATE = "Henriette Zwanenburg"  # a private contact: her name is the chat's title and a sender
FILE_NAME = "WhatsApp-chat met Henriette Zwanenburg.txt"


@pytest.fixture
def archive(tmp_path: Path):
    anna = registry.add_custodian("anna", name="Anna de Vries", actor="test", organisation="BZK")
    t = dt.datetime(2025, 3, 3, 9, 0)
    specs = [
        Spec("Anna de Vries", t, BODY),
        Spec(PRIVATE, t + dt.timedelta(minutes=1), "Kom je zaterdag eten?"),
        Spec(PRIVATE, t + dt.timedelta(minutes=2), kind="deleted"),
        Spec("Anna de Vries", t + dt.timedelta(minutes=3), "Nieuwe tekst", kind="edited"),
    ]
    path = write_export(tmp_path / FILE_NAME, specs, platform="android", locale="nl")
    secured = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    assert ingest(path, anna, actor="test", exported_at=secured).status == "ingested"
    assert (
        main(["agreement", "set", "anna", "--frequency", "weekly", "--secured-by", "self", "--from", "2025-03-01"]) == 0
    )
    return anna


def _texts(tmp_path: Path, capsys) -> dict[str, str]:
    found = {}
    for fmt in ("pdf", "csv", "xlsx", "json"):
        out = tmp_path / f"adr.{fmt}"
        assert main(["report", "compliance", "--organisation", "BZK", "--from", "2025-03-01", "--to", "2025-04-30",
                     "--format", fmt, "--out", str(out)]) == 0  # fmt: skip
        data = out.read_bytes()
        if fmt == "pdf":
            assert data.startswith(b"%PDF")
            found[fmt] = extract_text(io.BytesIO(data))
        elif fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(data))
            found[fmt] = "\n".join(
                str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
            )
        else:
            found[fmt] = data.decode("utf-8")
    capsys.readouterr()
    return found


def test_every_format_holds_the_facts_and_nothing_private(archive, tmp_path, capsys):
    texts = _texts(tmp_path, capsys)
    for fmt, text in texts.items():
        assert "anna" in text, fmt
        for forbidden in (BODY, "begroting", "zaterdag", "Nieuwe tekst", PRIVATE, "Zwanenburg", FILE_NAME):
            assert forbidden not in text, (fmt, forbidden)
    data = json.loads(texts["json"])
    (row,) = data["custodians"]
    assert row["agreement"]["frequency"] == "weekly"
    assert len(row["securing_moments"]) == 1 and row["gaps"]  # weekly: open since 4 March
    kinds = {(f["type"], f["by"]) for f in row["findings"]}
    assert ("message_deleted", "other") in kinds and ("message_edited", "custodian") in kinds
    assert ("delivery_overdue", "custodian") in kinds
    assert row["evidence"][0]["sha256"] and row["evidence"][0]["channel"] == "whatsapp"
    assert "fixity" in data and data["fixity"] is None  # no fixity check ran yet
    assert "Nalevingsrapport BZK" in texts["pdf"] and "Bericht verwijderd" in texts["pdf"]
    assert AuditEvent.objects.filter(action="report.compliance").count() == 4


def test_a_period_the_wrong_way_round_is_refused(archive, tmp_path, capsys):
    out = tmp_path / "x.json"
    assert main(["report", "compliance", "--organisation", "BZK", "--from", "2025-05-01", "--to", "2025-04-01",
                 "--format", "json", "--out", str(out)]) == 2  # fmt: skip
    assert "einddatum" in capsys.readouterr().err and not out.exists()


def test_the_report_carries_the_last_fixity_run_that_preservation_registers(archive, tmp_path, capsys):
    """Compliance asks, preservation answers (registered in its AppConfig.ready): no run before the
    first check, the run's figures after it, in the JSON and in the PDF's text."""
    from chatarchief.preservation import services as preservation

    assert report.last_fixity_run() is None
    run = preservation.verify(actor="test")
    texts = _texts(tmp_path, capsys)
    fixity = json.loads(texts["json"])["fixity"]
    assert fixity["checked"] == run.checked > 0 and fixity["failures"] == 0 and fixity["ok"]
    files = "bestand" if run.checked == 1 else "bestanden"
    assert f"{run.checked} {files} gecontroleerd, alle ongeschonden" in " ".join(texts["pdf"].split())
