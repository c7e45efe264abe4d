"""Attachment blobs of a Signal-Android backup: spilled to the work folder, joined to their rows.

Each blob is decrypted chunk-wise into its own file while its SHA-256 is computed, so a 2 GB backup
never sits in memory. The `attachment` table (called `part` in older versions, with `mid`/`ct`) says
which message, content type and file name a blob belongs to.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from dataclasses import dataclass
from typing import IO, Any

from chatarchief.core.formats.signal.android_frames import BackupReader
from chatarchief.core.formats.signal.android_people import pick, text
from chatarchief.core.model import Attachment

LONG_TEXT_TYPE = "text/x-signal-plain"
MAX_LONG_TEXT = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SpilledFile:
    path: str
    sha256: str
    size: int


class BlobStore:
    """Writes the blobs of Attachment frames to `<workdir>/signal-attachments/<n>.bin`."""

    def __init__(self, workdir: str) -> None:
        self.folder = os.path.join(workdir, "signal-attachments")
        os.makedirs(self.folder, exist_ok=True)
        self.count = 0

    def spill(self, reader: BackupReader, length: int) -> SpilledFile:
        path = os.path.join(self.folder, f"{self.count}.bin")
        self.count += 1
        digest = hashlib.sha256()
        with open(path, "wb") as out:

            def sink(chunk: bytes) -> None:
                out.write(chunk)
                digest.update(chunk)

            reader.read_blob(length, sink)
        return SpilledFile(path=path, sha256=digest.hexdigest(), size=length)


def _opener(path: str) -> IO[bytes]:
    return open(path, "rb")  # noqa: SIM115 - the caller closes the stream


def media_type(mime: str | None, sticker: bool) -> str | None:
    if sticker:
        return "sticker"
    if not mime:
        return None
    if mime == "image/gif":
        return "gif"
    major = mime.split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return major
    if mime in ("text/vcard", "text/x-vcard"):
        return "contact"
    return "document"


def _read_long_text(spilled: SpilledFile) -> str | None:
    if spilled.size > MAX_LONG_TEXT:
        return None
    with open(spilled.path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def load_attachments(
    connection: sqlite3.Connection,
    schema: dict[str, set[str]],
    blobs: dict[tuple[int, int], SpilledFile],
    blobs_by_row: dict[int, SpilledFile],
) -> tuple[dict[tuple[str, int], list[Attachment]], dict[tuple[str, int], str]]:
    """(message table, message id) -> attachments, and -> long text (Signal's text/x-signal-plain)."""
    table = "attachment" if "attachment" in schema else "part" if "part" in schema else None
    if table is None:
        return {}, {}
    cols = schema[table]
    message_table = "message" if "message" in schema else "mms"
    quote = f"AND {pick(cols, 'quote')} = 0" if "quote" in cols else ""
    query = (
        f"SELECT _id, {pick(cols, 'message_id', 'mid')}, {pick(cols, 'content_type', 'ct')}, "
        f"{pick(cols, 'file_name')}, {pick(cols, 'data_size')}, {pick(cols, 'unique_id')}, "
        f'{pick(cols, "sticker_pack_id")} FROM "{table}" WHERE 1 {quote} ORDER BY _id'
    )
    found: dict[tuple[str, int], list[Attachment]] = {}
    long_texts: dict[tuple[str, int], str] = {}
    for row_id, message_id, mime, file_name, data_size, unique_id, sticker in connection.execute(query):
        key = (message_table, message_id)
        spilled = _find_blob(row_id, unique_id, blobs, blobs_by_row)
        mime = text(mime)
        if mime == LONG_TEXT_TYPE and spilled is not None:
            long_text = _read_long_text(spilled)
            if long_text is not None:
                long_texts[key] = long_text
                continue
        found.setdefault(key, []).append(_attachment(spilled, mime, text(file_name), data_size, sticker))
    return found, long_texts


def _find_blob(
    row_id: Any, unique_id: Any, blobs: dict[tuple[int, int], SpilledFile], by_row: dict[int, SpilledFile]
) -> SpilledFile | None:
    if not isinstance(row_id, int):
        return None
    if isinstance(unique_id, int) and (row_id, unique_id) in blobs:
        return blobs[(row_id, unique_id)]
    return by_row.get(row_id)


def _attachment(
    spilled: SpilledFile | None, mime: str | None, file_name: str | None, data_size: Any, sticker: Any
) -> Attachment:
    if spilled is None:
        return Attachment(
            filename=file_name,
            mime_type=mime,
            size=data_size if isinstance(data_size, int) and data_size >= 0 else None,
            omitted=True,
            media_type=media_type(mime, sticker is not None),
        )
    return Attachment(
        filename=file_name,
        mime_type=mime,
        size=spilled.size,
        sha256=spilled.sha256,
        media_type=media_type(mime, sticker is not None),
        open=functools.partial(_opener, spilled.path),
    )
