"""Signal-Android legacy `.backup` against the two shared fixtures (header v1 and v0)."""

from __future__ import annotations

import hashlib

import pytest

from chatarchief.core import formats
from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats.signal import android as signal_android
from chatarchief.core.formats.signal.crypto import legacy_backup_key as backup_key
from chatarchief.core.formats.signal.crypto import legacy_secrets as derive_secrets
from chatarchief.core.model import Deleter, Kind, ParseOptions, SystemEvent
from tests.paths import SHARED_CORPUS, SHARED_FIXTURES

FOLDER = SHARED_FIXTURES / "signal-android"
V1 = FOLDER / "signal-2024-06-01-12-00-00.backup"
V0 = FOLDER / "signal-2019-01-01-12-00-00_v0.backup"
PASSPHRASE = "123451234512345123451234512345"
SELF, JAN = "+31600000001", "+31600000002"
T0 = 1717236000000  # message 1, 2024-06-01 10:00:00 UTC


def _parse(path, tmp_path, secret=PASSPHRASE, **extra):
    options = ParseOptions(secret=secret, workdir=str(tmp_path), source_name=path.name, **extra)
    return signal_android.parse(str(path), options)


@pytest.fixture(params=[V1, V0], ids=["v1", "v0"])
def export(request, tmp_path):
    return _parse(request.param, tmp_path)


def test_kdf_test_vectors():
    assert backup_key("password", None).hex() == "c996f5b52d80d5053af9d1f6fded9c2f227f9000408637c4450ba15442b3e8a9"
    key = backup_key("password", bytes([0, 1, 2, 3]))
    assert key.hex() == "648c165f7981d0505ddf3b6c79bc5437b61edccfcef7077e08ebaf6d3c82e538"
    cipher_key, mac_key = derive_secrets(key)
    assert cipher_key.hex().startswith("44fc1203") and mac_key.hex().endswith("473b5b")


@SHARED_CORPUS
def test_detect_fixtures_and_registry():
    assert signal_android.detect(str(V1)) and signal_android.detect(str(V0))
    spec = formats.detect(str(V1), source_name=V1.name)
    assert spec.name == "signal_android" and spec.needs_secret and spec.label == "Signal Android-back-up (.backup)"


