"""The roster: which officials are custodians, from a CSV or XLSX file, and who is in scope when.

`read_roster()` reads every row and checks it; it returns the rows and, per bad row, a problem that
names the line and the column in Dutch and English. Nothing is written here: a dry run shows the
result, a real import stores the rows only when there are no problems (all or nothing).

Columns (header names in English or Dutch, any case; order free): name, slug, function, category
(bewindspersoon | sleutelfunctionaris), salary scale (16 or higher for a sleutelfunctionaris; empty for
a bewindspersoon), organisation (code, e.g. BZK), phone, term start, term end (inclusive, may be
empty), phase (a rollout phase or the pilot; empty: no phase restriction).

Scope: a custodian is in scope on day D when the term has started (start <= D), has not ended
(end empty or D <= end), and their phase has started (phase start <= D; a phase without a start date
has not started). See `in_scope`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chatarchief.core.compliance.actors import phone_key
from chatarchief.core.compliance.cadence import NOT_SCHEDULED
from chatarchief.core.compliance.errors import ComplianceError

CATEGORIES = ("bewindspersoon", "sleutelfunctionaris")
MIN_SCALE = 16  # sleutelfunctionarissen: salary scale 16 and higher
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # as archive.services.registry
ORGANISATION = re.compile(r"^[A-Za-z0-9&-]{1,32}$")

# column -> the header names it is known by (compared case-folded, with -, _ and / as spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "naam"),
    "slug": ("slug", "kenmerk"),
    "function": ("function", "functie"),
    "category": ("category", "categorie"),
    "salary_scale": ("salary scale", "scale", "schaal", "salarisschaal"),
    "organisation": ("organisation", "organization", "organisatie", "ministerie"),
    "phone": ("phone", "telefoon", "telefoonnummer", "mobiel"),
    "term_start": ("term start", "start term", "start", "begin termijn", "start termijn", "in functie sinds"),
    "term_end": ("term end", "end term", "end", "einde termijn", "eind termijn", "uit functie"),
    "phase": ("phase", "rollout phase", "rollout phase or pilot", "phase or pilot", "pilot", "fase", "fase of pilot"),
}
REQUIRED = ("name", "slug", "category", "organisation", "term_start")
LABELS_NL = {
    "name": "naam",
    "slug": "kenmerk",
    "function": "functie",
    "category": "categorie",
    "salary_scale": "schaal",
    "organisation": "organisatie",
    "phone": "telefoon",
    "term_start": "begin termijn",
    "term_end": "einde termijn",
    "phase": "fase",
}


@dataclass(frozen=True)
class Phase:
    """A rollout phase (or the pilot): who joins it is in scope from `starts_on` (None: not yet)."""

    code: str
    name: str = ""
    starts_on: dt.date | None = None


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    slug: str
    function: str
    category: str
    salary_scale: int | None
    organisation: str
    phone: str | None
    term_start: dt.date
    term_end: dt.date | None
    phase: str | None


@dataclass(frozen=True)
class RosterProblem:
    line: int
    column: str | None
    code: str
    nl: str
    en: str

    def message(self, lang: str = "nl") -> str:
        dutch = lang.startswith("nl")
        where = f"regel {self.line}" if dutch else f"line {self.line}"
        if self.column:
            where += f", kolom '{LABELS_NL[self.column]}'" if dutch else f", column '{self.column}'"
        return f"{where}: {self.nl if dutch else self.en}"

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message(lang)}


@dataclass(frozen=True)
class RosterResult:
    file: str
    rows: list[RosterRow]
    problems: list[RosterProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- scope


def phase_start(code: str | None, phases: Mapping[str, Phase]) -> dt.date | None:
    """The phase's start for the cadence: None for no phase; NOT_SCHEDULED when it has no date yet."""
    if not code:
        return None
    phase = phases.get(code.casefold())
    return phase.starts_on if phase is not None and phase.starts_on is not None else NOT_SCHEDULED


def in_scope(
    term_start: dt.date | None, term_end: dt.date | None, phase: str | None, phases: Mapping[str, Phase], on: dt.date
) -> bool:
    """Whether a custodian is in scope on date `on`."""
    started = phase_start(phase, phases)
    if term_start is not None and term_start > on:
        return False
    if term_end is not None and on > term_end:
        return False
    return started is None or started <= on


def in_scope_on(rows: Iterable[RosterRow], phases: Mapping[str, Phase], on: dt.date) -> list[RosterRow]:
    return [r for r in rows if in_scope(r.term_start, r.term_end, r.phase, phases, on)]


