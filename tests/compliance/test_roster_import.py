"""`chatarchief custodian import FILE [--dry-run]`: CSV or XLSX, a clear error per bad row naming the
line, nothing half-imported; term and phase stored for the cadence (issue 17 item 3)."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest

from chatarchief.archive.models import Custodian
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.compliance.models import CustodianScope, Phase

pytestmark = pytest.mark.django_db

HEADER = "naam;kenmerk;functie;categorie;schaal;organisatie;telefoon;begin termijn;einde termijn;fase\n"
GOOD = (
    HEADER
    + "Anna de Wit;anna;Minister;bewindspersoon;;BZK;06 12345678;2024-07-02;;\n"
    + "Bert Smit;bert;Secretaris-generaal;sleutelfunctionaris;18;FIN;;01-01-2025;31-12-2025;pilot\n"
)
BAD = (
    HEADER
    + "Anna de Wit;anna;Minister;bewindspersoon;;BZK;;2024-07-02;;\n"
    + "Bert Smit;bert;Directeur;sleutelfunctionaris;14;FIN;;2025-01-01;;\n"
    + "Carla;carla;Directeur;sleutelfunctionaris;17;FIN;;2025-13-01;;\n"
)


@pytest.fixture(autouse=True)
def pilot():
    Phase.objects.create(code="pilot", name="Pilot BZK, FIN, JenV", starts_on=dt.date(2025, 2, 1))


def test_a_good_csv_is_imported_with_term_and_phase(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["custodian", "import", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["created"] == ["anna", "bert"] and result["problems"] == []
    bert = Custodian.objects.get(slug="bert")
    assert (bert.organisation.code, bert.category, bert.function) == (
        "FIN",
        "sleutelfunctionaris",
        "Secretaris-generaal",
    )
    scope = CustodianScope.objects.get(custodian=bert)
    assert (scope.term_start, scope.term_end, scope.phase, scope.salary_scale) == (
        dt.date(2025, 1, 1), dt.date(2025, 12, 31), "pilot", 18,
    )  # fmt: skip
    assert Custodian.objects.get(slug="anna").phone_numbers == ["+31612345678"]
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1
    # again: the same people are brought up to date, not duplicated
    assert main(["custodian", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["updated"] == ["anna", "bert"]
    assert Custodian.objects.count() == 2


def test_bad_rows_are_named_and_nothing_is_imported(tmp_path, capsys):
    path = tmp_path / "lijst.csv"
    path.write_text(BAD, encoding="utf-8")
    assert main(["custodian", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "lijst.csv: regel 3, kolom 'schaal'" in err
    assert "lijst.csv: regel 4, kolom 'begin termijn'" in err
    assert "niets geïmporteerd" in err
    assert not Custodian.objects.exists() and not CustodianScope.objects.exists()


def test_dry_run_stores_nothing(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["custodian", "import", str(path), "--dry-run"]) == 0
    assert "2 functionarissen te importeren" in capsys.readouterr().out
    assert not Custodian.objects.exists()


def test_xlsx(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in GOOD.strip().split("\n"):
        sheet.append(line.split(";"))
    sheet["H3"] = dt.datetime(2025, 1, 1)  # a real spreadsheet date
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(buffer.getvalue())
    assert main(["custodian", "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == ["anna", "bert"]
    assert CustodianScope.objects.get(custodian__slug="bert").term_start == dt.date(2025, 1, 1)
