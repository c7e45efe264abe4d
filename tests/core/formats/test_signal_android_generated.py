"""Signal-Android `.backup` files written by tests/generators/signal_android.py: scale, schemas, damage."""

from __future__ import annotations

import io
import random
import tracemalloc

import pytest

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats.signal import android as signal_android
from chatarchief.core.model import Kind, ParseOptions
from tests.generators.signal_android import (
    BASE_INCOMING,
    MODERN_SCHEMA,
    PASSPHRASE,
    BackupWriter,
    chunks_sha256,
    generate_backup,
)

NAME = "signal-2024-03-01-09-30-00.backup"


def _write(tmp_path, name=NAME, **kwargs):
    path = tmp_path / name
    with open(path, "wb") as stream:
        generated = generate_backup(stream, **kwargs)
    return path, generated


def _parse(path, tmp_path, secret=PASSPHRASE, **extra):
    workdir = tmp_path / "work"
    return signal_android.parse(
        str(path), ParseOptions(secret=secret, workdir=str(workdir), source_name=path.name, **extra)
    )


@pytest.mark.parametrize("version", [0, 1])
def test_many_messages(tmp_path, version):
    path, generated = _write(tmp_path, messages=5000, threads=7, version=version, seed=3)
    export = _parse(path, tmp_path)
    assert export.message_count == 5000
    assert len(export.conversations) == 7
    assert export.defects == []
    assert export.self_participant is not None and export.self_participant.key == generated.self_e164
    for conversation in export.conversations:
        times = [m.sent_at_ms for m in conversation.messages]
        assert times == sorted(times)
        assert conversation.key.startswith("signal:thread:+316")
        outgoing = [m for m in conversation.messages if m.outgoing]
        assert outgoing and all(m.sender == generated.self_e164 for m in outgoing)
    # The backup time comes from the file name (Europe/Amsterdam local time, CET in March).
    assert export.created_at_ms == 1709281800000
    native_ids = [m.native_id for c in export.conversations for m in c.messages]
    assert len(set(native_ids)) == 5000


