"""Signal Desktop against generated profiles (tests/generators/signal_desktop_profile.py).

What test_signal_desktop.py checks on the peer profile, on profiles this project writes itself, so a
clone without ../shared tests it too: a phone-only contact, outgoing media, sizes that disagree with
the database, a zip, keys, damage, and each defect in lenient and strict mode.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats import detect
from chatarchief.core.formats.signal import desktop as signal_desktop
from chatarchief.core.model import Kind, ParseOptions
from tests.generators.signal_desktop_profile import (
    IMAGE,
    KEY_HEX,
    PHONE_ONLY,
    VOICE,
    phone_only_messages,
    write_phone_only_profile,
    write_profile,
)


def parse(path: Path, tmp_path: Path, secret: str | None = None, **options):
    return signal_desktop.parse(
        str(path), ParseOptions(secret=secret, workdir=str(tmp_path), source_name=path.name, **options)
    )


@pytest.fixture(scope="module")
def phone_only(tmp_path_factory) -> Path:
    return write_phone_only_profile(tmp_path_factory.mktemp("phone") / "Signal")


def test_detect_and_registry(phone_only, tmp_path):
    assert signal_desktop.detect(str(phone_only)) and detect(str(phone_only)).name == "signal_desktop"
    assert not signal_desktop.detect(str(phone_only / "sql"))
    assert not signal_desktop.detect(str(tmp_path))
    (tmp_path / "config.json").write_text("{}")
    assert not signal_desktop.detect(str(tmp_path / "config.json"))


def test_phone_only_contact_and_outgoing_media(phone_only, tmp_path):
    export = parse(phone_only, tmp_path)
    assert export.format == "signal_desktop" and export.message_count == 3 and export.defects == []
    (conversation,) = export.conversations
    assert (conversation.key, conversation.title, conversation.is_group) == (
        "signal:thread:+441231231234",
        "Test",
        False,
    )
    text, image, voice = conversation.messages
    assert (text.body, text.outgoing, text.sender, text.kind) == ("Hello", True, "signal:self", Kind.TEXT)
    assert text.native_id == "1660160018284:self:+441231231234"
    assert (image.kind, image.attachments[0].sha256) == (Kind.MEDIA, hashlib.sha256(IMAGE).hexdigest())
    assert image.attachments[0].filename == "image.png" and image.attachments[0].media_type == "image"
    assert (voice.attachments[0].media_type, voice.attachments[0].size) == ("audio", len(VOICE))
    with voice.attachments[0].open() as handle:
        assert handle.read() == VOICE


def test_the_original_database_is_not_modified(phone_only, tmp_path):
    before = hashlib.sha256((phone_only / "sql" / "db.sqlite").read_bytes()).hexdigest()
    parse(phone_only, tmp_path)
    assert hashlib.sha256((phone_only / "sql" / "db.sqlite").read_bytes()).hexdigest() == before


def test_zip_of_profile(phone_only, tmp_path):
    archive = tmp_path / "profile.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in phone_only.rglob("*"):
            if file.is_file():
                out.write(file, "Signal/" + file.relative_to(phone_only).as_posix())
    assert signal_desktop.detect(str(archive))
    export = parse(archive, tmp_path / "work")
    assert export.message_count == 3
    assert export.conversations[0].messages[1].attachments[0].sha256 == hashlib.sha256(IMAGE).hexdigest()


def test_supplied_key_wrong_key_and_injection(phone_only, tmp_path):
    assert parse(phone_only, tmp_path / "a", secret=KEY_HEX).message_count == 3
    for number, wrong in enumerate(("ff" * 32, "wrong", "x'; DROP TABLE messages; --")):
        with pytest.raises(SecretError) as info:
            parse(phone_only, tmp_path / f"b{number}", secret=wrong)
        assert info.value.code == "signal_desktop.bad_key" and wrong not in str(info.value)


def test_truncated_database_and_bad_config(tmp_path):
    profile = write_profile(tmp_path / "p")
    db = profile / "sql" / "db.sqlite"
    db.write_bytes(db.read_bytes()[:5000])
    with pytest.raises(FormatError) as info:
        parse(profile, tmp_path / "work")
    assert info.value.code == "signal_desktop.damaged"
    profile = write_profile(tmp_path / "q")
    for content in (b"[]", b'{"key": 5}', b"\xff\xfe", json.dumps({"key": ""}).encode()):
        (profile / "config.json").write_bytes(content)
        with pytest.raises(FormatError):
            parse(profile, tmp_path / "work")


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    ("case", "code"),
    [("size", "signal_desktop.attachment_size"), ("missing", "signal_desktop.attachment_missing")],
)
def test_attachment_defects_lenient_and_strict(tmp_path, case, code, strict):
    """A size the database gets wrong, or a file that is not there: a defect, or in strict mode the error."""
    files = {"12/image": IMAGE, "34/voice": VOICE}
    if case == "missing":
        del files["34/voice"]
    size = len(IMAGE) + 7 if case == "size" else len(IMAGE)
    profile = write_profile(
        tmp_path / "Signal", conversations=PHONE_ONLY, messages=phone_only_messages(size), files=files
    )
    if strict:
        with pytest.raises(FormatError) as info:
            parse(profile, tmp_path / "work", strict=True)
        assert info.value.code == code and info.value.file == "Signal" and info.value.line is None
        return
    export = parse(profile, tmp_path / "work")
    assert [d.code for d in export.defects] == [code] and export.message_count == 3


def test_a_damaged_page_is_a_damaged_profile_not_a_memory_error(tmp_path):
    """SQLCipher reports a page whose HMAC fails as "out of memory"; that is damage, said as such."""
    profile = write_profile(tmp_path / "Signal")
    db = profile / "sql" / "db.sqlite"
    original = db.read_bytes()
    for page in (3, 4, 5):
        data = bytearray(original)
        data[page * 4096 + 200] ^= 0xFF
        db.write_bytes(bytes(data))
        with pytest.raises(FormatError) as info:
            parse(profile, tmp_path / f"work{page}")
        assert info.value.code == "signal_desktop.damaged", page