# ---------------------------------------------------------------- reading


def read_roster(
    data: bytes,
    file_name: str,
    *,
    phases: Mapping[str, Phase] | None = None,
    organisations: Collection[str] | None = None,
) -> RosterResult:
    """Read and check a roster (CSV or XLSX, chosen by content). Bad rows become problems; a file that
    cannot be read at all is a ComplianceError naming it."""
    if len(data) > MAX_BYTES:
        raise _file_error(
            "roster.too_big", "Het bestand is groter dan 10 MB.", "The file is larger than 10 MB.", file_name
        )
    table = _xlsx_rows(data, file_name) if data.startswith(b"PK\x03\x04") else _csv_rows(data, file_name)
    header_line, header = next(table, (0, []))
    columns = _columns(header, file_name, header_line)
    known = {code.casefold() for code in organisations} if organisations is not None else None
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    for line, cells in table:
        if not any(_text(c) for c in cells):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            raise _file_error("roster.too_many_rows", "Meer dan 20.000 regels.", "More than 20,000 rows.", file_name)
        values = {column: cells[index] if index < len(cells) else None for column, index in columns.items()}
        row, found = _check_row(line, values, phases, known)
        if row is not None and row.slug in seen:
            found.append(
                _problem(
                    line,
                    "slug",
                    "duplicate",
                    f"kenmerk {row.slug!r} staat ook op regel {seen[row.slug]}.",
                    f"slug {row.slug!r} also appears on line {seen[row.slug]}.",
                )
            )
        if row is not None and not found:
            seen[row.slug] = line
            rows.append(row)
        problems.extend(found)
    if not rows and not problems:
        raise _file_error(
            "roster.empty", "Het bestand bevat geen functionarissen.", "The file holds no custodians.", file_name
        )
    return RosterResult(file_name, rows, problems)


def _file_error(code: str, nl: str, en: str, file_name: str, line: int | None = None) -> ComplianceError:
    return ComplianceError(code, nl=nl, en=en, file=file_name, line=line)


