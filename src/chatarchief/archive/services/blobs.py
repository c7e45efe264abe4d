"""Content-addressed, write-once, encrypted blob store for originals and media.

A blob's name is the SHA-256 of its plaintext (`sha256/ab/cd/<digest>`), checked on every full read.
What is stored is ciphertext only (see blob_crypto: AES-256-GCM in segments under a fresh data key
per blob, wrapped by a master key from blob_keys). Filesystem by default; S3-compatible object
storage through django-storages for scale (`CHATARCHIEF_BLOB_BACKEND=s3`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Protocol, cast

from django.conf import settings

from chatarchief.archive.services import blob_keys
from chatarchief.archive.services.blob_crypto import (
    BlobCorrupted,
    BlobError,
    DecryptingReader,
    encrypt_stream,
    key_id_of,
    rewrap,
)
from chatarchief.archive.services.blob_keys import KeyProvider, Keyring

__all__ = ["BlobCorrupted", "BlobError", "BlobStore", "FilesystemBlobStore", "S3BlobStore", "store"]

CHUNK = 1024 * 1024


class BlobStore(Protocol):
    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]: ...
    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]: ...
    def exists(self, sha256: str) -> bool: ...
    def open(self, sha256: str) -> IO[bytes]: ...
    def names(self) -> Iterator[str]: ...
    def key_id(self, sha256: str) -> str | None: ...
    def rewrap(self, sha256: str, keyring: Keyring, new: KeyProvider) -> bool: ...


def relative_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _is_name(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def hash_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _not_found(sha256: str) -> BlobError:
    return BlobError(
        "blob.not_found",
        nl=f"Het opgeslagen bestand {sha256[:12]}… ontbreekt in de opslag.",
        en=f"The stored file {sha256[:12]}… is missing from storage.",
    )


class FilesystemBlobStore:
    def __init__(self, root: str | os.PathLike[str], keys: Callable[[], Keyring] = blob_keys.keyring) -> None:
        self.root = Path(root)
        self._keys = keys

    def path(self, sha256: str) -> Path:
        return self.root / relative_name(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def _tmp(self) -> tuple[int, str]:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=tmp_dir)

    def _write(self, fill: Callable[[IO[bytes]], Any]) -> tuple[str, Any]:
        fd, tmp = self._tmp()
        try:
            with os.fdopen(fd, "wb") as sink:
                result = fill(sink)
                sink.flush()
                os.fsync(sink.fileno())
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp, result

    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]:
        current = self._keys().current
        tmp, (sha256, size) = self._write(lambda sink: encrypt_stream(stream, sink, current))
        target = self.path(sha256)
        if target.exists():  # write-once: the first copy stays
            os.unlink(tmp)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o440)
            os.replace(tmp, target)
        return sha256, size

    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        with open(path, "rb") as handle:
            return self.put_stream(handle)

    def open(self, sha256: str) -> IO[bytes]:
        try:
            raw = open(self.path(sha256), "rb")  # noqa: SIM115 (closed by the reader)
        except FileNotFoundError:
            raise _not_found(sha256) from None
        return cast(IO[bytes], DecryptingReader(raw, self._keys(), sha256))

    def names(self) -> Iterator[str]:
        base = self.root / "sha256"
        if base.is_dir():
            for path in sorted(base.glob("*/*/*")):
                if path.is_file() and _is_name(path.name):
                    yield path.name

    def key_id(self, sha256: str) -> str | None:
        with open(self.path(sha256), "rb") as handle:
            return key_id_of(handle, sha256)

    def rewrap(self, sha256: str, keyring: Keyring, new: KeyProvider) -> bool:
        target = self.path(sha256)
        with open(target, "rb") as source:
            tmp, changed = self._write(lambda sink: rewrap(source, sink, keyring, new, sha256))
        if not changed:
            os.unlink(tmp)
            return False
        os.chmod(tmp, 0o440)
        os.replace(tmp, target)
        return True


class S3BlobStore:
    """S3-compatible storage (MinIO, the Rijks object store) through django-storages; or any Django
    storage handed in (tests use InMemoryStorage)."""

    def __init__(self, storage: Any = None, keys: Callable[[], Keyring] = blob_keys.keyring) -> None:
        if storage is None:
            from storages.backends.s3 import S3Storage

            storage = S3Storage()
        self.storage = storage
        self._keys = keys

    def exists(self, sha256: str) -> bool:
        return bool(self.storage.exists(relative_name(sha256)))

    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]:
        with tempfile.TemporaryFile() as spool:
            sha256, size = encrypt_stream(stream, spool, self._keys().current)
            spool.seek(0)
            if not self.exists(sha256):
                self.storage.save(relative_name(sha256), spool)
        return sha256, size

    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        with open(path, "rb") as handle:
            return self.put_stream(handle)

    def open(self, sha256: str) -> IO[bytes]:
        if not self.exists(sha256):
            raise _not_found(sha256)
        return cast(IO[bytes], DecryptingReader(self.storage.open(relative_name(sha256), "rb"), self._keys(), sha256))

    def names(self) -> Iterator[str]:
        bucket = getattr(self.storage, "bucket", None)
        if bucket is not None:
            prefix = (getattr(self.storage, "location", "") or "").strip("/")
            for obj in bucket.objects.filter(Prefix=f"{prefix}/sha256/" if prefix else "sha256/"):
                name = obj.key.rsplit("/", 1)[-1]
                if _is_name(name):
                    yield name
            return
        for first in sorted(self.storage.listdir("sha256")[0]):
            for second in sorted(self.storage.listdir(f"sha256/{first}")[0]):
                yield from (n for n in sorted(self.storage.listdir(f"sha256/{first}/{second}")[1]) if _is_name(n))

    def key_id(self, sha256: str) -> str | None:
        with self.storage.open(relative_name(sha256), "rb") as handle:
            return key_id_of(handle, sha256)

    def rewrap(self, sha256: str, keyring: Keyring, new: KeyProvider) -> bool:
        name = relative_name(sha256)
        with tempfile.TemporaryFile() as spool:
            with self.storage.open(name, "rb") as source:
                if not rewrap(source, spool, keyring, new, sha256):
                    return False
            spool.seek(0)
            if getattr(self.storage, "file_overwrite", False):
                self.storage.save(name, spool)  # S3: one PUT replaces the object, never a gap
            else:
                self.storage.delete(name)
                self.storage.save(name, spool)
        return True


@lru_cache(maxsize=4)
def _store_for(backend: str, root: str) -> BlobStore:
    if backend == "s3":
        return S3BlobStore()
    return FilesystemBlobStore(root)


def store() -> BlobStore:
    return _store_for(settings.BLOB_BACKEND, str(settings.BLOB_ROOT))


def read_verified(sha256: str) -> bytes:
    """The whole blob, checked against its name (for small media shown in the web app)."""
    with store().open(sha256) as handle:
        return handle.read()


def copy_to(sha256: str, target: str) -> None:
    with store().open(sha256) as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, CHUNK)


def rotate(new: KeyProvider, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Re-wrap every blob's data key under `new` (content is not re-encrypted). Safe to run twice:
    blobs already under `new` are left alone. A blob that cannot be re-wrapped is reported, not fatal."""
    keyring = blob_keys.keyring().rotated_to(new)
    target = store()
    names = list(target.names())
    report: dict[str, Any] = {"key_id": new.key_id, "blobs": len(names), "rewrapped": 0, "unchanged": 0, "failed": []}
    for done, name in enumerate(names, 1):
        try:
            changed = target.rewrap(name, keyring, new)
        except BlobError as error:
            report["failed"].append({"sha256": name, "code": error.code, "message": error.message("en")})
        else:
            report["rewrapped" if changed else "unchanged"] += 1
        if progress:
            progress(done, len(names))
    return report
