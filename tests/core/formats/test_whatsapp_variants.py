"""WhatsApp exports from the real world (issue 14 item 3), from tests/generators/whatsapp_dialects.py.

Every header dialect the peer corpus shows; an empty body (Android and iOS, with and without the space
after the colon); a byte-order mark before one line and before every line; the pre-2017 form in four
locales; impossible times, which become counted defects. And the property behind all of them: every
header line of any input comes out as a message (system lines included) or as a defect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core import formats
from chatarchief.core.errors import FormatError
from chatarchief.core.formats import whatsapp
from chatarchief.core.model import Kind, ParseOptions, SystemEvent
from tests.generators.whatsapp_dialects import (
    BOM,
    DIALECTS,
    LEGACY,
    Line,
    chat_lines,
    render_chat,
    write_chat,
)

START = dt.datetime(2021, 3, 14, 21, 0)
LEGACY_START = dt.datetime(2016, 3, 14, 21, 0)
NAME = "WhatsApp Chat with Overleg.txt"


def start_of(name: str) -> dt.datetime:
    return LEGACY_START if name.startswith("legacy_") else START


def parse(path: Path, **options):
    return whatsapp.parse(str(path), ParseOptions(time_zone="UTC", **options))


def utc(at: dt.datetime) -> int:
    return int(at.replace(tzinfo=dt.UTC).timestamp() * 1000)


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", list(DIALECTS))
def test_every_dialect(tmp_path, name, crlf):
    dialect = DIALECTS[name]
    lines = chat_lines(start_of(name))
    path = write_chat(tmp_path / NAME, render_chat(dialect, lines), crlf=crlf)
    assert whatsapp.detect(str(path)) and formats.detect(str(path)).name == "whatsapp"
    export = parse(path)
    messages = export.conversations[0].messages
    expected = [line for line in lines if not line.impossible]
    assert export.platform == dialect.platform and export.conversations[0].title == "Overleg"
    assert len(messages) == len(expected) == 8
    assert [m.sent_at_ms for m in messages] == [utc(line.at) for line in expected]
    assert {m.precision_ms for m in messages} == {dialect.precision_ms}
    assert [m.index for m in messages] == list(range(8))
    assert [m.line for m in messages] == [1, 2, 3, 6, 7, 8, 9, 11]
    assert [(d.code, d.line) for d in export.defects] == [("whatsapp.bad_timestamp", 10)]
    assert (messages[0].kind, messages[0].event, messages[0].sender) == (Kind.SYSTEM, SystemEvent.GROUP_CREATED, None)
    assert messages[2].body == "Dank je.\nIk lees hem vanmiddag.\n"
    assert [(m.sender, m.kind, m.body) for m in messages[3:5]] == [("Carol", Kind.TEXT, "")] * 2
    assert (messages[5].sender, messages[5].body) == ("Anne", "Nog een vraag: wanneer?")  # after a BOM
    assert (messages[6].sender, messages[6].sender_name) == ("+31612345678", "+31 6 12345678")
    assert messages[6].body == "[5/2, 16:08] Anne: een geciteerde regel"  # a quote without a year is text


@pytest.mark.parametrize("name", ["android_nl", "android_en_us", "ios_nl", "ios_en_us_12h"])
def test_an_empty_body_is_a_message_of_its_sender(tmp_path, name):
    at = start_of(name)
    lines = [
        Line(at, "Anne", "Hoi"),
        Line(at + dt.timedelta(minutes=1), "Carol", ""),
        Line(at + dt.timedelta(minutes=2), "Carol", "", trailing_space=False),
        Line(at + dt.timedelta(minutes=3), "+31 6 12345678", "", trailing_space=False, continuation=["nog iets"]),
        Line(at + dt.timedelta(minutes=4), "Carol", "", trailing_space=False),  # the last line of the file
    ]
    text = render_chat(DIALECTS[name], lines)
    assert text.endswith("Carol:\n")
    export = parse(write_chat(tmp_path / NAME, text))
    messages = export.conversations[0].messages
    assert [(m.kind, m.sender, m.body) for m in messages] == [
        (Kind.TEXT, "Anne", "Hoi"),
        (Kind.TEXT, "Carol", ""),
        (Kind.TEXT, "Carol", ""),
        (Kind.TEXT, "+31612345678", "\nnog iets"),
        (Kind.TEXT, "Carol", ""),
    ]
    assert {p.key for p in export.conversations[0].participants} == {"Anne", "Carol", "+31612345678"}
    assert export.defects == []


@pytest.mark.parametrize("every", [False, True], ids=["one_line", "every_line"])
@pytest.mark.parametrize("name", ["android_nl", "ios_nl", "android_12h", "legacy_en_gb"])
def test_a_byte_order_mark_before_lines(tmp_path, name, every):
    at = start_of(name)
    lines = [Line(at + dt.timedelta(minutes=i), "Anne" if i % 2 else "Bram", f"bericht {i}") for i in range(6)]
    lines[3].bom = True
    text = render_chat(DIALECTS[name], lines, bom_every_line=every)
    assert text.count(BOM) == (6 if every else 1)
    path = write_chat(tmp_path / NAME, text)
    assert whatsapp.detect(str(path))
    messages = parse(path).conversations[0].messages
    assert [(m.sender, m.body, m.line) for m in messages] == [
        ("Bram" if i % 2 == 0 else "Anne", f"bericht {i}", i + 1) for i in range(6)
    ]
    assert [m.sent_at_ms for m in messages] == [utc(line.at) for line in lines]


@pytest.mark.parametrize("dialect", LEGACY, ids=[d.name for d in LEGACY])
def test_the_pre_2017_form_in_several_locales(tmp_path, dialect):
    lines = [
        Line(LEGACY_START + dt.timedelta(minutes=i, seconds=7 * i), "Bram" if i % 2 else "Anne", f"oud {i}")
        for i in range(5)
    ]
    lines[2].continuation = ["tweede regel: met een dubbele punt"]
    path = write_chat(tmp_path / NAME, render_chat(dialect, lines))
    assert whatsapp.detect(str(path))
    export = parse(path)
    messages = export.conversations[0].messages
    assert export.platform == "ios" and export.defects == []
    assert [(m.sender, m.body) for m in messages] == [
        ("Anne", "oud 0"),
        ("Bram", "oud 1"),
        ("Anne", "oud 2\ntweede regel: met een dubbele punt"),
        ("Bram", "oud 3"),
        ("Anne", "oud 4"),
    ]
    assert [m.sent_at_ms for m in messages] == [utc(line.at) for line in lines]
    assert all(m.precision_ms == 1000 for m in messages)


@pytest.mark.parametrize("name", ["android_en_us", "android_12h", "ios_en_us_12h", "legacy_en_us", "ios_ar"])
def test_impossible_times_are_counted_defects_never_lost(tmp_path, name):
    at = start_of(name)
    lines = [
        Line(at, "Anne", "voor"),
        Line(at, "Bram", "", impossible=True, continuation=["met een vervolgregel"]),
        Line(at + dt.timedelta(minutes=1), "Anne", "na"),
        Line(at, "Bram", "", impossible=True),
    ]
    path = write_chat(tmp_path / NAME, render_chat(DIALECTS[name], lines))
    export = parse(path)
    assert [(m.sender, m.body, m.line) for m in export.conversations[0].messages] == [
        ("Anne", "voor", 1),
        ("Anne", "na", 4),
    ]
    impossible = DIALECTS[name].impossible
    assert [(d.code, d.line, d.raw) for d in export.defects] == [
        ("whatsapp.bad_timestamp", 2, f"{impossible}Bram: tijd bestaat niet\nmet een vervolgregel"),
        ("whatsapp.bad_timestamp", 5, f"{impossible}Bram: tijd bestaat niet"),
    ]
    with pytest.raises(FormatError) as caught:
        parse(path, strict=True)
    assert (caught.value.code, caught.value.line, caught.value.file) == ("whatsapp.bad_timestamp", 2, NAME)


# --- nothing vanishes ---------------------------------------------------------------------------------

_WORDS = ["overleg", "nota", "minister", "morgen", "10:00", "ja", "nee", "Één", "café", "😀", "dus:", "-", "(1)"]
_BODIES = [
    "Dit bericht is verwijderd",
    "<Media weggelaten>",
    "null",
    "IMG-20210314-WA0001.jpg (bestand bijgevoegd)",
    "locatie: https://maps.google.com/?q=52.1,4.3",
    "Gemiste spraakoproep",
    "<This message was edited>",
]
_SYSTEM = ["Anne heeft Bram toegevoegd", "Bram heeft de groep verlaten", "Berichten en oproepen worden versleuteld."]
_SENDERS = ["Anne", "Bram de Vries", "+31 6 12345678", "Dr. Zoë (werk)"]
_text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join)


@st.composite
def chats(draw: st.DrawFn) -> tuple[str, list[Line], bool, bool]:
    name = draw(st.sampled_from(list(DIALECTS)))
    at = start_of(name)
    lines = []
    for _ in range(draw(st.integers(1, 20))):
        at += dt.timedelta(minutes=draw(st.integers(0, 90)), seconds=draw(st.integers(0, 59)))
        kind = draw(st.sampled_from(["text", "text", "special", "empty", "system", "impossible"]))
        sender = None if kind == "system" else draw(st.sampled_from(_SENDERS))
        body = {
            "text": draw(_text),
            "special": draw(st.sampled_from(_BODIES)),
            "empty": "",
            "system": draw(st.sampled_from(_SYSTEM)),
            "impossible": "",
        }[kind]
        continuation = draw(st.lists(st.one_of(_text, st.just(""), st.just("[5/2, 16:08] Anne: citaat")), max_size=3))
        lines.append(
            Line(
                at,
                sender,
                body,
                continuation=continuation,
                bom=draw(st.booleans()),
                impossible=kind == "impossible",
                trailing_space=draw(st.booleans()),
            )
        )
    if all(line.impossible for line in lines):
        lines[0].impossible = False
    return name, lines, draw(st.booleans()), draw(st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chat=chats())
def test_every_header_line_is_a_message_or_a_defect(tmp_path, chat):
    name, lines, crlf, bom_every_line = chat
    path = write_chat(tmp_path / NAME, render_chat(DIALECTS[name], lines, bom_every_line=bom_every_line), crlf=crlf)
    export = parse(path)
    messages = export.conversations[0].messages
    defects = export.defects
    assert {d.code for d in defects} <= {"whatsapp.bad_timestamp"}
    assert len(messages) + len(defects) == len(lines)  # nothing vanishes
    first_lines, number = [], 1
    for line in lines:
        first_lines.append(number)
        number += 1 + len(line.continuation)
    expected_defects = [n for n, line in zip(first_lines, lines, strict=True) if line.impossible]
    assert [d.line for d in defects] == expected_defects
    assert [m.line for m in messages] == [n for n, line in zip(first_lines, lines, strict=True) if not line.impossible]
    step = DIALECTS[name].precision_ms
    assert [m.sent_at_ms for m in messages] == [utc(line.at) // step * step for line in lines if not line.impossible]
