"""Encryption at rest of one blob: streaming AES-256-GCM in segments under a per-blob data key.

Layout of a stored blob (all integers big-endian)::

    magic (8) | version (1) | segment size (4) | nonce prefix (7)      <- "fixed": the AAD of every segment
    key id length (1) | key id | wrapped key length (2) | wrapped key  <- replaced by `rewrap()`
    segment 0 | segment 1 | ... | final segment                        <- ciphertext + 16-byte tag each

Segment i is sealed with nonce = prefix (7) | i (4) | final flag (1), as in Tink's streaming AEAD:
reordering, dropping or appending segments, or cutting the blob at a segment boundary, all fail
authentication. The data key is fresh and random per blob and only stored wrapped by a master key
(see blob_keys), so rotating the master key rewrites headers, never content. The SHA-256 of the
plaintext is verified when the last segment has been read.

Version 2 (written now) hides the exact size: the sealed stream is the plaintext's length (8 bytes)
then the plaintext then zeros up to `padded_size()` (Padmé: at most 12 % more, at least 4 KiB), so a
copy of the store shows a size class, not a size that would identify a known file. Segment 0, which
holds the length, is sealed last (the sink must be seekable), never twice. Version 1 blobs (exact
size, no length) are still read and re-wrapped as they are.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from typing import IO, Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chatarchief.archive.services.blob_keys import KeyProvider, Keyring
from chatarchief.core.errors import ChatarchiefError

MAGIC = b"\x89CAB\r\n\x1a\n"
VERSION = 2  # written; version 1 is still read
VERSIONS = (1, 2)
LENGTH = 8  # version 2: the plaintext's length, sealed at the start of segment 0
MIN_PADDED = 4096
SEGMENT = 1024 * 1024
TAG = 16
PREFIX = 7
FIXED = len(MAGIC) + 1 + 4 + PREFIX
MAX_SEGMENT = 64 * 1024 * 1024


class BlobError(ChatarchiefError):
    """A stored blob cannot be read back as it was written."""


class BlobCorrupted(BlobError):
    """The stored bytes were changed, cut short or swapped: authentication or the SHA-256 failed."""


def _short(name: str) -> str:
    return f"{name[:12]}…" if len(name) > 12 else name or "?"


def corrupted(name: str, nl: str, en: str) -> BlobCorrupted:
    return BlobCorrupted(
        "blob.corrupted",
        nl=f"Het opgeslagen bestand {_short(name)} is beschadigd of gewijzigd: {nl}",
        en=f"The stored file {_short(name)} is damaged or was altered: {en}",
    )


def read_full(stream: IO[bytes], size: int) -> bytes:
    """Exactly `size` bytes, fewer only at the end of the stream."""
    data = stream.read(size)
    if not data or len(data) == size:
        return data or b""
    parts = [data]
    have = len(data)
    while have < size:
        more = stream.read(size - have)
        if not more:
            break
        parts.append(more)
        have += len(more)
    return b"".join(parts)


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _key_block(provider: KeyProvider, data_key: bytes) -> bytes:
    key_id = provider.key_id.encode("utf-8")
    wrapped = provider.wrap(data_key)
    if len(key_id) > 255 or len(wrapped) > 65535:
        raise ValueError("key id or wrapped key too long for the blob header")
    return bytes([len(key_id)]) + key_id + len(wrapped).to_bytes(2, "big") + wrapped


def padded_size(length: int) -> int:
    """Padmé padding (Nikitin et al., PETS 2019): round `length` up so that only O(log log n) of its
    bits show, at most 12 % more; never below MIN_PADDED."""
    total = max(length, MIN_PADDED)
    exponent = total.bit_length() - 1
    mask = (1 << (exponent - exponent.bit_length())) - 1
    return (total + mask) & ~mask


class _Padded:
    """The plaintext, then zeros up to padded_size(LENGTH + its length); hashes and counts the plaintext."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0
        self._padding: int | None = None  # zeros still to give, once the source has ended

    def read(self, size: int) -> bytes:
        data = b""
        if self._padding is None:
            data = read_full(self._source, size)
            self.digest.update(data)
            self.size += len(data)
            if len(data) == size:
                return data
            self._padding = padded_size(LENGTH + self.size) - LENGTH - self.size
        zeros = min(size - len(data), self._padding)
        self._padding -= zeros
        return data + bytes(zeros)


