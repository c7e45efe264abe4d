"""Signal backup v2 (on-device) against the shared fixture `signal-v2/` and libsignal's test vectors."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats.signal import v2 as signal_v2
from chatarchief.core.formats.signal.crypto import (
    backup_id_for_aci,
    backup_key,
    message_backup_keys,
    normalise_recovery_key,
    verify_and_decrypt,
)
from chatarchief.core.formats.signal.protos import signal_backup_wire as w
from chatarchief.core.formats.signal.v2_stream import gunzip_member, iter_frames, split_header
from chatarchief.core.model import Deleter, Kind, ParseOptions, SystemEvent
from tests.paths import PEER, SHARED_CORPUS, SHARED_FIXTURES

BACKUPS = SHARED_FIXTURES / "signal-v2" / "SignalBackups"
SNAPSHOT_A = BACKUPS / "signal-backup-2024-11-08-10-00-00"
SNAPSHOT_B = BACKUPS / "signal-backup-2024-11-15-10-00-00"
KEY = "ISUB  S8TL  K9WT  K5NS  KTBN  71SG  1A8G  24RC  T9I1  1E1M  CBMY  PMY2  NSAU  KLNZ  DKVH  6RT1"
BRAM = "signal:thread:7b06fc8b-d487-490c-9fa4-7367e771d32f"
PHOTO_SHA = "0b6c5c534d9103ccbec61c1cebd2127b447fcbaa471440eabce7b9d6ae13f650"
LIBSIGNAL = PEER / "libsignal" / "rust" / "message-backup" / "tests" / "res" / "test-cases" / "valid-encrypted"


def parse(path: Path, tmp_path: Path, secret: str | None = KEY):
    return signal_v2.parse(str(path), ParseOptions(secret=secret, workdir=str(tmp_path), source_name=path.name))


def by_key(export):
    return {c.key: c for c in export.conversations}


def group(export):
    return next(c for c in export.conversations if c.is_group)


@pytest.fixture(scope="module")
def snapshot_a(tmp_path_factory):
    return parse(SNAPSHOT_A, tmp_path_factory.mktemp("a"))


@pytest.fixture(scope="module")
def snapshot_b(tmp_path_factory):
    return parse(SNAPSHOT_B, tmp_path_factory.mktemp("b"))


@SHARED_CORPUS
def test_detect_accepts_snapshot_folder_backups_folder_and_zip(tmp_path):
    assert signal_v2.detect(str(SNAPSHOT_A))
    assert signal_v2.detect(str(BACKUPS))
    archive = tmp_path / "backup.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(SNAPSHOT_A / "main", "SignalBackups/signal-backup-2024-11-08-10-00-00/main")
    assert signal_v2.detect(str(archive))


@SHARED_CORPUS
def test_detect_refuses_foreign_input(tmp_path):
    (tmp_path / "main").write_bytes(b"nope")
    assert not signal_v2.detect(str(tmp_path / "main"))
    assert not signal_v2.detect(str(tmp_path / "missing"))
    assert not signal_v2.detect(str(BACKUPS / "files"))
    assert not signal_v2.detect(str(PEER / "signal-export" / "tests" / "data"))
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04garbage")
    assert not signal_v2.detect(str(tmp_path / "x.zip"))


@SHARED_CORPUS
def test_snapshot_a_counts_per_chat(snapshot_a):
    chats = by_key(snapshot_a)
    assert set(chats) == {BRAM, "signal:thread:e86fb71a9fad280787257e9911e9309f893b65e0d8f2b333cb0b8a10ce4964fc"}
    bram = chats[BRAM]
    assert bram.title == "Bram de Boer" and bram.is_group is False
    assert len(bram.messages) == 11
    assert len(group(snapshot_a).messages) == 14
    assert group(snapshot_a).title == "Werkgroep Archief"
    real = [m for c in snapshot_a.conversations for m in c.messages if m.kind != Kind.SYSTEM]
    assert len(real) == 23
    assert snapshot_a.created_at_ms == 1731060000000
    assert all(c.covers_from_ms == 0 and c.covers_to_ms == 1731060000000 for c in snapshot_a.conversations)
    assert snapshot_a.metadata["snapshot"] == "signal-backup-2024-11-08-10-00-00"
    assert snapshot_a.defects == []


@SHARED_CORPUS
def test_participants_and_self(snapshot_a):
    assert snapshot_a.self_participant.is_self and snapshot_a.self_participant.name == "Test Gebruiker"
    members = {p.key: p for p in group(snapshot_a).participants}
    assert set(members) == {"signal:self", "+31611110002", "+31611110003"}
    assert members["+31611110003"].name == "Noor Hendriks"
    assert members["+31611110003"].native_id == "abad75c5-dff4-4928-833f-45339b049218"


@SHARED_CORPUS
def test_bodies_exact(snapshot_a):
    bram = by_key(snapshot_a)[BRAM].messages
    first = bram[0]
    assert first.body == "Goedemorgen! Heb je de inventarislijst al ontvangen?"
    assert first.sender == "+31611110002" and first.outgoing is False
    assert first.sent_at_ms == 1730448900000 and first.precision_ms == 1
    assert first.native_id == "1730448900000:7b06fc8b-d487-490c-9fa4-7367e771d32f:7b06fc8b-d487-490c-9fa4-7367e771d32f"
    assert bram[1].outgoing is True and bram[1].sender == "signal:self"
    texts = [m.body for m in bram]
    assert (
        "Prima! Één opmerking: de coördinatie met het café voor de reünie is geregeld, ideeën zijn welkom 😊" in texts
    )
    assert "Agenda overleg donderdag:\n1. Notulen vorige keer\n2. Selectielijst 2025\n3. Rondvraag" in texts
    assert "Ter info: de offerte van de verhuizer is € 12.400, nog niet doorsturen." in texts


@SHARED_CORPUS
def test_photo_decrypted_with_hash(snapshot_a):
    photo = next(m for m in group(snapshot_a).messages if m.attachments)
    assert photo.kind == Kind.MEDIA and photo.body == "Foto van de archiefkast in depot 2"
    attachment = photo.attachments[0]
    assert (attachment.mime_type, attachment.size, attachment.sha256) == ("image/png", 1545, PHOTO_SHA)
    assert attachment.media_type == "image"
    with attachment.open() as handle:
        data = handle.read()
    assert data.startswith(b"\x89PNG") and hashlib.sha256(data).hexdigest() == PHOTO_SHA


@SHARED_CORPUS
def test_edit_view_once_and_timers(snapshot_a):
    edited = next(m for m in group(snapshot_a).messages if m.edited)
    assert edited.body == "Eerste bijeenkomst: woensdag 13 november om 11:00 in zaal 2."
    assert edited.sent_at_ms == 1730816400000
    assert [(r.body, r.sent_at_ms) for r in edited.revisions] == [
        ("Eerste bijeenkomst: dinsdag 12 november om 10:00.", 1730815200000),
        ("Eerste bijeenkomst: woensdag 13 november om 10:00.", 1730815380000),
    ]
    view_once = [m for m in group(snapshot_a).messages if m.kind == Kind.VIEW_ONCE]
    assert len(view_once) == 1 and view_once[0].sender == "+31611110003" and view_once[0].body == ""
    timers = [m for m in by_key(snapshot_a)[BRAM].messages if m.kind == Kind.SYSTEM]
    assert [(m.event, m.details, m.sender, m.sent_at_ms) for m in timers] == [
        (SystemEvent.DISAPPEARING_ENABLED, {"timer_seconds": 604800}, "+31611110002", 1730966400000),
        (SystemEvent.DISAPPEARING_DISABLED, {"timer_seconds": 0}, "signal:self", 1730967000000),
    ]
    disappearing = next(m for m in by_key(snapshot_a)[BRAM].messages if m.sent_at_ms == 1730966490000)
    assert disappearing.expires_in_ms == 604800000
    assert disappearing.body == "Deze verdwijnt over een week: de code van de archiefkast is 4711."


@SHARED_CORPUS
def test_snapshot_b_tombstone_and_expired(snapshot_b):
    bram = by_key(snapshot_b)[BRAM].messages
    assert len(bram) == 10 and len(group(snapshot_b).messages) == 14
    tombstone = next(m for m in bram if m.sent_at_ms == 1731057120000)
    assert tombstone.kind == Kind.DELETED and tombstone.deleted_by == Deleter.OTHER and tombstone.body == ""
    assert tombstone.sender == "+31611110002"
    assert not any(m.sent_at_ms == 1730966490000 for m in bram)
    assert snapshot_b.created_at_ms == 1731664800000


@SHARED_CORPUS
def test_backups_folder_takes_newest_snapshot(tmp_path):
    export = parse(BACKUPS, tmp_path)
    assert export.metadata["snapshot"] == "signal-backup-2024-11-15-10-00-00"
    assert export.metadata["snapshots"] == ["signal-backup-2024-11-08-10-00-00", "signal-backup-2024-11-15-10-00-00"]
    assert len(by_key(export)[BRAM].messages) == 10


@SHARED_CORPUS
def test_zip_of_backups_folder(tmp_path):
    archive = tmp_path / "SignalBackups.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in BACKUPS.rglob("*"):
            if file.is_file():
                out.write(file, "SignalBackups/" + file.relative_to(BACKUPS).as_posix())
    export = parse(archive, tmp_path / "work")
    assert export.metadata["snapshot"] == "signal-backup-2024-11-15-10-00-00"
    photo = next(m for m in group(export).messages if m.attachments).attachments[0]
    assert photo.sha256 == PHOTO_SHA and photo.open is not None
    with photo.open() as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == PHOTO_SHA


@SHARED_CORPUS
def test_zip_with_path_traversal_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(SNAPSHOT_A / "main", "signal-backup-2024-11-08-10-00-00/main")
        out.write(SNAPSHOT_A / "metadata", "signal-backup-2024-11-08-10-00-00/metadata")
        out.writestr("../../escape.txt", b"x")
    with pytest.raises(FormatError) as info:
        parse(archive, tmp_path / "work")
    assert info.value.code == "zip.path_traversal"
    assert not (tmp_path / "escape.txt").exists()


@SHARED_CORPUS
def test_key_case_and_spaces_do_not_matter(tmp_path):
    export = parse(SNAPSHOT_A, tmp_path, secret=KEY.replace(" ", "").lower())
    assert export.message_count == 25


@SHARED_CORPUS
def test_missing_key(tmp_path):
    with pytest.raises(SecretError) as info:
        parse(SNAPSHOT_A, tmp_path, secret=None)
    assert info.value.code == "signal_v2.key_required"


@SHARED_CORPUS
def test_wrong_key_is_reported_without_echo(tmp_path):
    wrong = "a" * 64
    with pytest.raises(SecretError) as info:
        parse(SNAPSHOT_A, tmp_path, secret=wrong)
    assert info.value.code == "signal_v2.bad_key"
    assert wrong not in str(info.value) and wrong not in info.value.message("nl")
    with pytest.raises(SecretError):
        parse(SNAPSHOT_A, tmp_path, secret="too short")


def copy_snapshot(tmp_path: Path) -> Path:
    target = tmp_path / "SignalBackups"
    shutil.copytree(BACKUPS, target)
    for path in target.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return target / SNAPSHOT_A.name


@SHARED_CORPUS
def test_truncated_main_is_damaged(tmp_path):
    snapshot = copy_snapshot(tmp_path)
    data = (snapshot / "main").read_bytes()
    (snapshot / "main").write_bytes(data[: len(data) - 7])
    with pytest.raises(FormatError) as info:
        parse(snapshot, tmp_path / "work")
    assert info.value.code == "signal_v2.damaged"
    (snapshot / "main").write_bytes(data[: len(data) - 256])
    with pytest.raises(FormatError) as info:
        parse(snapshot, tmp_path / "work")
    assert info.value.code == "signal_v2.damaged"


@SHARED_CORPUS
def test_missing_metadata(tmp_path):
    snapshot = copy_snapshot(tmp_path)
    (snapshot / "metadata").unlink()
    with pytest.raises(FormatError) as info:
        parse(snapshot, tmp_path / "work")
    assert info.value.code == "signal_v2.metadata_missing"


@SHARED_CORPUS
def test_missing_media_file_leaves_a_defect(tmp_path):
    snapshot = copy_snapshot(tmp_path)
    shutil.rmtree(snapshot.parent / "files")
    export = parse(snapshot, tmp_path / "work")
    photo = next(m for m in group(export).messages if m.attachments).attachments[0]
    assert photo.open is None and photo.omitted and photo.sha256 == PHOTO_SHA
    assert [d.code for d in export.defects] == ["signal_v2.media_missing"]


def test_normalise_recovery_key():
    assert normalise_recovery_key(KEY) == "isubs8tlk9wtk5nsktbn71sg1a8g24rct9i11e1mcbmypmy2nsauklnzdkvh6rt1"
    assert normalise_recovery_key("x" * 63) is None


@SHARED_CORPUS
@pytest.mark.parametrize(("name", "token"), [("legacy-account", None), ("new-account", b"\xab" * 32)])
def test_libsignal_test_vectors_decrypt(name, token):
    """libsignal's encrypted vectors: AEP 'm'×64, ACI 1111…; the new one also needs its forward-secrecy token."""
    key = backup_key("m" * 64)
    backup_id = backup_id_for_aci(key, uuid.UUID("11111111-1111-1111-1111-111111111111").bytes)
    hmac_key, aes_key = message_backup_keys(key, backup_id, token)
    path = LIBSIGNAL / f"{name}.binproto.encrypted"
    with open(path, "rb") as handle:
        start = split_header(handle.read(4096))
        frames = list(
            iter_frames(gunzip_member(verify_and_decrypt(handle, path.stat().st_size, hmac_key, aes_key, start)))
        )
    info = w.Msg(frames[0], w.BACKUP_INFO)
    assert info.num("version") == 1 and info.num("backupTimeMs") == 1705692409729
    assert info.blob("mediaRootBackupKey") == b"\xab" * 32
    kinds = [w.Msg(f, w.FRAME).which(["account", "recipient", "chat", "chatItem"]) for f in frames[1:]]
    assert kinds == ["account", "recipient", "chat"]