def _csv_rows(data: bytes, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Dutch Windows
    if "\x00" in text:
        raise _file_error(
            "roster.not_a_table", "Dit is geen CSV- of XLSX-bestand.", "This is not a CSV or XLSX file.", file_name
        )
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise _file_error(
            "roster.bad_csv", f"Onleesbare CSV ({exc}).", f"Unreadable CSV ({exc}).", file_name, reader.line_num
        ) from None


def _xlsx_rows(data: bytes, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl  # uses defusedxml for the sheet XML when it is installed (it is)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > 1000 or sum(i.file_size for i in infos) > MAX_XLSX_UNCOMPRESSED:
                raise _file_error(
                    "roster.xlsx_too_big",
                    "Het XLSX-bestand pakt te groot uit.",
                    "The XLSX file unpacks too large.",
                    file_name,
                )
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ComplianceError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _file_error(
            "roster.bad_xlsx",
            f"Onleesbaar XLSX-bestand ({type(exc).__name__}).",
            f"Unreadable XLSX file ({type(exc).__name__}).",
            file_name,
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _header_name(cell: Any) -> str:
    return " ".join(re.sub(r"[-_/]", " ", _text(cell)).casefold().split())


def _columns(header: list[Any], file_name: str, line: int) -> dict[str, int]:
    aliases = {alias: column for column, names in COLUMNS.items() for alias in names}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = aliases.get(_header_name(cell))
        if column is not None and column not in found:
            found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise _file_error(
            "roster.missing_columns",
            "Kolommen ontbreken in de kopregel: " + ", ".join(LABELS_NL[c] for c in missing) + ".",
            "Columns are missing from the header: " + ", ".join(missing) + ".",
            file_name,
            line or 1,
        )
    return found


def _problem(line: int, column: str | None, code: str, nl: str, en: str) -> RosterProblem:
    return RosterProblem(line, column, f"roster.{code}", nl, en)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_row(
    line: int, values: dict[str, Any], phases: Mapping[str, Phase] | None, organisations: set[str] | None
) -> tuple[RosterRow | None, list[RosterProblem]]:
    problems: list[RosterProblem] = []

    def need(column: str) -> str:
        text = _text(values.get(column))
        if not text and column in REQUIRED:
            problems.append(_problem(line, column, "required", "mag niet leeg zijn.", "must not be empty."))
        return text

    name, slug, category_text = need("name"), need("slug"), need("category")
    if slug and not SLUG.match(slug):
        problems.append(
            _problem(
                line,
                "slug",
                "bad_slug",
                f"{slug!r} is geen geldig kenmerk (kleine letters, cijfers, -).",
                f"{slug!r} is not a valid slug (lower-case letters, digits, -).",
            )
        )
    category = category_text.casefold()
    if category_text and category not in CATEGORIES:
        problems.append(
            _problem(
                line,
                "category",
                "bad_category",
                f"{category_text!r}: kies bewindspersoon of sleutelfunctionaris.",
                f"{category_text!r}: choose bewindspersoon or sleutelfunctionaris.",
            )
        )
    scale = _scale(line, values.get("salary_scale"), category, problems)
    organisation = _organisation(line, need("organisation"), organisations, problems)
    phone = _phone(line, values.get("phone"), problems)
    start = _date(line, "term_start", values.get("term_start"), problems)
    end = _date(line, "term_end", values.get("term_end"), problems)
    if start and end and end < start:
        problems.append(
            _problem(
                line, "term_end", "end_before_start", "het einde ligt vóór het begin.", "the end is before the start."
            )
        )
    phase = _phase(line, values.get("phase"), phases, problems)
    if problems or start is None:
        return None, problems
    function = _text(values.get("function"))
    return RosterRow(line, name, slug, function, category, scale, organisation, phone, start, end, phase), problems


def _scale(line: int, value: Any, category: str, problems: list[RosterProblem]) -> int | None:
    text = _text(value)
    if not text:
        if category == "sleutelfunctionaris":
            problems.append(
                _problem(
                    line,
                    "salary_scale",
                    "scale_required",
                    "een sleutelfunctionaris heeft een schaal (16 of hoger).",
                    "a sleutelfunctionaris has a salary scale (16 or higher).",
                )
            )
        return None
    if not text.isdigit() or not 1 <= int(text) <= 19:
        problems.append(
            _problem(
                line,
                "salary_scale",
                "bad_scale",
                f"{text!r} is geen schaal (een getal, zoals 16).",
                f"{text!r} is not a salary scale (a number, such as 16).",
            )
        )
        return None
    if category == "sleutelfunctionaris" and int(text) < MIN_SCALE:
        problems.append(
            _problem(
                line,
                "salary_scale",
                "scale_too_low",
                f"schaal {text} is lager dan 16: geen sleutelfunctionaris.",
                f"scale {text} is below 16: not a sleutelfunctionaris.",
            )
        )
    return int(text)


def _organisation(line: int, code: str, known: set[str] | None, problems: list[RosterProblem]) -> str:
    if not code:
        return ""
    if not ORGANISATION.match(code):
        problems.append(
            _problem(
                line,
                "organisation",
                "bad_organisation",
                f"{code!r} is geen organisatiecode (zoals BZK).",
                f"{code!r} is not an organisation code (such as BZK).",
            )
        )
    elif known is not None and code.casefold() not in known:
        problems.append(
            _problem(
                line,
                "organisation",
                "unknown_organisation",
                f"organisatie {code!r} is onbekend.",
                f"organisation {code!r} is unknown.",
            )
        )
    return code.upper()


def _phone(line: int, value: Any, problems: list[RosterProblem]) -> str | None:
    text = _text(value)
    if not text:
        return None
    number = phone_key(text)
    if number is None:
        problems.append(
            _problem(
                line, "phone", "bad_phone", f"{text!r} is geen telefoonnummer.", f"{text!r} is not a phone number."
            )
        )
    return number


_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _date(line: int, column: str, value: Any, problems: list[RosterProblem]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if column in REQUIRED:
            problems.append(_problem(line, column, "required", "mag niet leeg zijn.", "must not be empty."))
        return None
    try:
        dutch = _DUTCH_DATE.match(text)
        if dutch:
            return dt.date(int(dutch.group(3)), int(dutch.group(2)), int(dutch.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(
            _problem(
                line,
                column,
                "bad_date",
                f"{text!r} is geen datum (JJJJ-MM-DD of DD-MM-JJJJ).",
                f"{text!r} is not a date (YYYY-MM-DD or DD-MM-YYYY).",
            )
        )
        return None


def _phase(line: int, value: Any, phases: Mapping[str, Phase] | None, problems: list[RosterProblem]) -> str | None:
    text = _text(value).casefold()
    if not text:
        return None
    if phases is not None and text not in phases:
        known = ", ".join(sorted(phases)) or "-"
        problems.append(
            _problem(
                line,
                "phase",
                "unknown_phase",
                f"fase {text!r} bestaat niet (bekend: {known}).",
                f"phase {text!r} does not exist (known: {known}).",
            )
        )
    return text