def test_large_attachment_streams(tmp_path):
    size = 20 * 1024 * 1024
    path, generated = _write(tmp_path, messages=10, attachments=1, attachment_size=size, seed=5)
    tracemalloc.start()
    try:
        export = _parse(path, tmp_path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # chunk-wise: never the 20 MB blob in memory
    [message] = [m for c in export.conversations for m in c.messages if m.attachments]
    [attachment] = message.attachments
    [(seed, expected_size)] = generated.attachments.values()
    assert message.kind == Kind.MEDIA and attachment.size == size == expected_size
    assert attachment.sha256 == chunks_sha256(seed, size)
    assert attachment.filename == "foto-1.jpg" and attachment.mime_type == "image/jpeg"
    assert attachment.media_type == "image"
    with attachment.open() as stream:
        assert len(stream.read()) == size


def test_pre_168_sms_mms_schema(tmp_path):
    path, generated = _write(
        tmp_path, messages=300, threads=3, attachments=4, attachment_size=1000, legacy=True, seed=9
    )
    export = _parse(path, tmp_path)
    assert export.metadata["database_version"] == 120
    assert export.message_count == 300 and export.defects == []
    media = [m for c in export.conversations for m in c.messages if m.kind == Kind.MEDIA]
    assert len(media) == 4
    assert {a.sha256 for m in media for a in m.attachments} == {
        chunks_sha256(seed, size) for seed, size in generated.attachments.values()
    }
    incoming = [m for c in export.conversations for m in c.messages if not m.outgoing]
    assert incoming and all(m.sender and m.sender.startswith("+316") for m in incoming)
    # The account e164 matches recipient 1 (column `phone` in this schema).
    assert export.self_participant is not None and export.self_participant.key == generated.self_e164


def test_truncation_at_random_points(tmp_path):
    path, _generated = _write(tmp_path, messages=200, attachments=2, attachment_size=5000, seed=1)
    data = path.read_bytes()
    rng = random.Random(7)
    header_size = 4 + int.from_bytes(data[:4], "big")
    cuts = [header_size + 2, header_size + 4, len(data) - 1, len(data) - 10] + [
        rng.randrange(header_size, len(data)) for _ in range(12)
    ]
    for cut in cuts:
        broken = tmp_path / f"cut-{cut}.backup"
        broken.write_bytes(data[:cut])
        with pytest.raises(FormatError) as caught:
            _parse(broken, tmp_path)
        assert caught.value.code == "signal.truncated", cut


def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def test_flipped_attachment_byte_is_a_mac_error(tmp_path):
    size = 100_000
    path, _generated = _write(tmp_path, messages=3, attachments=1, attachment_size=size, seed=2)
    data = path.read_bytes()
    # The blob sits just before the key-value and end frames; flip a byte in its middle.
    tail = 2 * 200
    offset = len(data) - tail - size // 2
    path.write_bytes(_flip(data, offset))
    with pytest.raises(FormatError) as caught:
        _parse(path, tmp_path)
    assert caught.value.code == "signal.attachment_mac"


def test_flipped_frame_byte_is_damage_not_wrong_passphrase(tmp_path):
    path, _generated = _write(tmp_path, messages=50, seed=2)
    data = path.read_bytes()
    path.write_bytes(_flip(data, len(data) // 2))
    with pytest.raises(FormatError) as caught:
        _parse(path, tmp_path)
    assert caught.value.code in {"signal.bad_mac", "signal.bad_frame", "signal.truncated"}
    assert not isinstance(caught.value, SecretError)


@pytest.mark.parametrize("version", [0, 1])
def test_wrong_passphrase_generated(tmp_path, version):
    path, _generated = _write(tmp_path, messages=20, version=version)
    with pytest.raises(SecretError) as caught:
        _parse(path, tmp_path, secret="000000000000000000000000000000")
    assert caught.value.code == "signal.bad_passphrase"


def test_absurd_frame_length(tmp_path):
    stream = io.BytesIO()
    BackupWriter(stream, version=0)
    path = tmp_path / "absurd.backup"
    path.write_bytes(stream.getvalue() + (200 * 1024 * 1024).to_bytes(4, "big") + b"\0" * 64)
    with pytest.raises(FormatError) as caught:
        _parse(path, tmp_path)
    assert caught.value.code == "signal.bad_frame"


def _custom_backup(tmp_path, statements, version=215):
    path = tmp_path / "custom.backup"
    with open(path, "wb") as stream:
        writer = BackupWriter(stream, version=1)
        writer.database_version(version)
        for sql, params in statements:
            writer.statement(sql, params)
        writer.key_value("account.e164", "+31610000001")
        writer.end()
    return path


def _modern_rows():
    return [(sql, ()) for sql in MODERN_SCHEMA] + [
        ("INSERT INTO recipient VALUES (?,?,?,?,?,?,?)", [1, "+31610000001", None, None, None, "Ik", None]),
        ("INSERT INTO recipient VALUES (?,?,?,?,?,?,?)", [2, None, "ACI-2", None, None, "Piet", "Puk"]),
        ("INSERT INTO thread VALUES (?,?,?)", [1, 0, 2]),
    ]


def _message(mid, kind, body=None, sent=1_700_000_000_000, **columns):
    values = {
        "expires_in": 0,
        "view_once": 0,
        "remote_deleted": 0,
        "latest_revision_id": None,
        "original_message_id": None,
        "revision_number": 0,
    } | columns
    sender, receiver = (1, 2) if kind & 0x1F in (2, 11, 21, 22, 23, 24, 25, 26) else (2, 1)
    return (
        "INSERT INTO message VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            mid,
            sent + mid,
            sent + mid,
            2**64 - 1,
            1,
            sender,
            receiver,
            kind,
            body,
            1,
            values["expires_in"],
            0,
            values["view_once"],
            values["remote_deleted"],
            values["latest_revision_id"],
            values["original_message_id"],
            values["revision_number"],
        ],
    )


def test_calls_system_rows_and_aci_identity(tmp_path):
    rows = _modern_rows() + [
        _message(1, 3),  # missed audio call
        _message(2, 11),  # outgoing video call
        _message(3, BASE_INCOMING | 0x200),  # safety number changed
        _message(4, BASE_INCOMING | 0x40000, expires_in=0),  # timer switched off
        _message(5, 10485783, remote_deleted=1),  # deleted by me
        _message(6, BASE_INCOMING, body="hallo"),
    ]
    export = _parse(_custom_backup(tmp_path, rows), tmp_path)
    [conversation] = export.conversations
    assert conversation.key == "signal:thread:aci-2" and conversation.title == "Piet Puk"
    missed, call, safety, timer, deleted, text = conversation.messages
    assert missed.kind == Kind.CALL and missed.event.value == "missed_call" and missed.sender == "signal:aci-2"
    assert call.kind == Kind.CALL and call.outgoing and call.details["video"] is True
    assert safety.kind == Kind.SYSTEM and safety.event.value == "security_code_changed"
    assert timer.event.value == "disappearing_disabled"
    assert deleted.kind == Kind.DELETED and deleted.deleted_by.value == "self"
    assert text.body == "hallo" and text.native_id == "1700000000006:aci-2:aci-2"


def test_hostile_statements_are_refused(tmp_path):
    target = tmp_path / "attached.db"
    rows = _modern_rows() + [
        (f"ATTACH DATABASE '{target}' AS evil", ()),
        ("PRAGMA writable_schema = ON", ()),
        ("INSERT INTO message SELECT * FROM message", ()),
        ("INSERT INTO recipient VALUES (randomblob(100000000),1,1,1,1,1,1)", ()),
        ("DROP TABLE recipient", ()),
        ("INSERT INTO recipient VALUES (9,'+31690000000',NULL,NULL,NULL,NULL,NULL); DROP TABLE thread", ()),
        _message(1, BASE_INCOMING, body="na de aanval"),
    ]
    export = _parse(_custom_backup(tmp_path, rows), tmp_path)
    assert not target.exists()
    assert [m.body for c in export.conversations for m in c.messages] == ["na de aanval"]
    assert {d.code for d in export.defects} == {"signal.sql_statement_failed"}
    assert len(export.defects) == 3
    with pytest.raises(FormatError) as caught:
        _parse(_custom_backup(tmp_path, rows), tmp_path, strict=True)
    assert caught.value.code == "signal.sql_statement_failed"


def test_negative_integers_wrap(tmp_path):
    rows = _modern_rows() + [_message(1, BASE_INCOMING, body="x")]
    path = _custom_backup(tmp_path, rows)
    export = _parse(path, tmp_path)
    assert export.message_count == 1  # date_server 2**64-1 was stored as -1, not an overflow error
