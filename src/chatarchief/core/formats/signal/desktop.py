"""Signal Desktop profile: `config.json`, the SQLCipher database `sql/db.sqlite`, `attachments.noindex/`.

FORMATS.md §2c. The database is copied into the workdir and opened there (the original is never
touched) with the key from `config.json` `key`, or the key supplied by the user. An `encryptedKey`
(Chromium safe storage: macOS Keychain, libsecret, DPAPI) cannot be opened off the machine it was
made on, so then the key must be supplied.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from typing import Any

from chatarchief.core import safety
from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats import register
from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.signal.crypto import BadKey, Damaged, decrypt_media
from chatarchief.core.formats.signal.desktop_map import DesktopMapper, Row, as_text
from chatarchief.core.identity import SIGNAL_SELF_KEY
from chatarchief.core.model import Attachment, Channel, Export, ParseOptions, Participant

NAME = "signal_desktop"
DB = os.path.join("sql", "db.sqlite")
KEY_PATTERN = re.compile(r"^(?:x')?([0-9A-Za-z]{1,256})'?$")
CIPHER_PRAGMAS = (
    "PRAGMA cipher_page_size = 4096",
    "PRAGMA kdf_iter = 64000",
    "PRAGMA cipher_hmac_algorithm = HMAC_SHA512",
    "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512",
)
MAX_CONFIG = 1024 * 1024


def detect(path: str) -> bool:
    """A profile folder (config.json + sql/db.sqlite), or a zip holding one."""
    try:
        if os.path.isdir(path):
            return _profile_root(path) is not None
        if os.path.isfile(path) and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return _zip_prefix([n.replace("\\", "/") for n in archive.namelist()]) is not None
    except (OSError, ValueError, zipfile.BadZipFile, RuntimeError):
        return False
    return False


@register(
    name=NAME,
    channel=Channel.SIGNAL,
    label="Signal Desktop-profiel",
    detect=detect,
    accepts_directory=True,
)
def parse(path: str, options: ParseOptions) -> Export:
    shown = options.source_name or os.path.basename(path.rstrip("/"))
    workdir = options.workdir or tempfile.mkdtemp(prefix="chatarchief-signal-desktop-")
    os.makedirs(workdir, exist_ok=True)
    root = _locate(path, workdir, shown)
    key = _key(root, options.secret, shown)
    connection = _open_db(root, key, workdir, shown)
    try:
        export = Export(format=NAME, channel=Channel.SIGNAL, source_name=shown, platform="desktop")
        defects = DefectSink(shown, strict=options.strict, lines=False)
        self_participant = _self_participant(connection)
        mapper = DesktopMapper(_attachment_loader(root, workdir, defects), self_participant)
        for row in _rows(connection, "SELECT * FROM conversations", shown):
            mapper.conversation(row)
        mapper.finish_members()
        messages = sorted(_rows(connection, "SELECT * FROM messages", shown), key=_order)
        for row in messages:
            mapper.message(row)
    finally:
        connection.close()
    export.conversations = [c for c in mapper.conversations.values() if c.messages]
    export.defects = defects.finish()
    export.self_participant = self_participant
    export.metadata = {
        "profile": os.path.basename(root.rstrip("/")),
        "conversations_without_messages": len(mapper.conversations) - len(export.conversations),
    }
    return export


# --- locating the profile ---------------------------------------------------------------------


def _profile_root(path: str) -> str | None:
    for candidate in (path, os.path.join(path, "Signal")):
        if os.path.isfile(os.path.join(candidate, "config.json")) and os.path.isfile(os.path.join(candidate, DB)):
            return candidate
    return None


def _zip_prefix(names: list[str]) -> str | None:
    present = set(names)
    for name in names:
        if name == "config.json" or name.endswith("/config.json"):
            prefix = name[: -len("config.json")]
            if f"{prefix}sql/db.sqlite" in present:
                return prefix
    return None


def _locate(path: str, workdir: str, shown: str) -> str:
    root = _profile_root(path) if os.path.isdir(path) else None
    if root is None and os.path.isfile(path) and zipfile.is_zipfile(path):
        archive, members = safety.open_zip(path, shown)
        with archive:
            prefix = _zip_prefix([m.name for m in members])
            if prefix is not None:
                target = os.path.join(workdir, "signal_desktop_zip")
                for member in members:
                    rest = member.name[len(prefix) :]
                    if member.name.startswith(prefix) and (
                        rest in ("config.json",) or rest.startswith(("sql/", "attachments.noindex/"))
                    ):
                        safety.extract_member(archive, member, target, shown)
                root = os.path.join(target, prefix)
    if root is None:
        raise FormatError(
            "signal_desktop.not_a_profile",
            nl="Dit is geen Signal Desktop-profiel: verwacht een map met config.json en sql/db.sqlite (of een zip daarvan).",
            en="This is not a Signal Desktop profile: expected a folder with config.json and sql/db.sqlite (or a zip of it).",
            file=shown,
        )
    return root


# --- the key ----------------------------------------------------------------------------------


def _key(root: str, secret: str | None, shown: str) -> str:
    config = _config(root, shown)
    supplied = (secret or "").strip()
    raw = supplied or as_text(config.get("key"))
    if not raw:
        if config.get("encryptedKey"):
            raise SecretError(
                "signal_desktop.key_required",
                nl="De databasesleutel van dit profiel is versleuteld met de sleutelbos van de computer (safe storage) en "
                "is hier niet te openen. Lever de sleutel mee (64 hexadecimale tekens, uit te lezen op die computer).",
                en="This profile's database key is encrypted with the computer's keychain (safe storage) and cannot be "
                "opened here. Supply the key (64 hex characters, read out on that computer).",
                file=shown,
            )
        raise _damaged(shown, "config.json: no key")
    match = KEY_PATTERN.match(raw)
    if not match:
        raise _bad_key(shown)
    return match.group(1)


def _config(root: str, shown: str) -> dict[str, Any]:
    path = os.path.join(root, "config.json")
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(MAX_CONFIG).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise _damaged(shown, "config.json") from None
    if not isinstance(data, dict):
        raise _damaged(shown, "config.json")
    return data


def _bad_key(shown: str) -> SecretError:
    return SecretError(
        "signal_desktop.bad_key",
        nl="De sleutel past niet op de database van dit Signal Desktop-profiel.",
        en="The key does not open this Signal Desktop profile's database.",
        file=shown,
    )


def _damaged(shown: str, detail: str) -> FormatError:
    return FormatError(
        "signal_desktop.damaged",
        nl=f"Het Signal Desktop-profiel is beschadigd of onvolledig ({detail}).",
        en=f"The Signal Desktop profile is damaged or incomplete ({detail}).",
        file=shown,
    )


# --- the database -----------------------------------------------------------------------------


def _open_db(root: str, key: str, workdir: str, shown: str) -> Any:
    import sqlcipher3

    copy_dir = tempfile.mkdtemp(prefix="signal_desktop_db_", dir=workdir)
    source = os.path.join(root, DB)
    target = os.path.join(copy_dir, "db.sqlite")
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        if os.path.isfile(source + suffix):
            shutil.copyfile(source + suffix, target + suffix)
    size = os.path.getsize(target)
    connection = sqlcipher3.connect(target)
    try:
        connection.execute(f"PRAGMA key = \"x'{key}'\"")
        for pragma in CIPHER_PRAGMAS:
            connection.execute(pragma)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlcipher3.DatabaseError, MemoryError):  # MemoryError: see _rows
        connection.close()
        if size == 0 or size % 1024:
            raise _damaged(shown, "sql/db.sqlite") from None
        raise _bad_key(shown) from None
    return connection


def _rows(connection: Any, query: str, shown: str) -> list[Row]:
    import sqlcipher3

    try:
        cursor = connection.execute(query)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=False)) for values in cursor.fetchall()]
    except (sqlcipher3.DatabaseError, MemoryError):
        # SQLCipher reports a page whose HMAC fails as SQLITE_NOMEM, which Python raises as MemoryError.
        raise _damaged(shown, "sql/db.sqlite") from None


def _order(row: Row) -> tuple[int, int, int]:
    def number(value: Any) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    return number(row.get("received_at")), number(row.get("sent_at")), number(row.get("rowid"))


def _self_participant(connection: Any) -> Participant:
    """The account owner, from the `items` table when the schema has one."""
    import sqlcipher3

    found: dict[str, str] = {}
    try:
        for item_id, value in connection.execute("SELECT id, json FROM items WHERE id IN ('uuid_id', 'number_id')"):
            data = json.loads(value) if isinstance(value, str) else {}
            if isinstance(data, dict) and isinstance(data.get("value"), str):
                found[item_id] = data["value"].split(".", 1)[0]
    except (sqlcipher3.DatabaseError, MemoryError, ValueError):
        pass
    phone = found.get("number_id") or None
    return Participant(key=SIGNAL_SELF_KEY, name="Ik", phone=phone, is_self=True, native_id=found.get("uuid_id"))


# --- attachments ------------------------------------------------------------------------------


def _attachment_loader(root: str, workdir: str, defects: DefectSink):  # type: ignore[no-untyped-def]
    base = os.path.realpath(os.path.join(root, "attachments.noindex"))

    def load(info: dict[str, Any], label: str) -> Attachment:
        content_type = as_text(info.get("contentType")) or None
        attachment = Attachment(
            filename=as_text(info.get("fileName")) or None,
            mime_type=content_type,
            size=info.get("size") if isinstance(info.get("size"), int) else None,
            media_type=_media_type(content_type, info.get("flags")),
        )
        relative = as_text(info.get("path"))
        source = os.path.realpath(os.path.join(base, relative)) if relative else ""
        if not relative or not source.startswith(base + os.sep) or not os.path.isfile(source):
            attachment.omitted = True
            defects.add(
                "signal_desktop.attachment_missing",
                0,
                relative,
                f"{label}: attachment file not found",
                nl=f"{label}: het bestand van de bijlage ontbreekt.",
            )
            return attachment
        if isinstance(info.get("localKey"), str) and info.get("version") == 2:
            return _decrypt_local(source, info, attachment, workdir, defects, label)
        _describe_file(source, attachment, defects, label)
        attachment.open = lambda: open(source, "rb")  # noqa: SIM115
        return attachment

    return load


def _describe_file(source: str, attachment: Attachment, defects: DefectSink, label: str) -> None:
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    if attachment.size is not None and attachment.size != size:
        defects.add(
            "signal_desktop.attachment_size",
            0,
            os.path.basename(source),
            f"{label}: file has {size} bytes, the database says {attachment.size}",
            nl=f"{label}: het bestand heeft {size} bytes, de database zegt {attachment.size}.",
        )
    attachment.size = size
    attachment.sha256 = digest.hexdigest()


def _decrypt_local(
    source: str, info: dict[str, Any], attachment: Attachment, workdir: str, defects: DefectSink, label: str
) -> Attachment:
    """Newer Desktop versions encrypt attachments at rest (IV ‖ AES-CBC ‖ HMAC, 64-byte localKey)."""
    import base64
    import binascii

    spill = os.path.join(workdir, "signal_desktop_media")
    os.makedirs(spill, exist_ok=True)
    target = os.path.join(spill, hashlib.sha256(source.encode()).hexdigest())
    try:
        local_key = base64.b64decode(info["localKey"], validate=True)
        with open(source, "rb") as handle, open(target, "wb") as sink:
            attachment.sha256 = decrypt_media(handle, os.path.getsize(source), local_key, attachment.size or 0, sink)
    except (BadKey, Damaged, binascii.Error, ValueError):
        attachment.omitted = True
        defects.add(
            "signal_desktop.attachment_undecryptable",
            0,
            as_text(info.get("path")),
            f"{label}: attachment cannot be decrypted",
            nl=f"{label}: de bijlage kan niet worden ontsleuteld.",
        )
        return attachment
    attachment.open = lambda: open(target, "rb")  # noqa: SIM115
    return attachment


def _media_type(content_type: str | None, flags: Any) -> str | None:
    if isinstance(flags, int) and flags & 1:
        return "audio"  # voice message
    if not content_type:
        return None
    major = content_type.split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "document"
