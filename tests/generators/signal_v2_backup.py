"""A writer of Signal backup v2 on-device backups (`SignalBackups/`), from scratch, for tests and benchmarks.

    root = write_week(tmp_path / "SignalBackups")          # two snapshots a week apart, as FORMATS.md §2b
    items = week_items("A")                                 # what snapshot A holds, for assertions
    write_snapshot(root, "signal-backup-2024-11-08-10-00-00", items, backup_time_ms=...)

Layout (Signal-Android `backup/v2/local/*`): per snapshot `main` (IV ‖ AES-256-CBC(gzip(frames) ‖ zero
padding to the size bucket) ‖ HMAC-SHA256), `metadata` (LocalMetadata with the backupId encrypted under
the local metadata key) and `files` (the media names it uses); media in the shared `files/<2 hex>/`
folder, each IV ‖ AES-256-CBC ‖ HMAC under its 64-byte local key. Frames are BackupInfo, then the
Account, Recipients, Chats and ChatItems (field numbers from `signal_backup_wire`).
`read_plain_frames` and `write_main` re-encrypt a snapshot's plaintext (for fuzzing).
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import math
import os
import random
import struct
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from chatarchief.core.formats.signal.crypto import (
    INFO_LOCAL_METADATA,
    _hkdf,
    backup_id_for_aci,
    backup_key,
    local_backup_id,
    message_backup_keys,
    normalise_recovery_key,
    verify_and_decrypt,
)
from chatarchief.core.formats.signal.protos import signal_backup_wire as w
from chatarchief.core.formats.signal.v2_stream import gunzip_member

# The recovery key as the app shows it (64 characters in groups of 4); normalised: lower case, no spaces.
RECOVERY_KEY = "GEN2 V2BA CKUP 0000 1111 2222 3333 4444 5555 6666 7777 8888 9999 AAAA BBBB CCCC"
SELF_ACI = "0d6c3f1e-3a5b-4c7d-8e9f-a0b1c2d3e4f5"
BRAM_ACI = "7b06fc8b-d487-490c-9fa4-7367e771d32f"
NOOR_ACI = "abad75c5-dff4-4928-833f-45339b049218"
BRAM_PHONE, NOOR_PHONE = 31611110002, 31611110003
GROUP_MASTER_KEY = bytes(range(100, 132))
SNAPSHOT_A = "signal-backup-2024-11-08-10-00-00"
SNAPSHOT_B = "signal-backup-2024-11-15-10-00-00"
TIME_A, TIME_B = 1731060000000, 1731664800000  # the snapshot names, in UTC ms
# Recipient ids and chat ids of the generated account.
SELF, RELEASE_NOTES, MY_STORY, BRAM, NOOR, GROUP = 1, 2, 3, 4, 5, 6
CHAT_BRAM, CHAT_GROUP = 1, 2


# --------------------------------------------------------------------------- protobuf encoding


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def encode(table: dict[str, int], **fields: object) -> bytes:
    """One message from `table` field names: ints as varints, bytes/str/encoded messages as length-
    delimited fields, lists as repeated fields; None leaves a field out. Field order is kept."""
    out = bytearray()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            number = table[name]
            if isinstance(item, bool | int):
                out += varint(number << 3) + varint(int(item))
            else:
                data = item.encode() if isinstance(item, str) else bytes(item)  # type: ignore[call-overload]
                out += varint(number << 3 | 2) + varint(len(data)) + data
    return bytes(out)


def delimited(messages: Iterable[bytes]) -> bytes:
    return b"".join(varint(len(m)) + m for m in messages)


def _uuid(text: str) -> bytes:
    return uuid.UUID(text).bytes


# --------------------------------------------------------------------------- content


@dataclass
class Photo:
    """Media of a message: encrypted into the shared files/ folder under its own local key."""

    data: bytes
    content_type: str = "image/png"
    local_key: bytes = field(default_factory=lambda: random.Random(5).randbytes(64))

    @property
    def plaintext_hash(self) -> bytes:
        return hashlib.sha256(self.data).digest()

    @property
    def media_name(self) -> str:
        return hashlib.sha256(self.plaintext_hash + self.local_key).hexdigest()


@dataclass
class Item:
    """One ChatItem. `kind`: text, deleted, view_once, timer (expires_in_ms is the new timer)."""

    chat: int
    author: int
    sent: int  # dateSent, ms
    text: str = ""
    kind: str = "text"
    photo: Photo | None = None
    expires_in_ms: int = 0
    expire_start: int = 0
    revisions: list[tuple[int, str]] = field(default_factory=list)  # (dateSent, text), oldest first


def png(width: int = 32, height: int = 24, seed: int = 1) -> bytes:
    """A small valid PNG (RGB, seeded pixels)."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PHOTO = Photo(png())
