"""Roster import: CSV and XLSX, every bad row named by line and column, phases and scope."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from chatarchief.core.compliance.cadence import NOT_SCHEDULED, Timeline, judge
from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.roster import Phase, in_scope, in_scope_on, phase_start, read_roster

PHASES = {
    "pilot": Phase("pilot", "Pilot BZK, FIN, JenV", dt.date(2025, 1, 1)),
    "fase-1": Phase("fase-1", "Alle bewindspersonen", dt.date(2025, 6, 1)),
    "fase-2": Phase("fase-2", "Sleutelfunctionarissen", None),
}
HEADER = "name;slug;function;category;salary scale;organisation;phone;term start;term end;rollout phase or pilot"
GOOD = [
    "Anne de Vries;anne-de-vries;Minister;bewindspersoon;;BZK;06 12345678;2024-07-02;;pilot",
    "Bram Jansen;bram-jansen;Secretaris-generaal;Sleutelfunctionaris;18;fin;+31 6 87654321;01-09-2023;31-12-2026;fase-1",
]


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding)


def test_good_csv_rows_are_read_and_normalised():
    result = read_roster(csv_bytes(*GOOD), "roster.csv", phases=PHASES, organisations={"BZK", "FIN"})
    assert result.ok and result.problems == []
    anne, bram = result.rows
    assert (anne.line, anne.slug, anne.category, anne.salary_scale, anne.phone) == (
        2, "anne-de-vries", "bewindspersoon", None, "+31612345678",
    )  # fmt: skip
    assert (bram.category, bram.salary_scale, bram.organisation, bram.term_start, bram.term_end, bram.phase) == (
        "sleutelfunctionaris", 18, "FIN", dt.date(2023, 9, 1), dt.date(2026, 12, 31), "fase-1",
    )  # fmt: skip


BAD_ROWS = [
    (";x;;bewindspersoon;;BZK;;2024-01-01;;", "name", "roster.required"),
    ("Carla;Carla Smit;;bewindspersoon;;BZK;;2024-01-01;;", "slug", "roster.bad_slug"),
    ("Carla;carla;;minister;;BZK;;2024-01-01;;", "category", "roster.bad_category"),
    ("Carla;carla;;sleutelfunctionaris;;BZK;;2024-01-01;;", "salary_scale", "roster.scale_required"),
    ("Carla;carla;;sleutelfunctionaris;14;BZK;;2024-01-01;;", "salary_scale", "roster.scale_too_low"),
    ("Carla;carla;;sleutelfunctionaris;zestien;BZK;;2024-01-01;;", "salary_scale", "roster.bad_scale"),
    ("Carla;carla;;bewindspersoon;;XYZ;;2024-01-01;;", "organisation", "roster.unknown_organisation"),
    ("Carla;carla;;bewindspersoon;;B Z K;;2024-01-01;;", "organisation", "roster.bad_organisation"),
    ("Carla;carla;;bewindspersoon;;BZK;bel me;2024-01-01;;", "phone", "roster.bad_phone"),
    ("Carla;carla;;bewindspersoon;;BZK;;31 februari;;", "term_start", "roster.bad_date"),
    ("Carla;carla;;bewindspersoon;;BZK;;;;", "term_start", "roster.required"),
    ("Carla;carla;;bewindspersoon;;BZK;;2024-01-01;2023-01-01;", "term_end", "roster.end_before_start"),
    ("Carla;carla;;bewindspersoon;;BZK;;2024-01-01;;fase-9", "phase", "roster.unknown_phase"),
]


@pytest.mark.parametrize(("row", "column", "code"), BAD_ROWS)
def test_each_bad_row_is_named_by_line_and_column(row, column, code):
    result = read_roster(csv_bytes(GOOD[0], row), "roster.csv", phases=PHASES, organisations={"BZK", "FIN"})
    assert not result.ok and [r.slug for r in result.rows] == ["anne-de-vries"]
    (problem,) = result.problems
    assert (problem.line, problem.column, problem.code) == (3, column, code)
    assert problem.message("nl").startswith("regel 3, kolom '")
    assert problem.message("en").startswith(f"line 3, column '{column}': ")
    assert problem.as_dict("en")["line"] == 3


def test_a_duplicate_slug_names_the_first_line():
    result = read_roster(csv_bytes(GOOD[0], GOOD[0]), "roster.csv")
    (problem,) = result.problems
    assert problem.code == "roster.duplicate" and "regel 2" in problem.message("nl")


def test_one_row_can_have_several_problems():
    result = read_roster(csv_bytes("Carla;CARLA;;koning;;;;gisteren;;"), "roster.csv")
    assert {p.column for p in result.problems} == {"slug", "category", "organisation", "term_start"}
    assert result.rows == []


def test_comma_separated_cp1252_with_dutch_headers():
    text = "Naam,Kenmerk,Categorie,Schaal,Organisatie,Begin termijn,Fase\r\nJosé Müller,jose,sleutelfunctionaris,16,JenV,2025-02-01,\r\n"
    result = read_roster(text.encode("cp1252"), "rooster.csv")
    (row,) = result.rows
    assert (row.name, row.organisation, row.phase, row.function) == ("José Müller", "JENV", None, "")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"name;slug\r\nAnne;anne\r\n", "roster.missing_columns"),
        (HEADER.encode() + b"\r\n", "roster.empty"),
        (b"PK\x03\x04 not really a zip", "roster.bad_xlsx"),
        (b"\x00\x01\x02binary", "roster.not_a_table"),
        (b"x" * (10 * 1024 * 1024 + 1), "roster.too_big"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_error_naming_it(data, code):
    with pytest.raises(ComplianceError) as caught:
        read_roster(data, "roster.csv")
    assert caught.value.code == code
    assert caught.value.message("nl").startswith("roster.csv")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_real_dates_and_numbers():
    data = xlsx_bytes(
        [
            HEADER.split(";"),
            [
                "Anne de Vries",
                "anne",
                "Minister",
                "bewindspersoon",
                None,
                "BZK",
                None,
                dt.datetime(2024, 7, 2),
                None,
                "pilot",
            ],
            [
                "Bram",
                "bram",
                "DG",
                "sleutelfunctionaris",
                16.0,
                "FIN",
                "0612345678",
                "2024-01-01",
                dt.date(2026, 1, 1),
                None,
            ],
            ["Carla", "carla", "DG", "sleutelfunctionaris", 12, "FIN", None, "2024-01-01", None, None],
            [None, None, None, None, None, None, None, None, None, None],
        ]
    )
    result = read_roster(data, "roster.xlsx", phases=PHASES)
    assert [(r.slug, r.term_start, r.salary_scale) for r in result.rows] == [
        ("anne", dt.date(2024, 7, 2), None),
        ("bram", dt.date(2024, 1, 1), 16),
    ]
    assert [(p.line, p.code) for p in result.problems] == [(4, "roster.scale_too_low")]


# ---------------------------------------------------------------- scope


def test_who_is_in_scope_on_a_date():
    rows = read_roster(
        csv_bytes(*GOOD, "Carla;carla;;sleutelfunctionaris;17;BZK;;2024-01-01;;fase-2"), "r.csv", phases=PHASES
    ).rows
    assert [r.slug for r in in_scope_on(rows, PHASES, dt.date(2025, 3, 1))] == ["anne-de-vries"]
    assert [r.slug for r in in_scope_on(rows, PHASES, dt.date(2025, 6, 1))] == ["anne-de-vries", "bram-jansen"]
    assert [r.slug for r in in_scope_on(rows, PHASES, dt.date(2027, 1, 1))] == ["anne-de-vries"]  # Bram's term ended
    assert not in_scope(dt.date(2025, 1, 1), None, None, PHASES, dt.date(2024, 12, 31))
    assert in_scope(dt.date(2025, 1, 1), None, None, PHASES, dt.date(2025, 1, 1))


def test_phase_start_feeds_the_cadence_clock():
    assert phase_start(None, PHASES) is None
    assert phase_start("Fase-1", PHASES) == dt.date(2025, 6, 1)
    assert phase_start("fase-2", PHASES) is NOT_SCHEDULED
    timeline = Timeline([], term_start=dt.date(2024, 1, 1), phase_start=phase_start("fase-2", PHASES))
    assert not judge(timeline, dt.datetime(2030, 1, 1, tzinfo=dt.UTC)).in_scope
