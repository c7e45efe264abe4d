"""SMS Backup & Restore XML: the peer fixtures read in place, synthetic threads, bombs and streaming."""

from __future__ import annotations

import base64
import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.sms import backup_restore as sms
from chatarchief.core.model import Channel, Export, Kind, ParseOptions
from chatarchief.core.phone import normalise_phone
from tests.generators.sms import OWN_NUMBER, write_sms_backup
from tests.paths import PEER, SHARED_CORPUS

FIXTURES = PEER / "sms-backup-restore-parser" / "tests" / "fixtures"
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def parse(path: Path | str, **options: object) -> Export:
    return sms.parse(str(path), ParseOptions(source_name=os.path.basename(path), **options))  # type: ignore[arg-type]


def write(tmp_path: Path, body: str, name: str = "sms.xml") -> Path:
    path = tmp_path / name
    path.write_text("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n" + body, encoding="utf-8")
    return path


# --- detection -------------------------------------------------------------------------------------


@SHARED_CORPUS
@pytest.mark.parametrize("name", ["minimal_sms.xml", "minimal_mms.xml", "mixed.xml", "edge_cases.xml", "malformed.xml"])
def test_detects_smses_fixtures(name: str) -> None:
    assert sms.detect(str(FIXTURES / name))


@SHARED_CORPUS
def test_detects_calls_file_so_parse_can_explain(tmp_path: Path) -> None:
    assert sms.detect(str(FIXTURES / "minimal_calls.xml"))


def test_rejects_foreign_files(tmp_path: Path) -> None:
    other_xml = write(tmp_path, "<html><body>hoi</body></html>", "page.xml")
    text = tmp_path / "chat.txt"
    text.write_text("02-05-2022 16:08 - Alice: <smses> in een bericht\n", encoding="utf-8")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    for path in (other_xml, text, binary, tmp_path):
        assert not sms.detect(str(path))
    assert not sms.detect(str(tmp_path / "missing.xml"))


# --- the peer fixtures -----------------------------------------------------------------------------


@SHARED_CORPUS
def test_minimal_sms() -> None:
    export = parse(FIXTURES / "minimal_sms.xml")
    assert export.format == "sms_backup_restore" and export.channel is Channel.SMS
    assert export.message_count == 1 and export.defects == []
    (conversation,) = export.conversations
    assert conversation.key == "sms:+15551234567"
    assert conversation.title == "Alice Smith"
    assert conversation.is_group is False
    (message,) = conversation.messages
    assert message.body == "Happy New Year! This is a test message."
    assert message.sent_at_ms == 1609459200000 and message.precision_ms == 1
    assert message.sender == "+15551234567" and message.sender_name == "Alice Smith"
    assert message.outgoing is False and message.kind is Kind.TEXT
    assert message.details == {"date_sent_ms": 1609459190000}
    assert message.native_id and message.native_id.startswith("1609459200000:+15551234567:1:")
    keys = {p.key: p for p in conversation.participants}
    assert keys["self"].is_self and keys["+15551234567"].name == "Alice Smith"


@SHARED_CORPUS
def test_mixed_threads_drafts_and_self() -> None:
    export = parse(FIXTURES / "mixed.xml")
    assert export.message_count == 4
    assert [c.key for c in export.conversations] == ["sms:+15551234567", "sms:+15559990001"]
    alice, bob = export.conversations
    assert [m.body for m in alice.messages] == [
        "Hey, how are you?",
        "This is a text-only MMS from Alice.",
        "I'm good, thanks!",
    ]
    assert [m.index for m in alice.messages] == [0, 1, 2]
    assert [m.sender for m in alice.messages] == ["+15551234567", "+15551234567", "self"]
    assert [m.outgoing for m in alice.messages] == [False, False, True]
    assert alice.messages[1].native_id == "message002@example.com"
    # The fixture's From address contradicts its one-to-one thread: kept as evidence, not as a participant.
    assert alice.messages[1].details == {"from_address": "+15559876543"}
    assert {p.key for p in alice.participants} == {"self", "+15551234567"}
    (draft,) = bob.messages
    assert draft.details == {"sms_type": 3} and draft.outgoing is True and draft.sender == "self"
    assert bob.title == "Bob Jones"
    assert export.self_participant is not None and export.self_participant.key == "self"
    assert export.metadata["count"] == 4


@SHARED_CORPUS
def test_minimal_mms_with_image_part() -> None:
    export = parse(FIXTURES / "minimal_mms.xml")
    (conversation,) = export.conversations
    (message,) = conversation.messages
    assert message.kind is Kind.MEDIA
    assert message.body == "Hello from MMS!"  # the SMIL part is skipped
    assert message.details is not None and message.details["subject"] == "Test MMS Subject"
    assert message.sent_at_ms == 1609545600000
    (attachment,) = message.attachments
    content = base64.b64decode(PNG_B64)
    assert attachment.filename == "image.jpg" and attachment.mime_type == "image/jpeg"
    assert attachment.media_type == "image" and not attachment.omitted
    assert attachment.size == len(content) == 70
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.open is not None
    with attachment.open() as stream:
        assert stream.read() == content