_M = 60_000
_NOV = {day: 1730419200000 + (day - 1) * 86_400_000 for day in range(1, 16)}  # 2024-11-DD 00:00 UTC


def nov(day: int, hour: int, minute: int, second: int = 0) -> int:
    return _NOV[day] + hour * 3_600_000 + minute * _M + second * 1000


DELETED_TEXT = "Ter info: de offerte van de verhuizer is € 12.400, nog niet doorsturen."
EXPIRING_TEXT = "Deze verdwijnt over een week: de code van de archiefkast is 4711."
EDIT_REVISIONS = [
    (nov(5, 14, 0), "Eerste bijeenkomst: dinsdag 12 november om 10:00."),
    (nov(5, 14, 3), "Eerste bijeenkomst: woensdag 13 november om 10:00."),
]
EDITED_TEXT = "Eerste bijeenkomst: woensdag 13 november om 11:00 in zaal 2."


def week_items(snapshot: str) -> list[Item]:
    """The chat items of snapshot "A" or "B" (B: one message deleted for everyone, one expired)."""
    b = snapshot == "B"
    items = [
        Item(CHAT_BRAM, BRAM, nov(1, 8, 15), "Goedemorgen! Heb je de inventarislijst al ontvangen?"),
        Item(CHAT_BRAM, SELF, nov(1, 8, 20, 30), "Ja, ik kijk er vandaag naar."),
        Item(CHAT_GROUP, SELF, nov(1, 10, 0), "Welkom in de werkgroep! Hier overleggen we over het archiefproject."),
        Item(CHAT_GROUP, NOOR, nov(1, 10, 3, 20), "Dank je! Leuk om mee te doen."),
        Item(CHAT_GROUP, BRAM, nov(1, 10, 5), "Ik ook. Wanneer is de eerste bijeenkomst?"),
        Item(
            CHAT_BRAM,
            BRAM,
            nov(1, 13, 2, 10),
            "Prima! Één opmerking: de coördinatie met het café voor de reünie is geregeld, ideeën zijn welkom 😊",
        ),
        Item(
            CHAT_BRAM,
            SELF,
            nov(4, 9, 0),
            "Agenda overleg donderdag:\n1. Notulen vorige keer\n2. Selectielijst 2025\n3. Rondvraag",
        ),
        Item(CHAT_BRAM, BRAM, nov(4, 9, 5, 40), "Dank je, ik zet het in mijn agenda."),
        Item(CHAT_GROUP, SELF, nov(5, 14, 20), EDITED_TEXT, revisions=list(EDIT_REVISIONS)),
        Item(CHAT_GROUP, NOOR, nov(5, 14, 25), "Genoteerd 👍"),
        Item(CHAT_GROUP, NOOR, nov(6, 11, 10), "Foto van de archiefkast in depot 2", photo=PHOTO),
        Item(CHAT_GROUP, BRAM, nov(6, 11, 12), "Wat een stapel dozen!"),
        Item(CHAT_GROUP, SELF, nov(6, 11, 15), "Die gaan we eerst inventariseren."),
        Item(CHAT_GROUP, NOOR, nov(6, 16, 30), kind="view_once"),
        Item(CHAT_GROUP, SELF, nov(6, 16, 40), "Gezien, dank je."),
        Item(CHAT_BRAM, BRAM, nov(7, 8, 0), kind="timer", expires_in_ms=604_800_000),
        Item(CHAT_BRAM, BRAM, nov(7, 8, 1, 30), EXPIRING_TEXT, expires_in_ms=604_800_000, expire_start=nov(7, 8, 3)),
        Item(CHAT_BRAM, SELF, nov(7, 8, 10), kind="timer", expires_in_ms=0),
        Item(CHAT_BRAM, SELF, nov(7, 8, 11), "Timer staat weer uit, dan blijft de rest bewaard."),
        Item(CHAT_GROUP, NOOR, nov(7, 15, 0), "Kan iemand de scanner reserveren voor volgende week?"),
        Item(CHAT_GROUP, BRAM, nov(7, 15, 4), "Doe ik."),
        Item(CHAT_BRAM, BRAM, nov(8, 9, 12), "" if b else DELETED_TEXT, kind="deleted" if b else "text"),
        Item(CHAT_BRAM, SELF, nov(8, 9, 20), "Begrepen, ik wacht op de definitieve versie."),
        Item(CHAT_GROUP, SELF, nov(8, 9, 30), "Bedankt allemaal, tot woensdag."),
        Item(CHAT_GROUP, NOOR, nov(8, 9, 45), "Tot woensdag!"),
    ]
    return [i for i in items if not (b and i.text == EXPIRING_TEXT)]


