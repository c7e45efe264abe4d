"""Names of blobs in the store: a keyed hash of the content's SHA-256, never the SHA-256 itself.

A blob is stored as `hmac-sha256/ab/cd/<HMAC-SHA-256(name key, SHA-256 of the plaintext)>`. Whoever
holds a copy of the store but not the keys cannot compute the name of a file they know, so the copy
does not tell whether that file is archived. The plain SHA-256 stays the blob's identity and
evidence inside the database (Blob.sha256, Delivery.sha256) and is verified on every full read.

The name key is derived with HKDF-SHA-256 from a random 32-byte name secret, created once per
installation and kept in the database (one `BlobNameKey` row) wrapped by the master key, exactly like
a blob's data key. Rotating the master key re-wraps that secret (`rewrap_name_key`), so names never
change: a rotation renames nothing (a rename on S3 is a copy and a delete, and impossible under
object lock). Deriving the name key from the master key itself would have tied every name to one
master key; a KMS never hands out its key at all.

Stores written before keyed names hold `sha256/ab/cd/<SHA-256>`. They stay readable (the store looks
there when `legacy` is set) until `chatarchief keys rename-blobs` has moved every blob
(`blobs.rename_legacy_blobs`); a store created after this change is never searched under plain names.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, transaction

from chatarchief.archive.models import BlobNameKey
from chatarchief.archive.services.blob_keys import KeyProvider, Keyring

PREFIX = "hmac-sha256"
LEGACY_PREFIX = "sha256"
NAME_KEY_INFO = b"chatarchief blob names v1"
SECRET_BYTES = 32
SINGLETON = 1


def is_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _spread(prefix: str, digest: str) -> str:
    return f"{prefix}/{digest[:2]}/{digest[2:4]}/{digest}"


def legacy_name(sha256: str) -> str:
    """Where a store written before keyed names kept a blob."""
    return _spread(LEGACY_PREFIX, sha256)


def derive_name_key(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=NAME_KEY_INFO).derive(secret)


@dataclass(frozen=True)
class Namer:
    """Turns a blob's SHA-256 into its stored name."""

    key: bytes = field(repr=False)
    legacy: bool = False  # may the store still hold blobs under their plain SHA-256?

    def name(self, sha256: str) -> str:
        if not is_digest(sha256):
            raise ValueError("a blob is named by the hex SHA-256 of its content")
        return _spread(PREFIX, hmac.new(self.key, bytes.fromhex(sha256), hashlib.sha256).hexdigest())

    @classmethod
    def random(cls, legacy: bool = False) -> Namer:
        """A namer with a fresh key (tests, benchmarks, stores without a database)."""
        return cls(derive_name_key(os.urandom(SECRET_BYTES)), legacy)


_cached: Namer | None = None


def namer(keyring: Keyring, store_has_legacy_names: Callable[[], bool]) -> Namer:
    """The installation's namer. Its secret never changes once made, so it is kept for the life of
    the process (a rotation only re-wraps it; `reset()` forgets it)."""
    global _cached
    if _cached is None:
        row = BlobNameKey.objects.filter(pk=SINGLETON).first() or _create(keyring, store_has_legacy_names)
        _cached = Namer(derive_name_key(keyring.unwrap(row.key_id, bytes(row.wrapped))), row.legacy_names)
    return _cached


def _create(keyring: Keyring, store_has_legacy_names: Callable[[], bool]) -> BlobNameKey:
    """Make the name secret, committed at once (durable: never inside a transaction that could roll it
    back after blobs were named with it). When two processes race, the first row wins."""
    secret = os.urandom(SECRET_BYTES)
    try:
        with transaction.atomic(durable=True):
            return BlobNameKey.objects.create(
                pk=SINGLETON,
                key_id=keyring.current.key_id,
                wrapped=keyring.current.wrap(secret),
                legacy_names=store_has_legacy_names(),
            )
    except IntegrityError:
        return BlobNameKey.objects.get(pk=SINGLETON)


def rewrap_name_key(keyring: Keyring, new: KeyProvider) -> bool:
    """Wrap the name secret under `new` (part of a master key rotation). False: nothing to do."""
    row = BlobNameKey.objects.filter(pk=SINGLETON).first()
    if row is None or row.key_id == new.key_id:
        return False
    secret = keyring.unwrap(row.key_id, bytes(row.wrapped))
    BlobNameKey.objects.filter(pk=SINGLETON).update(key_id=new.key_id, wrapped=new.wrap(secret))
    return True


def name_key_id() -> str | None:
    """The master key the name secret is wrapped under (None: no blob stored yet)."""
    return BlobNameKey.objects.filter(pk=SINGLETON).values_list("key_id", flat=True).first()


def mark_legacy_names_gone() -> None:
    """After `rename-blobs` moved every blob: stop looking under plain SHA-256 names."""
    BlobNameKey.objects.filter(pk=SINGLETON).update(legacy_names=False)
    reset()


def reset() -> None:
    global _cached
    _cached = None
