"""SMS Backup & Restore against backups written by tests/generators/sms.py.

What test_sms_backup_restore.py checks on the peer fixtures, on files this project writes itself, so
a clone without ../shared tests it too; plus each malformed record in lenient and strict mode.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import detect
from chatarchief.core.formats.sms import backup_restore as sms
from chatarchief.core.model import Channel, Export, Kind, ParseOptions
from tests.generators.sms import mms, write_calls, write_smses
from tests.generators.sms import sms as sms_record

ALICE, BOB, CAROL = "+15551234567", "+15559990001", "+15559876543"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def parse(path: Path, **options: object) -> Export:
    return sms.parse(str(path), ParseOptions(source_name=os.path.basename(path), **options))  # type: ignore[arg-type]


def test_one_received_sms(tmp_path):
    path = write_smses(
        tmp_path / "sms.xml",
        [sms_record(ALICE, 1609459200000, "Gelukkig nieuwjaar!", date_sent=1609459190000, contact_name="Alice Smit")],
    )
    assert sms.detect(str(path)) and detect(str(path)).name == "sms_backup_restore"
    export = parse(path)
    assert export.format == "sms_backup_restore" and export.channel is Channel.SMS
    assert export.message_count == 1 and export.defects == []
    (conversation,) = export.conversations
    assert (conversation.key, conversation.title, conversation.is_group) == (f"sms:{ALICE}", "Alice Smit", False)
    (message,) = conversation.messages
    assert (message.body, message.sent_at_ms, message.precision_ms) == ("Gelukkig nieuwjaar!", 1609459200000, 1)
    assert (message.sender, message.sender_name, message.outgoing, message.kind) == (
        ALICE,
        "Alice Smit",
        False,
        Kind.TEXT,
    )
    assert message.details == {"date_sent_ms": 1609459190000}
    assert message.native_id and message.native_id.startswith(f"1609459200000:{ALICE}:1:")
    keys = {p.key: p for p in conversation.participants}
    assert keys["self"].is_self and keys[ALICE].name == "Alice Smit"


def test_threads_a_text_only_mms_a_draft_and_the_owner(tmp_path):
    text_part = {"seq": "0", "ct": "text/plain", "text": "Een MMS met alleen tekst."}
    path = write_smses(
        tmp_path / "mixed.xml",
        [
            sms_record(ALICE, 1700000000000, "Hoe gaat het?", contact_name="Alice Smit"),
            mms(ALICE, 1700000060000, parts=[text_part], addrs=[(CAROL, 137), (ALICE, 151)], m_id="m2@example.com"),
            sms_record(ALICE, 1700000120000, "Goed, dank je!", kind=2),
            sms_record(BOB, 1700000180000, "Concept", kind=3, contact_name="Bob Jansen"),
        ],
    )
    export = parse(path)
    assert [c.key for c in export.conversations] == [f"sms:{ALICE}", f"sms:{BOB}"]
    alice, bob = export.conversations
    assert [m.body for m in alice.messages] == ["Hoe gaat het?", "Een MMS met alleen tekst.", "Goed, dank je!"]
    assert [m.sender for m in alice.messages] == [ALICE, ALICE, "self"]
    assert [m.outgoing for m in alice.messages] == [False, False, True]
    assert alice.messages[1].native_id == "m2@example.com"
    assert alice.messages[1].details == {"from_address": CAROL}  # evidence, not a participant
    assert {p.key for p in alice.participants} == {"self", ALICE}
    (draft,) = bob.messages
    assert (draft.details, draft.outgoing, draft.sender, bob.title) == ({"sms_type": 3}, True, "self", "Bob Jansen")
    assert export.self_participant is not None and export.self_participant.key == "self"
    assert export.metadata["count"] == 4


def test_mms_with_an_image_part_and_a_skipped_smil(tmp_path):
    parts = [
        {"seq": "-1", "ct": "application/smil", "text": "<smil></smil>"},
        {"seq": "0", "ct": "text/plain", "text": "Hallo uit een MMS!"},
        {"seq": "1", "ct": "image/jpeg", "cl": "image.jpg", "data": base64.b64encode(PNG).decode()},
    ]
    path = write_smses(tmp_path / "mms.xml", [mms(ALICE, 1609545600000, parts=parts, sub="Onderwerp")])
    (message,) = parse(path).conversations[0].messages
    assert (message.kind, message.body, message.sent_at_ms) == (Kind.MEDIA, "Hallo uit een MMS!", 1609545600000)
    assert message.details == {"subject": "Onderwerp"}
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.mime_type, attachment.media_type, attachment.omitted) == (
        "image.jpg",
        "image/jpeg",
        "image",
        False,
    )
    assert attachment.size == len(PNG) and attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    with attachment.open() as stream:
        assert stream.read() == PNG


def test_edge_cases_minimal_fields_special_characters_empty_body_and_no_parts(tmp_path):
    special = "Hallo \U0001f30d \u2014 met \xabbijzondere\xbb tekens & symbolen < > \" '"
    path = write_smses(
        tmp_path / "edge.xml",
        [
            '  <sms address="+15551112222" date="1700000000000" type="1" body="Alleen het minimum." />\n',
            sms_record("+15553334444", 1700000001000, special, contact_name="Charlie Unicode"),
            sms_record("+15555556666", 1700000002000, "", contact_name="Dana Leeg"),
            mms("+15557778888", 1700000003000, contact_name="Eve GeenDelen"),
        ],
    )
    export = parse(path)
    assert export.message_count == 4 and len(export.conversations) == 4
    first = {c.key: c.messages[0] for c in export.conversations}
    minimal = first["sms:+15551112222"]
    assert (minimal.body, minimal.sender_name, minimal.details) == ("Alleen het minimum.", None, None)
    assert first["sms:+15553334444"].body == special and first["sms:+15555556666"].body == ""
    empty = first["sms:+15557778888"]
    assert (empty.kind, empty.body, empty.attachments, empty.sender) == (Kind.TEXT, "", [], "+15557778888")
    assert [c.title for c in export.conversations] == ["+15551112222", "Charlie Unicode", "Dana Leeg", "Eve GeenDelen"]


def test_malformed_xml_names_the_line(tmp_path):
    path = tmp_path / "malformed.xml"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8' ?>\n<smses count=\"2\">\n"
        '  <sms address="+15551112222" date="1700000000000" type="1" body="goed" />\n'
        '  <sms address="+15551112222" date="1700000001000" type="1" body="kapot"></mms>\n'
        "</smses>\n",
        encoding="utf-8",
    )
    assert sms.detect(str(path))
    with pytest.raises(FormatError) as caught:
        parse(path)
    assert (caught.value.code, caught.value.line, caught.value.file) == ("xml.malformed", 4, "malformed.xml")
    assert "regel 4" in caught.value.message("nl")


def test_a_calls_only_backup_is_detected_and_refused_clearly(tmp_path):
    path = write_calls(tmp_path / "calls.xml")
    assert sms.detect(str(path))
    with pytest.raises(FormatError) as caught:
        parse(path)
    assert caught.value.code == "sms.calls_only" and "oproeplijst" in caught.value.message("nl")


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    ("records", "count", "code"),
    [
        (
            [sms_record(ALICE, 1700000000000, "goed"), sms_record(ALICE, 99999999999999999, "datum kapot")],
            None,
            "sms.bad_date",
        ),
        (
            [
                mms(
                    ALICE,
                    1700000000000,
                    parts=[{"seq": "0", "ct": "image/jpeg", "cl": "x.jpg", "data": "!!niet base64"}],
                )
            ],
            None,
            "sms.bad_attachment",
        ),
        ([sms_record(ALICE, 1700000000000, "goed")], 3, "sms.count_mismatch"),
    ],
    ids=["bad_date", "bad_attachment", "count_mismatch"],
)
def test_malformed_records_lenient_and_strict(tmp_path, records, count, code, strict):
    path = write_smses(tmp_path / "sms.xml", records, count=count)
    if strict:
        with pytest.raises(FormatError) as caught:
            parse(path, strict=True)
        assert caught.value.code == code and caught.value.file == "sms.xml"
        return
    export = parse(path)
    assert [d.code for d in export.defects] == [code] and export.message_count >= 1
