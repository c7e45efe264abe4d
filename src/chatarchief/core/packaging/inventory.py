"""The Woo inventory list (inventarislijst) as CSV and XLSX, and a JSON manifest of a package.

The columns are exactly those the government's Woo publication platform imports, in its order
(`INVENTORY_COLUMNS`). Grounds are written canonically (``5.1.2e``) and joined by ``;``; Datum is
``YYYY-MM-DD`` in CSV and a real date cell with that format in XLSX. CSV is UTF-8, comma-separated.
Files are written to a temporary name and renamed, so a failure leaves no half-written file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.packaging.grounds import normalise_grounds

INVENTORY_COLUMNS = (
    "ID",
    "Matter",
    "Family ID",
    "Email Thread ID",
    "Document",
    "File type",
    "Datum",
    "Beoordeling",
    "Opgeschort",
    "Beoordelingsgrond",
    "Toelichting",
    "Publieke link",
    "Gerelateerd ID",
    "Zaaknummer",
)


class Beoordeling(StrEnum):
    OPENBAAR = "Openbaar"
    DEELS_OPENBAAR = "Deels openbaar"
    NIET_OPENBAAR = "Niet openbaar"
    REEDS_OPENBAAR = "Reeds openbaar"

    @classmethod
    def from_decision(cls, decision: str) -> Beoordeling:
        """The CLI's words (openbaar, deels, niet, reeds) or the platform's own values."""
        words = {
            "openbaar": cls.OPENBAAR,
            "deels": cls.DEELS_OPENBAAR,
            "niet": cls.NIET_OPENBAAR,
            "reeds": cls.REEDS_OPENBAAR,
        }
        key = decision.strip().lower()
        for member in cls:
            if key == member.value.lower():
                return member
        if key in words:
            return words[key]
        raise InventoryError(
            "woo.unknown_decision",
            nl=f"Onbekende beoordeling {decision!r}: gebruik openbaar, deels, niet of reeds.",
            en=f"Unknown assessment {decision!r}: use openbaar, deels, niet or reeds.",
        )


class InventoryError(ChatarchiefError):
    """An inventory row that the platform would refuse or that contradicts itself."""


@dataclass(frozen=True, slots=True)
class InventoryRow:
    id: str  # the document number
    document: str  # name or subject
    datum: dt.date | None
    beoordeling: Beoordeling
    grounds: tuple[str, ...] = ()
    matter: str = ""
    family_id: str = ""
    email_thread_id: str = ""
    file_type: str = "chat"
    opgeschort: bool | None = None  # suspended (e.g. awaiting a third party's view): "Ja"/"Nee"
    toelichting: str = ""
    publieke_link: str = ""
    gerelateerd_ids: tuple[str, ...] = ()
    zaaknummer: str = ""


def _checked(row: InventoryRow) -> tuple[InventoryRow, tuple[str, ...]]:
    grounds = normalise_grounds(list(row.grounds))
    needs_ground = row.beoordeling in (Beoordeling.DEELS_OPENBAAR, Beoordeling.NIET_OPENBAAR)
    if needs_ground and not grounds:
        raise InventoryError(
            "woo.ground_missing",
            nl=f"Document {row.id}: '{row.beoordeling.value}' vraagt ten minste één weigeringsgrond.",
            en=f"Document {row.id}: '{row.beoordeling.value}' needs at least one refusal ground.",
        )
    if not needs_ground and grounds:
        raise InventoryError(
            "woo.ground_unexpected",
            nl=f"Document {row.id}: '{row.beoordeling.value}' heeft geen weigeringsgrond.",
            en=f"Document {row.id}: '{row.beoordeling.value}' takes no refusal ground.",
        )
    return row, grounds


def inventory_values(row: InventoryRow) -> list[Any]:
    """One row in column order; Datum stays a `date` (CSV writes it as YYYY-MM-DD)."""
    row, grounds = _checked(row)
    opgeschort = "" if row.opgeschort is None else ("Ja" if row.opgeschort else "Nee")
    return [
        row.id,
        row.matter,
        row.family_id,
        row.email_thread_id,
        row.document,
        row.file_type,
        row.datum,
        row.beoordeling.value,
        opgeschort,
        ";".join(grounds),
        row.toelichting,
        row.publieke_link,
        ";".join(row.gerelateerd_ids),
        row.zaaknummer,
    ]


def inventory_csv(rows: Iterable[InventoryRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INVENTORY_COLUMNS)
    for row in rows:
        values = inventory_values(row)
        writer.writerow(v.isoformat() if isinstance(v, dt.date) else v for v in values)
    return out.getvalue().encode("utf-8")


def inventory_xlsx(rows: Iterable[InventoryRow], *, created: dt.datetime | None = None) -> bytes:
    """The inventory as an XLSX workbook: one sheet, a bold header row, Datum as a date cell.

    Every text cell is stored as text, so a title beginning with ``=`` is never a formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Inventarislijst"
    sheet.append(list(INVENTORY_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(INVENTORY_COLUMNS))
        for column, value in enumerate(inventory_values(row), start=1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.value = value
            if isinstance(value, dt.date):
                cell.number_format = "YYYY-MM-DD"
            elif isinstance(value, str):
                cell.data_type = "s"
    for letter, width in zip("ABCDEFGHIJKLMN", (10, 14, 10, 14, 50, 10, 12, 16, 11, 20, 40, 30, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    moment = created or dt.datetime(2000, 1, 1)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "chatarchief"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_inventory(rows: Sequence[InventoryRow], folder: Path, stem: str = "inventarislijst") -> tuple[Path, Path]:
    """Write ``<stem>.csv`` and ``<stem>.xlsx`` into `folder`; both or, on a bad row, neither."""
    csv_data, xlsx_data = inventory_csv(rows), inventory_xlsx(rows)  # validate every row first
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    write_atomic(csv_path, csv_data)
    write_atomic(xlsx_path, xlsx_data)
    return csv_path, xlsx_path


# ---- manifest -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    path: str  # relative, with forward slashes
    size: int
    sha256: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(root: Path, *, exclude: Iterable[str] = ()) -> list[ManifestEntry]:
    """Every file under `root` (sorted by path) with its size and SHA-256."""
    skipped = set(exclude)
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative not in skipped:
            entries.append(ManifestEntry(relative, path.stat().st_size, sha256_file(path)))
    return entries


def write_manifest(root: Path, name: str = "manifest.json", *, metadata: Mapping[str, Any] | None = None) -> Path:
    """Write a JSON manifest of every other file under `root`: ``{..metadata, "files": [...]}``."""
    entries = build_manifest(root, exclude=[name])
    document = {**(metadata or {}), "algorithm": "sha256", "files": [asdict(entry) for entry in entries]}
    path = root / name
    write_atomic(path, (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path


def verify_manifest(root: Path, name: str = "manifest.json") -> list[str]:
    """Problems found (a file missing, changed, or not listed); empty when the folder matches."""
    listed = {f["path"]: f for f in json.loads((root / name).read_text(encoding="utf-8"))["files"]}
    actual = {entry.path: entry for entry in build_manifest(root, exclude=[name])}
    problems = [f"missing: {path}" for path in sorted(set(listed) - set(actual))]
    problems += [f"not listed: {path}" for path in sorted(set(actual) - set(listed))]
    for path in sorted(set(listed) & set(actual)):
        if listed[path]["sha256"] != actual[path].sha256 or listed[path]["size"] != actual[path].size:
            problems.append(f"changed: {path}")
    return problems