# --------------------------------------------------------------------------- frames


def _recipients() -> list[bytes]:
    contact = w.CONTACT
    people = [
        (BRAM, BRAM_ACI, BRAM_PHONE, "Bram", "de Boer"),
        (NOOR, NOOR_ACI, NOOR_PHONE, "Noor", "Hendriks"),
    ]
    frames = [
        encode(w.RECIPIENT, id=SELF, self=b""),
        encode(w.RECIPIENT, id=RELEASE_NOTES, releaseNotes=b""),
        encode(w.RECIPIENT, id=MY_STORY, distributionList=b""),
    ]
    for rid, aci, phone, given, family in people:
        body = encode(contact, aci=_uuid(aci), e164=phone, profileGivenName=given, profileFamilyName=family)
        frames.append(encode(w.RECIPIENT, id=rid, contact=body))
    members = [
        encode(w.GROUP_MEMBER, userId=_uuid(a), role=2 if a == SELF_ACI else 1) for a in (SELF_ACI, BRAM_ACI, NOOR_ACI)
    ]
    title = encode(w.GROUP_ATTRIBUTE_BLOB, title="Werkgroep Archief")
    snapshot = encode(w.GROUP_SNAPSHOT, title=title, members=members)
    frames.append(encode(w.RECIPIENT, id=GROUP, group=encode(w.GROUP, masterKey=GROUP_MASTER_KEY, snapshot=snapshot)))
    return [encode(w.FRAME, recipient=f) for f in frames]


def _content(item: Item, text: str) -> dict[str, object]:
    """The ChatItem's `item` oneof."""
    if item.kind == "deleted":
        return {"remoteDeletedMessage": b""}
    if item.kind == "view_once":
        return {"viewOnceMessage": b""}
    if item.kind == "timer":
        change = encode({"expiresInMs": 1}, expiresInMs=item.expires_in_ms)
        return {"updateMessage": encode(w.CHAT_UPDATE, expirationTimerChange=change)}
    attachments = []
    if item.photo is not None:
        locator = encode(
            w.LOCATOR_INFO,
            size=len(item.photo.data),
            localKey=item.photo.local_key,
            plaintextHash=item.photo.plaintext_hash,
        )
        pointer = encode(w.FILE_POINTER, contentType=item.photo.content_type, locatorInfo=locator)
        attachments.append(encode(w.MESSAGE_ATTACHMENT, pointer=pointer))
    body = encode(w.TEXT, body=text) if text else None
    return {"standardMessage": encode(w.STANDARD_MESSAGE, text=body, attachments=attachments)}


def _chat_item(item: Item, sent: int, text: str, revisions: list[bytes]) -> bytes:
    if item.kind == "timer":
        direction = {"directionless": b""}
    elif item.author == SELF:
        direction = {"outgoing": b""}
    else:
        direction = {"incoming": encode({"dateReceived": 1, "dateServerSent": 2, "read": 3}, dateReceived=sent + 850)}
    return encode(
        w.CHAT_ITEM,
        chatId=item.chat,
        authorId=item.author,
        dateSent=sent,
        expireStartDate=item.expire_start or None,
        expiresInMs=(item.expires_in_ms or None) if item.kind != "timer" else None,
        revisions=revisions,
        **direction,
        **_content(item, text),
    )


def plain_frames(items: list[Item], backup_time_ms: int) -> bytes:
    """BackupInfo and every frame, varint-delimited (the plaintext inside `main`)."""
    info = encode(
        w.BACKUP_INFO,
        version=1,
        backupTimeMs=backup_time_ms,
        mediaRootBackupKey=bytes(32),
        currentAppVersion="Signal Android 7.40.0",
        firstAppVersion="Signal Android 7.30.0",
    )
    account = encode(w.FRAME, account=encode(w.ACCOUNT, givenName="Test", familyName="Gebruiker"))
    chats = [
        encode(w.FRAME, chat=encode(w.CHAT, id=CHAT_BRAM, recipientId=BRAM)),
        encode(w.FRAME, chat=encode(w.CHAT, id=CHAT_GROUP, recipientId=GROUP)),
    ]
    frames = [info, account, *_recipients(), *chats]
    for item in sorted(items, key=lambda i: i.sent):
        old = [_chat_item(Item(item.chat, item.author, sent, text), sent, text, []) for sent, text in item.revisions]
        frames.append(encode(w.FRAME, chatItem=_chat_item(item, item.sent, item.text, old)))
    return delimited(frames)


# --------------------------------------------------------------------------- encryption and files


def bucket(size: int) -> int:
    """Signal's padding bucket: max(541, floor(1.05^ceil(log_1.05 n)))."""
    if size <= 541:
        return 541
    return max(size, math.floor(1.05 ** math.ceil(math.log(size, 1.05))))


