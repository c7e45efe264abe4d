"""File format identification with PRONOM identifiers (PUIDs) for MDTO ``bestandsformaat``.

The table holds only the formats this archive hands over, each taken from The National Archives'
PRONOM signature records (nationalarchives/pronom-signatures, ``signatures/<puid>.json``): the format
name and version as PRONOM writes them. Identification follows those records' internal signatures in
a simplified form; where PRONOM itself identifies by extension only (JSON, plain text) so do we. A
file that matches none gets a label without a code, never a guessed PUID.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FileFormat:
    puid: str | None
    name: str
    version: str | None
    mime_type: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}" if self.version else self.name


PRONOM: dict[str, FileFormat] = {
    f.puid: f  # type: ignore[misc]
    for f in (
        FileFormat("fmt/480", "Acrobat PDF/A - Portable Document Format", "3b", "application/pdf"),
        FileFormat("fmt/276", "Acrobat PDF 1.7 - Portable Document Format", "1.7", "application/pdf"),
        FileFormat("fmt/817", "JSON Data Interchange Format", None, "application/json"),
        FileFormat("fmt/43", "JPEG File Interchange Format", "1.01", "image/jpeg"),
        FileFormat("fmt/11", "Portable Network Graphics", "1.0", "image/png"),
        FileFormat("fmt/12", "Portable Network Graphics", "1.1", "image/png"),
        FileFormat("fmt/13", "Portable Network Graphics", "1.2", "image/png"),
        FileFormat("fmt/199", "MPEG-4 Media File", None, "video/mp4"),
        FileFormat("fmt/946", "Ogg Opus Codec Compressed Multimedia File", None, "audio/ogg"),
        FileFormat("x-fmt/111", "Plain Text File", None, "text/plain"),
        FileFormat("x-fmt/263", "ZIP Format", None, "application/zip"),
        FileFormat("fmt/101", "Extensible Markup Language", "1.0", "application/xml"),
    )
}

UNKNOWN = FileFormat(None, "Onbekend formaat", None, "application/octet-stream")
_GENERIC = {
    b"%PDF-": FileFormat(None, "Portable Document Format", None, "application/pdf"),
    b"\xff\xd8\xff": FileFormat(None, "JPEG", None, "image/jpeg"),
}
# PRONOM fmt/480: pdfaid:part 3 followed (within 120 bytes) by pdfaid:conformance B, or the reverse.
_PDFA3B = re.compile(
    rb"pdfaid:part(?:=[\"']|>)3[\"'<].{0,120}?pdfaid:conformance(?:=[\"']|>)B"
    rb"|pdfaid:conformance(?:=[\"']|>)B[\"'<].{0,120}?pdfaid:part(?:=[\"']|>)3",
    re.DOTALL,
)
_CHUNK = 1 << 20


def _contains(path: Path, pattern: re.Pattern[bytes] | bytes, overlap: int = 512) -> bool:
    """Whether the file holds `pattern`, read in blocks that overlap so no match is cut in two."""
    tail = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            window = tail + block
            found = pattern.search(window) if isinstance(pattern, re.Pattern) else pattern in window
            if found:
                return True
            tail = window[-overlap:]
    return False


def _png(head: bytes, path: Path) -> FileFormat | None:
    if not head.startswith(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"):
        return None
    with path.open("rb") as handle:
        data = handle.read()
    if not data.endswith(b"\x00\x00\x00\x00IEND\xaeB`\x82"):
        return None
    chunks, position = set(), 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunks.add(data[position + 4 : position + 8])
        position += 12 + length
    if b"iTXt" in chunks:
        return PRONOM["fmt/13"]
    if chunks & {b"iCCP", b"sPLT", b"sRGB"}:
        return PRONOM["fmt/12"]
    return PRONOM["fmt/11"]


def _by_signature(head: bytes, path: Path) -> FileFormat | None:
    if head.startswith(b"%PDF-1."):
        if _contains(path, _PDFA3B):
            return PRONOM["fmt/480"]
        if head.startswith(b"%PDF-1.7"):
            return PRONOM["fmt/276"]
    if head[:4] == b"\xff\xd8\xff\xe0" and head[6:11] == b"JFIF\x00" and head[11:13] == b"\x01\x01":
        return PRONOM["fmt/43"]
    if head.startswith(b"OggS\x00\x02") and head[28:36] == b"OpusHead":
        return PRONOM["fmt/946"]
    if head[4:8] == b"ftyp" and any(brand in head[8:72] for brand in (b"mp42", b"mp41", b"isom", b"iso2")):
        if _contains(path, b"moov"):
            return PRONOM["fmt/199"]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06\x00\x00")):
        return PRONOM["x-fmt/263"]
    if re.match(rb"(?:\xef\xbb\xbf)?<\?xml version=[\"']1\.0[\"']", head):
        return PRONOM["fmt/101"]
    return _png(head, path)


def _by_extension(path: Path) -> FileFormat | None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError):
            return None
        return PRONOM["fmt/817"]
    if suffix == ".txt":
        return PRONOM["x-fmt/111"]
    return None


def identify_file(path: Path) -> FileFormat:
    """The PRONOM format of the file at `path`, or a label without PUID when none applies."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    found = _by_signature(head, path) or _by_extension(path)
    if found:
        return found
    for magic, generic in _GENERIC.items():
        if head.startswith(magic):
            return generic
    return UNKNOWN
