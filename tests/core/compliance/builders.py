"""Small builders of real export files in which the custodian and another person each delete, edit,
send view-once media and switch the disappearing-messages timer, for every channel that can express it.

Each builder writes a file the project's own parser reads (through the format registry), so the test
covers what the parsers really produce. WhatsApp uses `tests.generators.whatsapp`; the Signal legacy
backup uses the generator's `BackupWriter`; Signal v2 and Desktop are written here from the published
layouts (FORMATS.md), with the v2 `main` encrypted by `tests.generators.signal_v2_backup`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chatarchief.core import formats
from chatarchief.core.model import Export, ParseOptions

T0 = 1_735_725_600_000  # 2025-01-01T10:00:00Z
SELF_PHONE = "+31610000001"
BRAM_PHONE = "+31610000002"


def parse(name: str, path: Path, tmp_path: Path, secret: str | None = None) -> Export:
    options = ParseOptions(secret=secret, workdir=str(tmp_path), source_name=path.name)
    return formats.get(name).parse(str(path), options)


# ---------------------------------------------------------------- WhatsApp


WHATSAPP_TIMER_TEXT = {
    (
        "nl",
        "self",
    ): "Je hebt verdwijnende berichten ingeschakeld. Nieuwe berichten verdwijnen na 7 dagen uit deze chat.",
    ("nl", "other"): "Bram heeft verdwijnende berichten uitgeschakeld.",
    (
        "en",
        "self",
    ): "You turned on disappearing messages. New messages will disappear from this chat 7 days after they're sent.",
    ("en", "other"): "Bram turned off disappearing messages.",
}


def whatsapp_specs(locale: str, *, own_deletion: bool = True) -> list[Any]:
    """Anne (the custodian) and Bram each do every act WhatsApp can show."""
    from tests.generators.whatsapp import Spec

    t = dt.datetime(2025, 1, 6, 9, 0)
    step = iter(range(60))

    def at() -> dt.datetime:
        return t + dt.timedelta(minutes=next(step))

    specs = [
        Spec("Anne de Vries", at(), "Goedemorgen"),
        Spec("Bram", at(), "Morgen"),
        Spec("Anne de Vries", at(), "Nieuwe tijd: 11:00", kind="edited"),
        Spec("Bram", at(), "Zaal 2", kind="edited"),
        Spec("Anne de Vries", at(), kind="view_once"),
        Spec("Bram", at(), kind="view_once"),
        Spec(None, at(), WHATSAPP_TIMER_TEXT[(locale, "self")], kind="system"),
        Spec(None, at(), WHATSAPP_TIMER_TEXT[(locale, "other")], kind="system"),
        Spec("Bram", at(), kind="deleted"),
    ]
    if own_deletion:
        specs.append(Spec("Anne de Vries", at(), kind="deleted_self"))
    return specs


def whatsapp_export(tmp_path: Path, *, platform: str, locale: str, title: str, own_deletion: bool = True) -> Export:
    from tests.generators.whatsapp import write_export

    name = f"WhatsApp-chat met {title}.txt" if locale == "nl" else f"WhatsApp Chat with {title}.txt"
    path = write_export(
        tmp_path / name, whatsapp_specs(locale, own_deletion=own_deletion), platform=platform, locale=locale
    )
    return parse("whatsapp", path, tmp_path)


# ---------------------------------------------------------------- Signal legacy backup (Android)

_INCOMING = 10485780
_OUTGOING = 10485783
_TIMER = 0x40000


def signal_android_backup(tmp_path: Path) -> Path:
    """A legacy `.backup` (schema 215): self (recipient 1) and Bram (2) in one chat, every act each."""
    from tests.generators.signal_android import MODERN_SCHEMA, PASSPHRASE, BackupWriter

    stream = io.BytesIO()
    writer = BackupWriter(stream, PASSPHRASE, seed=7)
    writer.database_version(215)
    for sql in MODERN_SCHEMA:
        writer.statement(sql)
    insert = "INSERT INTO recipient VALUES (?,?,?,?,?,?,?)"
    writer.statement(insert, [1, SELF_PHONE, "a" * 32, None, None, "Anne", None])
    writer.statement(insert, [2, BRAM_PHONE, "b" * 32, None, "Bram", None, None])
    writer.statement("INSERT INTO thread VALUES (?,?,?)", [1, T0, 2])
    rows = [
        # id, sent, from, to, type, body, expires_in, view_once, remote_deleted, latest_revision_id
        (1, 1, 1, 2, _OUTGOING, None, 0, 0, 1, None),  # the custodian deleted for everyone
        (2, 2, 2, 1, _INCOMING, None, 0, 0, 1, None),  # Bram deleted for everyone
        (3, 3, 1, 2, _OUTGOING | _TIMER, None, 604800000, 0, 0, None),  # the custodian switched the timer on
        (4, 4, 2, 1, _INCOMING | _TIMER, None, 0, 0, 0, None),  # Bram switched it off
        (5, 5, 1, 2, _OUTGOING, None, 0, 1, 0, None),  # view-once by the custodian
        (6, 6, 2, 1, _INCOMING, None, 0, 1, 0, None),  # view-once by Bram
        (7, 7, 1, 2, _OUTGOING, "Overleg om 10:00", 0, 0, 0, 8),  # the custodian's edit: old revision
        (8, 8, 1, 2, _OUTGOING, "Overleg om 11:00", 0, 0, 0, None),
        (9, 9, 2, 1, _INCOMING, "Zaal 1", 0, 0, 0, 10),  # Bram's edit
        (10, 10, 2, 1, _INCOMING, "Zaal 2", 0, 0, 0, None),
    ]
    for mid, sent, sender, receiver, kind, body, expires, once, deleted, latest in rows:
        at = T0 + sent * 60_000
        writer.statement(
            "INSERT INTO message VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [mid, at, at + 500, -1, 1, sender, receiver, kind, body, 1, expires, 0, once, deleted, latest, None, 0],
        )
    writer.key_value("account.e164", SELF_PHONE)
    writer.end()
    path = tmp_path / "signal-2025-01-01-12-00-00.backup"
    path.write_bytes(stream.getvalue())
    return path


# ---------------------------------------------------------------- Signal v2 (on-device backup)

V2_KEY = "a" * 64  # a recovery key as the parser normalises it (64 characters of [0-9a-z])


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb(**fields: Any) -> bytes:
    """A protobuf message from `name_number=value` pairs: int -> varint, bytes/str -> length-delimited,
    a list -> the field repeated. Names carry the field number: `pb(id_1=3, text_2="x")`."""
    out = bytearray()
    for name, value in fields.items():
        number = int(name.rsplit("_", 1)[1])
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool | int):
                out += _varint(number << 3) + _varint(int(item))
            else:
                data = item.encode() if isinstance(item, str) else item
                out += _varint(number << 3 | 2) + _varint(len(data)) + data
    return bytes(out)


def _v2_items() -> list[bytes]:
    """Frames: account, recipients self (1) and Bram (2), chat 1, then every act by each."""

    def item(author: int, minute: int, direction: str, **content: Any) -> bytes:
        way = {"outgoing": {"outgoing_9": b""}, "incoming": {"incoming_8": b""}, "none": {"directionless_10": b""}}
        fields = {"chatId_1": 1, "authorId_2": author, "dateSent_3": T0 + minute * 60_000, **way[direction]}
        return pb(chatItem_4=pb(**fields, **content))

    def text(body: str) -> bytes:
        return pb(text_2=pb(body_1=body))

    def timer(ms: int) -> bytes:
        return pb(expirationTimerChange_3=pb(expiresInMs_1=ms) if ms else b"")

    bram = pb(aci_1=bytes(range(16)), e164_4=int(BRAM_PHONE[1:]), profileGivenName_11="Bram")
    own_old = pb(chatId_1=1, authorId_2=1, dateSent_3=T0 + 60_000 * 5, outgoing_9=b"", standardMessage_11=text("10:00"))
    bram_old = pb(
        chatId_1=1, authorId_2=2, dateSent_3=T0 + 60_000 * 6, incoming_8=b"", standardMessage_11=text("Zaal 1")
    )
    return [
        pb(account_1=pb(givenName_4="Anne")),
        pb(recipient_2=pb(id_1=1, self_5=b"")),
        pb(recipient_2=pb(id_1=2, contact_2=bram)),
        pb(chat_3=pb(id_1=1, recipientId_2=2)),
        item(1, 1, "outgoing", remoteDeletedMessage_14=b""),
        item(2, 2, "incoming", remoteDeletedMessage_14=b""),
        item(1, 3, "none", updateMessage_15=timer(604800000)),
        item(2, 4, "none", updateMessage_15=timer(0)),
        item(1, 7, "outgoing", viewOnceMessage_18=b""),
        item(2, 8, "incoming", viewOnceMessage_18=b""),
        item(1, 9, "outgoing", standardMessage_11=text("11:00"), revisions_6=own_old),
        item(2, 10, "incoming", standardMessage_11=text("Zaal 2"), revisions_6=bram_old),
    ]


def _hkdf(key: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


def signal_v2_backup(tmp_path: Path) -> Path:
    """A snapshot folder `SignalBackups/signal-backup-…/` with `metadata` and an encrypted `main`."""
    from tests.generators.signal_v2_backup import write_main

    snapshot = tmp_path / "SignalBackups" / "signal-backup-2025-01-02-10-00-00"
    snapshot.mkdir(parents=True)
    backup_key = _hkdf(V2_KEY.encode(), b"20240801_SIGNAL_BACKUP_KEY", 32)
    backup_id = hashlib.sha256(b"chatarchief test backup").digest()[:16]
    iv = bytes(12)
    metadata_key = _hkdf(backup_key, b"20241011_SIGNAL_LOCAL_BACKUP_METADATA_KEY", 32)
    encryptor = Cipher(algorithms.AES(metadata_key), modes.CTR(iv + bytes(4))).encryptor()
    encrypted = encryptor.update(backup_id) + encryptor.finalize()
    (snapshot / "metadata").write_bytes(pb(version_1=1, backupId_2=pb(iv_1=iv, encryptedId_2=encrypted)))
    (snapshot / "files").write_bytes(b"")
    info = pb(version_1=1, backupTimeMs_2=T0 + 86_400_000, currentAppVersion_4="Signal Android 7.30")
    frames = [info, *_v2_items()]
    write_main(snapshot, b"".join(_varint(len(f)) + f for f in frames), V2_KEY)
    return snapshot


# ---------------------------------------------------------------- Signal Desktop


def signal_desktop_profile(root: Path) -> Path:
    """A Desktop profile (SQLCipher) with every act by the custodian (outgoing) and by Bram."""
    import sqlcipher3

    from tests.generators.signal_desktop_profile import KEY_HEX, SCHEMA

    (root / "sql").mkdir(parents=True)
    (root / "config.json").write_text(json.dumps({"key": KEY_HEX}))
    bram_aci = "7b06fc8b-d487-490c-9fa4-7367e771d32f"
    history = [{"body": "11:00", "timestamp": T0 + 90_000}, {"body": "10:00", "timestamp": T0 + 60_000}]

    def row(rowid: int, kind: str, source: str | None, **extra: Any) -> tuple[Any, ...]:
        sent = T0 + rowid * 60_000
        data = {"id": f"m-{rowid}", "conversationId": "c-bram", "type": kind, "sent_at": sent, **extra.pop("json", {})}
        return (
            rowid, f"m-{rowid}", json.dumps(data), sent, rowid, "c-bram", kind, extra.get("body"), source,
            None, extra.get("isErased"), extra.get("isViewOnce"), 0,
        )  # fmt: skip

    rows = [
        row(1, "outgoing", None, isErased=1, json={"deletedForEveryone": True}),
        row(2, "incoming", bram_aci, isErased=1, json={"deletedForEveryone": True}),
        row(3, "timer-notification", None, json={"expirationTimerUpdate": {"expireTimer": 604800, "fromSync": True}}),
        row(
            4, "timer-notification", bram_aci, json={"expirationTimerUpdate": {"expireTimer": 0, "source": BRAM_PHONE}}
        ),
        row(5, "outgoing", None, isViewOnce=1),
        row(6, "incoming", bram_aci, isViewOnce=1),
        row(7, "outgoing", None, body="11:00", json={"body": "11:00", "editHistory": history}),
        row(8, "incoming", bram_aci, body="Zaal 2", json={"body": "Zaal 2", "editHistory": history}),
    ]
    connection = sqlcipher3.connect(str(root / "sql" / "db.sqlite"))
    connection.execute(f"PRAGMA key = \"x'{KEY_HEX}'\"")
    for pragma in ("cipher_page_size = 4096", "kdf_iter = 64000", "cipher_hmac_algorithm = HMAC_SHA512",
                   "cipher_kdf_algorithm = PBKDF2_HMAC_SHA512"):  # fmt: skip
        connection.execute(f"PRAGMA {pragma}")
    for statement in SCHEMA:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        ("c-bram", "{}", "private", None, "Bram", "Bram", None, None, BRAM_PHONE, bram_aci, None),
    )
    connection.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    for key, value in (("number_id", f"{SELF_PHONE}.1"), ("uuid_id", "b3f00c2d-02f8-40e8-9734-69bd708b8268.1")):
        connection.execute("INSERT INTO items VALUES (?, ?)", (key, json.dumps({"id": key, "value": value})))
    connection.commit()
    connection.close()
    return root


# ---------------------------------------------------------------- Telegram


def telegram_export(tmp_path: Path, *, full: bool) -> Path:
    """A Telegram Desktop `result.json`: a full export (with the owner) or a single group chat."""

    def message(ident: int, sender: str, sender_id: str, **fields: Any) -> dict[str, Any]:
        at = T0 // 1000 + ident * 60
        base = {"id": ident, "type": "message", "date": "2025-01-01T11:00:00", "date_unixtime": str(at),
                "from": sender, "from_id": sender_id, "text": "", "text_entities": []}  # fmt: skip
        base.update(fields)
        return base

    def service(ident: int, actor: str, actor_id: str, period: int) -> dict[str, Any]:
        base = message(ident, actor, actor_id, type="service", actor=actor, actor_id=actor_id)
        del base["from"], base["from_id"]
        base.update(action="set_messages_ttl", period=period)
        return base

    messages = [
        message(
            1, "Anne", "user100", text="11:00", edited="2025-01-01T11:05:00", edited_unixtime=str(T0 // 1000 + 300)
        ),
        message(
            2, "Bram", "user200", text="Zaal 2", edited="2025-01-01T11:06:00", edited_unixtime=str(T0 // 1000 + 360)
        ),
        message(3, "Anne", "user100", photo="(File not included.)", self_destruct_period_seconds=10),
        message(4, "Bram", "user200", photo="(File not included.)", self_destruct_period_seconds=10),
        service(5, "Anne", "user100", 86400),
        service(6, "Bram", "user200", 0),
    ]
    chat = {"name": "Crisisoverleg", "type": "private_group", "id": 555, "messages": messages}
    data: dict[str, Any] = chat
    if full:
        data = {
            "about": "",
            "personal_information": {"user_id": 100, "first_name": "Anne", "last_name": "", "phone_number": SELF_PHONE},
            "chats": {"about": "", "list": [chat]},
        }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
