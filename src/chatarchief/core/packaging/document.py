"""What a chat PDF is made of: plain dataclasses the Django apps fill from the archive.

A `ChatDocument` is one document as Woo or preservation sees it (typically one conversation-day, or
a whole conversation for a preservation rendition). Nothing here knows about Django or the database;
message ids are whatever the caller uses to point at a message (redactions refer to them).

Redactions are separate values (`TextRedaction`, `MessageRedaction`, `SenderRedaction`,
`MediaRedaction`, `PhraseRedaction`), applied by `redaction.apply_redactions` before anything is laid out, so that
redacted text never reaches the renderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Precision(StrEnum):
    """How precisely the source gave the time: WhatsApp Android gives minutes; never print fake seconds."""

    MINUTE = "minute"
    SECOND = "second"


class MessageKind(StrEnum):
    TEXT = "text"
    MEDIA = "media"
    SYSTEM = "system"
    CALL = "call"
    LOCATION = "location"
    CONTACT = "contact"
    POLL = "poll"
    DELETED = "deleted"
    VIEW_ONCE = "view_once"


@dataclass(slots=True)
class ChatAttachment:
    """A media file of a message: image bytes with their MIME type, or only a file name.

    Only JPEG, PNG, GIF and WebP bytes are drawn as pictures (re-encoded without metadata); any other
    attachment is shown as its file name. `omitted` marks media the export named but did not hold.
    """

    filename: str | None = None
    mime_type: str | None = None
    data: bytes | None = field(default=None, repr=False)
    omitted: bool = False
    caption: str = ""


@dataclass(slots=True)
class ChatVersion:
    """An earlier version of a message (an edit, or the text before a deletion), oldest first."""

    body: str
    sent_at: dt.datetime | None = None


@dataclass(slots=True)
class ChatMessage:
    id: str
    sender: str | None  # the sender's key (what `SenderRedaction` names); None for system lines
    sender_name: str | None  # the name printed above the message
    sent_at: dt.datetime  # aware
    body: str = ""
    precision: Precision = Precision.MINUTE
    outgoing: bool = False  # the custodian's own message: laid out on the right
    kind: MessageKind = MessageKind.TEXT
    event_text: str = ""  # the text of a system event ("X heeft Y toegevoegd")
    attachments: list[ChatAttachment] = field(default_factory=list)
    versions: list[ChatVersion] = field(default_factory=list)
    edited: bool = False
    deleted: bool = False  # deleted after archiving: the archived text is shown, marked as deleted


@dataclass(slots=True)
class ChatDocument:
    title: str
    number: str  # the document number printed in the header (e.g. the Woo document id)
    time_zone: str  # the custodian's IANA zone, e.g. "Europe/Amsterdam"
    messages: list[ChatMessage]
    holders: list[str] = field(default_factory=list)  # the custodians who handed this chat in
    header_lines: list[str] = field(default_factory=list)
    footer_lines: list[str] = field(default_factory=list)
    lang: str = "nl"


# ---- redactions ----------------------------------------------------------------------------------


class TextField(StrEnum):
    """Which text of a message a `TextRedaction` cuts in."""

    BODY = "body"
    EVENT = "event"  # the system-event text
    CAPTION = "caption"  # an attachment's caption (with `index`)
    VERSION = "version"  # an earlier version's body (with `index`)


@dataclass(frozen=True, slots=True)
class TextRedaction:
    """Characters ``[start, end)`` of one text of one message (Python string indices)."""

    message_id: str
    start: int
    end: int
    ground: str
    field: TextField = TextField.BODY
    index: int = 0  # the caption's attachment or the version, for those fields


@dataclass(frozen=True, slots=True)
class MessageRedaction:
    """A whole message: body, versions, captions and media. Sender and time stay unless redacted too."""

    message_id: str
    ground: str


@dataclass(frozen=True, slots=True)
class SenderRedaction:
    """A sender's name: the label above their messages and every occurrence of it in the document."""

    sender: str
    ground: str


@dataclass(frozen=True, slots=True)
class MediaRedaction:
    """An attachment blacked out whole (``box`` None) or in one rectangle of pixels (x0, y0, x1, y1)."""

    message_id: str
    attachment: int
    ground: str
    box: tuple[int, int, int, int] | None = None


@dataclass(frozen=True, slots=True)
class PhraseRedaction:
    """Every occurrence of a phrase (case-insensitive, any run of white space between words) in every
    text the document prints: title, header and footer lines, holders, sender names, bodies, events,
    captions, versions and file names."""

    text: str
    ground: str


Redaction = TextRedaction | MessageRedaction | SenderRedaction | MediaRedaction | PhraseRedaction
