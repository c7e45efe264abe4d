"""From the replayed Signal-Android database to the normalised `Export` (FORMATS.md §2a).

Schema epochs (DatabaseVersion): below 168 separate `sms` and `mms` tables (`address`/`recipient_id` is
the other party, `mms.msg_box` the type); from 168 one `message` table; from 185 `from_recipient_id` /
`to_recipient_id` and the edit columns. Every query is built from the columns that exist.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from chatarchief.core.formats.signal import android_kinds as kinds
from chatarchief.core.formats.signal.android_media import SpilledFile, load_attachments
from chatarchief.core.formats.signal.android_people import (
    Recipient,
    columns,
    find_self,
    load_recipients,
    load_threads,
    pick,
    text,
)
from chatarchief.core.identity import SIGNAL_SELF_KEY
from chatarchief.core.model import Channel, Conversation, Defect, Export, Message, Participant, Revision


@dataclass(slots=True)
class BackupContents:
    """What the frame stream gave besides the SQL: versions, key-values, spilled attachment blobs."""

    header_version: int = 0
    database_version: int = 0
    frames: int = 0
    account: dict[str, Any] = field(default_factory=dict)
    blobs: dict[tuple[int, int], SpilledFile] = field(default_factory=dict)
    blobs_by_row: dict[int, SpilledFile] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)


@dataclass(slots=True)
class Row:
    """One message row, whatever table it came from."""

    table: str
    id: int
    date_sent: int
    date_received: int
    thread_id: Any
    from_id: Any
    to_id: Any
    address: Any
    type: int
    body: str | None
    expires_in: int
    view_once: bool
    remote_deleted: bool
    latest_revision_id: Any
    revision_number: int

    @property
    def outgoing(self) -> bool:
        return kinds.is_outgoing(self.type)


_FIELDS = (
    ("_id", ("_id",)),
    ("date_sent", ("date_sent", "date")),
    ("date_received", ("date_received", "date")),
    ("thread_id", ("thread_id",)),
    ("from_id", ("from_recipient_id",)),
    ("to_id", ("to_recipient_id",)),
    ("address", ("recipient_id", "address")),
    ("type", ("type", "msg_box")),
    ("body", ("body",)),
    ("expires_in", ("expires_in",)),
    ("view_once", ("view_once",)),
    ("remote_deleted", ("remote_deleted",)),
    ("latest_revision_id", ("latest_revision_id",)),
    ("revision_number", ("revision_number",)),
)
_MMS_FIELDS = dict(_FIELDS) | {"type": ("msg_box", "type")}


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str | bytes):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def _load_rows(connection: sqlite3.Connection, schema: dict[str, set[str]]) -> list[Row]:
    tables = ["message"] if "message" in schema else [t for t in ("sms", "mms") if t in schema]
    rows: list[Row] = []
    for table in tables:
        cols = schema[table]
        fields = _MMS_FIELDS if table == "mms" else dict(_FIELDS)
        select = ", ".join(pick(cols, *names) for names in fields.values())
        for values in connection.execute(f'SELECT {select} FROM "{table}"'):
            (
                row_id,
                sent,
                received,
                thread,
                from_id,
                to_id,
                address,
                kind,
                body,
                expires,
                once,
                deleted,
                latest,
                rev,
            ) = values
            sent_ms = _int(sent)
            rows.append(
                Row(
                    table=table,
                    id=_int(row_id),
                    date_sent=sent_ms,
                    date_received=_int(received, sent_ms) or sent_ms,
                    thread_id=thread,
                    from_id=from_id,
                    to_id=to_id,
                    address=address,
                    type=_int(kind),
                    body=body if isinstance(body, str) else text(body),
                    expires_in=max(_int(expires), 0),
                    view_once=bool(_int(once)),
                    remote_deleted=bool(_int(deleted)),
                    latest_revision_id=latest,
                    revision_number=_int(rev),
                )
            )
    return rows


class _Mapper:
    """Turns rows into conversations; holds the lookups the steps share."""

    def __init__(self, connection: sqlite3.Connection, contents: BackupContents) -> None:
        schema = columns(connection)
        self.contents = contents
        self.recipients = load_recipients(connection, schema)
        self.threads = load_threads(connection, schema)
        self.rows = _load_rows(connection, schema)
        self.attachments, self.long_texts = load_attachments(connection, schema, contents.blobs, contents.blobs_by_row)
        self.has_from = any(r.from_id is not None for r in self.rows)
        outgoing = Counter(r.from_id for r in self.rows if r.outgoing and r.from_id is not None)
        self.me = find_self(self.recipients, contents.account, outgoing)
        self.self_participant = self._self_participant()

    def _self_participant(self) -> Participant:
        me = self.me
        if me is None:
            return Participant(key=SIGNAL_SELF_KEY, name="Ik", is_self=True)
        return Participant(
            key=me.key, name=me.name or me.phone or "Ik", phone=me.phone, is_self=True, native_id=str(me.row_id)
        )

    def recipient(self, value: Any) -> Recipient | None:
        if value is None:
            return None
        found = self.recipients.get(value)
        if found is None and isinstance(value, str) and value.isascii() and value.isdigit():
            found = self.recipients.get(int(value))
        if found is None:
            # Very old databases use the phone number itself as the address.
            found = Recipient(row_id=value, e164=value if isinstance(value, str) else None).resolve()
            self.recipients[value] = found
        return found

    def is_self(self, recipient: Recipient | None) -> bool:
        return recipient is not None and self.me is not None and recipient.key == self.me.key

    def sender(self, row: Row) -> Recipient | None:
        if row.outgoing:
            if self.me is not None:
                return self.me
            return self.recipient(row.from_id) if row.from_id is not None else None
        if row.from_id is not None:
            return self.recipient(row.from_id)
        return self.recipient(row.address)

    def conversations(self) -> list[Conversation]:
        by_thread: dict[Any, list[Row]] = defaultdict(list)
        revisions: dict[tuple[str, Any], list[Row]] = defaultdict(list)
        for row in self.rows:
            if kinds.is_draft(row.type):
                continue
            if row.latest_revision_id is not None and _int(row.latest_revision_id, -1) not in (-1, 0):
                revisions[(row.table, _int(row.latest_revision_id))].append(row)
            else:
                by_thread[row.thread_id].append(row)
        result = []
        for thread_id, rows in by_thread.items():
            result.append(self._conversation(thread_id, rows, revisions))
        result.sort(key=lambda c: (c.messages[0].sent_at_ms if c.messages else 0, c.key))
        return result

    def _conversation(
        self, thread_id: Any, rows: list[Row], revisions: dict[tuple[str, Any], list[Row]]
    ) -> Conversation:
        owner = self.recipient(self.threads.get(thread_id))
        if owner is None:
            owner = Recipient(row_id=f"thread-{thread_id}", name=f"Signal-gesprek {thread_id}").resolve()
        thread_key = owner.stable_id
        participants: dict[str, Participant] = {self.self_participant.key: self.self_participant}
        if not owner.group_id and not self.is_self(owner):
            participants.setdefault(owner.key, self._participant(owner))
        for member in owner.members:
            found = self.recipient(member)
            if found is not None and not self.is_self(found):
                participants.setdefault(found.key, self._participant(found))
        items = []
        for row in rows:
            older = sorted(revisions.get((row.table, row.id), ()), key=lambda r: (r.revision_number, r.date_sent, r.id))
            order = older[0].date_received if older else row.date_received
            items.append((order, row.table, row.id, row, older))
        items.sort(key=lambda item: item[:3])
        messages = []
        for _order, _table, _id, row, older in items:
            message = self._message(row, older, thread_key)
            if message.sender and message.sender not in participants:
                who = self.sender(row)
                if who is not None:
                    participants[message.sender] = self._participant(who)
            messages.append(message)
        return Conversation(
            key=f"signal:thread:{thread_key}",
            title=owner.display_name,
            channel=Channel.SIGNAL,
            is_group=bool(owner.group_id),
            participants=list(participants.values()),
            messages=messages,
            native_id=str(thread_id),
        )

    def _participant(self, recipient: Recipient) -> Participant:
        if self.is_self(recipient):
            return self.self_participant
        return Participant(
            key=recipient.key, name=recipient.display_name, phone=recipient.phone, native_id=str(recipient.row_id)
        )

    def _message(self, row: Row, older: list[Row], thread_key: str) -> Message:
        who = self.sender(row)
        first = older[0] if older else row
        sender_key = who.key if who is not None else None
        message = Message(
            index=0,
            sender=sender_key,
            sender_name=who.display_name if who is not None else None,
            sent_at_ms=first.date_sent,
            raw_time=str(first.date_sent),
            precision_ms=1,
            kind=kinds.Kind.TEXT,
            body=self.long_texts.get((row.table, row.id)) or row.body or "",
            raw=row.body or "",
            outgoing=row.outgoing,
            native_id=f"{first.date_sent}:{who.stable_id if who is not None else first.from_id}:{thread_key}",
        )
        attachments = self.attachments.get((row.table, row.id)) or next(
            (self.attachments[(r.table, r.id)] for r in older if (r.table, r.id) in self.attachments), []
        )
        kinds.classify(message, row, attachments, self_deleted=self.is_self(who))
        if older:
            message.edited = True
            message.revisions = [Revision(body=r.body or "", sent_at_ms=r.date_sent) for r in older]
            message.details = {**(message.details or {}), "edited_at_ms": row.date_sent}
        return message


def build_export(
    connection: sqlite3.Connection, contents: BackupContents, *, source_name: str, backup_ms: int | None
) -> Export:
    """The Export of one replayed backup; `backup_ms` is the backup time, if the file name gives it."""
    mapper = _Mapper(connection, contents)
    conversations = mapper.conversations()
    index = 0
    for conversation in conversations:
        for message in conversation.messages:
            message.index = index
            index += 1
    newest = max((m.sent_at_ms for c in conversations for m in c.messages), default=None)
    # A full backup covers everything up to its backup time (and at least its newest message: the time
    # in the file name is the phone's local time, which may be in another zone than assumed).
    covers_to = max((t for t in (backup_ms, newest) if t is not None), default=None)
    for conversation in conversations:
        conversation.covers_from_ms = 0 if covers_to is not None else None
        conversation.covers_to_ms = covers_to
    return Export(
        format="signal_android",
        channel=Channel.SIGNAL,
        source_name=source_name,
        conversations=conversations,
        defects=contents.defects,
        platform="android",
        created_at_ms=covers_to,
        self_participant=mapper.self_participant,
        metadata={
            "header_version": contents.header_version,
            "database_version": contents.database_version,
            "frames": contents.frames,
            "attachment_blobs": len(contents.blobs),
            "backup_time_from": "file_name" if backup_ms is not None else "newest_message",
        },
    )
