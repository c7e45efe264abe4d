"""Turn SMS Backup & Restore `<sms>` and `<mms>` elements into messages (helpers of `backup_restore`).

Each element becomes a `Record`: the message plus what is needed to place it in a thread once the whole
file has been read (the thread's addresses, contact names, the owner's own number if the record shows it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from chatarchief.core.model import Attachment, Kind, Message
from chatarchief.core.phone import normalise_phone

NULL = "null"  # SMS Backup & Restore writes the literal string "null" for an absent value
INSERT_ADDRESS_TOKEN = "insert-address-token"  # noqa: S105 - Android's placeholder for the own number in sent MMS
DEFAULT_REGION = "NL"

ADDR_FROM = "137"
ADDR_TO = "151"
ADDR_CC = "130"
ADDR_BCC = "129"

_LATEST_MS = 7_258_118_400_000  # 2200-01-01: a later "date" is damage, not a message time

SMS_RECEIVED = 1
SMS_SENT = 2
MMS_INBOX = 1
MMS_SENT = 2

_VCARD_TYPES = {"text/x-vcard", "text/vcard", "text/directory"}


class RecordError(Exception):
    """A record the parser cannot place; becomes a `Defect` (or a FormatError in strict mode)."""

    def __init__(self, code: str, en: str, nl: str) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.nl = nl


@dataclass(slots=True)
class Record:
    message: Message
    # Thread addresses from the `address` attribute (normalised), or None when the file does not say.
    thread: tuple[str, ...] | None
    # Every address the record names (MMS `<addr>`), used when `thread` is None.
    pool: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)
    contact_name: str | None = None
    own_number: str | None = None  # the sender of a sent MMS is the owner of the phone


def attr(element: Any, name: str) -> str | None:
    """An attribute value, with the literal "null" (and absence) as None."""
    value = element.get(name)
    if value is None or value == NULL:
        return None
    return str(value)


def int_attr(element: Any, name: str) -> int | None:
    value = attr(element, name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def split_addresses(raw: str | None) -> tuple[str, ...]:
    """The `address` attribute: one number, or several joined by "~" for group MMS (order kept)."""
    if not raw:
        return ()
    seen: dict[str, None] = {}
    for piece in raw.split("~"):
        piece = piece.strip()
        if piece and piece != NULL and piece != INSERT_ADDRESS_TOKEN:
            seen.setdefault(normalise_phone(piece), None)
    return tuple(seen)


def _names_for(addresses: tuple[str, ...], contact_name: str | None) -> dict[str, str]:
    """Pair contact names with addresses: "Alice, Bob" for a two-address group, in the same order."""
    if not contact_name or not addresses:
        return {}
    if len(addresses) == 1:
        return {addresses[0]: contact_name}
    pieces = [p.strip() for p in contact_name.split(",")]
    if len(pieces) != len(addresses):
        return {}
    return {a: n for a, n in zip(addresses, pieces, strict=True) if n and n != "(Unknown)"}


def _date(element: Any, kind: str) -> int:
    value = int_attr(element, "date")
    if value is None or not 0 <= value < _LATEST_MS:
        raise RecordError(
            "sms.bad_date",
            f"An <{kind}> has no valid date ({element.get('date')!r}); skipped.",
            f"Een <{kind}> heeft geen geldige datum ({element.get('date')!r}); overgeslagen.",
        )
    return value


def _contact(element: Any) -> str | None:
    name = attr(element, "contact_name")
    return None if name in (None, "", "(Unknown)") else name


def _body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def sms_record(element: Any, index: int) -> Record:
    sent_at = _date(element, "sms")
    sms_type = int_attr(element, "type") or SMS_RECEIVED
    body = attr(element, "body") or ""
    thread = split_addresses(attr(element, "address"))
    incoming = sms_type == SMS_RECEIVED
    details: dict[str, Any] = {}
    if sms_type not in (SMS_RECEIVED, SMS_SENT):
        details["sms_type"] = sms_type  # 3 draft, 4 outbox, 5 failed, 6 queued
    subject = attr(element, "subject")
    if subject:
        details["subject"] = subject
    date_sent = int_attr(element, "date_sent")
    if date_sent and date_sent != sent_at:
        details["date_sent_ms"] = date_sent
    message = Message(
        index=index,
        sender=(thread[0] if thread else "unknown") if incoming else None,
        sent_at_ms=sent_at,
        kind=Kind.TEXT,
        body=body,
        raw=body,
        raw_time=str(element.get("date")),
        precision_ms=1,
        outgoing=not incoming,
        details=details or None,
        native_id=f"{sent_at}:{','.join(thread)}:{sms_type}:{_body_hash(body)}",
    )
    contact = _contact(element)
    return Record(message, thread, thread, _names_for(thread, contact), contact)


AttachmentSink = Callable[[bytes, str | None, str | None], Attachment]


def mms_record(element: Any, index: int, sink: AttachmentSink, defects: list[RecordError]) -> Record:
    sent_at = _date(element, "mms")
    box = int_attr(element, "msg_box") or MMS_INBOX
    incoming = box == MMS_INBOX
    thread_attr = attr(element, "address")
    thread = split_addresses(thread_attr) if thread_attr else None
    senders, pool = _mms_addrs(element)
    body, attachments = _mms_parts(element, sink, defects)
    details: dict[str, Any] = {}
    if box not in (MMS_INBOX, MMS_SENT):
        details["msg_box"] = box  # 3 draft, 4 outbox
    subject = attr(element, "sub")
    if subject:
        details["subject"] = subject
    sender = _mms_sender(senders, thread, details) if incoming else None
    kind = Kind.TEXT
    if attachments:
        kind = Kind.CONTACT if all(a.media_type == "contact" for a in attachments) else Kind.MEDIA
    m_id = attr(element, "m_id")
    native = m_id or f"{sent_at}:{','.join(thread or pool)}:mms{box}:{_body_hash(body)}"
    message = Message(
        index=index,
        sender=sender,
        sent_at_ms=sent_at,
        kind=kind,
        body=body,
        raw=body,
        raw_time=str(element.get("date")),
        precision_ms=1,
        outgoing=not incoming,
        details=details or None,
        attachments=attachments,
        native_id=native,
    )
    contact = _contact(element)
    own = senders[0] if box == MMS_SENT and senders else None
    return Record(message, thread, pool, _names_for(thread or (), contact), contact, own)


def _mms_sender(senders: list[str], thread: tuple[str, ...] | None, details: dict[str, Any]) -> str:
    """The sender of a received MMS: its From address, unless that contradicts a one-to-one thread.

    In a one-to-one thread the other party is the sender; a From address outside the thread is kept
    in ``details["from_address"]`` as evidence instead of becoming a phantom participant.
    """
    if thread and len(thread) == 1:
        if senders and senders[0] != thread[0]:
            details["from_address"] = senders[0]
        return thread[0]
    if senders:
        return senders[0]
    return "unknown"


def _mms_addrs(element: Any) -> tuple[list[str], tuple[str, ...]]:
    """(From addresses, every address) of an MMS, normalised, without Android's self placeholder."""
    senders: list[str] = []
    pool: dict[str, None] = {}
    for addr in element.iter("addr"):
        raw = attr(addr, "address")
        if not raw or raw == INSERT_ADDRESS_TOKEN:
            continue
        number = normalise_phone(raw)
        if not number:
            continue
        pool.setdefault(number, None)
        if attr(addr, "type") == ADDR_FROM:
            senders.append(number)
    return senders, tuple(pool)


