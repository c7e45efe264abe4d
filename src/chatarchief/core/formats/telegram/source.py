"""Where a Telegram Desktop export lives: a bare `result.json`, its folder, or a zip of that folder.

A `Source` gives the bytes of `result.json` and finds the media files its messages name (paths
relative to the folder of `result.json`), without ever leaving that folder or trusting the zip.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
import zlib
from collections.abc import Callable
from typing import IO

from chatarchief.core.errors import FormatError
from chatarchief.core.safety import SafeMember, open_member, open_zip, read_member

RESULT = "result.json"
SNIFF = 64 * 1024
Opener = Callable[[], IO[bytes]]


class Source:
    """A bare result.json: the media it names were not handed in."""

    kind = "file"

    def __init__(self, data: bytes) -> None:
        self.data = data

    def locate(self, relative: str) -> tuple[Opener, int] | None:
        return None


class FolderSource(Source):
    kind = "folder"

    def __init__(self, data: bytes, root: str) -> None:
        super().__init__(data)
        self.root = os.path.realpath(root)

    def locate(self, relative: str) -> tuple[Opener, int] | None:
        target = os.path.realpath(os.path.join(self.root, relative))
        if not target.startswith(self.root + os.sep) or not os.path.isfile(target):
            return None
        return (lambda: open(target, "rb")), os.path.getsize(target)


class ZipSource(Source):
    kind = "zip"

    def __init__(self, data: bytes, path: str, prefix: str, members: dict[str, SafeMember], shown: str) -> None:
        super().__init__(data)
        self.path = path
        self.prefix = prefix
        self.members = members
        self.shown = shown

    def locate(self, relative: str) -> tuple[Opener, int] | None:
        name = posixpath.normpath(posixpath.join(self.prefix, relative.replace("\\", "/")))
        member = self.members.get(name)
        if member is None:
            return None
        path, shown = self.path, self.shown

        def opener() -> IO[bytes]:
            # The members were checked once by open_zip; reopen the file and read only this one.
            with zipfile.ZipFile(path) as archive:
                return open_member(archive, member, shown)  # type: ignore[return-value]

        return opener, member.info.file_size


def open_source(path: str, shown: str) -> Source:
    """Read result.json from a file, a folder or a zip; FormatError if it is not there or unreadable."""
    try:
        if os.path.isdir(path):
            found = find_in_folder(path)
            if found is None:
                raise _missing(shown)
            with open(found, "rb") as handle:
                return FolderSource(handle.read(), os.path.dirname(found))
        with open(path, "rb") as handle:
            if handle.read(4) == b"PK\x03\x04":
                return _zip_source(path, shown)
            handle.seek(0)
            return Source(handle.read())
    except OSError as exc:
        raise FormatError(
            "telegram.unreadable",
            nl=f"Het bestand kan niet worden gelezen ({exc.strerror}).",
            en=f"The file cannot be read ({exc.strerror}).",
            file=shown,
        ) from None


def _zip_source(path: str, shown: str) -> ZipSource:
    archive, members = open_zip(path, shown)
    with archive:
        by_name = {m.name: m for m in members}
        result = _result_member(list(by_name))
        if result is None:
            raise _missing(shown)
        data = read_member(archive, by_name[result], shown)
    return ZipSource(data, path, posixpath.dirname(result), by_name, shown)


def _result_member(names: list[str]) -> str | None:
    """The shallowest `result.json` in a zip (exports are often zipped with their folder)."""
    candidates = [n for n in names if posixpath.basename(n) == RESULT]
    return min(candidates, key=lambda n: (n.count("/"), n)) if candidates else None


def find_in_folder(folder: str) -> str | None:
    """result.json in the folder itself or in one subfolder (the `ChatExport_<date>` folder)."""
    direct = os.path.join(folder, RESULT)
    if os.path.isfile(direct):
        return direct
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return None
    for entry in entries:
        nested = os.path.join(entry.path, RESULT)
        if entry.is_dir(follow_symlinks=False) and os.path.isfile(nested):
            return nested
    return None


def sniff_head(path: str) -> bytes | None:
    """The first bytes of the result.json a file, folder or zip would give; None if there is none."""
    try:
        if os.path.isdir(path):
            found = find_in_folder(path)
            if found is None:
                return None
            path = found
        with open(path, "rb") as handle:
            head = handle.read(SNIFF)
        if not head.startswith(b"PK\x03\x04"):
            return head
        with zipfile.ZipFile(path) as archive:
            result = _result_member(archive.namelist())
            if result is None:
                return None
            with archive.open(result) as member:
                return member.read(SNIFF)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError):
        return None


def _missing(shown: str) -> FormatError:
    return FormatError(
        "telegram.no_result_json",
        nl="In deze map of dit zip-bestand staat geen result.json van een Telegram-export.",
        en="This folder or zip holds no result.json of a Telegram export.",
        file=shown,
    )
