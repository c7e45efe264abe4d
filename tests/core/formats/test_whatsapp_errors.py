"""WhatsApp parser: bad input, strict/tolerant mode, DST fall-back, generated scenarios, fuzzing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import whatsapp
from chatarchief.core.model import Deleter, Kind, ParseOptions, SystemEvent
from tests.generators import whatsapp_chats as chats
from tests.generators.whatsapp import Spec, render_export, write_android_export, write_export
from tests.paths import HAVE_SHARED, PEER, SHARED_CORPUS

CAROL = PEER / "DSA-WhatsApp-merger/Demo Data/Chats/Carol Christmas/Export Carol/WhatsApp-chat met Test export.txt"
DAVE = PEER / "DSA-WhatsApp-merger/Demo Data/Chats/Dave Davidson/Dave 1 media/_chat.txt"


def parse(path, **options):
    return whatsapp.parse(str(path), ParseOptions(**options))


def code_of(path, **options):
    with pytest.raises(FormatError) as info:
        parse(path, **options)
    return info.value


def test_empty_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"\n\n  \n")
    assert code_of(tmp_path / "a.txt").code == "whatsapp.empty"
    assert code_of(tmp_path / "b.txt").code == "whatsapp.empty"


def test_not_a_whatsapp_export(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Dear diary,\ntoday nothing happened.\n")
    assert not whatsapp.detect(str(path))
    error = code_of(path)
    assert error.code == "whatsapp.no_messages" and error.file == "notes.txt"
    assert "WhatsApp" in error.message("nl") and "WhatsApp" in error.message("en")


def test_wrong_encoding_names_the_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("02-05-2022 16:08 - Alice: Hoi\n02-05-2022 16:09 - Bob: café\n".encode("latin-1"))
    error = code_of(path)
    assert (error.code, error.line) == ("whatsapp.encoding", 2)


@SHARED_CORPUS
def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(CAROL.read_text(encoding="utf-8").encode("utf-16"))
    assert parse(path).message_count == 78


def test_line_over_one_megabyte(tmp_path):
    path = tmp_path / "long.txt"
    with open(path, "wb") as handle:
        handle.write(b"02-05-2022 16:08 - Alice: Hoi\n02-05-2022 16:09 - Bob: ")
        handle.write(b"x" * (3 * 1024 * 1024))
        handle.write(b"\n02-05-2022 16:10 - Bob: Hoi\n")
    error = code_of(path)
    assert (error.code, error.line) == ("whatsapp.line_too_long", 2)


@SHARED_CORPUS
def test_damaged_zip_and_zip_without_chat(tmp_path):
    good = PEER / "rwhatsapp/inst/extdata/sample.zip"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(good.read_bytes()[:-40])
    assert code_of(broken).code == "zip.damaged"
    empty = tmp_path / "photos.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("IMG-1.jpg", b"jpeg")
    assert code_of(empty).code == "whatsapp.zip_without_chat"
    traversal = tmp_path / "evil.zip"
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("../../_chat.txt", b"[02-05-2022 16:08:13] A: b\n")
    assert code_of(traversal).code == "zip.path_traversal"


def test_orphan_lines_tolerant_and_strict(tmp_path):
    path = tmp_path / "WhatsApp Chat with X.txt"
    path.write_text("garbage before\n\n02-05-2022 16:08 - Alice: Hoi\n")
    export = parse(path)
    assert [(d.code, d.line, d.raw) for d in export.defects] == [("whatsapp.orphan_line", 1, "garbage before")]
    assert export.conversations[0].messages[0].line == 3
    error = code_of(path, strict=True)
    assert (error.code, error.line) == ("whatsapp.orphan_line", 1)


def test_impossible_date_is_a_defect(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("31-12-2022 16:08 - Alice: Hoi\n31-13-2022 16:09 - Alice: kapot\n01-01-2023 10:00 - Bob: ok\n")
    export = parse(path)
    assert [m.body for m in export.conversations[0].messages] == ["Hoi", "ok"]
    assert [(d.code, d.line) for d in export.defects] == [("whatsapp.bad_timestamp", 2)]


def test_crlf_and_edit_marker(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"02-05-2022 16:08 - Alice: Hoi <Dit bericht is bewerkt>\r\n02-05-2022 16:09 - Bob: a\r\nb\r\n")
    msgs = parse(path).conversations[0].messages
    assert (msgs[0].body, msgs[0].edited, msgs[0].kind) == ("Hoi", True, Kind.TEXT)
    assert msgs[1].body == "a\nb" and whatsapp.raw_lines(str(path), msgs[1]) == "02-05-2022 16:09 - Bob: a\nb"


def test_dst_fall_back_resolved_by_line_order(tmp_path):
    # 30 Oct 2022 in Amsterdam: 02:00-03:00 happens twice (CEST, then CET).
    specs = [
        Spec("Alice", dt.datetime(2022, 10, 30, 2, 10), "eerste keer"),
        Spec("Bob", dt.datetime(2022, 10, 30, 2, 50), "nog zomertijd"),
        Spec("Alice", dt.datetime(2022, 10, 30, 2, 5), "klok terug"),
        Spec("Bob", dt.datetime(2022, 10, 30, 2, 40), "wintertijd"),
        Spec("Bob", dt.datetime(2022, 10, 30, 3, 30), "daarna"),
    ]
    path = write_export(tmp_path / "dst.txt", specs)
    msgs = parse(path).conversations[0].messages[1:]
    utc = [m.sent_at.strftime("%H:%M") for m in msgs]
    assert utc == ["00:10", "00:50", "01:05", "01:40", "02:30"]


def test_scenario_renderer_round_trip(tmp_path):
    base = dt.datetime(2024, 3, 1, 9, 30)
    specs = [
        Spec("Alice", base, "Goedemorgen"),
        Spec("+31 6 12345678", base.replace(minute=31, second=12), "Meerdere\nregels"),
        Spec("Bob", base.replace(minute=32), kind="media", media="IMG-20240301-WA0001.jpg", body="bijschrift"),
        Spec("Bob", base.replace(minute=33), kind="deleted"),
        Spec("Alice", base.replace(minute=34), kind="deleted_self"),
        Spec("Alice", base.replace(minute=35), "versie 2", kind="edited"),
        Spec("Bob", base.replace(minute=36), kind="view_once"),
        Spec("Bob", base.replace(minute=37), kind="location", location=(52.08, 4.31)),
        Spec(None, base.replace(minute=38), "Alice heeft Carol toegevoegd", kind="system"),
    ]
    for platform in ("android", "ios"):
        for locale in ("nl", "en"):
            text = render_export(specs, platform=platform, locale=locale)
            assert text.count("\n") == 12
            path = write_export(
                tmp_path / f"{platform}-{locale}.zip", specs, platform=platform, locale=locale, title="Team"
            )
            export = parse(path)
            msgs = export.conversations[0].messages
            assert export.platform == platform and export.conversations[0].title == "Team"
            kinds = [m.kind for m in msgs[1:]]
            assert kinds == [
                Kind.TEXT,
                Kind.TEXT,
                Kind.MEDIA,
                Kind.DELETED,
                Kind.DELETED,
                Kind.TEXT,
                Kind.VIEW_ONCE,
                Kind.LOCATION,
                Kind.SYSTEM,
            ]
            assert msgs[2].sender == "+31612345678" and msgs[2].body == "Meerdere\nregels"
            assert msgs[3].attachments[0].open is not None and msgs[3].body == "bijschrift"
            assert msgs[3].attachments[0].open().read().startswith(b"media IMG-20240301")
            assert (msgs[4].deleted_by, msgs[5].deleted_by) == (Deleter.OTHER, Deleter.SELF)
            assert export.self_participant is not None and export.self_participant.key == "Alice"
            assert msgs[6].edited and msgs[6].body == "versie 2"
            assert msgs[9].event is SystemEvent.MEMBER_ADDED and msgs[9].sender is None
            expected_precision = 60_000 if platform == "android" else 1000
            assert msgs[2].precision_ms == expected_precision
            assert msgs[2].sent_at == dt.datetime(
                2024, 3, 1, 9, 31, 12 if platform == "ios" else 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
            )
        omitted = parse(write_export(tmp_path / f"{platform}.txt", specs, platform=platform, with_media=False))
        media = omitted.conversations[0].messages[3]
        assert media.kind is Kind.MEDIA and media.attachments[0].omitted


def test_generated_export_spans_chunks(tmp_path):
    path = write_android_export(tmp_path / "big.txt", 60_000, seed=3)
    export = parse(path)
    msgs = export.conversations[0].messages
    assert len(msgs) == 60_000 and export.defects == []
    assert [m.index for m in msgs] == list(range(60_000))
    assert all(a.sent_at_ms <= b.sent_at_ms for a, b in zip(msgs, msgs[1:], strict=False))
    total_lines = path.read_text(encoding="utf-8").count("\n")
    last = msgs[-1]
    assert last.line + whatsapp.raw_lines(str(path), last).count("\n") == total_lines
    assert sum(1 for m in msgs if m.kind is Kind.DELETED) > 500
    assert sum(1 for m in msgs if m.edited) > 300
    assert sum(1 for m in msgs if m.event is SystemEvent.MEMBER_ADDED) > 300
    assert path.read_bytes() == write_android_export(tmp_path / "again.txt", 60_000, seed=3).read_bytes()


@SHARED_CORPUS
def test_progress_and_time_zone(tmp_path):
    calls = []
    export = whatsapp.parse(
        str(CAROL), ParseOptions(progress=lambda done, total: calls.append((done, total)), time_zone="UTC")
    )
    assert calls and calls[-1][0] == calls[-1][1]
    assert export.conversations[0].messages[3].sent_at.hour == 16
    assert code_of(CAROL, time_zone="Mars/Olympus").code == "whatsapp.time_zone"


def _seeds() -> list[bytes]:
    """Generated Android and iOS groups and a zip of one; the peer exports too when ../shared is there.
    The zip is always the third seed."""
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("_chat.txt", chats.ios_media_en())
    seeds = [chats.android_group_nl().encode(), chats.ios_group_nl().encode(), zipped.getvalue()]
    if HAVE_SHARED:
        seeds += [CAROL.read_bytes(), DAVE.read_bytes()]
    return seeds


SEEDS = _seeds()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    seed=st.sampled_from(range(len(SEEDS))),
    cut=st.integers(min_value=0, max_value=20_000),
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=20_000), st.integers(min_value=0, max_value=255)), max_size=8
    ),
)
def test_fuzz_only_format_errors(tmp_path, seed, cut, flips):
    data = bytearray(SEEDS[seed][: cut or None])
    for position, value in flips:
        if data:
            data[position % len(data)] = value
    path = tmp_path / ("fuzz.zip" if seed == 2 else "fuzz.txt")
    path.write_bytes(bytes(data))
    whatsapp.detect(str(path))
    try:
        export = parse(path)
    except FormatError:
        return
    assert export.message_count > 0


def _fields(export):
    messages = [
        (m.index, m.line, m.sender, m.sender_name, m.sent_at_ms, m.kind, m.body, m.raw_time, m.precision_ms, m.edited)
        + (m.event, m.deleted_by, m.details, [(a.filename, a.omitted, a.media_type) for a in m.attachments])
        for m in export.conversations[0].messages
    ]
    return messages, [(d.code, d.line, d.raw) for d in export.defects]


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_chunk_boundaries_change_nothing(tmp_path, monkeypatch, chunk, crlf):
    """Small read chunks cut messages, continuation lines and CR LF pairs anywhere: same result."""
    big = write_android_export(tmp_path / "big.txt", 300, seed=11).read_bytes()
    text = big.replace(b"\n04-", b"\n31-13-2021 10:00 - Bob: kapot\nvervolg\n04-", 1)
    path = tmp_path / "x.txt"
    path.write_bytes(text.replace(b"\n", b"\r\n") if crlf else text)
    expected = _fields(parse(path))
    assert len(expected[0]) == 300 and [d[0] for d in expected[1]] == ["whatsapp.bad_timestamp"]
    monkeypatch.setattr("chatarchief.core.formats.whatsapp.read.CHUNK", chunk)
    assert _fields(parse(path)) == expected
    last = parse(path).conversations[0].messages[-1]
    assert whatsapp.raw_lines(str(path), last).endswith(last.body.split("\n")[-1])


def test_blank_lines_at_the_end_of_the_file_belong_to_no_message(tmp_path):
    from chatarchief.core.formats import whatsapp
    from chatarchief.core.model import Kind, ParseOptions

    path = tmp_path / "WhatsApp-chat met Eind.txt"
    path.write_text("02-01-2026 09:01 - Anna: Hoi\n02-01-2026 09:02 - Bram: null\n\n\n", encoding="utf-8")
    messages = whatsapp.parse(str(path), ParseOptions()).conversations[0].messages
    assert [m.kind for m in messages] == [Kind.TEXT, Kind.VIEW_ONCE]