def _mms_parts(element: Any, sink: AttachmentSink, defects: list[RecordError]) -> tuple[str, list[Attachment]]:
    texts: list[str] = []
    attachments: list[Attachment] = []
    for part in element.iter("part"):
        content_type = (attr(part, "ct") or "").lower()
        if content_type == "application/smil":
            continue
        data = attr(part, "data")
        text = attr(part, "text")
        filename = attr(part, "cl") or attr(part, "name") or attr(part, "fn")
        if content_type.startswith("text/plain") and data is None:
            if text:
                texts.append(text)
            continue
        if data is not None:
            try:
                content = base64.b64decode(data)
            except (binascii.Error, ValueError):
                defects.append(
                    RecordError(
                        "sms.bad_attachment",
                        f"MMS part {filename!r} holds invalid base64; kept as omitted.",
                        f"MMS-onderdeel {filename!r} bevat ongeldige base64; als ontbrekend bewaard.",
                    )
                )
                attachments.append(Attachment(filename, content_type or None, omitted=True))
                continue
        elif text is not None:
            content = text.encode("utf-8", "surrogatepass")
        else:
            attachments.append(Attachment(filename, content_type or None, omitted=True))
            continue
        attachments.append(sink(content, filename, content_type or None))
    return "\n".join(texts), attachments


def media_type_of(mime_type: str | None) -> str:
    mime = (mime_type or "").lower()
    if mime in _VCARD_TYPES:
        return "contact"
    if mime == "image/gif":
        return "gif"
    for prefix in ("image", "video", "audio"):
        if mime.startswith(prefix + "/"):
            return prefix
    return "document"


def make_sink(workdir: str | None) -> AttachmentSink:
    """Attachment factory: content is spilled to `workdir` (content-addressed) or, without one, kept."""
    target = os.path.join(workdir, "sms-media") if workdir else None

    def sink(content: bytes, filename: str | None, mime_type: str | None) -> Attachment:
        digest = hashlib.sha256(content).hexdigest()
        opener: Callable[[], IO[bytes]]
        if target is not None:
            os.makedirs(target, exist_ok=True)
            path = os.path.join(target, digest)
            if not os.path.exists(path):
                with open(path, "wb") as handle:
                    handle.write(content)
            opener = _file_opener(path)
        else:
            opener = _bytes_opener(content)
        return Attachment(
            filename,
            mime_type,
            size=len(content),
            sha256=digest,
            media_type=media_type_of(mime_type),
            open=opener,
        )

    return sink


def _file_opener(path: str) -> Callable[[], IO[bytes]]:
    return lambda: open(path, "rb")


def _bytes_opener(content: bytes) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(content)
