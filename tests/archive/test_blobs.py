"""Encryption at rest of the blob store: nothing readable on disk, exact bytes back, tampering and
wrong keys fail loudly, several master keys coexist and `chatarchief keys rotate` re-wraps."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage

from chatarchief.archive.models import Attachment
from chatarchief.archive.services import blob_crypto, blob_keys, blob_names, blobs
from chatarchief.archive.services.blob_crypto import BlobCorrupted, DecryptingReader, encrypt_stream
from chatarchief.archive.services.blob_keys import Keyring, LocalKeyProvider, MasterKeyError
from chatarchief.archive.services.registry import add_custodian
from chatarchief.intake.pipeline import ingest
from tests.api.conftest import whatsapp_zip
from tests.archive.keys import cli, new_key
from tests.paths import REPO_ROOT


def blob_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- the segment format, on its own ---------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 50, 4087, 4088, 4089, 9000])
def test_roundtrip_at_segment_boundaries(size):
    keyring = Keyring(LocalKeyProvider(os.urandom(32)))
    data = os.urandom(size)
    sink = io.BytesIO()
    sha256, length = encrypt_stream(io.BytesIO(data), sink, keyring.current, segment=16)
    assert (sha256, length) == (hashlib.sha256(data).hexdigest(), size)
    assert size < 8 or data not in sink.getvalue()
    reader = DecryptingReader(io.BytesIO(sink.getvalue()), keyring, sha256)
    assert reader.read() == data


def _sealed(data: bytes, segment: int = 16) -> tuple[Keyring, bytes, str]:
    keyring = Keyring(LocalKeyProvider(os.urandom(32)))
    sink = io.BytesIO()
    sha256, _ = encrypt_stream(io.BytesIO(data), sink, keyring.current, segment=segment)
    return keyring, sink.getvalue(), sha256


def _read(keyring: Keyring, stored: bytes, sha256: str) -> bytes:
    with DecryptingReader(io.BytesIO(stored), keyring, sha256) as reader:
        return reader.read()


def test_truncation_reordering_and_appending_are_detected():
    data = bytes(range(256)) * 2  # 512 bytes, sealed with its length and padding in segments of 16
    keyring, stored, sha256 = _sealed(data)
    count = blob_crypto.padded_size(blob_crypto.LENGTH + len(data)) // 16
    header = len(stored) - count * (16 + 16)
    body = stored[header:]
    segments = [body[i : i + 32] for i in range(0, len(body), 32)]
    cut_at_boundary = stored[: header + (count - 1) * 32]
    swapped = stored[:header] + b"".join([segments[1], segments[0], *segments[2:]])
    appended = stored + segments[-1]
    dropped_middle = stored[:header] + b"".join(segments[:5] + segments[6:])
    assert len(segments) == count and all(len(segment) == 32 for segment in segments)
    for damaged in (cut_at_boundary, swapped, appended, dropped_middle, stored[:-1], stored[: header + 5]):
        with pytest.raises(BlobCorrupted) as caught:
            _read(keyring, damaged, sha256)
        assert caught.value.code == "blob.corrupted"
    assert _read(keyring, stored, sha256) == data


def test_a_wrong_name_fails_the_sha256_check():
    keyring, stored, sha256 = _sealed(b"inhoud")
    with pytest.raises(BlobCorrupted, match="SHA-256"):
        _read(keyring, stored, "0" * 64)


# --- the store, through ingest ----------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_readable_under_the_blob_directory(master, settings, tmp_path):
    custodian = add_custodian("anna", name="Anna", actor="test")
    unique = "Geheime afspraak over de begroting 8c1d0e"
    media = b"\xff\xd8\xff\xe0 JPEG " + os.urandom(64) + b" uniek-mediabestand-5b2f"
    export = tmp_path / "WhatsApp Chat - Anna.zip"
    export.write_bytes(whatsapp_zip(unique, media))
    outcome = ingest(export, custodian, actor="test")
    assert outcome.status == "ingested", outcome.error
    attachment = Attachment.objects.get()
    assert attachment.blob_id == hashlib.sha256(media).hexdigest()

    root = Path(settings.BLOB_ROOT)
    files = blob_files(root)
    assert len([f for f in files if "hmac-sha256" in f.parts]) == 2  # the original zip and the photo
    needles = [unique.encode(), unique.encode("utf-16-le"), media[-24:], b"WhatsApp-chat met Anna", b"PK\x03\x04"]
    for path in files:
        content = path.read_bytes()
        assert content.startswith(blob_crypto.MAGIC), path
        for needle in needles:
            assert needle not in content, (path, needle)

    with blobs.store().open(outcome.delivery.sha256) as handle:
        assert handle.read() == export.read_bytes()
    assert blobs.read_verified(attachment.blob_id) == media
    copy = tmp_path / "copy.jpg"
    blobs.copy_to(attachment.blob_id, str(copy))
    assert copy.read_bytes() == media


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["header", "wrapped_key", "body", "tag"])
def test_a_flipped_byte_fails_with_a_clear_error(master, where):
    data = os.urandom(3 * 1024 * 1024 + 7)
    store = blobs.store()
    sha256, _ = store.put_stream(io.BytesIO(data))
    path = store.path(sha256)
    raw = bytearray(path.read_bytes())
    position = {"header": 10, "wrapped_key": 60, "body": len(raw) // 2, "tag": len(raw) - 3}[where]
    raw[position] ^= 0x01
    path.chmod(0o640)
    path.write_bytes(bytes(raw))
    with pytest.raises((blobs.BlobError, MasterKeyError)) as caught:
        with store.open(sha256) as handle:
            while handle.read(1 << 20):
                pass
    assert caught.value.code in {"blob.corrupted", "blob.key_unwrap_failed"}
    message = caught.value.message("nl")
    assert sha256[:12] in message or "hoofdsleutel" in message
    assert "beschadigd" in message or "kon niet worden uitgepakt" in message


@pytest.mark.django_db
def test_the_wrong_master_key_is_a_clear_error(master, settings):
    sha256, _ = blobs.store().put_stream(io.BytesIO(b"vertrouwelijk"))
    settings.BLOB_MASTER_KEY = new_key()
    with pytest.raises(MasterKeyError) as caught:
        blobs.store().open(sha256)
    assert caught.value.code == "blob.unknown_key"
    assert "CHATARCHIEF_MASTER_KEY" in caught.value.message("nl")
    assert "is versleuteld met hoofdsleutel local:" in caught.value.message("nl")
    settings.BLOB_PREVIOUS_MASTER_KEYS = [master]  # an old key kept for unwrapping: readable again
    with blobs.store().open(sha256) as handle:
        assert handle.read() == b"vertrouwelijk"


def test_malformed_master_keys_are_refused(settings):
    settings.BLOB_MASTER_KEY = base64.b64encode(b"too short").decode()
    with pytest.raises(MasterKeyError, match="32 bytes"):
        blob_keys.keyring()


def test_a_blob_kept_before_encryption_is_still_read_and_verified(tmp_path):
    keyring = Keyring(LocalKeyProvider(os.urandom(32)))
    namer = blob_names.Namer.random(legacy=True)  # a store from before keyed names
    store = blobs.FilesystemBlobStore(tmp_path, keys=lambda: keyring, names=lambda: namer)
    data = b"oud, onversleuteld origineel"
    sha256 = hashlib.sha256(data).hexdigest()
    (tmp_path / blob_names.legacy_name(sha256)).parent.mkdir(parents=True)
    (tmp_path / blob_names.legacy_name(sha256)).write_bytes(data)
    assert store.path(sha256) == tmp_path / blob_names.legacy_name(sha256)
    with store.open(sha256) as handle:
        assert handle.read() == data
    assert store.key_id(sha256) is None
    assert store.rewrap(sha256, keyring, keyring.current)  # rotation encrypts it
    assert store.path(sha256).read_bytes().startswith(blob_crypto.MAGIC)
    assert data not in store.path(sha256).read_bytes()
    with store.open(sha256) as handle:
        assert handle.read() == data


def test_s3_backend_stores_ciphertext_and_rewraps():
    keyring = Keyring(LocalKeyProvider(os.urandom(32)))
    namer = blob_names.Namer.random()
    store = blobs.S3BlobStore(InMemoryStorage(), keys=lambda: keyring, names=lambda: namer)
    data = b"bericht voor de objectopslag " * 1000
    sha256, size = store.put_stream(io.BytesIO(data))
    assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
    with store.storage.open(namer.name(sha256), "rb") as raw:
        stored = raw.read()
    assert b"objectopslag" not in stored and stored.startswith(blob_crypto.MAGIC)
    with store.open(sha256) as handle:
        assert handle.read() == data
    assert list(store.stored()) == [namer.name(sha256)] and sha256 not in namer.name(sha256)
    new = LocalKeyProvider(os.urandom(32))
    assert store.rewrap(sha256, keyring, new)
    assert store.key_id(sha256) == new.key_id
    rotated = keyring.rotated_to(new)
    assert store.rewrap(sha256, rotated, new) is False
    with blobs.S3BlobStore(store.storage, keys=lambda: Keyring(new), names=lambda: namer).open(sha256) as handle:
        assert handle.read() == data


# --- rotation -------------------------------------------------------------------------------------------


def _ciphertext(path: Path) -> bytes:
    with open(path, "rb") as handle:
        blob_crypto.read_header(handle, path.name)
        return handle.read()


@pytest.mark.django_db
def test_keys_rotate_rewraps_every_blob_without_touching_content(master, settings, tmp_path, capsys):
    store = blobs.store()
    contents = [os.urandom(n) for n in (0, 10, 2 * 1024 * 1024 + 3)]
    names = [store.put_stream(io.BytesIO(c))[0] for c in contents]
    old_id = LocalKeyProvider(base64.b64decode(master)).key_id
    bodies = {n: _ciphertext(store.path(n)) for n in names}
    new = new_key()
    key_file = tmp_path / "new.key"
    key_file.write_text(new + "\n")

    assert cli("keys", "rotate", "--new-key-file", str(key_file)) == 0
    out = capsys.readouterr().out
    assert "3 blobs: 3 re-wrapped, 0 already under local:" in out and "CHATARCHIEF_MASTER_KEY" in out
    new_id = LocalKeyProvider(base64.b64decode(new)).key_id
    assert {store.key_id(n) for n in names} == {new_id} != {old_id}
    assert {n: _ciphertext(store.path(n)) for n in names} == bodies  # content not re-encrypted

    settings.BLOB_MASTER_KEY = new  # only the new key from now on
    for name, content in zip(names, contents, strict=True):
        with store.open(name) as handle:
            assert handle.read() == content
    settings.BLOB_MASTER_KEY = master  # the old key alone no longer opens them
    with pytest.raises(MasterKeyError):
        store.open(names[0])

    settings.BLOB_MASTER_KEY, settings.BLOB_PREVIOUS_MASTER_KEYS = new, [master]
    assert cli("keys", "rotate", "--new-key-file", str(key_file), "--json") == 0  # safe to run twice
    assert '"unchanged": 3' in capsys.readouterr().out
    from chatarchief.audit.models import AuditEvent

    events = list(AuditEvent.objects.filter(action="keys.rotated").values_list("details", flat=True))
    assert [e["rewrapped"] for e in events] == [3, 0] and all(e["key_id"] == new_id for e in events)
    assert new not in str(events) and master not in str(events)


@pytest.mark.django_db
def test_keys_rotate_updates_the_development_key_file(settings, tmp_path, capsys):
    settings.BLOB_MASTER_KEY = ""
    settings.BLOB_KEY_FILE = tmp_path / "data" / "master.key"
    sha256, _ = blobs.store().put_stream(io.BytesIO(b"ontwikkeldata"))
    first = blob_keys.read_key_file(settings.BLOB_KEY_FILE)
    assert len(first) == 1 and oct(settings.BLOB_KEY_FILE.stat().st_mode)[-3:] == "600"
    new = new_key()
    (tmp_path / "new.key").write_text(new)
    assert cli("keys", "rotate", "--new-key-file", str(tmp_path / "new.key")) == 0
    assert blob_keys.read_key_file(settings.BLOB_KEY_FILE) == [base64.b64decode(new), first[0]]
    blob_keys.reset()
    assert blobs.store().key_id(sha256) == LocalKeyProvider(base64.b64decode(new)).key_id
    with blobs.store().open(sha256) as handle:
        assert handle.read() == b"ontwikkeldata"


def test_generated_keys_decode_to_32_bytes():
    assert len(blob_keys.decode_key(blob_keys.generate_key_text())) == 32
    urlsafe = base64.urlsafe_b64encode(bytes(range(200, 232))).decode()
    assert blob_keys.decode_key(urlsafe) == bytes(range(200, 232))


# --- the KMS hook and production settings -------------------------------------------------------------


class FakeKms:
    """Stands in for boto3's KMS client: 'encrypts' by XOR with a secret it never shows."""

    def __init__(self) -> None:
        self._secret = os.urandom(32)

    def encrypt(self, KeyId: str, Plaintext: bytes) -> dict:  # noqa: N803 (boto3's names)
        return {"CiphertextBlob": b"kms1" + bytes(a ^ b for a, b in zip(Plaintext, self._secret, strict=True))}

    def decrypt(self, KeyId: str, CiphertextBlob: bytes) -> dict:  # noqa: N803
        if not CiphertextBlob.startswith(b"kms1"):
            raise ValueError("InvalidCiphertextException")
        return {"Plaintext": bytes(a ^ b for a, b in zip(CiphertextBlob[4:], self._secret, strict=True))}


FAKE = FakeKms()


def fake_provider() -> blob_keys.AwsKmsKeyProvider:
    return blob_keys.AwsKmsKeyProvider("arn:aws:kms:eu-west-1:000000000000:key/test", client=FAKE)


@pytest.mark.django_db
def test_a_kms_provider_selected_by_setting(settings):
    settings.BLOB_KEY_PROVIDER = "tests.archive.test_blobs:fake_provider"
    store = blobs.store()
    sha256, _ = store.put_stream(io.BytesIO(b"via de KMS"))
    assert store.key_id(sha256) == "aws-kms:arn:aws:kms:eu-west-1:000000000000:key/test"
    with store.open(sha256) as handle:
        assert handle.read() == b"via de KMS"


def test_production_refuses_to_start_without_a_master_key(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CHATARCHIEF_ENV": "production",
        "DJANGO_SECRET_KEY": "k" + "0123456789abcdef" * 4,
        "CHATARCHIEF_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT / "src"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import chatarchief.web.settings"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "CHATARCHIEF_MASTER_KEY is required in production" in result.stderr