@SHARED_CORPUS
def test_edge_cases() -> None:
    export = parse(FIXTURES / "edge_cases.xml")
    assert export.message_count == 4 and len(export.conversations) == 4
    bodies = {c.key: c.messages[0] for c in export.conversations}
    assert bodies["sms:+15551112222"].body == "Minimal fields, no optionals."
    assert bodies["sms:+15551112222"].sender_name is None
    assert bodies["sms:+15551112222"].details is None
    assert (
        bodies["sms:+15553334444"].body == "Hello \U0001f30d \u2014 this has \xabspecial\xbb chars & symbols < > \" '"
    )
    assert bodies["sms:+15555556666"].body == ""
    empty_mms = bodies["sms:+15557778888"]
    assert empty_mms.kind is Kind.TEXT and empty_mms.body == "" and empty_mms.attachments == []
    assert empty_mms.sender == "+15557778888"
    assert [c.title for c in export.conversations] == ["+15551112222", "Charlie Unicode", "Dana Empty", "Eve NoParts"]


@SHARED_CORPUS
def test_malformed_names_the_line() -> None:
    with pytest.raises(FormatError) as caught:
        parse(FIXTURES / "malformed.xml")
    assert caught.value.code == "xml.malformed"
    assert caught.value.line == 4
    assert caught.value.file == "malformed.xml"
    assert "regel 4" in caught.value.message("nl")


@SHARED_CORPUS
def test_calls_only_is_refused_clearly() -> None:
    with pytest.raises(FormatError) as caught:
        parse(FIXTURES / "minimal_calls.xml")
    assert caught.value.code == "sms.calls_only"
    assert "oproeplijst" in caught.value.message("nl")


def test_other_xml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        parse(write(tmp_path, "<foo><sms date='1' body='x'/></foo>"))
    assert caught.value.code == "sms.not_smses"


def test_xml_bomb_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
        '<smses count="1"><sms address="+31612345678" date="1609459200000" type="1" body="&c;"/></smses>'
    )
    with pytest.raises(FormatError) as caught:
        parse(write(tmp_path, bomb))
    assert caught.value.code == "xml.forbidden"


# --- synthetic: groups, own number, normalisation ---------------------------------------------------

GROUP = """<smses count="6" backup_set="abc" backup_date="1700000999000" type="full">
 <sms protocol="0" address="06 8765 4321" date="1700000000000" type="1" body="Hoi" contact_name="Piet" />
 <mms date="1700000100000" msg_box="2" address="0687654321~+31611111111" m_id="null" sub="null"
      contact_name="Piet, Klaas">
  <parts>
   <part seq="-1" ct="application/smil" cl="smil.xml" text="&lt;smil/&gt;" />
   <part seq="0" ct="text/plain" cl="txt000.txt" text="Vergadering om 10:00" />
   <part seq="1" ct="text/x-vCard" cl="Klaas.vcf" text="BEGIN:VCARD&#10;FN:Klaas&#10;END:VCARD" />
  </parts>
  <addrs>
   <addr address="+31 6 12345678" type="137" charset="106" />
   <addr address="0687654321" type="151" charset="106" />
   <addr address="+31611111111" type="151" charset="106" />
  </addrs>
 </mms>
 <mms date="1700000200000" msg_box="1" address="+31611111111~+31687654321" m_id="mid-2" contact_name="Klaas, Piet">
  <parts><part seq="0" ct="text/plain" text="Prima" /><part seq="1" ct="image/png" cl="null" name="foto.png"
   data="{png}" /></parts>
  <addrs>
   <addr address="+31611111111" type="137" charset="106" />
   <addr address="+31612345678" type="151" charset="106" />
   <addr address="0687654321" type="151" charset="106" />
  </addrs>
 </mms>
 <sms address="1200" date="1700000300000" type="1" body="Uw code is 1234" contact_name="(Unknown)" />
 <sms address="KPN" date="1700000400000" type="5" body="null" contact_name="null" />
 <sms address="+31687654321" date="not a date" type="1" body="kapot" />
</smses>
""".replace("{png}", PNG_B64)


