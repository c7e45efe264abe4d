"""WhatsApp chats written by tests/generators/whatsapp_chats.py: what test_whatsapp.py checks on the
peer corpus, on exports this project writes itself, so a clone without ../shared tests it too."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import pytest

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import whatsapp
from chatarchief.core.model import Deleter, Kind, MessageColumns, ParseOptions, SystemEvent
from tests.generators import whatsapp_chats as chats
from tests.generators.whatsapp import Spec, write_export

AMS = dt.timezone(dt.timedelta(hours=2))  # CEST, for May 2022


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(path: Path, **options):
    return whatsapp.parse(str(path), ParseOptions(**options))


def test_android_group_dutch(tmp_path):
    path = write(tmp_path, "WhatsApp-chat met Test export.txt", chats.android_group_nl())
    export = parse(path)
    conv = export.conversations[0]
    msgs = conv.messages
    assert (conv.title, conv.key, conv.is_group, export.locale, export.platform) == (
        "Test export",
        "test export",
        True,
        "nl",
        "android",
    )
    assert (msgs[0].kind, msgs[0].event, msgs[0].sender) == (Kind.SYSTEM, SystemEvent.E2E_NOTICE, None)
    assert msgs[1].event is SystemEvent.GROUP_CREATED and msgs[1].body == "Alice heeft de groep Test export gemaakt"
    assert msgs[1].raw == "" and whatsapp.raw_lines(str(path), msgs[1]).startswith("02-05-2022 16:08 - \u200eAlice")
    hoi = msgs[3]
    assert (hoi.sender, hoi.body, hoi.raw_time, hoi.precision_ms) == (
        "Alice",
        "Hoi, ik heb de chat gemaakt",
        "",
        60_000,
    )
    assert whatsapp.raw_lines(str(path), hoi) == "02-05-2022 16:08 - Alice: Hoi, ik heb de chat gemaakt"
    assert hoi.sent_at == dt.datetime(2022, 5, 2, 16, 8, tzinfo=AMS)
    assert (msgs[6].sender, msgs[6].sender_name) == ("+31611111111", "+31 6 11111111")
    deleted = [(m.sender, m.deleted_by, m.body) for m in msgs if m.kind is Kind.DELETED]
    assert deleted == [("Alice", Deleter.OTHER, ""), ("Dave", Deleter.OTHER, ""), ("Dave", Deleter.OTHER, "")]
    quote = next(m for m in msgs if m.body.startswith("[5/2, 16:08] Alice"))
    assert quote.body.count("\n") == 4 and "[5/2, 16:09] Bob: De taal is ingesteld op: Engels" in quote.body
    joke = next(m for m in msgs if m.body.startswith("Komt een vis"))
    assert joke.body == 'Komt een vis bij de dokter,\n\nZegt de dokter: "ah ik zie het al: Uit de kom"'
    assert whatsapp.raw_lines(str(path), joke) == "02-05-2022 16:21 - Alice: " + joke.body
    photo = next(m for m in msgs if m.attachments and m.attachments[0].filename == "IMG-20220502-WA0001.jpg")
    attachment = photo.attachments[0]
    assert (photo.kind, photo.body) == (Kind.MEDIA, "Dit is een foto")
    assert (attachment.omitted, attachment.open, attachment.sha256, attachment.media_type) == (
        False,
        None,
        None,
        "image",
    )
    document = next(m for m in msgs if m.attachments and m.attachments[0].filename == "DOC-20220502-WA0006.")
    assert document.attachments[0].media_type == "document" and document.body == "Manifesto.pdf"
    events = [m.event for m in msgs if m.kind is Kind.SYSTEM]
    assert events.count(SystemEvent.MEMBER_LEFT) == 2 and SystemEvent.ADMIN_CHANGED in events
    assert SystemEvent.MEMBER_ADDED in events
    assert msgs[-1].body == "Wat jammer zeg, ik vond het zo gezellig" and msgs[-1].line == 26
    assert export.defects == [] and [m.index for m in msgs] == list(range(len(msgs)))


def test_ios_group_dutch(tmp_path):
    path = write(tmp_path, "_chat.txt", chats.ios_group_nl())
    export = parse(path)
    conv = export.conversations[0]
    msgs = conv.messages
    assert (export.platform, export.locale) == ("ios", "nl")
    assert conv.title == "Test export nieuwe naam"  # from the E2E pseudo-sender: the file is _chat.txt
    assert (msgs[0].sender, msgs[0].event) == (None, SystemEvent.E2E_NOTICE)
    assert (msgs[1].event, msgs[1].sender) == (SystemEvent.GROUP_CREATED, None)
    assert msgs[3].precision_ms == 1000 and msgs[3].sent_at == dt.datetime(2022, 5, 2, 16, 12, 20, tzinfo=AMS)
    keys = {m.sender for m in msgs if m.sender}
    assert keys == {"Dave", "+31611111111", "+31612345678", "+31622222222"}  # one key per number, however written
    assert export.self_participant is not None and export.self_participant.key == "Dave"
    assert [p.is_self for p in conv.participants if p.key == "Dave"] == [True]
    self_deleted = [m for m in msgs if m.deleted_by is Deleter.SELF]
    assert len(self_deleted) == 2 and all(m.sender == "Dave" and m.body == "" for m in self_deleted)
    assert [m.sender for m in msgs if m.deleted_by is Deleter.OTHER] == ["+31612345678"]
    airplane = next(m for m in msgs if m.body == "Ik stuur een bericht terwijl ik in vliegtuigstand ben")
    following = msgs[airplane.index + 1]
    assert following.sent_at_ms < airplane.sent_at_ms and following.index == airplane.index + 1  # file order kept
    manifesto = next(m for m in msgs if m.attachments and m.attachments[0].filename == "00000017-Manifesto.pdf")
    assert (manifesto.kind, manifesto.body) == (Kind.MEDIA, "Manifesto.pdf")
    assert (manifesto.attachments[0].media_type, manifesto.attachments[0].mime_type) == ("document", "application/pdf")
    subject = next(m for m in msgs if m.event is SystemEvent.SUBJECT_CHANGED)
    assert subject.sender is None and "Test export nieuwe naam" in subject.body
    assert any(m.event is SystemEvent.ICON_CHANGED for m in msgs)
    assert whatsapp.raw_lines(str(path), msgs[2]).startswith("\u200e[02-05-2022 16:11:34] \u202a+31\u00a06")


def test_android_media_view_once_locations_calls_contacts(tmp_path):
    msgs = parse(write(tmp_path, "WhatsApp-chat met Dmitry S.txt", chats.android_media_nl())).conversations[0].messages
    view_once = [m for m in msgs if m.kind is Kind.VIEW_ONCE]
    assert len(view_once) == 1 and view_once[0].body == "" and view_once[0].sender == "Dmitry S"
    locations = [m for m in msgs if m.kind is Kind.LOCATION]
    assert len(locations) == 3 and locations[0].details["latitude"] == pytest.approx(36.66704559326172)
    assert locations[1].body.startswith("Çalış Plajı\nFethiye, Muğla\nhttps://foursquare.com/v/")
    calls = [(m.event, m.sender, m.details) for m in msgs if m.kind is Kind.CALL]
    assert calls == [(SystemEvent.MISSED_CALL, "Dmitry S", {"call": "voice"})] * 2
    assert [m.attachments[0].filename for m in msgs if m.kind is Kind.CONTACT] == ["Alex.vcf", "TR.vcf"]
    omitted = [m for m in msgs if m.attachments and m.attachments[0].omitted]
    assert len(omitted) == 12 and all(m.kind is Kind.MEDIA and m.attachments[0].open is None for m in omitted)
    assert [m.body for m in omitted if m.body][:2] == ["Caption", "Some file"]
    voice = next(m for m in msgs if m.attachments and m.attachments[0].filename == "PTT-20220323-WA0000.opus")
    assert voice.attachments[0].media_type == "audio"
    assert sum(1 for m in msgs if m.deleted_by is Deleter.SELF) == 2
    assert sum(1 for m in msgs if m.deleted_by is Deleter.OTHER) == 5


def test_ios_english_media_security_codes_and_self_delete(tmp_path):
    export = parse(write(tmp_path, "_chat.txt", chats.ios_media_en()))
    msgs = export.conversations[0].messages
    codes = [m for m in msgs if m.event is SystemEvent.SECURITY_CODE_CHANGED]
    assert len(codes) == 2 and all(m.sender is None for m in codes)
    assert export.self_participant is not None and export.self_participant.key == "Dmitry S"
    resume = next(m for m in msgs if m.attachments and "Resume" in (m.attachments[0].filename or ""))
    assert (resume.body, resume.attachments[0].filename) == (
        "Resume-Dmitry-Starkov.pdf",
        "00000047-Resume-Dmitry-Starkov.pdf",
    )
    gif = next(m for m in msgs if m.attachments and "GIF" in (m.attachments[0].filename or ""))
    assert gif.attachments[0].media_type == "gif"
    kinds = {m.attachments[0].media_type for m in msgs if m.attachments and m.attachments[0].omitted}
    assert {"image", "video", "audio", "sticker", "contact", "document"} <= kinds


def test_timers_and_group_events(tmp_path):
    msgs = parse(write(tmp_path, "WhatsApp Chat with Group Chat XXX.txt", chats.android_timers_en()))
    msgs = msgs.conversations[0].messages
    assert [m.details["timer_seconds"] for m in msgs if m.event is SystemEvent.DISAPPEARING_ENABLED] == [
        86400,
        604800,
        7776000,
    ]
    assert [m.kind for m in msgs if m.event is SystemEvent.DISAPPEARING_DISABLED] == [Kind.SYSTEM]
    assert [m.event for m in msgs[1:3]] == [SystemEvent.GROUP_CREATED, SystemEvent.MEMBER_ADDED]
    assert (msgs[10].event, msgs[11].event) == (SystemEvent.MEMBER_ADDED, SystemEvent.MEMBER_REMOVED)
    assert msgs[8].event is SystemEvent.SUBJECT_CHANGED and msgs[8].sender is None


def test_date_orders_and_twelve_hour_clocks(tmp_path):
    times = {}
    for name, text in chats.date_orders().items():
        msgs = parse(write(tmp_path, f"{name}.txt", text)).conversations[0].messages
        times[name] = [m.sent_at_ms for m in msgs]
        local = [m.sent_at.astimezone(dt.timezone(dt.timedelta(hours=1))).replace(tzinfo=None) for m in msgs]
        assert local == [
            dt.datetime(2019, 1, 1, 11, 25),
            dt.datetime(2019, 1, 20, 11, 23),
            dt.datetime(2019, 1, 30, 20, 49),
        ]
        assert (msgs[1].body, msgs[1].sender) == ("You were added", None)
    assert len(set(map(tuple, times.values()))) == 1
    us = parse(write(tmp_path, "alice.txt", chats.us_short_ambiguous()))
    assert [m.sent_at.date() for m in us.conversations[0].messages] == [dt.date(2022, 5, 1), dt.date(2022, 5, 2)] + [
        dt.date(2022, 5, 2)
    ]
    assert us.self_participant is not None and us.self_participant.key == "Alice"
    no_self = parse(write(tmp_path, "bob.txt", chats.us_short_ambiguous().replace("You deleted this message", "ok")))
    assert no_self.self_participant is None


def test_zip_title_member_name_and_the_same_messages_as_the_text(tmp_path):
    text = chats.ios_media_en()
    archive = tmp_path / "WhatsApp Chat - Elon Musk (RU).zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("_chat.txt", text)
    export = parse(archive)
    assert export.conversations[0].title == "Elon Musk (RU)" and export.metadata["chat_file"] == "_chat.txt"
    renamed = parse(archive, source_name="WhatsApp Chat with Tes.zip")
    assert renamed.conversations[0].title == "Tes" and renamed.source_name == "WhatsApp Chat with Tes.zip"
    bare = parse(write(tmp_path, "_chat.txt", text)).conversations[0].messages
    assert [m.body for m in renamed.conversations[0].messages] == [m.body for m in bare]


def test_zip_media_become_readable_attachments(tmp_path):
    at = dt.datetime(2022, 5, 2, 16, 8)
    specs = [
        Spec("Alice", at, kind="media", media="IMG-20220502-WA0003.jpg"),
        Spec("Alice", at, "Manifesto.pdf", kind="media", media="Manifesto.pdf"),
    ]
    archive = write_export(tmp_path / "WhatsApp Chat with Test export.zip", specs, platform="android", locale="en")
    msgs = parse(archive).conversations[0].messages
    with zipfile.ZipFile(archive) as zipped:
        for name in ("IMG-20220502-WA0003.jpg", "Manifesto.pdf"):
            attachment = next(m for m in msgs if m.attachments and m.attachments[0].filename == name).attachments[0]
            with attachment.open() as stream:
                data = stream.read()
            assert data == zipped.read(name) and attachment.size == len(data) and hashlib.sha256(data).hexdigest()


def test_utf16_damaged_zip_progress_and_time_zone(tmp_path):
    text = chats.android_group_nl()
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16"))
    assert parse(utf16).message_count == 18
    archive = write_export(tmp_path / "good.zip", [Spec("Alice", dt.datetime(2022, 5, 2, 16, 8), "hoi")])
    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(FormatError) as caught:
        parse(broken)
    assert caught.value.code == "zip.damaged"
    path = write(tmp_path, "WhatsApp-chat met Test export.txt", text)
    calls = []
    export = parse(path, progress=lambda done, total: calls.append((done, total)), time_zone="UTC")
    assert calls and calls[-1][0] == calls[-1][1]
    assert export.conversations[0].messages[3].sent_at.hour == 16
    with pytest.raises(FormatError) as caught:
        parse(path, time_zone="Mars/Olympus")
    assert caught.value.code == "whatsapp.time_zone"


def test_columns_read_like_a_list_of_messages(tmp_path):
    path = write(tmp_path, "WhatsApp-chat met Test export.txt", chats.android_group_nl())
    messages = parse(path).conversations[0].messages
    assert isinstance(messages, MessageColumns) and messages.objects  # some kept as objects, most not
    as_list = list(messages)
    assert messages == as_list and as_list == list(parse(path).conversations[0].messages)
    assert [m.index for m in messages] == list(range(len(messages)))
    assert messages[-1] == as_list[-1] and messages[1:3] == as_list[1:3]
    plain = next(i for i in range(len(messages)) if i not in messages.objects)
    assert messages[plain] is not messages[plain]  # a fresh object each time: change it via materialise
    kept = messages.materialise(plain)
    assert kept is messages[plain] and kept == as_list[plain]
    assert messages != as_list[:-1]
    with pytest.raises(IndexError):
        messages[-len(messages) - 1]
    with pytest.raises(IndexError):
        messages[len(messages)]
