"""Blob names are a keyed hash, sizes are padded: a copy of the blob store without the keys reveals
neither the plaintext nor whether a known file is in it. Stores named by plain SHA-256 keep working
and move to keyed names with `chatarchief keys rename-blobs`; a master key rotation renames nothing."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction

from chatarchief.archive.models import Attachment, BlobNameKey
from chatarchief.archive.services import blob_crypto, blob_keys, blob_names, blobs
from chatarchief.archive.services.blob_crypto import padded_size
from chatarchief.archive.services.blob_keys import LocalKeyProvider
from chatarchief.archive.services.registry import add_custodian
from chatarchief.audit.models import AuditEvent
from chatarchief.intake.pipeline import ingest
from tests.api.conftest import whatsapp_zip
from tests.archive.keys import cli, new_key


def _listing(root: Path) -> dict[str, int]:
    """What a copy of the store shows without the keys: every path and its size."""
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()}


# --- what a copy of the store reveals ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_copy_of_the_store_reveals_neither_content_nor_whether_a_known_file_is_in_it(master, settings, tmp_path):
    custodian = add_custodian("anna", name="Anna", actor="test")
    media = b"\xff\xd8\xff\xe0 JPEG " + os.urandom(3000) + b" bekende-foto"
    export = tmp_path / "WhatsApp Chat - Anna.zip"
    export.write_bytes(whatsapp_zip("Vertrouwelijk overleg 51c2", media))
    assert ingest(export, custodian, actor="test").status == "ingested"
    root = Path(settings.BLOB_ROOT)
    copy = _listing(root)
    contents = b"".join((root / name).read_bytes() for name in copy)

    for known in (export.read_bytes(), media):  # files an outsider may hold and look for
        for digest in (hashlib.sha256(known), hashlib.sha1(known), hashlib.md5(known)):  # noqa: S324
            assert digest.hexdigest() not in "".join(copy), digest.name
            assert digest.digest() not in contents and digest.hexdigest().encode() not in contents
        assert known[-12:] not in contents
        exact = blob_crypto.FIXED + 1 + len(LocalKeyProvider(os.urandom(32)).key_id) + 2 + 40 + len(known) + 16
        assert exact not in copy.values()  # no blob has the size an unpadded encryption of it would have
    assert {name.split("/")[0] for name in copy} == {"hmac-sha256"}

    # the name depends on a secret of this installation: another one stores the same file elsewhere
    sha256 = Attachment.objects.get().blob_id
    assert blobs.store().namer().name(sha256) != blob_names.Namer.random().name(sha256)
    assert sha256 not in blobs.store().namer().name(sha256)


def test_padded_sizes_hide_the_exact_size():
    assert padded_size(0) == padded_size(4096) == 4096  # everything small looks the same
    assert padded_size(5008) == padded_size(5100) == 5120
    previous = 0
    for length in [*range(1, 70000, 997), 10**6, 10**7 + 1, 10**9 + 7]:
        padded = padded_size(length)
        assert length <= padded <= max(4096, length * 1.12) and padded >= previous
        previous = padded


def test_two_files_of_nearby_sizes_are_stored_alike(tmp_path):
    keyring = blob_keys.Keyring(LocalKeyProvider(os.urandom(32)))
    namer = blob_names.Namer.random()
    store = blobs.FilesystemBlobStore(tmp_path, keys=lambda: keyring, names=lambda: namer)
    first, second = os.urandom(70_000), os.urandom(71_000)
    names = [store.put_stream(io.BytesIO(data))[0] for data in (first, second)]
    assert store.path(names[0]).stat().st_size == store.path(names[1]).stat().st_size
    for name, data in zip(names, (first, second), strict=True):
        with store.open(name) as handle:
            assert handle.read() == data


# --- the name key: made once, never rolled back, re-wrapped by a rotation -----------------------------


@pytest.mark.django_db
def test_the_name_key_is_made_once_and_wrapped_by_the_master_key(master):
    blobs.store().put_stream(io.BytesIO(b"eerste"))
    row = BlobNameKey.objects.get()
    assert row.key_id == LocalKeyProvider(base64.b64decode(master)).key_id and not row.legacy_names
    assert len(bytes(row.wrapped)) == 40  # AES key wrap of 32 bytes: the secret itself is never stored
    blob_names.reset()
    again = blob_names._create(blob_keys.keyring(), lambda: False)  # a second process racing: the first row wins
    assert again.pk == row.pk and bytes(again.wrapped) == bytes(row.wrapped)


@pytest.mark.django_db
def test_the_name_key_is_never_made_inside_a_transaction_that_could_roll_back(master):
    with pytest.raises(RuntimeError), transaction.atomic():
        blobs.store().put_stream(io.BytesIO(b"in een transactie"))
    assert not BlobNameKey.objects.exists()


@pytest.mark.django_db
def test_a_rotation_rewraps_the_name_key_and_renames_nothing(master, settings, tmp_path):
    store = blobs.store()
    sha256, _ = store.put_stream(io.BytesIO(b"blijft waar het is"))
    before = _listing(Path(settings.BLOB_ROOT))
    new = new_key()
    (tmp_path / "new.key").write_text(new)
    assert cli("keys", "rotate", "--new-key-file", str(tmp_path / "new.key")) == 0
    assert set(_listing(Path(settings.BLOB_ROOT))) == set(before)
    assert BlobNameKey.objects.get().key_id == LocalKeyProvider(base64.b64decode(new)).key_id

    settings.BLOB_MASTER_KEY = new  # a fresh process that only has the new key
    blob_names.reset()
    with blobs.store().open(sha256) as handle:
        assert handle.read() == b"blijft waar het is"
    settings.BLOB_MASTER_KEY = master  # and one with only the old key cannot even find it
    blob_names.reset()
    with pytest.raises(blob_keys.MasterKeyError):
        blobs.store().open(sha256)


# --- stores named by plain SHA-256 (written before keyed names) ------------------------------------------


def _version_1_blob(data: bytes, provider: LocalKeyProvider, segment: int = 16) -> bytes:
    """A blob as the previous release wrote it: format version 1, exact size, no length, no padding."""
    data_key, prefix = AESGCM.generate_key(bit_length=256), os.urandom(blob_crypto.PREFIX)
    fixed = blob_crypto.MAGIC + bytes([1]) + segment.to_bytes(4, "big") + prefix
    out = [fixed + blob_crypto._key_block(provider, data_key)]
    pieces = [data[i : i + segment] for i in range(0, len(data), segment)] or [b""]
    for index, piece in enumerate(pieces):
        nonce = blob_crypto._nonce(prefix, index, index == len(pieces) - 1)
        out.append(AESGCM(data_key).encrypt(nonce, piece, fixed))
    return b"".join(out)


def _old_store(root: Path, master: str) -> dict[str, bytes]:
    """An older store: one encrypted (version 1) and one pre-encryption blob under plain SHA-256 names."""
    provider = LocalKeyProvider(base64.b64decode(master))
    blobs_by_hash = {}
    for data, stored in [
        (b"versleuteld in het oude formaat " * 9, None),
        (b"nog van voor de versleuteling", b""),
    ]:
        sha256 = hashlib.sha256(data).hexdigest()
        path = root / blob_names.legacy_name(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_version_1_blob(data, provider) if stored is None else data)
        blobs_by_hash[sha256] = data
    return blobs_by_hash


@pytest.mark.django_db
def test_an_older_store_keeps_working_and_moves_to_keyed_names(master, settings, capsys):
    root = Path(settings.BLOB_ROOT)
    old = _old_store(root, master)
    store = blobs.store()
    for sha256, data in old.items():  # readable as it is, without any step by the operator
        assert store.exists(sha256)
        with store.open(sha256) as handle:
            assert handle.read() == data
        assert store.put_stream(io.BytesIO(data))[0] == sha256  # handed in again: not stored twice
    assert BlobNameKey.objects.get().legacy_names
    assert not (root / "hmac-sha256").exists()

    assert cli("keys", "rename-blobs") == 0
    assert "2 blobs under a plain SHA-256: 2 moved to their keyed names" in capsys.readouterr().out
    assert not (root / "sha256").exists()  # no leftover folder hints at a digest either
    listing = _listing(root)
    assert len(listing) == 2 and all(name.startswith("hmac-sha256/") for name in listing)
    assert all(sha256 not in name for sha256 in old for name in listing)
    assert not BlobNameKey.objects.get().legacy_names
    blob_names.reset()
    for sha256, data in old.items():
        with blobs.store().open(sha256) as handle:
            assert handle.read() == data
        assert blobs.store().path(sha256).read_bytes()[len(blob_crypto.MAGIC)] == blob_crypto.VERSION

    assert cli("keys", "rename-blobs", "--json") == 0  # safe to run again
    assert '"legacy": 0' in capsys.readouterr().out
    events = AuditEvent.objects.filter(action="keys.blobs_renamed").order_by("id")
    assert [(e.details["legacy"], e.details["renamed"]) for e in events] == [(2, 2), (0, 0)]


@pytest.mark.django_db
def test_a_damaged_old_blob_is_reported_and_kept(master, settings, capsys):
    root = Path(settings.BLOB_ROOT)
    old = _old_store(root, master)
    damaged = next(iter(old))
    path = root / blob_names.legacy_name(damaged)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x01
    path.write_bytes(bytes(raw))
    assert cli("keys", "rename-blobs") == 1
    assert f"FAILED {damaged}" in capsys.readouterr().err
    assert path.exists() and BlobNameKey.objects.get().legacy_names  # still searched under plain names
    assert len([name for name in _listing(root) if name.startswith("hmac-sha256/")]) == 1
