"""Safe opening of untrusted containers: zips (size, ratio and count limits, no traversal) and XML.

Every check raises a `FormatError` that names the file and says what was wrong; nothing is extracted
before the whole central directory has been checked.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from chatarchief.core.errors import FormatError

# Limits. A real WhatsApp export with media is a few GB at most; compressed media hardly shrinks.
MAX_MEMBERS = 100_000
MAX_TOTAL_UNCOMPRESSED = 20 * 1024**3  # 20 GiB
MAX_MEMBER_UNCOMPRESSED = 8 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, per member and overall (text compresses ~10x)
RATIO_FLOOR = 1024 * 1024  # small members may have any ratio


@dataclass(frozen=True)
class SafeMember:
    name: str  # normalised relative POSIX path
    info: zipfile.ZipInfo


def _fail(code: str, nl: str, en: str, file: str) -> FormatError:
    return FormatError(f"zip.{code}", nl=nl, en=en, file=file)


def _clean_name(name: str, shown: str) -> str:
    if not name or "\x00" in name:
        raise _fail(
            "bad_name", "Een bestandsnaam in het zip-bestand is ongeldig.", "A file name in the zip is invalid.", shown
        )
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise _fail(
            "absolute_path",
            f"Het zip-bestand bevat een absoluut pad ({name!r}); dat wordt geweigerd.",
            f"The zip contains an absolute path ({name!r}); refused.",
            shown,
        )
    normal = posixpath.normpath(unified)
    if normal == ".." or normal.startswith("../") or "/../" in f"/{unified}/":
        raise _fail(
            "path_traversal",
            f"Het zip-bestand bevat een pad buiten de map ({name!r}); dat wordt geweigerd.",
            f"The zip contains a path outside its folder ({name!r}); refused.",
            shown,
        )
    return normal


def open_zip(path: str, shown: str | None = None) -> tuple[zipfile.ZipFile, list[SafeMember]]:
    """Open a zip and check every member before anything is read. Returns the file and its members."""
    shown = shown or os.path.basename(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _fail(
            "damaged",
            "Het zip-bestand is beschadigd of onvolledig (afgebroken download?).",
            "The zip file is damaged or incomplete (interrupted download?).",
            shown,
        ) from None
    try:
        members = check_members(archive, shown)
    except BaseException:
        archive.close()
        raise
    return archive, members


def check_members(archive: zipfile.ZipFile, shown: str) -> list[SafeMember]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _fail(
            "too_many_members", "Het zip-bestand bevat te veel bestanden.", "The zip holds too many files.", shown
        )
    total = 0
    total_compressed = 0
    members = []
    for info in infos:
        name = _clean_name(info.filename, shown)
        mode = (info.external_attr >> 16) & 0o170000
        if mode == stat.S_IFLNK:
            raise _fail(
                "symlink",
                f"Het zip-bestand bevat een koppeling ({name!r}).",
                f"The zip contains a symbolic link ({name!r}).",
                shown,
            )
        if info.file_size > MAX_MEMBER_UNCOMPRESSED or (
            info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise _bomb(shown)
        total += info.file_size
        total_compressed += info.compress_size
        if info.is_dir():
            continue
        members.append(SafeMember(name, info))
    if total > MAX_TOTAL_UNCOMPRESSED or (total > RATIO_FLOOR and total > MAX_RATIO * max(total_compressed, 1)):
        raise _bomb(shown)
    return members


def _bomb(shown: str) -> FormatError:
    return _fail(
        "bomb",
        "Het zip-bestand pakt uit tot een onredelijke omvang (zip-bom); het wordt geweigerd.",
        "The zip unpacks to an unreasonable size (zip bomb); refused.",
        shown,
    )


class _LimitedReader:
    """Reads a zip member and stops if it yields more than its header promised (lying headers)."""

    def __init__(self, raw: IO[bytes], limit: int, shown: str) -> None:
        self._raw = raw
        self._left = limit
        self._shown = shown

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else -1)
        self._left -= len(data)
        if self._left < 0:
            raise _bomb(self._shown)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _LimitedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(1024 * 1024):
            yield chunk


def open_member(archive: zipfile.ZipFile, member: SafeMember, shown: str) -> _LimitedReader:
    """A reader of one member that refuses to yield more than the header declared."""
    try:
        raw = archive.open(member.info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise _fail(
            "damaged",
            f"Bestand {member.name!r} in het zip-bestand is onleesbaar ({exc}).",
            f"Member {member.name!r} is unreadable ({exc}).",
            shown,
        ) from None
    return _LimitedReader(raw, member.info.file_size, shown)


def _damaged(member: SafeMember, exc: Exception, shown: str) -> FormatError:
    return _fail(
        "damaged",
        f"Bestand {member.name!r} in het zip-bestand is beschadigd ({exc}).",
        f"Member {member.name!r} is damaged ({exc}).",
        shown,
    )


def read_member(archive: zipfile.ZipFile, member: SafeMember, shown: str) -> bytes:
    try:
        with open_member(archive, member, shown) as reader:
            return reader.read()
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _damaged(member, exc, shown) from None


def extract_member(archive: zipfile.ZipFile, member: SafeMember, target_dir: str, shown: str) -> str:
    """Copy one checked member under `target_dir` (never outside it); returns the file path."""
    target = os.path.realpath(os.path.join(target_dir, member.name))
    root = os.path.realpath(target_dir)
    if not target.startswith(root + os.sep):
        raise _fail(
            "path_traversal",
            f"Pad buiten de map: {member.name!r}.",
            f"Path outside the folder: {member.name!r}.",
            shown,
        )
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        with open_member(archive, member, shown) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)  # type: ignore[misc]
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _damaged(member, exc, shown) from None
    return target


def parse_xml_stream(source: str | IO[bytes], shown: str, tags: set[str] | None = None) -> Iterator[tuple[str, object]]:
    """Stream XML elements safely: no entities, no DTD, no external resources (XML bombs refused).

    Yields (event, element) from defusedxml's iterparse for 'end' events; callers clear elements.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        for event, element in iterparse(source, events=("end",), forbid_dtd=True):
            if tags is None or element.tag in tags:
                yield event, element
    except DefusedXmlException:
        raise FormatError(
            "xml.forbidden",
            nl="Het XML-bestand bevat een DTD of entiteiten (mogelijk een XML-bom); het wordt geweigerd.",
            en="The XML file contains a DTD or entities (possibly an XML bomb); refused.",
            file=shown,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise FormatError(
            "xml.malformed",
            nl=f"Het XML-bestand is onvolledig of beschadigd ({exc}).",
            en=f"The XML file is incomplete or damaged ({exc}).",
            file=shown,
            line=line,
        ) from None
