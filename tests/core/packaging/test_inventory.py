import csv
import datetime as dt
import hashlib
import io
import json

import openpyxl
import pytest

from chatarchief.core.packaging.grounds import GroundError
from chatarchief.core.packaging.inventory import (
    INVENTORY_COLUMNS,
    Beoordeling,
    InventoryError,
    InventoryRow,
    inventory_csv,
    inventory_xlsx,
    verify_manifest,
    write_inventory,
    write_manifest,
)

ROWS = [
    InventoryRow("0001", "Crisisteam, 4 maart 2025", dt.date(2025, 3, 4), Beoordeling.OPENBAAR, zaaknummer="W-17"),
    InventoryRow(
        "0002",
        '=HYPERLINK("http://evil")',
        dt.date(2025, 3, 5),
        Beoordeling.from_decision("deels"),
        grounds=("5.1.2.e", "5.1.1E", "5.1.2e"),
        toelichting="Namen en telefoonnummers gelakt; één BSN",
        opgeschort=False,
        gerelateerd_ids=("0001", "0003"),
    ),
    InventoryRow("0003", "Overleg", None, Beoordeling.NIET_OPENBAAR, grounds=("5.2",), opgeschort=True),
    InventoryRow(
        "0004", "Persbericht", dt.date(2025, 3, 6), Beoordeling.REEDS_OPENBAAR, publieke_link="https://x.nl/p"
    ),
]


def test_platform_columns_in_order():
    assert INVENTORY_COLUMNS == (
        "ID", "Matter", "Family ID", "Email Thread ID", "Document", "File type", "Datum", "Beoordeling",
        "Opgeschort", "Beoordelingsgrond", "Toelichting", "Publieke link", "Gerelateerd ID", "Zaaknummer",
    )  # fmt: skip


def test_csv_is_utf8_comma_separated_with_canonical_grounds():
    data = inventory_csv(ROWS)
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == list(INVENTORY_COLUMNS)
    assert rows[0]["Datum"] == "2025-03-04" and rows[0]["Beoordeling"] == "Openbaar" and rows[0]["File type"] == "chat"
    assert rows[1]["Beoordelingsgrond"] == "5.1.1e;5.1.2e"
    assert rows[1]["Beoordeling"] == "Deels openbaar" and rows[1]["Opgeschort"] == "Nee"
    assert rows[1]["Toelichting"] == "Namen en telefoonnummers gelakt; één BSN"
    assert rows[1]["Gerelateerd ID"] == "0001;0003"
    assert rows[2]["Datum"] == "" and rows[2]["Opgeschort"] == "Ja" and rows[2]["Beoordeling"] == "Niet openbaar"
    assert rows[3]["Beoordeling"] == "Reeds openbaar" and rows[3]["Publieke link"] == "https://x.nl/p"


def test_xlsx_has_the_same_rows_a_real_date_cell_and_no_formulas():
    sheet = openpyxl.load_workbook(io.BytesIO(inventory_xlsx(ROWS))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == INVENTORY_COLUMNS
    assert rows[1][0] == "0001" and rows[1][6] == dt.datetime(2025, 3, 4)
    assert sheet.cell(row=2, column=7).number_format == "YYYY-MM-DD"
    assert sheet.cell(row=2, column=7).is_date
    assert sheet.cell(row=3, column=5).data_type == "s"  # "=HYPERLINK(...)" stays text
    assert rows[2][9] == "5.1.1e;5.1.2e"
    csv_rows = list(csv.reader(io.StringIO(inventory_csv(ROWS).decode())))
    for xlsx_row, csv_row in zip(rows[1:], csv_rows[1:], strict=True):
        as_text = [v.date().isoformat() if isinstance(v, dt.datetime) else (v or "") for v in xlsx_row]
        assert as_text == csv_row


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (InventoryRow("1", "d", None, Beoordeling.DEELS_OPENBAAR), InventoryError),
        (InventoryRow("1", "d", None, Beoordeling.NIET_OPENBAAR, grounds=()), InventoryError),
        (InventoryRow("1", "d", None, Beoordeling.OPENBAAR, grounds=("5.1.2e",)), InventoryError),
        (InventoryRow("1", "d", None, Beoordeling.DEELS_OPENBAAR, grounds=("5.1.9q",)), GroundError),
    ],
)
def test_contradictory_rows_are_refused_and_nothing_is_written(tmp_path, row, error):
    with pytest.raises(error):
        write_inventory([ROWS[0], row], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_decision_word():
    with pytest.raises(InventoryError, match="openbaar, deels, niet or reeds"):
        Beoordeling.from_decision("misschien")
    assert Beoordeling.from_decision("Reeds openbaar") is Beoordeling.REEDS_OPENBAAR


def test_manifest_lists_every_file_with_sha256_and_detects_changes(tmp_path):
    write_inventory(ROWS, tmp_path)
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "0001.pdf").write_bytes(b"%PDF-1.7 test")
    path = write_manifest(tmp_path, metadata={"request": "W-17"})
    manifest = json.loads(path.read_text())
    assert manifest["request"] == "W-17"
    assert [f["path"] for f in manifest["files"]] == ["inventarislijst.csv", "inventarislijst.xlsx", "pdf/0001.pdf"]
    pdf_entry = manifest["files"][2]
    assert pdf_entry["size"] == 13
    assert pdf_entry["sha256"] == hashlib.sha256(b"%PDF-1.7 test").hexdigest()
    assert verify_manifest(tmp_path) == []
    (tmp_path / "pdf" / "0001.pdf").write_bytes(b"%PDF-1.7 tampered")
    (tmp_path / "extra.txt").write_text("x")
    (tmp_path / "inventarislijst.csv").unlink()
    assert verify_manifest(tmp_path) == [
        "missing: inventarislijst.csv",
        "not listed: extra.txt",
        "changed: pdf/0001.pdf",
    ]
