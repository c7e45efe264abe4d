"""Every place a PDF can hold text, read out for the no-recovery tests.

`all_text_views(pdf)` returns the text as pypdf and pdfminer.six extract it, every stream decompressed
(and decoded as Latin-1, UTF-8 and UTF-16), the raw file, the document information and XMP metadata,
the outline, annotations (link targets), embedded file names and image alt texts, and the characters
the embedded fonts can map back to Unicode.
"""

from __future__ import annotations

import io
import re

import pypdf
from pdfminer.high_level import extract_text as pdfminer_text
from pypdf.generic import DictionaryObject, IndirectObject, StreamObject


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def miner_text(pdf: bytes) -> str:
    return pdfminer_text(io.BytesIO(pdf))


def decoded_streams(pdf: bytes) -> list[bytes]:
    """Every stream object of the file (object streams included), decompressed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    numbers: set[int] = set(reader.xref_objStm)
    for table in reader.xref.values():
        numbers.update(table)
    streams = []
    for number in sorted(numbers):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            streams.append(obj.get_data())
    return streams


def _as_texts(blob: bytes) -> list[str]:
    texts = [blob.decode("latin-1"), blob.decode("utf-8", "ignore")]
    for start in (0, 1):
        texts.append(blob[start:].decode("utf-16-be", "ignore"))
    return texts


def _utf16(hexcode: bytes) -> str:
    return bytes.fromhex(hexcode.decode()).decode("utf-16-be", "ignore")


def tounicode_chars(pdf: bytes) -> set[str]:
    """The characters the embedded fonts map glyphs back to (a subset holds only glyphs that were drawn)."""
    chars: set[str] = set()
    for stream in decoded_streams(pdf):
        if b"begincmap" not in stream:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for _src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                chars.update(_utf16(dst))
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
            for low, high, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                first = ord(_utf16(dst)[-1:] or "\0")
                chars.update(chr(first + i) for i in range(int(high, 16) - int(low, 16) + 1))
    return chars


def _walk(obj, seen: set[int], out: list[str]) -> None:  # type: ignore[no-untyped-def]
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in ("/Parent", "/P", "/Dest", "/Prev", "/Next", "/First", "/Last"):
                continue
            _walk(value, seen, out)
    elif isinstance(obj, list):
        for value in obj:
            _walk(value, seen, out)
    elif isinstance(obj, str):
        out.append(str(obj))


def structure_strings(pdf: bytes) -> list[str]:
    """Strings in the document information, outline, annotations, names (embedded files) and catalog."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out: list[str] = []
    seen: set[int] = set()
    _walk(reader.trailer.get("/Info"), seen, out)
    root = reader.trailer["/Root"]
    for key in ("/Outlines", "/Names", "/AcroForm", "/StructTreeRoot", "/Metadata", "/OpenAction"):
        if key in root:
            _walk(root[key], seen, out)
    for page in reader.pages:
        _walk(page.get("/Annots"), seen, out)
    if "/Metadata" in root:
        out.append(root["/Metadata"].get_object().get_data().decode("utf-8", "ignore"))
    return out


def all_text_views(pdf: bytes) -> list[str]:
    views = [pypdf_text(pdf), miner_text(pdf), *_as_texts(pdf)]
    for stream in decoded_streams(pdf):
        views.extend(_as_texts(stream))
    views.extend(structure_strings(pdf))
    return views


def contains(pdf: bytes, secret: str) -> list[str]:
    """Which views hold `secret` (case-insensitive, white space collapsed); empty when none does."""
    needle = re.sub(r"\s+", " ", secret).casefold()
    names = ["pypdf", "pdfminer", "raw"]
    found = []
    for index, view in enumerate(all_text_views(pdf)):
        if needle in re.sub(r"\s+", " ", view).casefold():
            found.append(names[index] if index < len(names) else f"view{index}")
    return found
