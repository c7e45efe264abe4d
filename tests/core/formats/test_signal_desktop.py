"""Signal Desktop profiles: carderne's real test profile (peer fixture) and a generated richer one."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats.signal import desktop as signal_desktop
from chatarchief.core.model import Deleter, Kind, ParseOptions, SystemEvent
from tests.generators.signal_desktop_profile import KEY_HEX, MASTER_KEY, PHOTO, write_profile
from tests.paths import HAVE_SHARED, PEER, SHARED_CORPUS

PROFILE = PEER / "signal-export" / "tests" / "data"
IMAGE_SHA = "98353aaf9e705d66ab2d61084188b1617aea3f647174635cd2a595d31f1b3f97"
VOICE_SHA = "795340caac1f6e616fbe45fd6e86e58fe72cfcda276cc813c4f4f28c5c6ae8b4"


def parse(path: Path, tmp_path: Path, secret: str | None = None):
    return signal_desktop.parse(str(path), ParseOptions(secret=secret, workdir=str(tmp_path), source_name=path.name))


def writable_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return write_profile(tmp_path_factory.mktemp("gen") / "Signal")


@SHARED_CORPUS
def test_detect(tmp_path, generated):
    assert signal_desktop.detect(str(PROFILE))
    assert signal_desktop.detect(str(generated))
    assert not signal_desktop.detect(str(PROFILE / "sql"))
    assert not signal_desktop.detect(str(tmp_path))
    (tmp_path / "config.json").write_text("{}")
    assert not signal_desktop.detect(str(tmp_path / "config.json"))


@SHARED_CORPUS
def test_peer_fixture(tmp_path):
    export = parse(PROFILE, tmp_path)
    assert export.format == "signal_desktop" and export.message_count == 3
    (conversation,) = export.conversations
    assert conversation.key == "signal:thread:+441231231234" and conversation.title == "Test"
    assert conversation.is_group is False
    bodies = [(m.body, m.sent_at_ms, m.outgoing, m.sender, m.kind) for m in conversation.messages]
    assert bodies == [
        ("Test message", 1660160018284, True, "signal:self", Kind.TEXT),
        ("Test image", 1660160028638, True, "signal:self", Kind.MEDIA),
        ("", 1660160051986, True, "signal:self", Kind.MEDIA),
    ]
    image = conversation.messages[1].attachments[0]
    assert (image.filename, image.mime_type, image.size, image.sha256) == (
        "signal-2022-08-10-153348.jpeg",
        "image/jpeg",
        2546,
        IMAGE_SHA,
    )
    voice = conversation.messages[2].attachments[0]
    assert (voice.mime_type, voice.sha256, voice.media_type) == ("audio/aac", VOICE_SHA, "audio")
    with voice.open() as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == VOICE_SHA
    assert conversation.messages[0].native_id == "1660160018284:self:+441231231234"
    # the fixture's json sizes are those of the original files, not of the trimmed copies
    assert {d.code for d in export.defects} == {"signal_desktop.attachment_size"}


@SHARED_CORPUS
def test_original_database_is_not_modified(tmp_path):
    before = hashlib.sha256((PROFILE / "sql" / "db.sqlite").read_bytes()).hexdigest()
    parse(PROFILE, tmp_path)
    assert hashlib.sha256((PROFILE / "sql" / "db.sqlite").read_bytes()).hexdigest() == before


def test_generated_profile(generated, tmp_path):
    export = parse(generated, tmp_path)
    chats = {c.title: c for c in export.conversations}
    assert set(chats) == {"Bram de Boer", "Werkgroep Archief", "Noor Hendriks"}
    assert export.self_participant.phone == "+31611110001"
    bram = chats["Bram de Boer"]
    assert bram.key == "signal:thread:7b06fc8b-d487-490c-9fa4-7367e771d32f"
    assert bram.messages[0].body == "Goedemorgen! Één vraag 😊" and bram.messages[0].sender == "+31611110002"
    timers = [(m.event, m.details, m.sender) for m in bram.messages if m.kind == Kind.SYSTEM]
    assert timers == [
        (SystemEvent.DISAPPEARING_ENABLED, {"timer_seconds": 604800}, "+31611110002"),
        (SystemEvent.DISAPPEARING_DISABLED, {"timer_seconds": 0}, "signal:self"),
    ]
    assert bram.messages[3].expires_in_ms == 604800000
    deleted = bram.messages[-1]
    assert deleted.kind == Kind.DELETED and deleted.deleted_by == Deleter.OTHER and deleted.body == ""
    group = chats["Werkgroep Archief"]
    assert group.key == f"signal:thread:{MASTER_KEY.hex()}" and group.is_group
    assert {p.key for p in group.participants} == {"signal:self", "+31611110002", "+31611110003"}
    edited = group.messages[0]
    assert edited.edited and edited.body == "Overleg om 11:00"
    assert [(r.body, r.sent_at_ms) for r in edited.revisions] == [("Overleg om 10:00", 1730815200000)]
    photo = group.messages[1].attachments[0]
    assert photo.sha256 == hashlib.sha256(PHOTO).hexdigest() and photo.size == len(PHOTO)
    assert group.messages[2].kind == Kind.VIEW_ONCE
    assert len(group.messages) == 3  # the story is skipped
    assert chats["Noor Hendriks"].messages[0].event == SystemEvent.SECURITY_CODE_CHANGED


@SHARED_CORPUS
def test_zip_of_profile(tmp_path):
    archive = tmp_path / "profile.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in PROFILE.rglob("*"):
            if file.is_file():
                out.write(file, "Signal/" + file.relative_to(PROFILE).as_posix())
    assert signal_desktop.detect(str(archive))
    export = parse(archive, tmp_path / "work")
    assert export.message_count == 3
    assert export.conversations[0].messages[1].attachments[0].sha256 == IMAGE_SHA


@SHARED_CORPUS
def test_supplied_key_and_wrong_key(generated, tmp_path):
    assert parse(generated, tmp_path / "a", secret=KEY_HEX).message_count == 10
    with pytest.raises(SecretError) as info:
        parse(generated, tmp_path / "b", secret="ff" * 32)
    assert info.value.code == "signal_desktop.bad_key" and "ff" * 32 not in str(info.value)
    with pytest.raises(SecretError) as info:
        parse(PROFILE, tmp_path / "c", secret="wrong")
    assert info.value.code == "signal_desktop.bad_key"
    with pytest.raises(SecretError):
        parse(PROFILE, tmp_path / "d", secret="x'; DROP TABLE messages; --")


def test_encrypted_key_needs_supplied_key(tmp_path):
    profile = write_profile(tmp_path / "Signal", config={"encryptedKey": "763130deadbeef"})
    with pytest.raises(SecretError) as info:
        parse(profile, tmp_path / "work")
    assert info.value.code == "signal_desktop.key_required"
    assert parse(profile, tmp_path / "work2", secret=KEY_HEX).message_count == 10


def test_not_a_profile(tmp_path):
    with pytest.raises(FormatError) as info:
        parse(tmp_path, tmp_path / "work")
    assert info.value.code == "signal_desktop.not_a_profile"


@SHARED_CORPUS
def test_truncated_database(tmp_path):
    profile = writable_copy(PROFILE, tmp_path / "p")
    db = profile / "sql" / "db.sqlite"
    db.write_bytes(db.read_bytes()[:5000])
    with pytest.raises(FormatError) as info:
        parse(profile, tmp_path / "work")
    assert info.value.code == "signal_desktop.damaged"


@pytest.fixture(scope="module")
def fuzz_profile(tmp_path_factory) -> Path:
    """A writable copy of the peer profile, or without ../shared the generated one (the fuzz seed)."""
    if HAVE_SHARED:
        return writable_copy(PROFILE, tmp_path_factory.mktemp("fuzz") / "p")
    return write_profile(tmp_path_factory.mktemp("fuzz") / "p")


@pytest.fixture(scope="module")
def fuzz_seed(fuzz_profile) -> dict[str, bytes]:
    return {"config": (fuzz_profile / "config.json").read_bytes(), "db": (fuzz_profile / "sql/db.sqlite").read_bytes()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(["config", "db"]),
    changes=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
def test_fuzz_only_format_error(fuzz_profile, fuzz_seed, tmp_path, target, changes, cut):
    original = fuzz_seed[target]
    path = fuzz_profile / ("config.json" if target == "config" else "sql/db.sqlite")
    data = bytearray(original)
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut:]
    path.write_bytes(bytes(data))
    try:
        export = parse(fuzz_profile, tmp_path)
        assert export.format == "signal_desktop"
    except FormatError:
        pass
    finally:
        path.write_bytes(original)


@SHARED_CORPUS
def test_config_json_variants(tmp_path):
    profile = writable_copy(PROFILE, tmp_path / "p")
    for content in (b"[]", b'{"key": 5}', b"\xff\xfe", json.dumps({"key": ""}).encode()):
        (profile / "config.json").write_bytes(content)
        with pytest.raises(FormatError):
            parse(profile, tmp_path / "work")
