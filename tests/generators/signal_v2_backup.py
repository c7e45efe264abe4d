"""Writer of Signal backup v2 `main` files from a plaintext frame stream (for fuzzing and benchmarks).

    plain = read_plain_frames(snapshot_dir, recovery_key)      # the varint-delimited frames
    write_main(snapshot_dir / "main", plain, recovery_key, backup_id, seed=1)

`main` = IV ‖ AES-256-CBC(gzip(frames) ‖ zero padding to the size bucket) ‖ HMAC-SHA256 (FORMATS.md §2b).
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import math
import os
import random
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from chatarchief.core.formats.signal.crypto import (
    backup_key,
    local_backup_id,
    message_backup_keys,
    normalise_recovery_key,
    verify_and_decrypt,
)
from chatarchief.core.formats.signal.v2_stream import gunzip_member


def bucket(size: int) -> int:
    """Signal's padding bucket: max(541, floor(1.05^ceil(log_1.05 n)))."""
    if size <= 541:
        return 541
    return max(size, math.floor(1.05 ** math.ceil(math.log(size, 1.05))))


def keys_for(snapshot: Path, recovery_key: str) -> tuple[bytes, bytes, bytes]:
    """(hmac_key, aes_key, backup_id) of a snapshot folder."""
    key = backup_key(normalise_recovery_key(recovery_key) or "")
    backup_id = local_backup_id(key, (snapshot / "metadata").read_bytes())
    hmac_key, aes_key = message_backup_keys(key, backup_id)
    return hmac_key, aes_key, backup_id


def read_plain_frames(snapshot: Path, recovery_key: str) -> bytes:
    hmac_key, aes_key, _ = keys_for(snapshot, recovery_key)
    main = snapshot / "main"
    with open(main, "rb") as handle:
        return b"".join(gunzip_member(verify_and_decrypt(handle, main.stat().st_size, hmac_key, aes_key)))


def encrypt_main(plain_frames: bytes, hmac_key: bytes, aes_key: bytes, seed: int = 0) -> bytes:
    compressed = gzip.compress(plain_frames, mtime=0)
    compressed += b"\x00" * (bucket(len(compressed)) - len(compressed))
    iv = random.Random(seed).randbytes(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    body = iv + encryptor.update(padded) + encryptor.finalize()
    return body + hmac.new(hmac_key, body, hashlib.sha256).digest()


def write_main(snapshot: Path, plain_frames: bytes, recovery_key: str, seed: int = 0) -> None:
    hmac_key, aes_key, _ = keys_for(snapshot, recovery_key)
    target = snapshot / "main"
    if target.exists():
        os.chmod(target, 0o644)
    target.write_bytes(encrypt_main(plain_frames, hmac_key, aes_key, seed))
