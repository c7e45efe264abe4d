"""Backup and restore of one installation: database, blob store, keys, audit anchor log.

`backup(out)` writes a folder:

    manifest.json          what is in it, the audit chain's head, the SHA-256 of every file below
    db.sqlite3 | db.pgdump the database (SQLite's online backup API; PostgreSQL: pg_dump -Fc)
    blobs/                 the blob store as it is (ciphertext, keyed names; filesystem store only)
    keys/master.key        the development master-key file, when the keys come from that file
    keys/audit-anchor.key  the anchor signing key (and .pub); audit-anchor.log the anchor log

`restore(folder)` checks every file against the manifest, refuses a target that is not empty,
then puts each part in the place the target's settings name (SQLite file or `pg_restore` into the
empty database of DATABASE_URL). `chatarchief verify` and `chatarchief audit verify` must then pass.

Secrets: a production master key (CHATARCHIEF_MASTER_KEY or a KMS) is never in the backup: the
manifest says so and the restored instance needs the same key in its environment. The backup folder
holds the anchor signing key: keep it as securely as the database (see docs/preservation.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from chatarchief.audit import anchor, log
from chatarchief.core.errors import ChatarchiefError

FORMAT = "chatarchief-backup/1"


def _error(code: str, nl: str, en: str) -> ChatarchiefError:
    return ChatarchiefError(f"preservation.{code}", nl=nl, en=en)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    args += ["--username", str(db.get("USER") or "postgres"), "--dbname", str(db["NAME"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("tmp"), dirs_exist_ok=False)


def backup(out: str | os.PathLike[str], *, actor: str) -> dict[str, Any]:
    folder = Path(out)
    if folder.exists() and any(folder.iterdir()):
        raise _error("backup_not_empty", f"De map {folder} is niet leeg.", f"The folder {folder} is not empty.")
    if settings.BLOB_BACKEND != "filesystem":
        raise _error(
            "backup_s3",
            "De blobopslag is een object store: maak daar een kopie met versiebeheer/replicatie (zie docs).",
            "The blob store is an object store: back it up with its own versioning or replication (see docs).",
        )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    log.backup_made(actor, folder=folder.name)  # in the backup: written (and anchored) before the dump
    anchor.anchor_now()
    if anchor.log_path().is_file():  # before the dump: every anchor it holds is of events the dump has
        shutil.copy2(anchor.log_path(), folder / "audit-anchor.log")
    vendor = connection.vendor
    if vendor == "sqlite":
        target = sqlite3.connect(folder / "db.sqlite3")
        try:
            connection.ensure_connection()
            connection.connection.backup(target)
        finally:
            target.close()
        database = "db.sqlite3"
    elif vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / "db.pgdump"), *args],
                       check=True, env=env)  # fmt: skip
        database = "db.pgdump"
    else:
        raise _error("backup_vendor", f"Database {vendor} wordt niet ondersteund.", f"Database {vendor} not supported.")
    _copy_tree(Path(settings.BLOB_ROOT), folder / "blobs")
    keys = folder / "keys"
    keys.mkdir(mode=0o700)
    master_in_file = not settings.BLOB_MASTER_KEY and settings.BLOB_KEY_PROVIDER == "local"
    if master_in_file and Path(settings.BLOB_KEY_FILE).is_file():
        shutil.copy2(settings.BLOB_KEY_FILE, keys / "master.key")
    for source, name in (
        (anchor.key_path(), "audit-anchor.key"),
        (Path(f"{anchor.key_path()}.pub"), "audit-anchor.key.pub"),
    ):
        if source.is_file():
            shutil.copy2(source, keys / name)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    count, last_id, last_hash = anchor.head()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": database},
        "master_key": "keys/master.key" if (keys / "master.key").is_file() else "not included (environment or KMS)",
        "audit_head": {"count": count, "last_id": last_id, "hash": last_hash},
        "files": {p.relative_to(folder).as_posix(): _sha256(p) for p in files},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return {"out": str(folder), "database": vendor, "files": len(files), "audit_events": count}


def check(folder: Path) -> dict[str, Any]:
    """The manifest, after every file listed in it was found with its SHA-256."""
    path = folder / "manifest.json"
    if not path.is_file():
        raise _error("restore_no_manifest", f"Geen manifest.json in {folder}.", f"No manifest.json in {folder}.")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise _error("restore_format", f"{path}: geen chatarchief-backup.", f"{path}: not a chatarchief backup.")
    for name, digest in manifest["files"].items():
        member = folder / name
        if not member.is_file() or _sha256(member) != digest:
            raise _error(
                "restore_damaged",
                f"{member}: ontbreekt of is gewijzigd sinds de backup.",
                f"{member}: missing or changed since the backup.",
            )
    return manifest


def _target_empty() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise _error(
            "restore_not_empty",
            f"De doeldatabase is niet leeg ({len(tables)} tabellen): herstel alleen in een lege installatie.",
            f"The target database is not empty ({len(tables)} tables): restore into an empty instance only.",
        )
    root = Path(settings.BLOB_ROOT)
    if root.is_dir() and any(p for p in root.iterdir() if p.name != "tmp"):
        raise _error(
            "restore_blobs_not_empty", f"De blobopslag {root} is niet leeg.", f"The blob store {root} is not empty."
        )
    for path in (anchor.log_path(), anchor.key_path()):
        if path.exists():
            raise _error("restore_exists", f"{path} bestaat al.", f"{path} exists already.")


def restore(source: str | os.PathLike[str], *, actor: str) -> dict[str, Any]:
    folder = Path(source)
    manifest = check(folder)
    _target_empty()
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise _error(
            "restore_vendor",
            f"De backup is van {vendor}, het doel is {connection.vendor}.",
            f"The backup is of {vendor}, the target is {connection.vendor}.",
        )
    if vendor == "sqlite":
        connection.ensure_connection()
        backup_db = sqlite3.connect(folder / manifest["database"]["file"])
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    else:
        args, env = _pg_env()
        connection.close()
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args, str(folder / manifest["database"]["file"])],
                       check=True, env=env)  # fmt: skip
    root = Path(settings.BLOB_ROOT)
    if root.is_dir():
        shutil.rmtree(root)
    shutil.copytree(folder / "blobs", root)
    keys = folder / "keys"
    if (keys / "master.key").is_file() and not Path(settings.BLOB_KEY_FILE).exists():
        shutil.copy2(keys / "master.key", settings.BLOB_KEY_FILE)
    for name, target in (
        ("audit-anchor.key", anchor.key_path()),
        ("audit-anchor.key.pub", Path(f"{anchor.key_path()}.pub")),
    ):
        if (keys / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(keys / name, target)
    if (folder / "audit-anchor.log").is_file():
        shutil.copy2(folder / "audit-anchor.log", anchor.log_path())
    from chatarchief.archive.services import blob_keys, blob_names

    blob_keys._build.cache_clear()
    blob_names.reset()
    log.restored(actor, folder=folder.name, events=manifest["audit_head"]["count"])
    return {"restored_from": str(folder), "database": vendor, "audit_events": manifest["audit_head"]["count"]}
