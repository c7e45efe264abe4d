"""Signal's keys and ciphers, for all three Signal formats (FORMATS.md §2a-2c).

Legacy `.backup` (Signal-Android `FullBackupBase.java`): `legacy_backup_key` is the iterated SHA-512
of the 30-digit passphrase, `legacy_secrets` the HKDF "Backup Export" split into cipher key and MAC
key; the frame stream itself is read by `android_frames`.

Backup v2 (libsignal ``account-keys/src/backup.rs``, ``message-backup/src/key.rs``), all HKDF-SHA256:
``backupKey = HKDF(AEP, info="20240801_SIGNAL_BACKUP_KEY", 32)``;
``backupId = HKDF(backupKey, info="20241024_SIGNAL_BACKUP_ID:" ‖ ACI, 16)`` (a local backup stores it
encrypted in ``metadata`` instead); ``MessageBackupKey = HKDF(backupKey, salt=token?, info=DST ‖ backupId, 64)``
split into HMAC key ‖ AES key. ``main`` is ``IV ‖ AES-256-CBC(gzip(frames) ‖ zeros) ‖ HMAC-SHA256``
(unpacked by `v2_stream`).

Media at rest (backup v2 local media, and Signal Desktop's encrypted attachments): ``IV ‖ AES-256-CBC
‖ HMAC-SHA256`` under a 64-byte local key (AES key ‖ MAC key), see `decrypt_media`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterator
from typing import IO

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chatarchief.core.formats.signal.protos.signal_backup_wire import (
    ENCRYPTED_BACKUP_ID,
    LOCAL_METADATA,
    Msg,
    WireError,
)

INFO_BACKUP_KEY = b"20240801_SIGNAL_BACKUP_KEY"
INFO_BACKUP_ID = b"20241024_SIGNAL_BACKUP_ID:"
INFO_MESSAGE_BACKUP = b"20241007_SIGNAL_BACKUP_ENCRYPT_MESSAGE_BACKUP:"
INFO_MESSAGE_BACKUP_FS = b"20250708_SIGNAL_BACKUP_ENCRYPT_MESSAGE_BACKUP:"
INFO_LOCAL_METADATA = b"20241011_SIGNAL_LOCAL_BACKUP_METADATA_KEY"
IV_SIZE = 16
MAC_SIZE = 32
CHUNK = 1024 * 1024
AEP_ALPHABET = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


ITERATIONS = 250_000  # rounds of the legacy passphrase hash


class BadKey(Exception):
    """The HMAC did not match: the key is wrong (or the file was altered)."""


class Damaged(Exception):
    """The file is structurally broken (truncated, garbled, not a backup)."""


def normalise_recovery_key(text: str) -> str | None:
    """The 64-character recovery key as the HKDF input, or None when it cannot be one."""
    key = "".join(text.split()).replace("-", "").lower()
    if len(key) != 64 or not set(key) <= AEP_ALPHABET:
        return None
    return key


def _hkdf(ikm: bytes, info: bytes, length: int, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def legacy_backup_key(passphrase: str, salt: bytes | None, iterations: int = ITERATIONS) -> bytes:
    """Signal's iterated SHA-512: round 1 hashes salt‖input‖input, later rounds hash‖input; 32 bytes."""
    data = passphrase.replace(" ", "").encode("utf-8")
    sha512 = hashlib.sha512
    value = sha512((salt or b"") + data + data).digest()
    for _ in range(iterations - 1):
        value = sha512(value + data).digest()
    return value[:32]


def legacy_secrets(key: bytes) -> tuple[bytes, bytes]:
    """(cipher key, MAC key) of a legacy backup, from its backup key via HKDF-SHA256 "Backup Export"."""
    material = _hkdf(key, b"Backup Export", 64, salt=b"\0" * 32)
    return material[:32], material[32:]


def backup_key(recovery_key: str) -> bytes:
    return _hkdf(recovery_key.encode("ascii"), INFO_BACKUP_KEY, 32)


def backup_id_for_aci(key: bytes, aci: bytes) -> bytes:
    return _hkdf(key, INFO_BACKUP_ID + aci, 16)


