"""A writer of Signal-Android legacy `.backup` files (header v0 and v1), for tests and benchmarks.

`BackupWriter` writes frames exactly as Signal's BackupFrameOutputStream does (FORMATS.md §2a):
AES-256-CTR with the counter in iv[0:4], HMAC-SHA256 cut to 10 bytes, the frame length in plain (v0)
or as the first 4 keystream bytes (v1), attachment blobs after their frame with a MAC over iv‖data.
`generate_backup` builds a seeded, plausible database (schema 215, or the pre-168 sms/mms schema);
`write_small_backup` a small account message by message (`small_account_rows`: every kind of row the
legacy reader maps, an edit pair included).
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from chatarchief.core.formats.signal import android_proto as pb
from chatarchief.core.formats.signal.crypto import ITERATIONS
from chatarchief.core.formats.signal.crypto import legacy_backup_key as backup_key
from chatarchief.core.formats.signal.crypto import legacy_secrets as derive_secrets

PASSPHRASE = "123451234512345123451234512345"
BASE_INCOMING = 10485780  # secure | push | inbox
BASE_OUTGOING = 10485783  # secure | push | sent
TIMER_UPDATE = 0x40000


def _parameter(message: Any, value: Any) -> None:
    parameter = message.parameters.add()
    if value is None:
        parameter.nullparameter = True
    elif isinstance(value, bool | int):
        value = int(value)
        parameter.integerParameter = value - (1 << 64) if value >= 1 << 63 else value
    elif isinstance(value, float):
        parameter.doubleParameter = value
    elif isinstance(value, bytes):
        parameter.blobParameter = value
    else:
        parameter.stringParamter = str(value)


class BackupWriter:
    """Writes one backup to a binary stream. Call `end()` last."""

    def __init__(
        self,
        stream: IO[bytes],
        passphrase: str = PASSPHRASE,
        *,
        version: int = 1,
        seed: int = 0,
        iterations: int = ITERATIONS,
    ) -> None:
        rng = random.Random(seed)
        iv, salt = rng.randbytes(16), rng.randbytes(32)
        cipher_key, self._mac_key = derive_secrets(backup_key(passphrase, salt, iterations))
        self._aes = algorithms.AES(cipher_key)
        self._stream = stream
        self._iv_tail = iv[4:]
        self._counter = int.from_bytes(iv[:4], "big")
        self._version = version
        header = pb.BackupFrame()
        header.header.iv, header.header.salt = iv, salt
        if version:
            header.header.version = version
        raw = header.SerializeToString()
        stream.write(len(raw).to_bytes(4, "big") + raw)

    def _next_iv(self) -> bytes:
        iv = (self._counter & 0xFFFFFFFF).to_bytes(4, "big") + self._iv_tail
        self._counter += 1
        return iv

    def frame(self, frame: Any) -> None:
        self.frame_bytes(frame.SerializeToString())

    def frame_bytes(self, plain: bytes) -> None:
        """One frame from its serialized (possibly deliberately damaged) plaintext."""
        length = (len(plain) + 10).to_bytes(4, "big")
        encryptor = Cipher(self._aes, modes.CTR(self._next_iv())).encryptor()
        mac = hmac.new(self._mac_key, digestmod="sha256")
        if self._version >= 1:
            length = encryptor.update(length)
            mac.update(length)
        body = encryptor.update(plain)
        mac.update(body)
        self._stream.write(length + body + mac.digest()[:10])

    def blob(self, chunks: Iterable[bytes]) -> None:
        iv = self._next_iv()
        encryptor = Cipher(self._aes, modes.CTR(iv)).encryptor()
        mac = hmac.new(self._mac_key, iv, digestmod="sha256")
        for chunk in chunks:
            data = encryptor.update(chunk)
            mac.update(data)
            self._stream.write(data)
        self._stream.write(mac.digest()[:10])

    def database_version(self, version: int) -> None:
        frame = pb.BackupFrame()
        frame.version.version = version
        self.frame(frame)

    def statement(self, sql: str, params: Sequence[Any] = ()) -> None:
        frame = pb.BackupFrame()
        frame.statement.statement = sql
        for value in params:
            _parameter(frame.statement, value)
        self.frame(frame)

    def attachment(self, row_id: int, chunks: Iterable[bytes], length: int, attachment_id: int | None = None) -> None:
        frame = pb.BackupFrame()
        frame.attachment.rowId = row_id
        if attachment_id is not None:
            frame.attachment.attachmentId = attachment_id
        frame.attachment.length = length
        self.frame(frame)
        self.blob(chunks)

    def avatar(self, recipient_id: str, data: bytes) -> None:
        frame = pb.BackupFrame()
        frame.avatar.recipientId, frame.avatar.length = recipient_id, len(data)
        self.frame(frame)
        self.blob([data])

    def key_value(self, key: str, value: str) -> None:
        frame = pb.BackupFrame()
        frame.keyValue.key, frame.keyValue.stringValue = key, value
        self.frame(frame)

    def preference(self, key: str, value: str) -> None:
        frame = pb.BackupFrame()
        frame.preference.file, frame.preference.key, frame.preference.value = "SecureSMS-Preferences", key, value
        self.frame(frame)

    def end(self) -> None:
        frame = pb.BackupFrame()
        frame.end = True
        self.frame(frame)


# -- a plausible database ---------------------------------------------------------------------------


def random_chunks(seed: int, size: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """`size` seeded pseudo-random bytes in chunks (never all in memory)."""
    rng = random.Random(seed)
    left = size
    while left:
        n = min(chunk, left)
        yield rng.randbytes(n)
        left -= n


def chunks_sha256(seed: int, size: int) -> str:
    digest = hashlib.sha256()
    for part in random_chunks(seed, size):
        digest.update(part)
    return digest.hexdigest()


@dataclass
class Generated:
    """What `generate_backup` wrote, for assertions."""

    messages: int = 0
    threads: int = 0
    attachments: dict[int, tuple[int, int]] = field(default_factory=dict)  # message _id -> (seed, size)
    self_e164: str = "+31610000001"


MODERN_SCHEMA = [
    "CREATE TABLE recipient (_id INTEGER PRIMARY KEY AUTOINCREMENT, e164 TEXT UNIQUE DEFAULT NULL, "
    "aci TEXT UNIQUE DEFAULT NULL, group_id TEXT UNIQUE DEFAULT NULL, system_joined_name TEXT DEFAULT NULL, "
    "profile_given_name TEXT DEFAULT NULL, profile_family_name TEXT DEFAULT NULL)",
    "CREATE TABLE groups (_id INTEGER PRIMARY KEY, group_id TEXT, recipient_id INTEGER, title TEXT, members TEXT)",
    "CREATE TABLE thread (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, recipient_id INTEGER)",
    "CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, date_sent INTEGER NOT NULL, "
    "date_received INTEGER NOT NULL, date_server INTEGER DEFAULT -1, thread_id INTEGER NOT NULL, "
    "from_recipient_id INTEGER NOT NULL, to_recipient_id INTEGER NOT NULL, type INTEGER NOT NULL, body TEXT, "
    "read INTEGER DEFAULT 0, expires_in INTEGER DEFAULT 0, expire_started INTEGER DEFAULT 0, "
    "view_once INTEGER DEFAULT 0, remote_deleted INTEGER DEFAULT 0, latest_revision_id INTEGER DEFAULT NULL, "
    "original_message_id INTEGER DEFAULT NULL, revision_number INTEGER DEFAULT 0)",
    "CREATE UNIQUE INDEX message_date_sent_from_to_thread_index ON message (date_sent, from_recipient_id, thread_id)",
    "CREATE TABLE attachment (_id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER, content_type TEXT, "
    "file_name TEXT, data_size INTEGER, quote INTEGER DEFAULT 0, sticker_pack_id TEXT DEFAULT NULL)",
    "CREATE VIRTUAL TABLE message_fts USING fts5(body, thread_id UNINDEXED, content=message, content_rowid=_id)",
    "CREATE TRIGGER message_ai AFTER INSERT ON message BEGIN INSERT INTO message_fts(rowid, body, thread_id) "
    "VALUES (new._id, new.body, new.thread_id); END",
]
LEGACY_SCHEMA = [
    "CREATE TABLE recipient (_id INTEGER PRIMARY KEY AUTOINCREMENT, phone TEXT UNIQUE DEFAULT NULL, "
    "uuid TEXT UNIQUE DEFAULT NULL, group_id TEXT UNIQUE DEFAULT NULL, system_display_name TEXT DEFAULT NULL, "
    "signal_profile_name TEXT DEFAULT NULL)",
    "CREATE TABLE thread (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, thread_recipient_id INTEGER)",
    "CREATE TABLE sms (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, address INTEGER, date INTEGER, "
    "date_sent INTEGER, type INTEGER, body TEXT, expires_in INTEGER DEFAULT 0, remote_deleted INTEGER DEFAULT 0)",
    "CREATE TABLE mms (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER, date_received INTEGER, "
    "msg_box INTEGER, address INTEGER, body TEXT, expires_in INTEGER DEFAULT 0, view_once INTEGER DEFAULT 0, "
    "remote_deleted INTEGER DEFAULT 0)",
    "CREATE TABLE part (_id INTEGER PRIMARY KEY, mid INTEGER, ct TEXT, file_name TEXT, data_size INTEGER, "
    "unique_id INTEGER NOT NULL, quote INTEGER DEFAULT 0)",
]

_WORDS = "de het een en van ik je dat is niet op te met voor er zijn maar om nog wel ook nu al als dan dit".split()
_T0 = 1_700_000_000_000


def _contacts(writer: BackupWriter, rng: random.Random, threads: int, legacy: bool) -> None:
    insert = "INSERT INTO recipient VALUES (?,?,?,?,?,?)" if legacy else "INSERT INTO recipient VALUES (?,?,?,?,?,?,?)"
    for rid in range(1, threads + 2):
        phone = f"+316{10000000 + rid:08d}"
        aci = f"{rng.getrandbits(128):032x}"
        name = None if rid == 1 else f"Contact {rid}"
        if legacy:
            writer.statement(insert, [rid, phone, aci, None, name, "Ik" if rid == 1 else None])
        else:
            writer.statement(insert, [rid, phone, aci, None, name, "Ik" if rid == 1 else None, None])
    for tid in range(1, threads + 1):
        writer.statement("INSERT INTO thread VALUES (?,?,?)", [tid, _T0, tid + 1])


def generate_backup(
    stream: IO[bytes],
    *,
    messages: int = 1000,
    threads: int = 5,
    attachments: int = 0,
    attachment_size: int = 4096,
    version: int = 1,
    legacy: bool = False,
    passphrase: str = PASSPHRASE,
    seed: int = 0,
) -> Generated:
    """A seeded backup with `messages` text messages over `threads` 1:1 chats and `attachments` blobs."""
    rng = random.Random(seed)
    writer = BackupWriter(stream, passphrase, version=version, seed=seed)
    writer.database_version(120 if legacy else 215)
    for sql in LEGACY_SCHEMA if legacy else MODERN_SCHEMA:
        writer.statement(sql)
    _contacts(writer, rng, threads, legacy)
    result = Generated(messages=messages, threads=threads)
    media_every = max(messages // attachments, 1) if attachments else 0
    for mid in range(1, messages + 1):
        thread = rng.randint(1, threads)
        outgoing = rng.random() < 0.4
        sent = _T0 + mid * 1000
        body = " ".join(rng.choices(_WORDS, k=rng.randint(1, 20)))
        has_media = bool(media_every) and mid % media_every == 0 and len(result.attachments) < attachments
        _message(writer, legacy, mid, thread, outgoing, sent, None if has_media else body, has_media)
        if has_media:
            size = attachment_size
            _attachment(writer, legacy, len(result.attachments) + 1, mid, seed * 1_000_003 + mid, size)
            result.attachments[mid] = (seed * 1_000_003 + mid, size)
    writer.key_value("account.e164", result.self_e164)
    writer.end()
    return result


def _message(
    writer: BackupWriter, legacy: bool, mid: int, thread: int, outgoing: bool, sent: int, body: str | None, media: bool
) -> None:
    other = thread + 1
    kind = BASE_OUTGOING if outgoing else BASE_INCOMING
    if not legacy:
        sender, receiver = (1, other) if outgoing else (other, 1)
        writer.statement(
            "INSERT INTO message VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [mid, sent, sent + 500, -1, thread, sender, receiver, kind, body, 1, 0, 0, 0, 0, None, None, 0],
        )
    elif media:
        writer.statement(
            "INSERT INTO mms VALUES (?,?,?,?,?,?,?,?,?,?)", [mid, thread, sent, sent + 500, kind, other, body, 0, 0, 0]
        )
    else:
        writer.statement(
            "INSERT INTO sms VALUES (?,?,?,?,?,?,?,?,?)", [mid, thread, other, sent + 500, sent, kind, body, 0, 0]
        )


def _attachment(writer: BackupWriter, legacy: bool, row_id: int, mid: int, seed: int, size: int) -> None:
    if legacy:
        unique = 1_600_000_000_000 + row_id
        writer.statement("INSERT INTO part VALUES (?,?,?,?,?,?,?)", [row_id, mid, "image/jpeg", None, size, unique, 0])
        writer.attachment(row_id, random_chunks(seed, size), size, attachment_id=unique)
    else:
        writer.statement(
            "INSERT INTO attachment VALUES (?,?,?,?,?,?,?)",
            [row_id, mid, "image/jpeg", f"foto-{row_id}.jpg", size, 0, None],
        )
        writer.attachment(row_id, random_chunks(seed, size), size)


# -- a small account, message by message ------------------------------------------------------------

SMALL_T0 = 1717236000000  # 2024-06-01 10:00:00 UTC
SMALL_SELF, SMALL_JAN = "+31600000001", "+31600000002"
SMALL_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(62))  # 70 bytes
TIMER = 604_800_000


@dataclass
class Row:
    """One `message` row of the small account (minute: its date_sent is SMALL_T0 + minute minutes)."""

    mid: int
    minute: int
    outgoing: bool
    body: str | None = None
    flags: int = 0
    expires_in: int = 0
    view_once: bool = False
    remote_deleted: bool = False
    latest_revision_id: int | None = None
    original_message_id: int | None = None
    revision_number: int = 0
    attachment: bytes | None = None


def small_account_rows(*, edited: bool = True, deleted: bool = True) -> list[Row]:
    """Jan Jansen and the owner: a text each way, a message Jan deleted for everyone (or, with
    `deleted=False`, still its text), a view-once photo, a timer switched on, a disappearing text, and
    a message the owner edited (`edited=False`: only its original)."""
    rows = [
        Row(1, 0, False, "Goedemorgen, heeft u het stuk gelezen?"),
        Row(2, 1, True, "Ja, reactie volgt vandaag."),
        Row(3, 2, False, None, remote_deleted=True) if deleted else Row(3, 2, False, "Vergeet dit bericht."),
        Row(4, 3, False, None, view_once=True, attachment=SMALL_PNG),
        Row(5, 4, False, None, flags=TIMER_UPDATE, expires_in=TIMER),
        Row(6, 5, False, "Dit bericht verdwijnt na een week.", expires_in=TIMER),
        Row(7, 6, True, "Vergadering om 14:00", latest_revision_id=8 if edited else None),
    ]
    if edited:
        rows.append(Row(8, 7, True, "Vergadering om 15:00", original_message_id=7, revision_number=1))
    return rows


def write_small_backup(
    path: str | Path, *, version: int = 1, rows: list[Row] | None = None, passphrase: str = PASSPHRASE, seed: int = 5
) -> Path:
    """The small account as a `.backup` (schema 215); name the file `signal-YYYY-MM-DD-HH-MM-SS.backup`
    for a backup time."""
    path = Path(path)
    with open(path, "wb") as stream:
        writer = BackupWriter(stream, passphrase, version=version, seed=seed)
        writer.database_version(215)
        for sql in MODERN_SCHEMA:
            writer.statement(sql)
        writer.statement("INSERT INTO recipient VALUES (?,?,?,?,?,?,?)", [1, SMALL_SELF, None, None, None, None, None])
        writer.statement(
            "INSERT INTO recipient VALUES (?,?,?,?,?,?,?)", [2, SMALL_JAN, None, None, "Jan Jansen", None, None]
        )
        writer.statement("INSERT INTO thread VALUES (?,?,?)", [1, SMALL_T0, 2])
        attachments = 0
        for row in rows if rows is not None else small_account_rows():
            sent = SMALL_T0 + row.minute * 60_000
            sender, receiver = (1, 2) if row.outgoing else (2, 1)
            kind = (BASE_OUTGOING if row.outgoing else BASE_INCOMING) | row.flags
            writer.statement(
                "INSERT INTO message VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [row.mid, sent, sent + 500, -1, 1, sender, receiver, kind, row.body, 1, row.expires_in]
                + [sent if row.expires_in and row.body else 0, int(row.view_once), int(row.remote_deleted)]
                + [row.latest_revision_id, row.original_message_id, row.revision_number],
            )
            if row.attachment is not None:
                attachments += 1
                writer.statement(
                    "INSERT INTO attachment VALUES (?,?,?,?,?,?,?)",
                    [attachments, row.mid, "image/png", None, len(row.attachment), 0, None],
                )
                writer.attachment(attachments, [row.attachment], len(row.attachment))
        writer.key_value("account.e164", SMALL_SELF)
        writer.end()
    return path
