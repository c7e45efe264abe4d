"""The encrypted frame stream of a Signal-Android legacy backup (FORMATS.md §2a; keys in `crypto`).

`BackupReader` reads a backup frame by frame from a file object: it never holds more than one frame
(at most `MAX_FRAME` bytes) in memory, and it copies attachment blobs chunk-wise to a sink while
checking their MAC. The secret never appears in an error message.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Callable
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from google.protobuf.message import DecodeError

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats.signal import android_proto as pb
from chatarchief.core.formats.signal.crypto import legacy_backup_key, legacy_secrets

MAC_SIZE = 10
MAX_FRAME = 64 * 1024 * 1024  # a non-attachment frame larger than this is damage, not data
MAX_HEADER = 4096
FIRST_FRAME_MAX = 64 * 1024
_CHUNK = 1024 * 1024
_SMALL = 2048  # frames up to this size are decrypted with one shared ECB context (no per-frame setup)


def read_header(stream: IO[bytes]) -> Any:
    """The plaintext header frame, or None when the bytes are not one (used for detection too)."""
    raw = stream.read(4)
    if len(raw) < 4:
        return None
    (length,) = struct.unpack(">I", raw)
    if not 0 < length <= MAX_HEADER:
        return None
    body = stream.read(length)
    if len(body) < length:
        return None
    try:
        frame = pb.BackupFrame.FromString(body)
    except (DecodeError, ValueError, RuntimeError):
        return None
    if not frame.HasField("header"):
        return None
    header = frame.header
    if len(header.iv) != 16 or len(header.salt) not in (0, 32):
        return None
    if frame.ListFields()[1:] or not header.HasField("iv"):
        return None
    return header


def _error(code: str, nl: str, en: str, file: str) -> FormatError:
    return FormatError(code, nl=nl, en=en, file=file)


def truncated(file: str) -> FormatError:
    return _error(
        "signal.truncated",
        "De back-up is afgebroken: het bestand houdt op voor het einde van de back-up.",
        "The backup is truncated: the file ends before the end of the backup.",
        file,
    )


def bad_passphrase(file: str) -> SecretError:
    return SecretError(
        "signal.bad_passphrase",
        nl="De wachtwoordzin is onjuist: de back-up kan er niet mee worden ontsleuteld.",
        en="The passphrase is wrong: the backup cannot be decrypted with it.",
        file=file,
    )


class BackupReader:
    """Decrypts and verifies the frames after the header, one at a time."""

    def __init__(self, stream: IO[bytes], header: Any, passphrase: str, file: str, size: int) -> None:
        cipher_key, self._mac_key = legacy_secrets(legacy_backup_key(passphrase, header.salt or None))
        self._aes = algorithms.AES(cipher_key)
        # ECB only to make CTR keystream blocks from counter blocks (see _decrypt), never on data.
        self._ecb = Cipher(self._aes, modes.ECB()).encryptor()  # noqa: S305
        self._mac = hmac.new(self._mac_key, digestmod="sha256")
        self._stream = stream
        self._iv_tail = header.iv[4:]
        self._counter = int.from_bytes(header.iv[:4], "big")
        self._blocks = self._counter_blocks(header.iv[4:])
        self._encrypted_length = header.version >= 1
        self._file = file
        self._size = size
        self.frames = 0
        self.position = stream.tell()

    # -- frames ---------------------------------------------------------------------------------------
    def next_frame(self) -> Any:
        """The next decrypted BackupFrame; FormatError on damage, SecretError on a wrong passphrase."""
        raw = self._read(4)
        iv = self._next_iv()
        length_stream = b""
        if self._encrypted_length:
            length_stream = self._ecb.update(iv)
            length = int.from_bytes(raw, "big") ^ int.from_bytes(length_stream[:4], "big")
        else:
            length = int.from_bytes(raw, "big")
        self._check_length(length)
        body = self._read(length)
        mac = self._mac.copy()
        if self._encrypted_length:
            mac.update(raw)
        view = memoryview(body)
        mac.update(view[:-MAC_SIZE])
        if not hmac.compare_digest(mac.digest()[:MAC_SIZE], view[-MAC_SIZE:]):
            if self.frames == 0:
                raise bad_passphrase(self._file)
            raise self._damaged()
        plain = self._decrypt(iv, view[:-MAC_SIZE], 4 if self._encrypted_length else 0)
        self.frames += 1
        try:
            return pb.ReaderFrame.FromString(plain)
        except (DecodeError, ValueError, RuntimeError):
            raise self.bad_frame() from None

    def _check_length(self, length: int) -> None:
        # The first frame (DatabaseVersion in every Signal backup) is tiny; in v1 a large first length
        # means the keystream, hence the passphrase, is wrong.
        limit = FIRST_FRAME_MAX if self.frames == 0 and self._encrypted_length else MAX_FRAME
        if length < MAC_SIZE or length > limit:
            if self.frames == 0 and self._encrypted_length:
                raise bad_passphrase(self._file)
            raise self.bad_frame()
        if self.position + length > self._size:
            raise truncated(self._file)

    def _next_iv(self) -> bytes:
        iv = (self._counter & 0xFFFFFFFF).to_bytes(4, "big") + self._iv_tail
        self._counter += 1
        return iv

    @staticmethod
    def _counter_blocks(tail: bytes) -> bytearray | None:
        """Counter blocks 0..n for one frame with the 4 counter bytes left zero, or None if the low
        96 bits would carry into them (then the per-frame CTR context is used)."""
        start = int.from_bytes(tail, "big")
        count = _SMALL // 16 + 2
        if start + count >= 1 << 96:
            return None
        return bytearray(b"".join(b"\0\0\0\0" + (start + i).to_bytes(12, "big") for i in range(count)))

    def _decrypt(self, iv: bytes, data: memoryview, skip: int) -> bytes:
        """AES-CTR from block `iv`, dropping the first `skip` keystream bytes (the v1 length).

        Small frames (almost all of them) use one long-lived ECB context over counter blocks built from
        a template: setting up a CTR context per frame costs more than the decryption itself.
        """
        n = len(data)
        if n == 0:
            return b""
        template = self._blocks
        if n + skip > _SMALL or template is None:
            decryptor = Cipher(self._aes, modes.CTR(iv)).decryptor()
            if skip:
                decryptor.update(b"\0" * skip)
            return decryptor.update(data)
        blocks = (n + skip + 15) // 16
        counters = template[: blocks * 16]
        for position in range(4):
            counters[position::16] = iv[position : position + 1] * blocks
        stream = self._ecb.update(counters)[skip : skip + n]
        return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")

    # -- blobs ----------------------------------------------------------------------------------------
    def read_blob(self, length: int, sink: Callable[[bytes], object] | None) -> None:
        """Decrypt the `length`-byte blob after an attachment/avatar/sticker frame into `sink`."""
        iv = self._next_iv()
        if self.position + length + MAC_SIZE > self._size:
            raise truncated(self._file)
        mac = self._mac.copy()
        mac.update(iv)
        decryptor = Cipher(self._aes, modes.CTR(iv)).decryptor()
        left = length
        while left:
            chunk = self._read(min(left, _CHUNK))
            left -= len(chunk)
            mac.update(chunk)
            plain = decryptor.update(chunk)
            if sink is not None:
                sink(plain)
        theirs = self._read(MAC_SIZE)
        if not hmac.compare_digest(mac.digest()[:MAC_SIZE], theirs):
            raise _error(
                "signal.attachment_mac",
                "Een bijlage in de back-up is beschadigd (de controlecode klopt niet).",
                "An attachment in the backup is damaged (its MAC does not match).",
                self._file,
            )

    # -- helpers --------------------------------------------------------------------------------------
    def _read(self, n: int) -> bytes:
        data = self._stream.read(n)
        if len(data) < n:
            raise truncated(self._file)
        self.position += n
        return data

    def _damaged(self) -> FormatError:
        return _error(
            "signal.bad_mac",
            f"De back-up is beschadigd: blok {self.frames + 1} klopt niet met zijn controlecode.",
            f"The backup is damaged: frame {self.frames + 1} does not match its MAC.",
            self._file,
        )

    def bad_frame(self) -> FormatError:
        return _error(
            "signal.bad_frame",
            f"De back-up is beschadigd: blok {self.frames + 1} is onleesbaar.",
            f"The backup is damaged: frame {self.frames + 1} cannot be read.",
            self._file,
        )
