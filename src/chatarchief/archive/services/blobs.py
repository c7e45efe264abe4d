"""Content-addressed, write-once, encrypted blob store for originals and media.

Callers name a blob by the SHA-256 of its plaintext (the evidence kept in the database, checked on
every full read). In storage it is named by a keyed hash of that SHA-256 (`hmac-sha256/ab/cd/<hmac>`,
see blob_names), so a copy of the store without the keys does not tell whether a known file is in
it. What is stored is ciphertext only, padded to a size class (see blob_crypto: AES-256-GCM in
segments under a fresh data key per blob, wrapped by a master key from blob_keys). Filesystem by
default (directories 0700, blobs 0440); S3-compatible object storage through django-storages for
scale (`CHATARCHIEF_BLOB_BACKEND=s3`).
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

from chatarchief.archive.models import Blob
from chatarchief.archive.services import blob_keys, blob_names
from chatarchief.archive.services.blob_crypto import (
    BlobCorrupted,
    BlobError,
    DecryptingReader,
    encrypt_stream,
    key_id_of,
    rewrap,
)
from chatarchief.archive.services.blob_keys import KeyProvider, Keyring
from chatarchief.archive.services.blob_names import LEGACY_PREFIX, PREFIX, Namer, is_digest, legacy_name

__all__ = ["BlobCorrupted", "BlobError", "BlobStore", "FilesystemBlobStore", "S3BlobStore", "store"]

CHUNK = 1024 * 1024


class BlobStore(Protocol):
    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]: ...
    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]: ...
    def exists(self, sha256: str) -> bool: ...
    def open(self, sha256: str) -> IO[bytes]: ...
    def stored(self) -> Iterator[str]: ...
    def namer(self) -> Namer: ...
    def key_id(self, sha256: str) -> str | None: ...
    def rewrap_stored(self, name: str, keyring: Keyring, new: KeyProvider, sha256: str = "") -> bool: ...
    def adopt_legacy(self, sha256: str) -> bool: ...
    def remove(self, sha256: str) -> bool: ...


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


class _NamedStore:
    """What both backends share: naming, lookup (keyed name, then the plain SHA-256 of older stores),
    writing once, re-wrapping and moving a blob from its plain name to its keyed one. A backend
    provides `_has`, `_open_raw`, `_spool`, `_commit`, `_delete` and `_listed`."""

    def __init__(self, keys: Callable[[], Keyring], names: Callable[[], Namer] | None) -> None:
        self._keys = keys
        self._names = names

    def namer(self) -> Namer:
        if self._names is not None:
            return self._names()
        return blob_names.namer(self._keys(), lambda: next(self._listed(LEGACY_PREFIX), None) is not None)

    def _locate(self, sha256: str) -> str | None:
        namer = self.namer()
        keyed = namer.name(sha256)
        if self._has(keyed):
            return keyed
        if namer.legacy and self._has(legacy_name(sha256)):
            return legacy_name(sha256)
        return None

    def exists(self, sha256: str) -> bool:
        return self._locate(sha256) is not None

    def open(self, sha256: str) -> IO[bytes]:
        name = self._locate(sha256)
        if name is None:
            raise _not_found(sha256)
        return cast(IO[bytes], DecryptingReader(self._open_raw(name), self._keys(), sha256))

    def _put(self, stream: IO[bytes], *, replace_legacy: bool) -> tuple[str, int]:
        current = self._keys().current
        with self._spool() as spool:
            sha256, size = encrypt_stream(stream, spool.file, current)
            target = self.namer().name(sha256)
            present = self._has(target) if replace_legacy else self._locate(sha256) is not None
            if not present:  # write-once: the first copy stays
                self._commit(spool, target)
        return sha256, size

    def put_stream(self, stream: IO[bytes]) -> tuple[str, int]:
        return self._put(stream, replace_legacy=False)

    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        with open(path, "rb") as handle:
            return self.put_stream(handle)

    def stored(self) -> Iterator[str]:
        """The stored names of every blob: keyed ones, then any left under a plain SHA-256."""
        yield from self._listed(PREFIX)
        yield from self._listed(LEGACY_PREFIX)

    def key_id(self, sha256: str) -> str | None:
        name = self._locate(sha256)
        if name is None:
            raise _not_found(sha256)
        with self._open_raw(name) as handle:
            return key_id_of(handle, sha256)

    def rewrap(self, sha256: str, keyring: Keyring, new: KeyProvider) -> bool:
        name = self._locate(sha256)
        if name is None:
            raise _not_found(sha256)
        return self.rewrap_stored(name, keyring, new, sha256)

    def rewrap_stored(self, name: str, keyring: Keyring, new: KeyProvider, sha256: str = "") -> bool:
        """Re-wrap the stored blob `name` under `new`. A blob kept before encryption (only ever under its
        plain SHA-256) is encrypted now, checked against that SHA-256."""
        plain_name = name.startswith(LEGACY_PREFIX + "/")
        label = sha256 or (name.rsplit("/", 1)[-1] if plain_name else "")
        with self._spool() as spool:
            with self._open_raw(name) as source:
                if not rewrap(source, spool.file, keyring, new, label, allow_plaintext=plain_name):
                    return False
            self._commit(spool, name)
        return True

    def remove(self, sha256: str) -> bool:
        """Remove the stored file of `sha256` (keyed and any plain-named copy): the one way a blob
        leaves the store, for content excluded from the archive (review app). False: none was kept."""
        removed = False
        for name in (self.namer().name(sha256), legacy_name(sha256)):
            if self._has(name):
                self._delete(name)
                removed = True
        return removed

    def adopt_legacy(self, sha256: str) -> bool:
        """Move the blob kept under the plain `sha256` to its keyed name, re-encrypted in the current
        format (padded size) and verified against `sha256` on the way. False: not kept there."""
        old = legacy_name(sha256)
        if not self._has(old):
            return False
        with cast(IO[bytes], DecryptingReader(self._open_raw(old), self._keys(), sha256)) as plain:
            self._put(plain, replace_legacy=True)
        self._delete(old)
        return True


class _FileSpool:
    """A temporary file beside the blobs (same file system, so a commit is an atomic rename)."""

    def __init__(self, directory: Path) -> None:
        fd, self.path = tempfile.mkstemp(dir=directory)
        self.file = cast(IO[bytes], os.fdopen(fd, "w+b"))
        self.committed = False

    def __enter__(self) -> _FileSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        if not self.committed:
            os.unlink(self.path)


class FilesystemBlobStore(_NamedStore):
    def __init__(
        self,
        root: str | os.PathLike[str],
        keys: Callable[[], Keyring] = blob_keys.keyring,
        names: Callable[[], Namer] | None = None,
    ) -> None:
        super().__init__(keys, names)
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the blob `sha256` is (or would be) kept."""
        return self.root / (self._locate(sha256) or self.namer().name(sha256))

    def _mkdirs(self, directory: Path) -> None:
        missing = []
        while not directory.is_dir():
            missing.append(directory)
            directory = directory.parent
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)

    def _has(self, name: str) -> bool:
        return (self.root / name).is_file()

    def _open_raw(self, name: str) -> IO[bytes]:
        return open(self.root / name, "rb")  # noqa: SIM115 (the caller closes it)

    def _spool(self) -> _FileSpool:
        self._mkdirs(self.root / "tmp")
        return _FileSpool(self.root / "tmp")

    def _commit(self, spool: Any, name: str) -> None:
        spool.file.flush()
        os.fsync(spool.file.fileno())
        target = self.root / name
        self._mkdirs(target.parent)
        os.chmod(spool.path, 0o440)
        os.replace(spool.path, target)
        spool.committed = True

    def _delete(self, name: str) -> None:
        path = self.root / name
        path.unlink()
        for folder in path.parents[:3]:  # a leftover sha256/ab/cd/ would hint at a digest
            try:
                folder.rmdir()
            except OSError:
                break

    def _listed(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if base.is_dir():
            for path in sorted(base.glob("*/*/*")):
                if path.is_file() and is_digest(path.name):
                    yield path.relative_to(self.root).as_posix()


class _StorageSpool:
    def __init__(self) -> None:
        self.file = cast(IO[bytes], tempfile.TemporaryFile())

    def __enter__(self) -> _StorageSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


class S3BlobStore(_NamedStore):
    """S3-compatible storage (MinIO, the Rijks object store) through django-storages; or any Django
    storage handed in (tests use InMemoryStorage)."""

    def __init__(
        self,
        storage: Any = None,
        keys: Callable[[], Keyring] = blob_keys.keyring,
        names: Callable[[], Namer] | None = None,
    ) -> None:
        super().__init__(keys, names)
        if storage is None:
            from storages.backends.s3 import S3Storage

            storage = S3Storage()
        self.storage = storage

    def _has(self, name: str) -> bool:
        return bool(self.storage.exists(name))

    def _open_raw(self, name: str) -> IO[bytes]:
        return cast(IO[bytes], self.storage.open(name, "rb"))

    def _spool(self) -> _StorageSpool:
        return _StorageSpool()

    def _commit(self, spool: Any, name: str) -> None:
        spool.file.seek(0)
        if self.storage.exists(name) and not getattr(self.storage, "file_overwrite", False):
            self.storage.delete(name)  # S3 (file_overwrite): one PUT replaces the object, never a gap
        self.storage.save(name, spool.file)

    def _delete(self, name: str) -> None:
        self.storage.delete(name)

    def _listed(self, prefix: str) -> Iterator[str]:
        bucket = getattr(self.storage, "bucket", None)
        if bucket is not None:
            location = (getattr(self.storage, "location", "") or "").strip("/")
            start = f"{location}/" if location else ""
            for obj in bucket.objects.filter(Prefix=f"{start}{prefix}/"):
                name = obj.key[len(start) :]
                if is_digest(name.rsplit("/", 1)[-1]):
                    yield name
            return
        if not self.storage.exists(prefix):
            return
        for first in sorted(self.storage.listdir(prefix)[0]):
            for second in sorted(self.storage.listdir(f"{prefix}/{first}")[0]):
                for name in sorted(self.storage.listdir(f"{prefix}/{first}/{second}")[1]):
                    if is_digest(name):
                        yield f"{prefix}/{first}/{second}/{name}"


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


# --- whole-store jobs (the CLI's `keys rotate` and `keys rename-blobs`) -------------------------------


def _is_plain_name(name: str) -> bool:
    return name.startswith(LEGACY_PREFIX + "/")


def _failure(name: str, sha256: str, error: BlobError) -> dict[str, str]:
    return {"sha256": sha256, "name": name, "code": error.code, "message": error.message("en")}


def rotate(new: KeyProvider, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Re-wrap the name secret and every blob's data key under `new` (content is not re-encrypted, no
    blob is renamed). Safe to run twice: what is already under `new` is left alone. A blob that cannot
    be re-wrapped is reported, not fatal."""
    keyring = blob_keys.keyring().rotated_to(new)
    target = store()
    namer = target.namer()
    known = {namer.name(sha): sha for sha in Blob.objects.values_list("sha256", flat=True).iterator()}
    blob_names.rewrap_name_key(keyring, new)
    names = list(target.stored())
    report: dict[str, Any] = {"key_id": new.key_id, "blobs": len(names), "rewrapped": 0, "unchanged": 0, "failed": []}
    for done, name in enumerate(names, 1):
        sha256 = known.get(name) or (name.rsplit("/", 1)[-1] if _is_plain_name(name) else "")
        try:
            changed = target.rewrap_stored(name, keyring, new, sha256)
        except BlobError as error:
            report["failed"].append(_failure(name, sha256, error))
        else:
            report["rewrapped" if changed else "unchanged"] += 1
        if progress:
            progress(done, len(names))
    return report


def rename_legacy_blobs(progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Move every blob a store written before keyed names keeps under its plain SHA-256 to its keyed
    name, re-encrypted (padded size) and verified against that SHA-256 on the way. Safe to run again
    and to cut short. Once none is left, the store is no longer searched under plain names."""
    target = store()
    names = [name for name in target.stored() if _is_plain_name(name)]
    report: dict[str, Any] = {"legacy": len(names), "renamed": 0, "failed": []}
    for done, name in enumerate(names, 1):
        sha256 = name.rsplit("/", 1)[-1]
        try:
            report["renamed"] += int(target.adopt_legacy(sha256))
        except BlobError as error:
            report["failed"].append(_failure(name, sha256, error))
        if progress:
            progress(done, len(names))
    if not any(_is_plain_name(name) for name in target.stored()):
        blob_names.mark_legacy_names_gone()
    report["legacy_names_left"] = target.namer().legacy
    return report
