"""Content-addressed, write-once blob store for originals and media.

A blob's name is the SHA-256 of its plaintext (`sha256/ab/cd/<digest>`). Filesystem by default;
S3-compatible object storage through django-storages for scale (`CHATARCHIEF_BLOB_BACKEND=s3`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings

CHUNK = 1024 * 1024


class BlobCorrupted(Exception):
    pass


class BlobStore(Protocol):
    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]: ...
    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]: ...
    def exists(self, sha256: str) -> bool: ...
    def open(self, sha256: str) -> IO[bytes]: ...


def relative_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def hash_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class FilesystemBlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / relative_name(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def _tmp(self) -> tuple[int, str]:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=tmp_dir)

    def _commit(self, tmp: str, sha256: str) -> None:
        target = self.path(sha256)
        if target.exists():
            os.unlink(tmp)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o440)
        os.replace(tmp, target)

    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]:
        fd, tmp = self._tmp()
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as sink:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    sink.write(chunk)
                sink.flush()
                os.fsync(sink.fileno())
        except BaseException:
            os.unlink(tmp)
            raise
        sha256 = digest.hexdigest()
        self._commit(tmp, sha256)
        return sha256, size

    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        with open(path, "rb") as handle:
            return self.put_stream(handle)

    def open(self, sha256: str) -> IO[bytes]:
        return open(self.path(sha256), "rb")


class S3BlobStore:
    """S3-compatible storage (MinIO, the Rijks object store) through django-storages."""

    def __init__(self) -> None:
        from storages.backends.s3 import S3Storage

        self.storage = S3Storage()

    def exists(self, sha256: str) -> bool:
        return bool(self.storage.exists(relative_name(sha256)))

    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]:
        with tempfile.TemporaryFile() as spool:
            digest = hashlib.sha256()
            size = 0
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
            spool.seek(0)
            sha256 = digest.hexdigest()
            if not self.exists(sha256):
                self.storage.save(relative_name(sha256), spool)
        return sha256, size

    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        with open(path, "rb") as handle:
            return self.put_stream(handle)

    def open(self, sha256: str) -> IO[bytes]:
        return self.storage.open(relative_name(sha256), "rb")


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
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BlobCorrupted(sha256)
    return data


def copy_to(sha256: str, target: str) -> None:
    with store().open(sha256) as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, CHUNK)
