"""Decoding one `SqlStatement.SqlParameter` from its raw bytes (the hot loop of a backup import).

A parameter normally holds exactly one field: string (tag 0x0a), integer (0x10, a uint64 varint that
SQLite needs as the signed value), double (0x19), blob (0x22) or null (0x28). Anything else takes the
slow path through the real protobuf class, which also rejects damage with DecodeError.
"""

from __future__ import annotations

import struct
from typing import Any

from chatarchief.core.formats.signal import android_proto as pb

_DOUBLE = struct.Struct("<d").unpack_from
_NULL_FIELD = 5
_U64 = (1 << 64) - 1


def decode(raw: bytes) -> Any:
    """The Python value of one parameter (int, str, float, bytes or None)."""
    size = len(raw)
    if not size:
        return None
    tag = raw[0]
    if tag == 0x10:
        return _integer(raw, size)
    if tag == 0x0A or tag == 0x22:
        return _length_delimited(raw, size, tag)
    if tag == 0x28 and size == 2:
        return None
    if tag == 0x19 and size == 9:
        return _DOUBLE(raw, 1)[0]
    return _slow(raw)


def _integer(raw: bytes, size: int) -> Any:
    if size == 2 and raw[1] < 0x80:
        return raw[1]
    if size > 11:
        return _slow(raw)
    value = shift = 0
    for index in range(1, size):
        byte = raw[index]
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            if index != size - 1:
                return _slow(raw)
            value &= _U64
            return value - (1 << 64) if value >> 63 else value
    return _slow(raw)


def _length_delimited(raw: bytes, size: int, tag: int) -> Any:
    length = shift = 0
    index = 1
    while index < size and index < 6:
        byte = raw[index]
        length |= (byte & 0x7F) << shift
        shift += 7
        index += 1
        if byte < 0x80:
            break
    else:
        return _slow(raw)
    if index + length != size:
        return _slow(raw)
    if tag == 0x22:
        return raw[index:]
    return raw[index:].decode("utf-8", "replace")


def _slow(raw: bytes) -> Any:
    """Via the protobuf class; raises DecodeError for bytes that are no SqlParameter."""
    fields = pb.SqlParameter.FromString(raw).ListFields()
    if not fields or fields[0][0].number == _NULL_FIELD:
        return None
    return fields[0][1]
