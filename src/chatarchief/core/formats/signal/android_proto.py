"""The protobuf messages of a Signal-Android legacy backup, built at import without protoc.

The schema is `protos/signal_backups.proto` (a copy of Signal's `Backups.proto`). It is declared here
as a small table and turned into message classes through a private descriptor pool, so the code needs
no generated `_pb2` module and cannot clash with other users of the default pool.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto
_OPTIONAL = _F.LABEL_OPTIONAL
_REPEATED = _F.LABEL_REPEATED

# message name -> [(field name, number, type, label, message type name or None)]
_SCHEMA: dict[str, list[tuple[str, int, int, int, str | None]]] = {
    "SqlStatement.SqlParameter": [
        ("stringParamter", 1, _F.TYPE_STRING, _OPTIONAL, None),
        # uint64 in Signal's file; int64 reads the same varint as the signed value SQLite wants.
        ("integerParameter", 2, _F.TYPE_INT64, _OPTIONAL, None),
        ("doubleParameter", 3, _F.TYPE_DOUBLE, _OPTIONAL, None),
        ("blobParameter", 4, _F.TYPE_BYTES, _OPTIONAL, None),
        ("nullparameter", 5, _F.TYPE_BOOL, _OPTIONAL, None),
    ],
    "SqlStatement": [
        ("statement", 1, _F.TYPE_STRING, _OPTIONAL, None),
        ("parameters", 2, _F.TYPE_MESSAGE, _REPEATED, ".signal.SqlStatement.SqlParameter"),
    ],
    "SharedPreference": [
        ("file", 1, _F.TYPE_STRING, _OPTIONAL, None),
        ("key", 2, _F.TYPE_STRING, _OPTIONAL, None),
        ("value", 3, _F.TYPE_STRING, _OPTIONAL, None),
        ("booleanValue", 4, _F.TYPE_BOOL, _OPTIONAL, None),
        ("stringSetValue", 5, _F.TYPE_STRING, _REPEATED, None),
        ("isStringSetValue", 6, _F.TYPE_BOOL, _OPTIONAL, None),
    ],
    "Attachment": [
        ("rowId", 1, _F.TYPE_UINT64, _OPTIONAL, None),
        ("attachmentId", 2, _F.TYPE_UINT64, _OPTIONAL, None),
        ("length", 3, _F.TYPE_UINT32, _OPTIONAL, None),
    ],
    "Sticker": [
        ("rowId", 1, _F.TYPE_UINT64, _OPTIONAL, None),
        ("length", 2, _F.TYPE_UINT32, _OPTIONAL, None),
    ],
    "Avatar": [
        ("name", 1, _F.TYPE_STRING, _OPTIONAL, None),
        ("recipientId", 3, _F.TYPE_STRING, _OPTIONAL, None),
        ("length", 2, _F.TYPE_UINT32, _OPTIONAL, None),
    ],
    "DatabaseVersion": [("version", 1, _F.TYPE_UINT32, _OPTIONAL, None)],
    "Header": [
        ("iv", 1, _F.TYPE_BYTES, _OPTIONAL, None),
        ("salt", 2, _F.TYPE_BYTES, _OPTIONAL, None),
        ("version", 3, _F.TYPE_UINT32, _OPTIONAL, None),
    ],
    "KeyValue": [
        ("key", 1, _F.TYPE_STRING, _OPTIONAL, None),
        ("blobValue", 2, _F.TYPE_BYTES, _OPTIONAL, None),
        ("booleanValue", 3, _F.TYPE_BOOL, _OPTIONAL, None),
        ("floatValue", 4, _F.TYPE_FLOAT, _OPTIONAL, None),
        ("integerValue", 5, _F.TYPE_INT32, _OPTIONAL, None),
        ("longValue", 6, _F.TYPE_INT64, _OPTIONAL, None),
        ("stringValue", 7, _F.TYPE_STRING, _OPTIONAL, None),
    ],
    # The reader's view of a statement: parameters kept as their raw bytes (the same wire format, one
    # length-delimited field each). Decoding those by hand is twice as fast as one Python object each.
    "RawSqlStatement": [
        ("statement", 1, _F.TYPE_STRING, _OPTIONAL, None),
        ("parameters", 2, _F.TYPE_BYTES, _REPEATED, None),
    ],
    "ReaderFrame": [
        ("header", 1, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Header"),
        ("statement", 2, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.RawSqlStatement"),
        ("preference", 3, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.SharedPreference"),
        ("attachment", 4, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Attachment"),
        ("version", 5, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.DatabaseVersion"),
        ("end", 6, _F.TYPE_BOOL, _OPTIONAL, None),
        ("avatar", 7, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Avatar"),
        ("sticker", 8, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Sticker"),
        ("keyValue", 9, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.KeyValue"),
    ],
    "BackupFrame": [
        ("header", 1, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Header"),
        ("statement", 2, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.SqlStatement"),
        ("preference", 3, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.SharedPreference"),
        ("attachment", 4, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Attachment"),
        ("version", 5, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.DatabaseVersion"),
        ("end", 6, _F.TYPE_BOOL, _OPTIONAL, None),
        ("avatar", 7, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Avatar"),
        ("sticker", 8, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.Sticker"),
        ("keyValue", 9, _F.TYPE_MESSAGE, _OPTIONAL, ".signal.KeyValue"),
    ],
}


def _add_fields(message: descriptor_pb2.DescriptorProto, name: str) -> None:
    for field_name, number, kind, label, type_name in _SCHEMA[name]:
        field = message.field.add(name=field_name, number=number, type=kind, label=label)
        if type_name:
            field.type_name = type_name


def _build_pool() -> descriptor_pool.DescriptorPool:
    file = descriptor_pb2.FileDescriptorProto(
        name="chatarchief/signal_backups.proto", package="signal", syntax="proto2"
    )
    for name in _SCHEMA:
        if "." in name:
            continue
        message = file.message_type.add(name=name)
        _add_fields(message, name)
        for nested in (n for n in _SCHEMA if n.startswith(name + ".")):
            _add_fields(message.nested_type.add(name=nested.split(".", 1)[1]), nested)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return pool


_POOL = _build_pool()


def _message_class(name: str) -> Any:
    return message_factory.GetMessageClass(_POOL.FindMessageTypeByName("signal." + name))


BackupFrame = _message_class("BackupFrame")
ReaderFrame = _message_class("ReaderFrame")
SqlStatement = _message_class("SqlStatement")
SqlParameter = _message_class("SqlStatement.SqlParameter")
Header = _message_class("Header")
Attachment = _message_class("Attachment")
Avatar = _message_class("Avatar")
Sticker = _message_class("Sticker")
DatabaseVersion = _message_class("DatabaseVersion")
KeyValue = _message_class("KeyValue")
SharedPreference = _message_class("SharedPreference")
