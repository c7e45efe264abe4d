"""Finding the snapshot to read in what the user handed in: a snapshot folder, `SignalBackups/`, or a zip.

Signal-Android writes `SignalBackups/signal-backup-YYYY-MM-DD-HH-mm-ss/{main,metadata,files}` plus one
shared `SignalBackups/files/<2 hex>/<mediaName>` folder (FORMATS.md §2b). Of several snapshots the newest
is read; its name is UTC time, so the names sort by age.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from dataclasses import dataclass, field

from chatarchief.core import safety
from chatarchief.core.formats.signal.protos.signal_backup_wire import FILES_FRAME, Msg, WireError, iter_delimited

SNAPSHOT_NAME = re.compile(r"^signal-backup-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$")
ZIP_MAIN = re.compile(r"^(?:(.*)/)?(signal-backup-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})/main$")
MAX_FILES_LIST = 64 * 1024 * 1024


@dataclass
class Located:
    snapshot_dir: str  # holds main, metadata (and files)
    media_root: str  # the shared files/ folder (may not exist)
    snapshot_name: str
    snapshots: list[str] = field(default_factory=list)  # every snapshot found, oldest first


def _snapshots_in(folder: str) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if SNAPSHOT_NAME.match(n) and os.path.isfile(os.path.join(folder, n, "main")))


def locate_dir(path: str) -> Located | None:
    """The snapshot to read under a folder, or None when the folder is no Signal v2 backup."""
    path = os.path.abspath(path)
    name = os.path.basename(path)
    if os.path.isfile(os.path.join(path, "main")) and (
        SNAPSHOT_NAME.match(name) or os.path.isfile(os.path.join(path, "metadata"))
    ):
        parent = os.path.dirname(path)
        return Located(path, os.path.join(parent, "files"), name, _snapshots_in(parent) or [name])
    for folder in (path, os.path.join(path, "SignalBackups")):
        snapshots = _snapshots_in(folder)
        if snapshots:
            newest = snapshots[-1]
            return Located(os.path.join(folder, newest), os.path.join(folder, "files"), newest, snapshots)
    return None


def zip_snapshots(names: list[str]) -> list[tuple[str, str]]:
    """(prefix, snapshot name) of every snapshot `main` in a list of zip member names, oldest first."""
    found = []
    for name in names:
        match = ZIP_MAIN.match(name)
        if match:
            found.append((match.group(1) or "", match.group(2)))
    return sorted(found, key=lambda item: (item[1], item[0]))


def media_names(files_list: bytes) -> list[str]:
    """Media names in a snapshot's plaintext `files` list (varint-delimited FilesFrame)."""
    names = []
    for frame in iter_delimited(files_list):
        name = Msg(frame, FILES_FRAME).text("mediaName")
        if re.fullmatch(r"[0-9a-f]{64}", name):
            names.append(name)
    return names


def locate_zip(path: str, workdir: str | None, shown: str) -> Located | None:
    """Extract the newest snapshot (and the media it lists) from a zip into the workdir."""
    archive, members = safety.open_zip(path, shown)
    with archive:
        snapshots = zip_snapshots([m.name for m in members])
        if not snapshots:
            return None
        prefix, snapshot = snapshots[-1]
        base = f"{prefix}/" if prefix else ""
        target = os.path.join(workdir or tempfile.mkdtemp(prefix="chatarchief-signal-v2-"), "signal_v2_zip")
        by_name = {m.name: m for m in members}
        for leaf in ("main", "metadata", "files"):
            member = by_name.get(f"{base}{snapshot}/{leaf}")
            if member is not None:
                safety.extract_member(archive, member, target, shown)
        wanted = []
        listed = os.path.join(target, base, snapshot, "files")
        if os.path.isfile(listed) and os.path.getsize(listed) <= MAX_FILES_LIST:
            with open(listed, "rb") as handle:
                try:
                    wanted = media_names(handle.read())
                except WireError:
                    wanted = []
        for name in wanted:
            member = by_name.get(posixpath.join(base, "files", name[:2], name))
            if member is not None:
                safety.extract_member(archive, member, target, shown)
    root = os.path.join(target, base) if base else target
    return Located(
        os.path.join(root, snapshot), os.path.join(root, "files"), snapshot, sorted({s for _, s in snapshots})
    )


def looks_like_zip_backup(path: str) -> bool:
    """Cheap sniff: a zip whose central directory names a snapshot `main`."""
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(zip_snapshots([n.replace("\\", "/") for n in archive.namelist()]))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return False