def encrypt_stream(
    source: IO[bytes], sink: IO[bytes], provider: KeyProvider, segment: int = SEGMENT
) -> tuple[str, int]:
    """Encrypt `source` into `sink` (seekable); return (SHA-256 of the plaintext, plaintext size)."""
    if segment <= LENGTH:
        raise ValueError("segment too small")
    data_key = AESGCM.generate_key(bit_length=256)
    prefix = os.urandom(PREFIX)
    fixed = MAGIC + bytes([VERSION]) + segment.to_bytes(4, "big") + prefix
    sink.write(fixed + _key_block(provider, data_key))
    aead = AESGCM(data_key)
    padded = _Padded(source)

    def seal(index: int, plain: bytes, final: bool) -> bytes:
        return aead.encrypt(_nonce(prefix, index, final), plain, fixed)

    head = read_full(cast(IO[bytes], padded), segment - LENGTH)
    pending = read_full(cast(IO[bytes], padded), segment)
    if not pending:  # all of it fits in segment 0: its length is known already
        sink.write(seal(0, padded.size.to_bytes(LENGTH, "big") + head, True))
        return padded.digest.hexdigest(), padded.size
    first_at = sink.tell()
    sink.write(bytes(segment + TAG))  # room for segment 0, sealed once the length is known
    index = 1
    while True:
        following = read_full(cast(IO[bytes], padded), segment) if len(pending) == segment else b""
        sink.write(seal(index, pending, not following))
        if not following:
            break
        pending = following
        index += 1
        if index >= 2**32:
            raise ValueError("blob too large for its segment counter")
    end = sink.tell()
    sink.seek(first_at)
    sink.write(seal(0, padded.size.to_bytes(LENGTH, "big") + head, False))
    sink.seek(end)
    return padded.digest.hexdigest(), padded.size


class Header:
    """The parsed header of an encrypted blob."""

    def __init__(self, fixed: bytes, key_id: str, wrapped: bytes) -> None:
        self.fixed = fixed
        self.version = fixed[len(MAGIC)]
        self.segment = int.from_bytes(fixed[len(MAGIC) + 1 : len(MAGIC) + 5], "big")
        self.prefix = fixed[len(MAGIC) + 5 :]
        self.key_id = key_id
        self.wrapped = wrapped


def read_header(stream: IO[bytes], name: str) -> Header | bytes:
    """The header, or (for a blob stored before encryption) the bytes read so far."""
    start = read_full(stream, len(MAGIC))
    if start != MAGIC:
        return start
    rest = read_full(stream, FIXED - len(MAGIC) + 1)
    if len(rest) != FIXED - len(MAGIC) + 1 or rest[0] not in VERSIONS:
        raise corrupted(name, "onbekende of afgekapte kop.", "unknown or truncated header.")
    fixed = MAGIC + rest[:-1]
    key_id = read_full(stream, rest[-1])
    length = read_full(stream, 2)
    wrapped = read_full(stream, int.from_bytes(length, "big")) if len(length) == 2 else b""
    header = Header(fixed, key_id.decode("utf-8", "replace"), wrapped)
    if len(key_id) != rest[-1] or len(length) != 2 or len(wrapped) != int.from_bytes(length, "big") or not wrapped:
        raise corrupted(name, "afgekapte kop.", "truncated header.")
    if not (LENGTH if header.version >= 2 else 0) < header.segment <= MAX_SEGMENT:
        raise corrupted(name, "ongeldige segmentgrootte.", "invalid segment size.")
    return header


