"""Signal backup v2 ("MessageBackup"), the on-device backup folder Signal writes since 2025.

Input: a snapshot folder `signal-backup-YYYY-MM-DD-HH-mm-ss/` (shared media in `../files/`), the whole
`SignalBackups/` folder (the newest snapshot is read), or a zip of either. The 64-character recovery key
opens it: see `crypto` for the key schedule and FORMATS.md §2b for the layout.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from typing import Any

from chatarchief.core.errors import FormatError, SecretError
from chatarchief.core.formats import register
from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.signal.crypto import (
    BadKey,
    Damaged,
    backup_key,
    decrypt_media,
    local_backup_id,
    message_backup_keys,
    normalise_recovery_key,
    padded_sizes_fit,
    verify_and_decrypt,
)
from chatarchief.core.formats.signal.protos import signal_backup_wire as w
from chatarchief.core.formats.signal.protos.signal_backup_wire import Msg, WireError
from chatarchief.core.formats.signal.v2_input import Located, locate_dir, locate_zip, looks_like_zip_backup
from chatarchief.core.formats.signal.v2_map import Mapper
from chatarchief.core.formats.signal.v2_stream import gunzip_member, iter_frames, split_header
from chatarchief.core.model import Attachment, Channel, Export, ParseOptions

NAME = "signal_v2"
MAX_METADATA = 4096


def detect(path: str) -> bool:
    """A Signal v2 snapshot folder, a `SignalBackups/` folder, or a zip holding one."""
    try:
        if os.path.isdir(path):
            return locate_dir(path) is not None
        return os.path.isfile(path) and looks_like_zip_backup(path)
    except (OSError, ValueError):
        return False


@register(
    name=NAME,
    channel=Channel.SIGNAL,
    label="Signal-back-up (v2, op het toestel)",
    detect=detect,
    needs_secret=True,
    accepts_directory=True,
)
def parse(path: str, options: ParseOptions) -> Export:
    shown = options.source_name or os.path.basename(path.rstrip("/"))
    recovery_key = _recovery_key(options.secret, shown)
    located = _locate(path, options, shown)
    key = backup_key(recovery_key)
    backup_id = _backup_id(key, located, shown)
    hmac_key, aes_key = message_backup_keys(key, backup_id)
    spill = os.path.join(options.workdir or tempfile.mkdtemp(prefix="chatarchief-signal-v2-"), "signal_v2_media")
    export = Export(format=NAME, channel=Channel.SIGNAL, source_name=shown, platform=None)
    defects = DefectSink(shown, strict=options.strict, lines=False)
    mapper = Mapper(_media_resolver(located.media_root, spill, defects), defects)
    info = _read_main(os.path.join(located.snapshot_dir, "main"), hmac_key, aes_key, mapper, shown)
    backup_time = info["backupTimeMs"] or None
    for conversation in mapper.chats.values():
        conversation.covers_from_ms = 0
        conversation.covers_to_ms = backup_time
    export.conversations = list(mapper.chats.values())
    export.defects = defects.finish()
    export.self_participant = mapper.self_participant
    export.created_at_ms = backup_time
    app_version = info["currentAppVersion"]
    export.platform = (
        "android" if "android" in app_version.lower() else ("ios" if "ios" in app_version.lower() else None)
    )
    export.metadata = {
        "snapshot": located.snapshot_name,
        "snapshots": located.snapshots,
        "backup_version": info["version"],
        "current_app_version": app_version,
        "first_app_version": info["firstAppVersion"],
    }
    return export


def _recovery_key(secret: str | None, shown: str) -> str:
    if not secret or not secret.strip():
        raise SecretError(
            "signal_v2.key_required",
            nl="Voor deze Signal-back-up is de herstelsleutel nodig (64 tekens, zoals Signal die toont).",
            en="This Signal backup needs its recovery key (64 characters, as Signal shows it).",
            file=shown,
        )
    key = normalise_recovery_key(secret)
    if key is None:
        raise _bad_key(shown)
    return key


def _bad_key(shown: str) -> SecretError:
    return SecretError(
        "signal_v2.bad_key",
        nl="De herstelsleutel is onjuist: controleer de 64 tekens (hoofdletters en spaties tellen niet).",
        en="The recovery key is wrong: check the 64 characters (case and spaces do not matter).",
        file=shown,
    )


def _damaged(shown: str, detail: str = "", line: int | None = None) -> FormatError:
    return FormatError(
        "signal_v2.damaged",
        nl="De Signal-back-up is beschadigd of onvolledig" + (f" ({detail})." if detail else "."),
        en="The Signal backup is damaged or incomplete" + (f" ({detail})." if detail else "."),
        file=shown,
        line=line,
    )


def _locate(path: str, options: ParseOptions, shown: str) -> Located:
    located: Located | None = None
    if os.path.isdir(path):
        located = locate_dir(path)
    elif os.path.isfile(path) and zipfile.is_zipfile(path):
        located = locate_zip(path, options.workdir, shown)
    if located is None:
        raise FormatError(
            "signal_v2.not_a_backup",
            nl="Dit is geen Signal-back-up (v2): verwacht een map signal-backup-…, SignalBackups of een zip daarvan.",
            en="This is not a Signal backup (v2): expected a signal-backup-… folder, SignalBackups, or a zip of it.",
            file=shown,
        )
    return located


def _backup_id(key: bytes, located: Located, shown: str) -> bytes:
    metadata_path = os.path.join(located.snapshot_dir, "metadata")
    if not os.path.isfile(metadata_path):
        raise FormatError(
            "signal_v2.metadata_missing",
            nl=f"Het bestand 'metadata' ontbreekt in {located.snapshot_name}; zonder dat is de back-up niet te openen.",
            en=f"The 'metadata' file is missing from {located.snapshot_name}; the backup cannot be opened without it.",
            file=shown,
        )
    with open(metadata_path, "rb") as handle:
        data = handle.read(MAX_METADATA + 1)
    if len(data) > MAX_METADATA:
        raise _damaged(shown, "metadata")
    try:
        return local_backup_id(key, data)
    except Damaged:
        raise _damaged(shown, "metadata") from None


def _read_main(main: str, hmac_key: bytes, aes_key: bytes, mapper: Mapper, shown: str) -> dict[str, Any]:
    """Verify and decrypt `main`, feed every frame to the mapper; returns the BackupInfo fields."""
    if not os.path.isfile(main):
        raise _damaged(shown, "main")
    size = os.path.getsize(main)
    info: dict[str, Any] | None = None
    with open(main, "rb") as handle:
        try:
            start = split_header(handle.read(64))
            frames = iter_frames(gunzip_member(verify_and_decrypt(handle, size, hmac_key, aes_key, start)))
            for number, frame in enumerate(frames):
                try:
                    if number == 0:
                        info = _backup_info(Msg(frame, w.BACKUP_INFO))
                    else:
                        mapper.frame(frame)
                except (WireError, ValueError, KeyError, OverflowError) as exc:
                    raise _damaged(shown, f"frame {number}: {exc}", line=number or None) from None
        except BadKey:
            if padded_sizes_fit(size - start - 48):
                raise _bad_key(shown) from None
            raise _damaged(shown, "main") from None
        except Damaged as exc:
            raise _damaged(shown, str(exc)) from None
    if info is None:
        raise _damaged(shown, "no frames")
    return info


def _backup_info(info: Msg) -> dict[str, Any]:
    return {
        "version": info.num("version"),
        "backupTimeMs": info.num("backupTimeMs"),
        "currentAppVersion": info.text("currentAppVersion"),
        "firstAppVersion": info.text("firstAppVersion"),
    }


def _media_type(content_type: str | None, flag: int) -> str | None:
    if flag == 1:
        return "audio"
    if flag == 3:
        return "gif"
    if not content_type:
        return None
    major = content_type.split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "document"


def _media_resolver(media_root: str, spill: str, defects: DefectSink):  # type: ignore[no-untyped-def]
    """An attachment resolver that decrypts local media into `spill` once per media name."""
    done: dict[str, str | None] = {}

    def resolve(pointer: Msg, flag: int, label: str) -> Attachment:
        content_type = pointer.text("contentType") or None
        locator = pointer.msg("locatorInfo", w.LOCATOR_INFO)
        plain_hash = locator.blob("plaintextHash") if locator else None
        local_key = locator.blob("localKey") if locator else None
        attachment = Attachment(
            filename=pointer.text("fileName") or None,
            mime_type=content_type,
            size=locator.num("size") if locator else None,
            sha256=plain_hash.hex() if plain_hash else None,
            media_type=_media_type(content_type, flag),
        )
        if not plain_hash or not local_key:
            attachment.omitted = True
            defects.add(
                "signal_v2.media_not_local",
                0,
                "",
                f"{label}: media not in the local backup",
                nl=f"{label}: de bijlage staat niet in de lokale back-up.",
            )
            return attachment
        media_name = hashlib.sha256(plain_hash + local_key).hexdigest()
        if media_name not in done:
            done[media_name] = _decrypt_one(media_root, spill, media_name, local_key, attachment, label, defects)
        target = done[media_name]
        if target is None:
            attachment.omitted = True
        else:
            attachment.open = lambda: open(target, "rb")  # noqa: SIM115
        return attachment

    return resolve


def _decrypt_one(
    media_root: str,
    spill: str,
    media_name: str,
    local_key: bytes,
    attachment: Attachment,
    label: str,
    defects: DefectSink,
) -> str | None:
    source = os.path.join(media_root, media_name[:2], media_name)
    if not os.path.isfile(source):
        defects.add(
            "signal_v2.media_missing",
            0,
            media_name,
            f"{label}: media file not found",
            nl=f"{label}: het bestand van de bijlage ontbreekt.",
        )
        return None
    os.makedirs(spill, exist_ok=True)
    target = os.path.join(spill, media_name)
    try:
        with open(source, "rb") as handle, open(target, "wb") as sink:
            digest = decrypt_media(handle, os.path.getsize(source), local_key, attachment.size or 0, sink)
    except (BadKey, Damaged) as exc:
        os.remove(target)
        code = "signal_v2.media_bad_mac" if isinstance(exc, BadKey) else "signal_v2.media_damaged"
        message = f"{label}: media file cannot be decrypted"
        defects.add(code, 0, media_name, message, nl=f"{label}: de bijlage kan niet worden ontsleuteld.")
        return None
    if attachment.sha256 and digest != attachment.sha256:
        os.remove(target)
        defects.add(
            "signal_v2.media_hash_mismatch",
            0,
            media_name,
            f"{label}: media content does not match its hash",
            nl=f"{label}: de inhoud van de bijlage klopt niet met de hash.",
        )
        return None
    return target
