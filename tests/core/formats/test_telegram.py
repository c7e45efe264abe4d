"""Telegram Desktop JSON: the chat-miner fixtures read in place, and a rich synthetic export in tmp_path."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import telegram
from chatarchief.core.model import Channel, Export, Kind, ParseOptions, SystemEvent
from tests.generators.sms import sms, write_smses
from tests.generators.telegram import (
    PDF_BYTES,
    PHOTO_BYTES,
    T0,
    minimal_export,
    msg,
    rich_chat,
    write_folder,
    write_json,
)
from tests.paths import PEER, SHARED_CORPUS

FIXTURES = PEER / "chat-miner" / "test" / "telegram"


def parse(path: Path, **options: Any) -> Export:
    return telegram.parse(str(path), ParseOptions(**options))


# --- chat-miner fixtures ----------------------------------------------------------------------------


@SHARED_CORPUS
def test_single_export_fixture() -> None:
    path = FIXTURES / "test_single_export.json"
    assert telegram.detect(str(path))
    export = parse(path, source_name="test_single_export.json")
    assert export.format == "telegram" and export.channel is Channel.TELEGRAM
    assert export.metadata["export"] == "single"
    (conversation,) = export.conversations
    assert conversation.title == "test_single_export"
    assert [m.body for m in conversation.messages] == ["Minimal Message", "Link:https://telegram.org/"]
    assert [m.sent_at_ms for m in conversation.messages] == [1544006350000, 1544006964000]
    assert [m.sender for m in conversation.messages] == ["telegram:name:Author 1", "telegram:name:Author 2"]
    assert all(m.precision_ms == 1000 and m.kind is Kind.TEXT for m in conversation.messages)
    assert {p.name for p in conversation.participants} == {"Author 1", "Author 2"}


@SHARED_CORPUS
def test_batch_export_fixture() -> None:
    path = FIXTURES / "test_batch_export.json"
    assert telegram.detect(str(path))
    export = parse(path)
    assert export.metadata["export"] == "full"
    (conversation,) = export.conversations
    assert conversation.key == "telegram:name:Chatname" and conversation.title == "Chatname"
    assert export.message_count == 2
    assert conversation.messages[1].body == "Link:https://telegram.org/"
    assert conversation.messages[1].raw_time == "1544006964"


# --- rich synthetic export --------------------------------------------------------------------------


@pytest.fixture
def rich_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "ChatExport_2024-06-01", rich_chat())


def by_id(export: Export) -> dict[str, Any]:
    return {str(m.native_id): m for c in export.conversations for m in c.messages}


def test_rich_folder_export(rich_folder: Path) -> None:
    assert telegram.detect(str(rich_folder))
    assert telegram.detect(str(rich_folder.parent))  # the folder holding the ChatExport folder
    export = parse(rich_folder, source_name="ChatExport_2024-06-01")
    (conversation,) = export.conversations
    assert conversation.key == "telegram:777" and conversation.title == "Crisisoverleg"
    assert conversation.is_group is True and conversation.native_id == "777"
    assert export.metadata == {"export": "single", "container": "folder"}
    assert [d.code for d in export.defects] == ["telegram.bad_message"]  # id 19 has no date
    assert export.message_count == 20
    assert [m.index for m in conversation.messages] == list(range(20))
    found = by_id(export)
    assert found["2"].body == "Goedemorgen" and found["2"].sent_at_ms == (T0 + 10) * 1000
    assert found["2"].sender == "telegram:user1" and found["2"].sender_name == "Alice"
    assert found["3"].body == "Let op: zie de nota (https://example.org/nota) en https://rijksoverheid.nl@alice"
    assert found["3"].sender == "telegram:user2"
    assert found["4"].edited is True and found["4"].details == {
        "edited_at": "2024-06-01T12:05:00",
        "edited_at_ms": (T0 + 300) * 1000,
    }
    assert list(found["4"].revisions) == []
    assert found["18"].sent_at_ms == (T0 + 170) * 1000  # 12:02:50 in Amsterdam (CEST)
    assert found["18"].raw_time == "2024-06-01T12:02:50"
    assert found["21"].details == {"forwarded_from": "Dave", "reply_to_message_id": 2}
    assert {p.key: p.name for p in conversation.participants} == {"telegram:user1": "Alice", "telegram:user2": "Bob"}
    assert all(m.outgoing is None for m in conversation.messages)  # a group export does not say who the owner is


def test_rich_service_messages(rich_folder: Path) -> None:
    found = by_id(parse(rich_folder))
    created = found["1"]
    assert created.kind is Kind.SYSTEM and created.event is SystemEvent.GROUP_CREATED
    assert created.details == {"action": "create_group", "members": ["Alice", "Bob"], "title": "Crisisoverleg"}
    assert created.body == "create_group: Crisisoverleg" and created.sender == "telegram:user1"
    assert found["5"].event is SystemEvent.DISAPPEARING_ENABLED
    assert found["5"].details == {"action": "set_messages_ttl", "timer_seconds": 86400}
    assert found["6"].event is SystemEvent.DISAPPEARING_DISABLED and found["6"].kind is Kind.SYSTEM
    call = found["14"]
    assert call.kind is Kind.CALL and call.event is SystemEvent.MISSED_CALL
    assert call.details == {"action": "phone_call", "discard_reason": "missed"}
    assert found["15"].event is SystemEvent.PINNED and found["15"].details == {"action": "pin_message", "message_id": 2}
    assert found["16"].event is SystemEvent.MEMBER_ADDED and found["16"].details["members"] == ["Carol"]
    assert found["17"].event is SystemEvent.MEMBER_LEFT
    assert found["20"].kind is Kind.SYSTEM and found["20"].details == {"unsupported": True}
    assert '"unsupported"' in found["20"].raw


def test_rich_media_and_special_kinds(rich_folder: Path) -> None:
    found = by_id(parse(rich_folder))
    photo = found["7"]
    assert photo.kind is Kind.MEDIA and photo.body == "foto van de zaal"
    (attachment,) = photo.attachments
    assert attachment.filename == "photo_1@01-06-2024_12-00-00.jpg" and attachment.media_type == "image"
    assert attachment.size == len(PHOTO_BYTES) and not attachment.omitted and attachment.open is not None
    with attachment.open() as stream:
        assert stream.read() == PHOTO_BYTES
    voice = found["8"].attachments[0]
    assert found["8"].kind is Kind.MEDIA
    assert voice.omitted and voice.open is None and voice.media_type == "audio" and voice.mime_type == "audio/ogg"
    document = found["9"].attachments[0]
    assert document.filename == "Nota minister.pdf" and document.mime_type == "application/pdf"
    assert document.media_type == "document" and document.size == len(PDF_BYTES)
    view_once = found["10"]
    assert view_once.kind is Kind.VIEW_ONCE and view_once.details == {"self_destruct_seconds": 10}
    assert view_once.attachments[0].omitted
    location = found["11"]
    assert location.kind is Kind.LOCATION and location.body == "Binnenhof 52.08,4.31"
    assert location.details == {"latitude": 52.08, "longitude": 4.31, "place_name": "Binnenhof"}
    contact = found["12"]
    assert contact.kind is Kind.CONTACT and contact.body == "Piet Jansen (+31612345678)"
    poll = found["13"]
    assert poll.kind is Kind.POLL and poll.body == "Lunch?"
    assert poll.details is not None and poll.details["poll"]["answers"][0] == {
        "text": "Ja",
        "voters": 2,
        "chosen": True,
    }


def test_bare_result_json_marks_media_as_not_handed_in(rich_folder: Path) -> None:
    export = parse(rich_folder / "result.json")
    assert export.metadata["container"] == "file" and export.metadata["media_not_handed_in"] == 2
    photo = by_id(export)["7"].attachments[0]
    assert photo.omitted and photo.open is None and photo.filename == "photo_1@01-06-2024_12-00-00.jpg"


def test_media_paths_cannot_leave_the_export_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_bytes(b"geheim")
    chat = {
        "name": "x",
        "type": "personal_chat",
        "id": 5,
        "messages": [msg(1, 0, photo="../secret.txt"), msg(2, 1, file="/etc/hostname")],
    }
    root = write_folder(tmp_path / "export", chat)
    found = by_id(parse(root))
    for ident in ("1", "2"):
        attachment = found[ident].attachments[0]
        assert attachment.omitted and attachment.open is None


def test_zip_of_the_export_folder(rich_folder: Path, tmp_path: Path) -> None:
    archive = tmp_path / "Telegram export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(rich_folder.rglob("*")):
            if path.is_file():
                out.write(path, "ChatExport_2024-06-01/" + path.relative_to(rich_folder).as_posix())
    assert telegram.detect(str(archive))
    export = parse(archive, source_name="Telegram export.zip")
    assert export.metadata["container"] == "zip" and export.message_count == 20
    found = by_id(export)
    for ident, expected in (("7", PHOTO_BYTES), ("9", PDF_BYTES)):
        attachment = found[ident].attachments[0]
        assert attachment.open is not None and attachment.size == len(expected)
        with attachment.open() as stream:
            assert stream.read() == expected


def test_full_export_with_self(tmp_path: Path) -> None:
    personal = {
        "name": "Bob",
        "type": "personal_chat",
        "id": 2,
        "messages": [
            msg(1, 0, from_id="user2", **{"from": "Bob"}, text="Hoi"),
            msg(2, 5, from_id="user42", **{"from": "Ik"}, text="Hallo"),
        ],
    }
    left = {"name": "Oude groep", "type": "private_group", "id": 9, "messages": [msg(1, 9, text="doei")]}
    data = {
        "about": "Here is the data you requested.",
        "personal_information": {
            "user_id": 42,
            "first_name": "Ine",
            "last_name": "Ambtenaar",
            "phone_number": "+31 6 1234 5678",
        },
        "contacts": {"about": "", "list": []},
        "chats": {"about": "", "list": [personal, rich_chat()]},
        "left_chats": {"about": "", "list": [left]},
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    assert telegram.detect(str(path))
    export = parse(path)
    me = export.self_participant
    assert me is not None and me.key == "telegram:user42" and me.name == "Ine Ambtenaar" and me.phone == "+31612345678"
    assert [c.key for c in export.conversations] == ["telegram:2", "telegram:777", "telegram:9"]
    assert [c.is_group for c in export.conversations] == [False, True, True]
    chat = export.conversations[0]
    assert [m.outgoing for m in chat.messages] == [False, True]
    assert {p.key: p.is_self for p in chat.participants} == {"telegram:user42": True, "telegram:user2": False}
    assert all(m.outgoing is False for m in export.conversations[1].messages if m.sender)
    indexes = [m.index for c in export.conversations for m in c.messages]
    assert indexes == list(range(len(indexes)))


def test_single_personal_chat_guesses_self(tmp_path: Path) -> None:
    data = {
        "name": "Bob",
        "type": "personal_chat",
        "id": 2,
        "messages": [
            msg(1, 0, from_id="user2", **{"from": "Bob"}, text="Hoi"),
            msg(2, 5, from_id="user42", **{"from": "Ik"}, text="Hallo"),
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    export = parse(path)
    (chat,) = export.conversations
    assert [m.outgoing for m in chat.messages] == [False, True]
    assert {p.key for p in chat.participants if p.is_self} == {"telegram:user42"}
    assert chat.is_group is False


# --- errors and detection ---------------------------------------------------------------------------


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(
        '{\n "name": "x",\n "type": "personal_chat",\n "messages": [\n  {"id": 1,,}\n ]\n}', encoding="utf-8"
    )
    assert telegram.detect(str(path))
    with pytest.raises(FormatError) as caught:
        parse(path, source_name="result.json")
    assert caught.value.code == "telegram.malformed" and caught.value.line == 5
    assert "result.json, regel 5" in caught.value.message("nl")


def test_strict_mode_raises_on_a_bad_message(rich_folder: Path) -> None:
    with pytest.raises(FormatError) as caught:
        parse(rich_folder, strict=True)
    assert caught.value.code == "telegram.bad_message"


def test_foreign_inputs(tmp_path: Path) -> None:
    other = tmp_path / "data.json"
    other.write_text('{"foo": [1, 2, 3]}', encoding="utf-8")
    text = tmp_path / "chat.txt"
    text.write_text('02-05-2022 16:08 - Alice: "messages": [ "date_unixtime": "1"\n', encoding="utf-8")
    whatsapp_zip = tmp_path / "WhatsApp Chat - Alice.zip"
    with zipfile.ZipFile(whatsapp_zip, "w") as out:
        out.writestr("_chat.txt", "[02-05-2022 16:12:20] Dave: hoi\n")
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    for path in (other, text, whatsapp_zip, empty_dir, tmp_path / "missing.json"):
        assert not telegram.detect(str(path)), path
    with pytest.raises(FormatError) as caught:
        parse(other)
    assert caught.value.code == "telegram.not_export"
    with pytest.raises(FormatError) as caught:
        parse(whatsapp_zip)
    assert caught.value.code == "telegram.no_result_json"


@SHARED_CORPUS
def test_registry_detects_both_formats(rich_folder: Path) -> None:
    from chatarchief.core import formats

    assert formats.get("telegram").accepts_directory
    assert formats.detect(str(rich_folder)).name == "telegram"
    assert formats.detect(str(FIXTURES / "test_single_export.json")).name == "telegram"
    sms_fixture = PEER / "sms-backup-restore-parser" / "tests" / "fixtures" / "mixed.xml"
    assert formats.detect(str(sms_fixture)).name == "sms_backup_restore"


# --- the same shapes, generated (tests/generators/telegram.py) ----------------------------------------


def test_minimal_single_export(tmp_path: Path) -> None:
    path = write_json(tmp_path / "test_single_export.json", minimal_export())
    assert telegram.detect(str(path))
    export = parse(path, source_name="test_single_export.json")
    assert export.format == "telegram" and export.channel is Channel.TELEGRAM
    assert export.metadata["export"] == "single"
    (conversation,) = export.conversations
    assert conversation.title == "test_single_export"
    assert [m.body for m in conversation.messages] == ["Minimal Message", "Link:https://telegram.org/"]
    assert [m.sent_at_ms for m in conversation.messages] == [1544006350000, 1544006964000]
    assert [m.sender for m in conversation.messages] == ["telegram:name:Author 1", "telegram:name:Author 2"]
    assert all(m.precision_ms == 1000 and m.kind is Kind.TEXT for m in conversation.messages)
    assert {p.name for p in conversation.participants} == {"Author 1", "Author 2"}


def test_minimal_full_export(tmp_path: Path) -> None:
    path = write_json(tmp_path / "result.json", minimal_export(full=True))
    assert telegram.detect(str(path))
    export = parse(path)
    assert export.metadata["export"] == "full" and export.message_count == 2
    (conversation,) = export.conversations
    assert (conversation.key, conversation.title) == ("telegram:name:Chatname", "Chatname")
    assert conversation.messages[1].body == "Link:https://telegram.org/"
    assert conversation.messages[1].raw_time == "1544006964"


def test_registry_tells_telegram_from_sms(rich_folder: Path, tmp_path: Path) -> None:
    from chatarchief.core import formats

    assert formats.get("telegram").accepts_directory
    assert formats.detect(str(rich_folder)).name == "telegram"
    single = write_json(tmp_path / "single.json", minimal_export())
    assert formats.detect(str(single)).name == "telegram"
    backup = write_smses(tmp_path / "sms.xml", [sms("+15551234567", 1700000000000, "hoi")])
    assert formats.detect(str(backup)).name == "sms_backup_restore"


@pytest.mark.parametrize("strict", [False, True])
def test_a_message_without_a_date_lenient_and_strict(rich_folder: Path, strict: bool) -> None:
    if strict:
        with pytest.raises(FormatError) as caught:
            parse(rich_folder, strict=True)
        assert caught.value.code == "telegram.bad_message" and "Crisisoverleg" in caught.value.message("nl")
        return
    export = parse(rich_folder)
    assert [d.code for d in export.defects] == ["telegram.bad_message"]
    assert '"id": 19' in export.defects[0].raw
