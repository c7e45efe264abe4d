"""Signal-Android legacy local backup (`signal-YYYY-MM-DD-HH-MM-SS.backup`), FORMATS.md §2a.

The file is a plaintext header frame followed by AES-CTR encrypted, HMAC-checked protobuf frames that
hold Signal's database as SQL statements, with attachment blobs in between. `parse` streams it: the
statements are replayed into a private SQLite file in `options.workdir`, attachment blobs are decrypted
chunk-wise into files beside it, and the database is then mapped to an `Export`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import tempfile
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.message import DecodeError

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats import register
from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.signal.android_db import ReplayDatabase
from chatarchief.core.formats.signal.android_frames import BackupReader, bad_passphrase, read_header
from chatarchief.core.formats.signal.android_mapping import BackupContents, build_export
from chatarchief.core.formats.signal.android_media import BlobStore
from chatarchief.core.formats.signal.android_params import decode
from chatarchief.core.model import Channel, Export, ParseOptions

_FILE_TIME = re.compile(r"signal-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})")
_PROGRESS_EVERY = 8192
_ACCOUNT_PREFERENCES = ("pref_local_number", "pref_local_uuid")


def detect(path: str) -> bool:
    """True when the file starts with a Signal backup header frame (length + Header{iv, salt})."""
    try:
        with open(path, "rb") as stream:
            return read_header(stream) is not None
    except (OSError, ValueError):
        return False


@register(
    name="signal_android",
    channel=Channel.SIGNAL,
    label="Signal Android-back-up (.backup)",
    detect=detect,
    needs_secret=True,
)
def parse(path: str, options: ParseOptions) -> Export:
    """Decrypt, replay and map one backup. Needs the 30-digit passphrase in `options.secret`."""
    shown = options.source_name or os.path.basename(path)
    passphrase = _passphrase(options.secret, shown)
    workdir = options.workdir or tempfile.mkdtemp(prefix="chatarchief-signal-")
    contents = BackupContents()
    database: ReplayDatabase | None = None
    try:
        os.makedirs(workdir, exist_ok=True)
        database = ReplayDatabase(workdir, DefectSink(shown, strict=options.strict, lines=False))
        with open(path, "rb", buffering=1 << 20) as stream:
            _read_backup(stream, passphrase, contents, database, BlobStore(workdir), options, shown)
        connection = database.finish()
        contents.defects.extend(database.defects.finish())
        return build_export(connection, contents, source_name=shown, backup_ms=_backup_time(shown, options))
    except (sqlite3.Error, ValueError, TypeError, OverflowError) as error:
        # Values of unexpected types in a damaged (but correctly encrypted) database.
        raise _bad_database(shown, error) from None
    except OSError as error:
        raise FormatError(
            "signal.io_error",
            nl=f"De back-up kon niet worden gelezen of uitgepakt ({error.strerror or 'I/O-fout'}).",
            en=f"The backup could not be read or unpacked ({error.strerror or 'I/O error'}).",
            file=shown,
        ) from None
    finally:
        if database is not None:
            database.close()


def _passphrase(secret: str | None, shown: str) -> str:
    if not secret or not secret.strip():
        raise SecretError(
            "signal.passphrase_required",
            nl="Voor deze Signal-back-up is de wachtwoordzin van 30 cijfers nodig.",
            en="This Signal backup needs its 30-digit passphrase.",
            file=shown,
        )
    passphrase = re.sub(r"\s", "", secret)
    if not re.fullmatch(r"\d{30}", passphrase):
        raise bad_passphrase(shown)
    return passphrase


def _read_backup(
    stream: IO[bytes],
    passphrase: str,
    contents: BackupContents,
    database: ReplayDatabase,
    blobs: BlobStore,
    options: ParseOptions,
    shown: str,
) -> None:
    size = os.fstat(stream.fileno()).st_size
    header = read_header(stream)
    if header is None:
        raise FormatError(
            "signal.not_a_backup",
            nl="Dit is geen Signal-back-up: de kop van het bestand ontbreekt of is onleesbaar.",
            en="This is not a Signal backup: the file header is missing or unreadable.",
            file=shown,
        )
    contents.header_version = header.version
    reader = BackupReader(stream, header, passphrase, shown, size)
    progress = options.progress
    while True:
        frame = reader.next_frame()
        if _apply(frame, reader, contents, database, blobs):
            break
        if progress is not None and reader.frames % _PROGRESS_EVERY == 0:
            progress(reader.position, size)
    contents.frames = reader.frames
    if progress is not None:
        progress(reader.position, size)


def _apply(
    frame: Any, reader: BackupReader, contents: BackupContents, database: ReplayDatabase, blobs: BlobStore
) -> bool:
    """Handle one frame; True at the end frame."""
    for descriptor, value in frame.ListFields():
        number = descriptor.number
        if number == 2:  # statement
            try:
                params = [decode(raw) for raw in value.parameters]
            except (DecodeError, ValueError, RuntimeError):
                raise reader.bad_frame() from None
            database.statement(_text(value.statement), params, reader.frames)
        elif number == 4:  # attachment, its blob follows
            spilled = blobs.spill(reader, value.length)
            contents.blobs[(value.rowId, value.attachmentId)] = spilled
            contents.blobs_by_row.setdefault(value.rowId, spilled)
        elif number in (7, 8):  # avatar, sticker: blob follows, not needed
            reader.read_blob(value.length, None)
        elif number == 5:  # database version
            contents.database_version = value.version
        elif number == 9:  # key-value
            _key_value(value, contents)
        elif number == 3:  # shared preference
            if _text(value.key) in _ACCOUNT_PREFERENCES and value.value:
                contents.account[_text(value.key)] = _text(value.value)
        elif number == 6 and value:  # end
            database.flush()
            return True
    return False


def _text(value: Any) -> str:
    """A protobuf string field; upb hands out bytes when the UTF-8 is invalid (damage)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _key_value(value: Any, contents: BackupContents) -> None:
    key = _text(value.key)
    if not key.startswith("account.") or len(contents.account) > 100:
        return
    for name in ("stringValue", "longValue", "integerValue", "booleanValue"):
        if value.HasField(name):
            found = getattr(value, name)
            contents.account[key] = _text(found)
            return


def _bad_database(shown: str, error: Exception) -> FormatError:
    return FormatError(
        "signal.bad_database",
        nl=f"De database in de back-up is onbruikbaar ({type(error).__name__}).",
        en=f"The database inside the backup is unusable ({type(error).__name__}).",
        file=shown,
    )


def _backup_time(shown: str, options: ParseOptions) -> int | None:
    """The backup time from `signal-YYYY-MM-DD-HH-MM-SS.backup` (phone local time), in UTC ms."""
    match = _FILE_TIME.search(os.path.basename(shown))
    if not match:
        return None
    try:
        zone = ZoneInfo(options.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Amsterdam")
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        local = dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    return int(local.timestamp() * 1000)