class DecryptingReader(io.RawIOBase):
    """A read-only stream of a blob's plaintext; verifies every segment and, at the end, the SHA-256."""

    def __init__(self, raw: IO[bytes], keyring: Keyring, name: str = "", verify: bool = True) -> None:
        self._raw = raw
        self._name = name
        self._digest = hashlib.sha256() if verify and len(name) == 64 else None
        self._buffer = memoryview(b"")
        self._index = 0
        self._done = False
        try:
            header = read_header(raw, name)
        except BaseException:
            raw.close()
            raise
        if isinstance(header, bytes):  # stored before encryption: plaintext, still verified by its name
            self._aead: AESGCM | None = None
            self._legacy_head = header
            return
        self._header = header
        try:
            self._aead = AESGCM(keyring.unwrap(header.key_id, header.wrapped))
        except BaseException:
            raw.close()
            raise
        self._ahead = read_full(raw, header.segment + TAG)
        self._remaining: int | None = None  # version 2: plaintext bytes still to give; None before segment 0

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        if self._aead is None:
            chunk, self._legacy_head = self._legacy_head or self._raw.read(SEGMENT), b""
            if not chunk:
                self._finish()
            self._update(chunk)
            return
        current = self._ahead
        full = len(current) == self._header.segment + TAG
        self._ahead = read_full(self._raw, self._header.segment + TAG) if full else b""
        final = not self._ahead
        if len(current) < TAG:
            raise corrupted(self._name, "het bestand is afgekapt.", "the file was cut short.")
        try:
            plain = self._aead.decrypt(_nonce(self._header.prefix, self._index, final), current, self._header.fixed)
        except InvalidTag:
            raise corrupted(
                self._name,
                f"segment {self._index} is niet echt (gewijzigd, verwisseld of afgekapt).",
                f"segment {self._index} is not authentic (altered, reordered or cut short).",
            ) from None
        if self._header.version >= 2:
            plain = self._unpad(plain, final)
        self._index += 1
        self._update(plain)
        if final:
            self._finish()

    def _unpad(self, plain: bytes, final: bool) -> bytes:
        """Version 2: the length from segment 0, then only that many bytes; the padding is dropped."""
        if self._remaining is None:
            self._remaining = int.from_bytes(plain[:LENGTH], "big")
            plain = plain[LENGTH:]
        kept = plain[: self._remaining]
        self._remaining -= len(kept)
        if final and self._remaining:
            raise corrupted(self._name, "korter dan de opgeslagen lengte.", "shorter than its stored length.")
        return kept

    def _update(self, plain: bytes) -> None:
        if self._digest is not None:
            self._digest.update(plain)
        self._buffer = memoryview(plain)

    def _finish(self) -> None:
        self._done = True
        if self._digest is not None and self._digest.hexdigest() != self._name:
            raise corrupted(
                self._name, "de inhoud past niet bij de SHA-256.", "the content does not match its SHA-256."
            )

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        while not self._buffer and not self._done:
            self._fill()
        chunk = bytes(self._buffer[:size])
        self._buffer = self._buffer[size:]
        return chunk

    def readall(self) -> bytes:
        parts = []
        while chunk := self.read(SEGMENT):
            parts.append(chunk)
        return b"".join(parts)

    def readinto(self, target: Any) -> int:
        chunk = self.read(len(target))
        target[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def rewrap(
    source: IO[bytes], sink: IO[bytes], keyring: Keyring, new: KeyProvider, name: str, *, allow_plaintext: bool = True
) -> bool:
    """Copy a blob to `sink` with its data key wrapped under `new`; False (nothing written) when it
    already is. A blob stored before encryption is encrypted now (its SHA-256 `name` checked), where
    `allow_plaintext` says one may exist."""
    header = read_header(source, name)
    if isinstance(header, bytes) and not allow_plaintext:
        raise corrupted(name, "geen versleuteld bestand.", "not an encrypted blob.")
    if isinstance(header, bytes):
        plain = DecryptingReader(cast(IO[bytes], _Prepend(header, source)), keyring, name)
        encrypt_stream(cast(IO[bytes], plain), sink, new)
        return True
    if header.key_id == new.key_id:
        return False
    data_key = keyring.unwrap(header.key_id, header.wrapped)
    sink.write(header.fixed + _key_block(new, data_key))
    shutil.copyfileobj(source, sink, SEGMENT)
    return True


def key_id_of(stream: IO[bytes], name: str) -> str | None:
    """The master key id a blob is wrapped under (None: stored before encryption)."""
    header = read_header(stream, name)
    return None if isinstance(header, bytes) else header.key_id


class _Prepend(io.RawIOBase):
    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._rest.read(-1 if size is None else size)

    def readinto(self, target: Any) -> int:
        chunk = self.read(len(target))
        target[: len(chunk)] = chunk
        return len(chunk)