def _cbc_hmac(plain: bytes, aes_key: bytes, hmac_key: bytes, seed: int) -> bytes:
    iv = random.Random(seed).randbytes(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    body = iv + encryptor.update(padded) + encryptor.finalize()
    return body + hmac.new(hmac_key, body, hashlib.sha256).digest()


def encrypt_main(plain_frames: bytes, hmac_key: bytes, aes_key: bytes, seed: int = 0) -> bytes:
    compressed = gzip.compress(plain_frames, mtime=0)
    compressed += b"\x00" * (bucket(len(compressed)) - len(compressed))
    return _cbc_hmac(compressed, aes_key, hmac_key, seed)


def metadata_for(recovery_key: str, aci: str = SELF_ACI, seed: int = 0) -> bytes:
    """A snapshot's `metadata`: LocalMetadata{version 1, backupId encrypted under the metadata key}."""
    key = backup_key(normalise_recovery_key(recovery_key) or "")
    backup_id = backup_id_for_aci(key, _uuid(aci))
    iv = random.Random(seed).randbytes(12)
    encryptor = Cipher(algorithms.AES(_hkdf(key, INFO_LOCAL_METADATA, 32)), modes.CTR(iv + bytes(4))).encryptor()
    encrypted = encode(w.ENCRYPTED_BACKUP_ID, iv=iv, encryptedId=encryptor.update(backup_id) + encryptor.finalize())
    return encode(w.LOCAL_METADATA, version=1, backupId=encrypted)


def keys_for(snapshot: Path, recovery_key: str) -> tuple[bytes, bytes, bytes]:
    """(hmac_key, aes_key, backup_id) of a snapshot folder."""
    key = backup_key(normalise_recovery_key(recovery_key) or "")
    backup_id = local_backup_id(key, (snapshot / "metadata").read_bytes())
    hmac_key, aes_key = message_backup_keys(key, backup_id)
    return hmac_key, aes_key, backup_id


def write_media(root: Path, photo: Photo) -> Path:
    """The encrypted media file in the shared `files/<2 hex>/<mediaName>` folder."""
    target = root / "files" / photo.media_name[:2] / photo.media_name
    target.parent.mkdir(parents=True, exist_ok=True)
    padded = photo.data + bytes(bucket(len(photo.data)) - len(photo.data))
    target.write_bytes(_cbc_hmac(padded, photo.local_key[:32], photo.local_key[32:], seed=len(photo.data)))
    return target


def write_snapshot(
    root: Path, name: str, items: list[Item], *, backup_time_ms: int, recovery_key: str = RECOVERY_KEY
) -> Path:
    """Write `root/name/{main,metadata,files}` and the media the items use; returns the snapshot folder."""
    snapshot = root / name
    snapshot.mkdir(parents=True, exist_ok=True)
    (root / ".nomedia").touch()
    (snapshot / "metadata").write_bytes(metadata_for(recovery_key))
    photos = {i.photo.media_name: i.photo for i in items if i.photo is not None}
    for photo in photos.values():
        write_media(root, photo)
    (snapshot / "files").write_bytes(delimited(encode(w.FILES_FRAME, mediaName=n) for n in sorted(photos)))
    hmac_key, aes_key, _ = keys_for(snapshot, recovery_key)
    (snapshot / "main").write_bytes(encrypt_main(plain_frames(items, backup_time_ms), hmac_key, aes_key))
    return snapshot


def write_week(root: Path, recovery_key: str = RECOVERY_KEY) -> Path:
    """`SignalBackups/` with snapshot A (2024-11-08) and B (2024-11-15); returns `root`."""
    write_snapshot(root, SNAPSHOT_A, week_items("A"), backup_time_ms=TIME_A, recovery_key=recovery_key)
    write_snapshot(root, SNAPSHOT_B, week_items("B"), backup_time_ms=TIME_B, recovery_key=recovery_key)
    return root


def read_plain_frames(snapshot: Path, recovery_key: str) -> bytes:
    hmac_key, aes_key, _ = keys_for(snapshot, recovery_key)
    main = snapshot / "main"
    with open(main, "rb") as handle:
        return b"".join(gunzip_member(verify_and_decrypt(handle, main.stat().st_size, hmac_key, aes_key)))


def write_main(snapshot: Path, plain_frames: bytes, recovery_key: str, seed: int = 0) -> None:
    hmac_key, aes_key, _ = keys_for(snapshot, recovery_key)
    target = snapshot / "main"
    if target.exists():
        os.chmod(target, 0o644)
    target.write_bytes(encrypt_main(plain_frames, hmac_key, aes_key, seed))
