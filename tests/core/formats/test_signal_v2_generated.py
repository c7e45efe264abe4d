"""Signal backup v2 against generated on-device backups (tests/generators/signal_v2_backup.py).

The same behaviour test_signal_v2.py checks on the shared fixture, on backups this project writes
itself, so a clone without ../shared tests it too.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats import detect
from chatarchief.core.formats.signal import v2 as signal_v2
from chatarchief.core.formats.signal.crypto import (
    backup_id_for_aci,
    backup_key,
    message_backup_keys,
    normalise_recovery_key,
    verify_and_decrypt,
)
from chatarchief.core.formats.signal.protos import signal_backup_wire as w
from chatarchief.core.formats.signal.v2_stream import MAGIC, gunzip_member, iter_frames, split_header
from chatarchief.core.model import Deleter, Kind, ParseOptions, SystemEvent
from tests.generators import signal_v2_backup as gen

KEY = gen.RECOVERY_KEY
BRAM = f"signal:thread:{gen.BRAM_ACI}"
GROUP = f"signal:thread:{gen.GROUP_MASTER_KEY.hex()}"
PHOTO_SHA = hashlib.sha256(gen.PHOTO.data).hexdigest()


def parse(path: Path, tmp_path: Path, secret: str | None = KEY, **options):
    return signal_v2.parse(
        str(path), ParseOptions(secret=secret, workdir=str(tmp_path), source_name=path.name, **options)
    )


def group(export):
    return next(c for c in export.conversations if c.is_group)


def by_key(export):
    return {c.key: c for c in export.conversations}


@pytest.fixture(scope="module")
def backups(tmp_path_factory) -> Path:
    return gen.write_week(tmp_path_factory.mktemp("v2") / "SignalBackups")


@pytest.fixture(scope="module")
def snapshot_a(backups, tmp_path_factory):
    return parse(backups / gen.SNAPSHOT_A, tmp_path_factory.mktemp("a"))


@pytest.fixture(scope="module")
def snapshot_b(backups, tmp_path_factory):
    return parse(backups / gen.SNAPSHOT_B, tmp_path_factory.mktemp("b"))


def copy_backups(backups: Path, tmp_path: Path) -> Path:
    target = tmp_path / "SignalBackups"
    shutil.copytree(backups, target)
    return target


def test_detect_snapshot_backups_folder_and_zip_and_the_registry(backups, tmp_path):
    assert signal_v2.detect(str(backups / gen.SNAPSHOT_A)) and signal_v2.detect(str(backups))
    assert detect(str(backups)).name == "signal_v2"
    archive = tmp_path / "backup.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(backups / gen.SNAPSHOT_A / "main", f"SignalBackups/{gen.SNAPSHOT_A}/main")
    assert signal_v2.detect(str(archive))
    assert not signal_v2.detect(str(backups / "files"))


def test_snapshot_a_counts_people_and_coverage(snapshot_a):
    chats = by_key(snapshot_a)
    assert set(chats) == {BRAM, GROUP}
    assert (chats[BRAM].title, chats[BRAM].is_group, len(chats[BRAM].messages)) == ("Bram de Boer", False, 11)
    assert (group(snapshot_a).title, len(group(snapshot_a).messages)) == ("Werkgroep Archief", 14)
    assert len([m for c in snapshot_a.conversations for m in c.messages if m.kind != Kind.SYSTEM]) == 23
    assert snapshot_a.created_at_ms == gen.TIME_A and snapshot_a.platform == "android"
    assert all(c.covers_from_ms == 0 and c.covers_to_ms == gen.TIME_A for c in snapshot_a.conversations)
    assert snapshot_a.metadata["snapshot"] == gen.SNAPSHOT_A and snapshot_a.defects == []
    assert snapshot_a.self_participant.is_self and snapshot_a.self_participant.name == "Test Gebruiker"
    members = {p.key: p for p in group(snapshot_a).participants}
    assert set(members) == {"signal:self", "+31611110002", "+31611110003"}
    assert (members["+31611110003"].name, members["+31611110003"].native_id) == ("Noor Hendriks", gen.NOOR_ACI)


def test_bodies_senders_and_native_ids(snapshot_a):
    bram = by_key(snapshot_a)[BRAM].messages
    first = bram[0]
    assert first.body == "Goedemorgen! Heb je de inventarislijst al ontvangen?"
    assert (first.sender, first.outgoing, first.sent_at_ms, first.precision_ms) == (
        "+31611110002",
        False,
        1730448900000,
        1,
    )
    assert first.native_id == f"1730448900000:{gen.BRAM_ACI}:{gen.BRAM_ACI}"
    assert bram[1].outgoing is True and bram[1].sender == "signal:self"
    texts = [m.body for m in bram]
    assert "Agenda overleg donderdag:\n1. Notulen vorige keer\n2. Selectielijst 2025\n3. Rondvraag" in texts
    assert gen.DELETED_TEXT in texts and any("Één opmerking" in t and "😊" in t for t in texts)


def test_photo_decrypted_with_hash(snapshot_a):
    photo = next(m for m in group(snapshot_a).messages if m.attachments)
    assert photo.kind == Kind.MEDIA and photo.body == "Foto van de archiefkast in depot 2"
    attachment = photo.attachments[0]
    assert (attachment.mime_type, attachment.size, attachment.sha256) == ("image/png", len(gen.PHOTO.data), PHOTO_SHA)
    assert attachment.media_type == "image"
    with attachment.open() as handle:
        data = handle.read()
    assert data.startswith(b"\x89PNG") and data == gen.PHOTO.data


def test_edit_view_once_timers_and_disappearing(snapshot_a):
    edited = next(m for m in group(snapshot_a).messages if m.edited)
    assert edited.body == gen.EDITED_TEXT
    assert [(r.body, r.sent_at_ms) for r in edited.revisions] == [(t, s) for s, t in gen.EDIT_REVISIONS]
    view_once = [m for m in group(snapshot_a).messages if m.kind == Kind.VIEW_ONCE]
    assert len(view_once) == 1 and view_once[0].sender == "+31611110003" and view_once[0].body == ""
    timers = [m for m in by_key(snapshot_a)[BRAM].messages if m.kind == Kind.SYSTEM]
    assert [(m.event, m.details, m.sender, m.sent_at_ms) for m in timers] == [
        (SystemEvent.DISAPPEARING_ENABLED, {"timer_seconds": 604800}, "+31611110002", 1730966400000),
        (SystemEvent.DISAPPEARING_DISABLED, {"timer_seconds": 0}, "signal:self", 1730967000000),
    ]
    disappearing = next(m for m in by_key(snapshot_a)[BRAM].messages if m.sent_at_ms == 1730966490000)
    assert (disappearing.expires_in_ms, disappearing.body) == (604800000, gen.EXPIRING_TEXT)


def test_snapshot_b_tombstone_and_expired(snapshot_b):
    bram = by_key(snapshot_b)[BRAM].messages
    assert len(bram) == 10 and len(group(snapshot_b).messages) == 14
    tombstone = next(m for m in bram if m.sent_at_ms == 1731057120000)
    assert (tombstone.kind, tombstone.deleted_by, tombstone.body, tombstone.sender) == (
        Kind.DELETED,
        Deleter.OTHER,
        "",
        "+31611110002",
    )
    assert not any(m.sent_at_ms == 1730966490000 for m in bram)
    assert snapshot_b.created_at_ms == gen.TIME_B


def test_backups_folder_takes_the_newest_snapshot_and_a_zip_of_it(backups, tmp_path):
    export = parse(backups, tmp_path)
    assert export.metadata["snapshot"] == gen.SNAPSHOT_B
    assert export.metadata["snapshots"] == [gen.SNAPSHOT_A, gen.SNAPSHOT_B]
    archive = tmp_path / "SignalBackups.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in backups.rglob("*"):
            if file.is_file():
                out.write(file, "SignalBackups/" + file.relative_to(backups).as_posix())
    zipped = parse(archive, tmp_path / "work")
    assert zipped.metadata["snapshot"] == gen.SNAPSHOT_B
    photo = next(m for m in group(zipped).messages if m.attachments).attachments[0]
    with photo.open() as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == PHOTO_SHA == photo.sha256


def test_zip_with_path_traversal_is_refused(backups, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for leaf in ("main", "metadata"):
            out.write(backups / gen.SNAPSHOT_A / leaf, f"{gen.SNAPSHOT_A}/{leaf}")
        out.writestr("../../escape.txt", b"x")
    with pytest.raises(FormatError) as info:
        parse(archive, tmp_path / "work")
    assert info.value.code == "zip.path_traversal" and not (tmp_path / "escape.txt").exists()


def test_keys_case_spaces_missing_and_wrong(backups, tmp_path):
    snapshot = backups / gen.SNAPSHOT_A
    assert parse(snapshot, tmp_path, secret=KEY.replace(" ", "").lower()).message_count == 25
    with pytest.raises(SecretError) as info:
        parse(snapshot, tmp_path, secret=None)
    assert info.value.code == "signal_v2.key_required"
    wrong = "a" * 64
    with pytest.raises(SecretError) as info:
        parse(snapshot, tmp_path, secret=wrong)
    assert info.value.code == "signal_v2.bad_key" and wrong not in info.value.message("nl")
    with pytest.raises(SecretError):
        parse(snapshot, tmp_path, secret="too short")


def test_damage_truncation_and_missing_metadata(backups, tmp_path):
    snapshot = copy_backups(backups, tmp_path) / gen.SNAPSHOT_A
    data = (snapshot / "main").read_bytes()
    for cut in (7, 256):
        (snapshot / "main").write_bytes(data[: len(data) - cut])
        with pytest.raises(FormatError) as info:
            parse(snapshot, tmp_path / "work")
        assert info.value.code == "signal_v2.damaged"
    (snapshot / "metadata").unlink()
    with pytest.raises(FormatError) as info:
        parse(snapshot, tmp_path / "work")
    assert info.value.code == "signal_v2.metadata_missing"


@pytest.mark.parametrize("strict", [False, True])
def test_missing_media_is_a_defect_lenient_and_the_error_strict(backups, tmp_path, strict):
    snapshot = copy_backups(backups, tmp_path) / gen.SNAPSHOT_A
    shutil.rmtree(snapshot.parent / "files")
    if strict:
        with pytest.raises(FormatError) as info:
            parse(snapshot, tmp_path / "work", strict=True)
        assert info.value.code == "signal_v2.media_missing" and "ontbreekt" in info.value.message("nl")
        return
    export = parse(snapshot, tmp_path / "work")
    photo = next(m for m in group(export).messages if m.attachments).attachments[0]
    assert photo.open is None and photo.omitted and photo.sha256 == PHOTO_SHA
    assert [d.code for d in export.defects] == ["signal_v2.media_missing"]


@pytest.mark.parametrize("strict", [False, True])
def test_damaged_media_is_a_defect_lenient_and_the_error_strict(backups, tmp_path, strict):
    root = copy_backups(backups, tmp_path)
    media = root / "files" / gen.PHOTO.media_name[:2] / gen.PHOTO.media_name
    data = bytearray(media.read_bytes())
    data[40] ^= 1
    media.write_bytes(bytes(data))
    if strict:
        with pytest.raises(FormatError) as info:
            parse(root / gen.SNAPSHOT_A, tmp_path / "work", strict=True)
        assert info.value.code == "signal_v2.media_bad_mac"
        return
    export = parse(root / gen.SNAPSHOT_A, tmp_path / "work")
    assert [d.code for d in export.defects] == ["signal_v2.media_bad_mac"]
    assert next(m for m in group(export).messages if m.attachments).attachments[0].omitted


def test_normalise_recovery_key():
    assert normalise_recovery_key(KEY) == KEY.replace(" ", "").lower()
    assert normalise_recovery_key("x" * 63) is None


def test_a_remote_backup_with_magic_header_and_forward_secrecy_token():
    """`SBACKUP\\x01` + delimited metadata before the IV, keys salted with the token (libsignal's layout)."""
    key = backup_key(normalise_recovery_key(KEY) or "")
    backup_id = backup_id_for_aci(key, uuid.UUID(gen.SELF_ACI).bytes)
    token = b"\xab" * 32
    hmac_key, aes_key = message_backup_keys(key, backup_id, token)
    plain = gen.plain_frames(gen.week_items("A"), gen.TIME_A)
    header = MAGIC + gen.varint(5) + b"meta!"
    data = header + gen.encrypt_main(plain, hmac_key, aes_key)
    handle = io.BytesIO(data)
    start = split_header(data[:64])
    assert start == len(header)
    frames = list(iter_frames(gunzip_member(verify_and_decrypt(handle, len(data), hmac_key, aes_key, start))))
    info = w.Msg(frames[0], w.BACKUP_INFO)
    assert info.num("version") == 1 and info.num("backupTimeMs") == gen.TIME_A
    kinds = [w.Msg(f, w.FRAME).which(["account", "recipient", "chat", "chatItem"]) for f in frames[1:]]
    assert kinds[:1] == ["account"] and kinds.count("chatItem") == 25


def test_an_edit_keeps_the_identity_of_the_original(tmp_path):
    """An edited ChatItem's own dateSent is the edit's time, the original's is in revisions[0]: the
    native id is the original's before and after the edit, and the edit time is kept in details."""
    sent, edited_at = gen.EDIT_REVISIONS[0][0], gen.nov(5, 14, 20)
    ids = {}
    for edited in (False, True):
        item = (
            gen.Item(gen.CHAT_BRAM, gen.SELF, edited_at, "later", revisions=[(sent, "eerst")])
            if edited
            else gen.Item(gen.CHAT_BRAM, gen.SELF, sent, "eerst")
        )
        snapshot = gen.write_snapshot(tmp_path / str(edited), gen.SNAPSHOT_A, [item], backup_time_ms=gen.TIME_A)
        (message,) = [m for c in parse(snapshot, tmp_path / f"w{edited}").conversations for m in c.messages]
        ids[edited] = message.native_id
        assert (message.edited, message.sent_at_ms) == (edited, edited_at if edited else sent)
        assert message.details == ({"edited_at_ms": edited_at} if edited else None)
    assert ids[False] == ids[True] == f"{sent}:self:{gen.BRAM_ACI}"