def test_detect_refuses_foreign_files(tmp_path):
    samples = {
        "empty.backup": b"",
        "chat.txt": b"[01-02-2024 10:00:00] Jan: hoi\n",
        "short": b"\x00\x00",
        "zip.zip": b"PK\x03\x04" + b"\x00" * 60,
        "big-length": b"\x7f\xff\xff\xff" + b"\x0a" * 40,
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert signal_android.detect(str(path)) is False, name
    assert signal_android.detect(str(tmp_path / "missing")) is False


@SHARED_CORPUS
def test_export_header(export):
    assert export.format == "signal_android" and export.platform == "android"
    assert export.metadata["database_version"] == 215
    assert export.self_participant is not None and export.self_participant.key == SELF
    assert export.self_participant.is_self
    assert export.defects == []
    assert len(export.conversations) == 1


@SHARED_CORPUS
def test_header_versions(tmp_path):
    assert _parse(V1, tmp_path / "a").metadata["header_version"] == 1
    assert _parse(V0, tmp_path / "b").metadata["header_version"] == 0


@SHARED_CORPUS
def test_conversation(export):
    conversation = export.conversations[0]
    assert conversation.key == f"signal:thread:{JAN}"
    assert conversation.title == "Jan Jansen"
    assert conversation.is_group is False
    keys = {p.key: p for p in conversation.participants}
    assert set(keys) == {SELF, JAN}
    assert keys[SELF].is_self and not keys[JAN].is_self and keys[JAN].name == "Jan Jansen"
    # A full backup covers everything from the start up to the backup (at least its newest message).
    assert conversation.covers_from_ms == 0
    assert conversation.covers_to_ms == export.created_at_ms >= T0 + 6 * 60_000


@SHARED_CORPUS
def test_eight_rows_become_seven_messages(export):
    messages = export.conversations[0].messages
    assert [m.index for m in messages] == list(range(7))
    assert [m.kind for m in messages] == [
        Kind.TEXT,
        Kind.TEXT,
        Kind.DELETED,
        Kind.VIEW_ONCE,
        Kind.SYSTEM,
        Kind.TEXT,
        Kind.TEXT,
    ]
    assert [m.sent_at_ms for m in messages] == [T0 + i * 60_000 for i in range(7)]
    assert all(m.precision_ms == 1 for m in messages)


@SHARED_CORPUS
def test_incoming_and_outgoing(export):
    first, second = export.conversations[0].messages[:2]
    assert first.sender == JAN and first.outgoing is False and first.sender_name == "Jan Jansen"
    assert first.body == "Goedemorgen, heeft u het stuk gelezen?"
    assert second.sender == SELF and second.outgoing is True
    assert second.body == "Ja, reactie volgt vandaag."
    assert first.native_id == f"{T0}:{JAN}:{JAN}"
    assert second.native_id == f"{T0 + 60_000}:{SELF}:{JAN}"


@SHARED_CORPUS
def test_remote_deleted(export):
    deleted = export.conversations[0].messages[2]
    assert deleted.kind == Kind.DELETED and deleted.body == ""
    assert deleted.deleted_by == Deleter.OTHER and deleted.sender == JAN


@SHARED_CORPUS
def test_view_once_with_png(export):
    view_once = export.conversations[0].messages[3]
    assert view_once.kind == Kind.VIEW_ONCE
    [attachment] = view_once.attachments
    assert attachment.mime_type == "image/png" and attachment.size == 70 and not attachment.omitted
    assert attachment.open is not None
    with attachment.open() as stream:
        data = stream.read()
    assert len(data) == 70 and data.startswith(b"\x89PNG\r\n\x1a\n")
    assert hashlib.sha256(data).hexdigest() == attachment.sha256


@SHARED_CORPUS
def test_timer_update_and_disappearing_text(export):
    timer, text = export.conversations[0].messages[4:6]
    assert timer.kind == Kind.SYSTEM and timer.event == SystemEvent.DISAPPEARING_ENABLED
    assert timer.details == {"timer_seconds": 604800}
    assert text.kind == Kind.TEXT and text.expires_in_ms == 604_800_000
    assert text.body == "Dit bericht verdwijnt na een week."


@SHARED_CORPUS
def test_edit_pair_is_one_message_with_history(export):
    edited = export.conversations[0].messages[6]
    assert edited.edited is True and edited.sender == SELF and edited.outgoing
    assert edited.body == "Vergadering om 15:00"
    assert [r.body for r in edited.revisions] == ["Vergadering om 14:00"]
    # Identity and position stay those of the original, so the message survives being edited.
    assert edited.sent_at_ms == T0 + 6 * 60_000
    assert edited.native_id == f"{T0 + 6 * 60_000}:{SELF}:{JAN}"
    assert edited.details == {"edited_at_ms": T0 + 7 * 60_000}


@SHARED_CORPUS
def test_missing_passphrase(tmp_path):
    for secret in (None, "", "   "):
        with pytest.raises(SecretError) as caught:
            _parse(V1, tmp_path, secret=secret)
        assert caught.value.code == "signal.passphrase_required"


@SHARED_CORPUS
@pytest.mark.parametrize("path", [V1, V0], ids=["v1", "v0"])
def test_wrong_passphrase(tmp_path, path):
    wrong = "999991234512345123451234512345"
    with pytest.raises(SecretError) as caught:
        _parse(path, tmp_path, secret=wrong)
    error = caught.value
    assert error.code == "signal.bad_passphrase" and error.file == path.name
    assert "wachtwoordzin is onjuist" in error.message("nl") and "passphrase is wrong" in error.message("en")
    assert wrong not in str(error) and wrong not in error.message("nl")


@SHARED_CORPUS
def test_malformed_passphrase_is_wrong_passphrase(tmp_path):
    with pytest.raises(SecretError) as caught:
        _parse(V1, tmp_path, secret="abc")
    assert caught.value.code == "signal.bad_passphrase"


@SHARED_CORPUS
def test_passphrase_with_spaces(tmp_path):
    export = _parse(V1, tmp_path, secret="12345 12345 12345 12345 12345 12345")
    assert export.message_count == 7


def test_not_a_backup(tmp_path):
    path = tmp_path / "signal-2024-01-01-00-00-00.backup"
    path.write_bytes(b"no backup at all" * 10)
    with pytest.raises(FormatError) as caught:
        signal_android.parse(str(path), ParseOptions(secret=PASSPHRASE, workdir=str(tmp_path)))
    assert caught.value.code == "signal.not_a_backup"
