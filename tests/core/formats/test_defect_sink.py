"""DefectSink: kept up to a limit and counted beyond it; in strict mode the first defect is the error."""

from __future__ import annotations

import pytest

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.defects import TRUNCATED, DefectSink


def test_lenient_keeps_defects_up_to_the_limit_and_counts_the_rest():
    sink = DefectSink("chat.txt", strict=False, limit=3)
    for line in range(1, 6):
        sink.add("x.bad", line, "raw " * 1000, f"bad line {line}")
    defects = sink.finish()
    assert [(d.code, d.line) for d in defects[:3]] == [("x.bad", 1), ("x.bad", 2), ("x.bad", 3)]
    assert len(defects[0].raw) == 2000  # the evidence is cut, not dropped
    assert (defects[3].code, defects[3].message) == (TRUNCATED, "2 more defects were found and not kept")
    assert len(defects) == 4 and sink.count == 5
    assert sink.finish() is defects and len(defects) == 4  # finishing twice adds nothing


def test_lenient_under_the_limit_adds_no_count_line():
    sink = DefectSink("chat.txt", strict=False)
    sink.add("x.bad", 7, "raw", "bad")
    assert [(d.code, d.line, d.raw, d.message) for d in sink.finish()] == [("x.bad", 7, "raw", "bad")]


def test_strict_raises_the_first_defect_in_both_languages_with_file_and_line():
    sink = DefectSink("chat.txt", strict=True)
    with pytest.raises(FormatError) as caught:
        sink.add("x.bad", 12, "raw", "bad line", nl="slechte regel", en="bad line here")
    error = caught.value
    assert (error.code, error.file, error.line) == ("x.bad", "chat.txt", 12)
    assert error.message("nl") == "chat.txt, regel 12: slechte regel"
    assert error.message("en") == "chat.txt, line 12: bad line here"
    assert sink.defects == []


def test_strict_without_file_lines_names_only_the_file():
    sink = DefectSink("backup", strict=True, lines=False)
    with pytest.raises(FormatError) as caught:
        sink.add("x.frame", 40, "", "frame 40 is bad")
    assert caught.value.line is None and caught.value.message("en") == "backup: frame 40 is bad"
