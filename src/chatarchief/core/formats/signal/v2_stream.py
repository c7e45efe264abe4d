"""Unpacking the decrypted `main` of a Signal backup v2: the optional magic header, one gzip member
followed by zero padding, and the varint-delimited frames inside (FORMATS.md §2b)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from chatarchief.core.formats.signal.crypto import CHUNK, Damaged
from chatarchief.core.formats.signal.protos.signal_backup_wire import WireError, read_varint

MAGIC = b"SBACKUP\x01"
MAX_PLAINTEXT = 16 * 1024**3  # refuse gzip bombs beyond any real backup


def split_header(data_start: bytes) -> int:
    """Bytes before the IV: 0, or the `SBACKUP\\x01` magic plus its varint-delimited metadata."""
    if not data_start.startswith(MAGIC):
        return 0
    try:
        length, pos = read_varint(data_start, len(MAGIC))
    except WireError:
        raise Damaged("truncated header") from None
    return pos + length


def gunzip_member(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress one gzip member; whatever follows it must be zero padding."""
    inflater = zlib.decompressobj(wbits=31)
    total = 0
    try:
        for chunk in chunks:
            if inflater.eof:
                if chunk.strip(b"\x00"):
                    raise Damaged("data after the gzip stream")
                continue
            data = inflater.decompress(chunk)
            while data:
                total += len(data)
                if total > MAX_PLAINTEXT:
                    raise Damaged("backup unpacks to an unreasonable size")
                yield data
                data = inflater.decompress(inflater.unconsumed_tail) if inflater.unconsumed_tail else b""
            if inflater.eof and inflater.unused_data.strip(b"\x00"):
                raise Damaged("data after the gzip stream")
    except zlib.error as exc:
        raise Damaged(f"gzip: {exc}") from None
    if not inflater.eof:
        raise Damaged("gzip stream ends early")


def iter_frames(chunks: Iterator[bytes], max_frame: int = 256 * 1024 * 1024) -> Iterator[bytes]:
    """Varint-delimited messages from a stream of byte chunks."""
    buffer = bytearray()
    pos = 0
    for chunk in chunks:
        buffer += chunk
        while True:
            try:
                length, start = read_varint(buffer, pos)
            except WireError:
                if len(buffer) - pos > 10:
                    raise Damaged("bad frame length") from None
                break
            if length > max_frame:
                raise Damaged("frame too large")
            if start + length > len(buffer):
                break
            yield bytes(buffer[start : start + length])
            pos = start + length
        if pos > CHUNK:
            del buffer[:pos]
            pos = 0
    if pos != len(buffer):
        raise Damaged("truncated frame at the end")