def test_group_mms_own_number_and_normalisation(tmp_path: Path) -> None:
    export = parse(write(tmp_path, GROUP))
    me = export.self_participant
    assert me is not None and me.key == "+31612345678" and me.is_self and me.phone == "+31612345678"
    keys = [c.key for c in export.conversations]
    assert keys == ["sms:+31687654321", "sms:+31611111111,+31687654321", "sms:1200", "sms:KPN"]
    piet, group, code, kpn = export.conversations
    assert piet.messages[0].sender == "+31687654321" and piet.title == "Piet"
    assert group.is_group is True and group.title == "Piet, Klaas"
    sent, received = group.messages
    assert sent.sender == "+31612345678" and sent.outgoing is True
    assert sent.body == "Vergadering om 10:00" and sent.kind is Kind.CONTACT
    assert sent.attachments[0].media_type == "contact" and sent.attachments[0].filename == "Klaas.vcf"
    assert received.sender == "+31611111111" and received.sender_name == "Klaas"
    assert received.kind is Kind.MEDIA and received.attachments[0].filename == "foto.png"
    assert received.native_id == "mid-2"
    names = {p.key: p.name for p in group.participants}
    assert names == {"+31612345678": "+31612345678", "+31687654321": "Piet", "+31611111111": "Klaas"}
    assert code.title == "1200" and code.messages[0].sender == "1200"
    assert kpn.messages[0].body == "" and kpn.messages[0].details == {"sms_type": 5}
    assert kpn.messages[0].sender == "+31612345678"
    assert [d.code for d in export.defects] == ["sms.bad_date"]
    assert export.created_at_ms == 1700000999000 and export.metadata["backup_set"] == "abc"
    assert [m.index for c in export.conversations for m in c.messages] == [0, 1, 2, 3, 4]


def test_strict_mode_raises_on_a_bad_record(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        parse(write(tmp_path, GROUP), strict=True)
    assert caught.value.code == "sms.bad_date"


def test_attachments_spill_to_workdir(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    export = parse(write(tmp_path, GROUP), workdir=str(workdir))
    attachment = export.conversations[1].messages[1].attachments[0]
    assert attachment.sha256 is not None
    spilled = workdir / "sms-media" / attachment.sha256
    assert spilled.is_file()
    assert attachment.open is not None
    with attachment.open() as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == attachment.sha256


def test_count_mismatch_is_a_defect(tmp_path: Path) -> None:
    export = parse(write(tmp_path, '<smses count="3"><sms address="+31612345678" date="1" type="2" body="a"/></smses>'))
    assert export.message_count == 1
    assert [d.code for d in export.defects] == ["sms.count_mismatch"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0612345678", "+31612345678"),
        ("06-12 34 56 78", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+1 (555) 123-4567", "+15551234567"),
        ("1200", "1200"),
        ("KPN", "KPN"),
        ("iemand@example.org", "iemand@example.org"),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


# --- streaming --------------------------------------------------------------------------------------


def test_large_backup_streams_in_modest_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.xml"
    stats = write_sms_backup(path, messages=10_000, seed=7, mms_every=10, media_bytes=60_000)
    assert stats.bytes_written > 80_000_000
    workdir = tmp_path / "work"
    workdir.mkdir()
    seen: list[tuple[int, int]] = []
    tracemalloc.start()
    try:
        export = sms.parse(str(path), ParseOptions(workdir=str(workdir), progress=lambda d, t: seen.append((d, t))))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert export.message_count == stats.messages
    assert {c.key for c in export.conversations} == stats.threads
    assert sum(len(m.attachments) for c in export.conversations for m in c.messages) == stats.attachments
    assert export.self_participant is not None and export.self_participant.key == OWN_NUMBER
    assert peak < stats.bytes_written / 4, f"peak {peak} for a file of {stats.bytes_written}"
    assert seen and seen[-1][1] == stats.bytes_written


@pytest.mark.slow
def test_two_hundred_thousand_messages(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    stats = write_sms_backup(path, messages=200_000, seed=3, mms_every=100, media_bytes=1024)
    export = sms.parse(str(path), ParseOptions(workdir=str(tmp_path)))
    assert export.message_count == 200_000
    assert len(export.conversations) == len(stats.threads)
    assert export.defects == []


def test_mms_without_address_attribute_uses_addrs_minus_own_number(tmp_path: Path) -> None:
    body = """<smses count="2">
 <mms date="1700000000000" msg_box="2" address="+31611111111" m_id="a">
  <parts><part ct="text/plain" text="Verstuurd" /></parts>
  <addrs><addr address="insert-address-token" type="137" /><addr address="+31612345678" type="137" />
   <addr address="+31611111111" type="151" /></addrs>
 </mms>
 <mms date="1700000100000" msg_box="1" m_id="b">
  <parts><part ct="text/plain" text="Ontvangen" /><part ct="image/jpeg" cl="weg.jpg" /></parts>
  <addrs><addr address="+31611111111" type="137" /><addr address="0612345678" type="151" /></addrs>
 </mms>
</smses>"""
    export = parse(write(tmp_path, body))
    (conversation,) = export.conversations
    assert conversation.key == "sms:+31611111111" and conversation.is_group is False
    sent, received = conversation.messages
    assert sent.sender == "+31612345678" and received.sender == "+31611111111"
    assert received.kind is Kind.MEDIA and received.attachments[0].omitted  # a part without data
    assert {p.key for p in conversation.participants} == {"+31612345678", "+31611111111"}


def test_unknown_encoding_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    path.write_bytes(b"<?xml version='1.0' encoding='klingon'?>\n<smses count='0'></smses>")
    assert sms.detect(str(path))
    with pytest.raises(FormatError) as caught:
        parse(path)
    assert caught.value.code == "xml.bad_encoding"
