"""Signal-Android legacy `.backup` of a small generated account (header v1 and v0), message by message.

The behaviour test_signal_android.py checks on the shared fixtures, on backups written by
tests/generators/signal_android.py, so a clone without ../shared tests it too.
"""

from __future__ import annotations

import hashlib

import pytest

from chatarchief.core import formats
from chatarchief.core.errors import SecretError
from chatarchief.core.formats.signal import android as signal_android
from chatarchief.core.model import Deleter, Kind, ParseOptions, SystemEvent
from tests.generators.signal_android import (
    PASSPHRASE,
    SMALL_JAN,
    SMALL_PNG,
    SMALL_SELF,
    SMALL_T0,
    write_small_backup,
)

NAME = "signal-2024-06-01-12-00-00.backup"  # 12:00 in Amsterdam (CEST) = SMALL_T0


def _parse(path, tmp_path, secret=PASSPHRASE, **extra):
    options = ParseOptions(secret=secret, workdir=str(tmp_path / "work"), source_name=path.name, **extra)
    return signal_android.parse(str(path), options)


@pytest.fixture(scope="module")
def backups(tmp_path_factory):
    found = {}
    for version in (0, 1):
        folder = tmp_path_factory.mktemp(f"v{version}")
        found[version] = write_small_backup(folder / NAME, version=version)
    return found


@pytest.fixture(scope="module", params=[1, 0], ids=["v1", "v0"])
def export(request, backups, tmp_path_factory):
    return _parse(backups[request.param], tmp_path_factory.mktemp("parse"))


def test_detect_and_registry(backups):
    assert signal_android.detect(str(backups[1])) and signal_android.detect(str(backups[0]))
    spec = formats.detect(str(backups[1]), source_name=NAME)
    assert spec.name == "signal_android" and spec.needs_secret and spec.label == "Signal Android-back-up (.backup)"


def test_header_versions_and_export(backups, tmp_path):
    for version in (1, 0):
        export = _parse(backups[version], tmp_path / str(version))
        assert export.metadata["header_version"] == version and export.metadata["database_version"] == 215
        assert export.format == "signal_android" and export.platform == "android" and export.defects == []
        assert export.self_participant is not None and export.self_participant.key == SMALL_SELF
        assert export.self_participant.is_self and len(export.conversations) == 1


def test_conversation_and_coverage(export):
    conversation = export.conversations[0]
    assert (conversation.key, conversation.title, conversation.is_group) == (
        f"signal:thread:{SMALL_JAN}",
        "Jan Jansen",
        False,
    )
    keys = {p.key: p for p in conversation.participants}
    assert set(keys) == {SMALL_SELF, SMALL_JAN}
    assert keys[SMALL_SELF].is_self and not keys[SMALL_JAN].is_self and keys[SMALL_JAN].name == "Jan Jansen"
    assert conversation.covers_from_ms == 0
    assert conversation.covers_to_ms == export.created_at_ms >= SMALL_T0 + 6 * 60_000


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
    assert [m.sent_at_ms for m in messages] == [SMALL_T0 + i * 60_000 for i in range(7)]
    assert all(m.precision_ms == 1 for m in messages)


def test_incoming_outgoing_and_deleted(export):
    first, second, deleted = export.conversations[0].messages[:3]
    assert (first.sender, first.outgoing, first.sender_name) == (SMALL_JAN, False, "Jan Jansen")
    assert first.body == "Goedemorgen, heeft u het stuk gelezen?"
    assert (second.sender, second.outgoing, second.body) == (SMALL_SELF, True, "Ja, reactie volgt vandaag.")
    assert first.native_id == f"{SMALL_T0}:{SMALL_JAN}:{SMALL_JAN}"
    assert second.native_id == f"{SMALL_T0 + 60_000}:{SMALL_SELF}:{SMALL_JAN}"
    assert (deleted.kind, deleted.body, deleted.deleted_by, deleted.sender) == (
        Kind.DELETED,
        "",
        Deleter.OTHER,
        SMALL_JAN,
    )


def test_view_once_with_png(export):
    view_once = export.conversations[0].messages[3]
    assert view_once.kind == Kind.VIEW_ONCE
    [attachment] = view_once.attachments
    assert (attachment.mime_type, attachment.size, attachment.omitted) == ("image/png", 70, False)
    with attachment.open() as stream:
        data = stream.read()
    assert data == SMALL_PNG and hashlib.sha256(data).hexdigest() == attachment.sha256


def test_timer_update_and_disappearing_text(export):
    timer, text = export.conversations[0].messages[4:6]
    assert (timer.kind, timer.event, timer.details) == (
        Kind.SYSTEM,
        SystemEvent.DISAPPEARING_ENABLED,
        {"timer_seconds": 604800},
    )
    assert (text.kind, text.expires_in_ms, text.body) == (Kind.TEXT, 604_800_000, "Dit bericht verdwijnt na een week.")


def test_edit_pair_is_one_message_with_history(export):
    edited = export.conversations[0].messages[6]
    assert edited.edited is True and edited.sender == SMALL_SELF and edited.outgoing
    assert edited.body == "Vergadering om 15:00"
    assert [r.body for r in edited.revisions] == ["Vergadering om 14:00"]
    assert edited.sent_at_ms == SMALL_T0 + 6 * 60_000
    assert edited.native_id == f"{SMALL_T0 + 6 * 60_000}:{SMALL_SELF}:{SMALL_JAN}"
    assert edited.details == {"edited_at_ms": SMALL_T0 + 7 * 60_000}


@pytest.mark.parametrize("version", [1, 0])
def test_passphrases_missing_wrong_malformed_and_spaced(backups, tmp_path, version):
    path = backups[version]
    for secret in (None, "", "   "):
        with pytest.raises(SecretError) as caught:
            _parse(path, tmp_path, secret=secret)
        assert caught.value.code == "signal.passphrase_required"
    wrong = "999991234512345123451234512345"
    with pytest.raises(SecretError) as caught:
        _parse(path, tmp_path, secret=wrong)
    error = caught.value
    assert error.code == "signal.bad_passphrase" and error.file == NAME
    assert "wachtwoordzin is onjuist" in error.message("nl") and wrong not in error.message("nl")
    with pytest.raises(SecretError) as caught:
        _parse(path, tmp_path, secret="abc")
    assert caught.value.code == "signal.bad_passphrase"
    spaced = " ".join(PASSPHRASE[i : i + 5] for i in range(0, 30, 5))
    assert _parse(path, tmp_path, secret=spaced).message_count == 7