def message_backup_keys(key: bytes, backup_id: bytes, token: bytes | None = None) -> tuple[bytes, bytes]:
    """(hmac_key, aes_key) for `main`; `token` is the forward-secrecy token of a remote backup."""
    info = (INFO_MESSAGE_BACKUP_FS if token else INFO_MESSAGE_BACKUP) + backup_id
    material = _hkdf(key, info, 64, salt=token)
    return material[:32], material[32:]


def local_backup_id(key: bytes, metadata: bytes) -> bytes:
    """The backupId stored AES-256-CTR encrypted in a snapshot's `metadata` file."""
    try:
        meta = Msg(metadata, LOCAL_METADATA)
        encrypted = meta.msg("backupId", ENCRYPTED_BACKUP_ID)
        version = meta.num("version")
    except WireError as exc:
        raise Damaged(f"metadata: {exc}") from None
    if encrypted is None:
        raise Damaged("metadata: no backupId")
    iv = encrypted.blob("iv") or b""
    blob = encrypted.blob("encryptedId") or b""
    if version != 1 or len(iv) != 12 or len(blob) != 16:
        raise Damaged("metadata: unexpected version or sizes")
    metadata_key = _hkdf(key, INFO_LOCAL_METADATA, 32)
    decryptor = Cipher(algorithms.AES(metadata_key), modes.CTR(iv + b"\x00\x00\x00\x00")).decryptor()
    return decryptor.update(blob) + decryptor.finalize()


def padded_sizes_fit(ciphertext_len: int) -> bool:
    """Whether a CBC ciphertext length fits Signal's size buckets (max(541, floor(1.05^ceil(log_1.05 n))))."""
    low, high = ciphertext_len - 16, ciphertext_len - 1  # PKCS7 adds 1..16 bytes
    if high < 541:
        return False
    if low <= 541 <= high:
        return True
    exponent = max(0, math.floor(math.log(max(low, 1), 1.05)) - 1)
    while True:
        bucket = math.floor(1.05**exponent)
        if bucket > high:
            return False
        if bucket >= low:
            return True
        exponent += 1


def _read_range(handle: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    handle.seek(start)
    left = end - start
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            raise Damaged("file shorter than expected")
        left -= len(chunk)
        yield chunk


def verify_and_decrypt(
    handle: IO[bytes], size: int, hmac_key: bytes, aes_key: bytes, body_start: int = 0
) -> Iterator[bytes]:
    """Check the HMAC over IV‖ciphertext, then yield the CBC plaintext (PKCS7 removed) chunk by chunk."""
    ciphertext_len = size - body_start - IV_SIZE - MAC_SIZE
    if ciphertext_len < 16 or ciphertext_len % 16:
        raise Damaged("ciphertext length is not a whole number of blocks")
    mac = hmac.new(hmac_key, digestmod=hashlib.sha256)
    for chunk in _read_range(handle, body_start, size - MAC_SIZE):
        mac.update(chunk)
    handle.seek(size - MAC_SIZE)
    if not hmac.compare_digest(mac.digest(), handle.read(MAC_SIZE)):
        raise BadKey()
    handle.seek(body_start)
    iv = handle.read(IV_SIZE)
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        for chunk in _read_range(handle, body_start + IV_SIZE, size - MAC_SIZE):
            out = unpadder.update(decryptor.update(chunk))
            if out:
                yield out
        yield unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise Damaged("bad CBC padding") from None


def decrypt_media(handle: IO[bytes], size: int, local_key: bytes, plaintext_size: int, sink: IO[bytes]) -> str:
    """Decrypt a local media file into `sink`, cut to `plaintext_size`; returns the SHA-256 hex."""
    if len(local_key) != 64:
        raise Damaged("localKey is not 64 bytes")
    digest = hashlib.sha256()
    left = plaintext_size
    for chunk in verify_and_decrypt(handle, size, local_key[32:], local_key[:32]):
        part = chunk[:left]
        left -= len(part)
        if part:
            digest.update(part)
            sink.write(part)
    if left:
        raise Damaged("media file is shorter than its pointer says")
    return digest.hexdigest()
