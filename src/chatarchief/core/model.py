"""The normalised world every parser produces and the loader consumes.

Times are integers: UTC milliseconds since the epoch (``sent_at_ms``), with the precision the source
gives (``precision_ms``: 60_000 for Android WhatsApp, 1_000 for iOS, 1 for Signal) and the raw text they
came from. Integers keep a million-message parse fast; `Message.sent_at` gives the aware datetime.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import eq
from typing import IO, Any, overload


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    SIGNAL = "signal"
    SMS = "sms"
    TELEGRAM = "telegram"


class Kind(StrEnum):
    """What a message is. `deleted` and `view_once` are forms a message can take in one export."""

    TEXT = "text"
    MEDIA = "media"  # attachment (with or without caption), present or omitted
    SYSTEM = "system"  # system events (group created, timer changed, security code, ...)
    CALL = "call"  # missed/finished calls
    LOCATION = "location"
    CONTACT = "contact"
    POLL = "poll"
    DELETED = "deleted"  # a tombstone ("Dit bericht is verwijderd", Signal remote delete)
    VIEW_ONCE = "view_once"  # view-once media (WhatsApp `null`, Signal view_once)


class Deleter(StrEnum):
    SELF = "self"  # the custodian (the export's owner) deleted it
    OTHER = "other"  # another participant deleted it for everyone


class SystemEvent(StrEnum):
    E2E_NOTICE = "e2e_notice"
    GROUP_CREATED = "group_created"
    MEMBER_ADDED = "member_added"
    MEMBER_LEFT = "member_left"
    MEMBER_REMOVED = "member_removed"
    ADMIN_CHANGED = "admin_changed"
    SUBJECT_CHANGED = "subject_changed"
    ICON_CHANGED = "icon_changed"
    SECURITY_CODE_CHANGED = "security_code_changed"
    NUMBER_CHANGED = "number_changed"
    DISAPPEARING_ENABLED = "disappearing_enabled"  # details: {"timer_seconds": int | None}
    DISAPPEARING_DISABLED = "disappearing_disabled"
    MISSED_CALL = "missed_call"
    CALL = "call"
    PINNED = "pinned"
    OTHER = "other"


@dataclass(slots=True)
class Participant:
    """Someone in a conversation. `key` is the normalised identity used for matching senders."""

    key: str
    name: str
    phone: str | None = None
    is_self: bool = False
    native_id: str | None = None


@dataclass(slots=True)
class Attachment:
    """A media file referenced by a message.

    ``omitted`` is true when the export names the media but does not hold it (``<Media weggelaten>``).
    ``open`` returns a binary stream of the plaintext content when it is present; ``sha256`` and
    ``size`` are filled by the parser when it already knows them (else the loader computes them).
    """

    filename: str | None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    omitted: bool = False
    media_type: str | None = None  # image, video, audio, sticker, document, gif, contact, ...
    open: Callable[[], IO[bytes]] | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Revision:
    """An earlier version of an edited message (Signal/Telegram edits), oldest first."""

    body: str
    sent_at_ms: int | None = None
    kind: Kind = Kind.TEXT


_NONE: tuple[()] = ()  # the shared empty default of attachments and revisions


class Message:
    """One message as an export shows it.

    A million of these come out of a big WhatsApp export, so the class is lean: the fields every
    message has are slots; the rarely set ones are class-level defaults, and an instance gets a
    `__dict__` only when one of those is set. Construct with the same arguments as a dataclass.
    """

    __slots__ = ("index", "sender", "sent_at_ms", "kind", "body", "precision_ms", "line", "sender_name", "__dict__")

    index: int  # running order in the export (0-based), i.e. line order
    sender: str | None  # Participant.key; None for system lines without a sender
    sent_at_ms: int
    kind: Kind
    body: str  # normalised text; "" for tombstones / view-once / pure media
    precision_ms: int
    line: int  # 1-based line of the header in the file, 0 if not line based
    sender_name: str | None
    # Rarely set (class-level defaults):
    raw_time: str = ""  # the time as written; WhatsApp leaves it "" (see `raw` below)
    # The raw text as in the file, for evidence. WhatsApp leaves it and `raw_time` "" (the file is
    # kept byte for byte; `whatsapp.raw_lines(path, message)` gives the lines back from `line`).
    raw: str = ""
    # Fields with a shared empty tuple as default: assign a new list, never append in place.
    attachments: Sequence[Attachment] = _NONE
    edited: bool = False  # the export marks it as edited
    deleted_by: Deleter | None = None  # set for Kind.DELETED
    event: SystemEvent | None = None  # set for Kind.SYSTEM / Kind.CALL
    details: dict[str, Any] | None = None  # e.g. {"timer_seconds": 604800}
    native_id: str | None = None  # the source's own id (Signal: "date_sent:from:thread")
    revisions: Sequence[Revision] = _NONE  # older versions, oldest first
    outgoing: bool | None = None
    expires_in_ms: int | None = None  # disappearing-message timer on this message

    def __init__(  # noqa: PLR0913 - the dataclass-style constructor every parser uses
        self,
        index: int,
        sender: str | None,
        sent_at_ms: int,
        kind: Kind,
        body: str,
        raw_time: str = "",
        precision_ms: int = 1,
        line: int = 0,
        sender_name: str | None = None,
        raw: str = "",
        attachments: Sequence[Attachment] = _NONE,
        edited: bool = False,
        deleted_by: Deleter | None = None,
        event: SystemEvent | None = None,
        details: dict[str, Any] | None = None,
        native_id: str | None = None,
        revisions: Sequence[Revision] = _NONE,
        outgoing: bool | None = None,
        expires_in_ms: int | None = None,
    ) -> None:
        self.index = index
        self.sender = sender
        self.sent_at_ms = sent_at_ms
        self.kind = kind
        self.body = body
        self.precision_ms = precision_ms
        self.line = line
        self.sender_name = sender_name
        if raw_time:
            self.raw_time = raw_time
        if raw:
            self.raw = raw
        if attachments is not _NONE:  # kept as given ([] stays [])
            self.attachments = attachments
        if edited:
            self.edited = edited
        if deleted_by is not None:
            self.deleted_by = deleted_by
        if event is not None:
            self.event = event
        if details is not None:
            self.details = details
        if native_id is not None:
            self.native_id = native_id
        if revisions is not _NONE:
            self.revisions = revisions
        if outgoing is not None:
            self.outgoing = outgoing
        if expires_in_ms is not None:
            self.expires_in_ms = expires_in_ms

    _FIELDS = (
        "index",
        "sender",
        "sent_at_ms",
        "kind",
        "body",
        "raw_time",
        "precision_ms",
        "line",
        "sender_name",
        "raw",
        "attachments",
        "edited",
        "deleted_by",
        "event",
        "details",
        "native_id",
        "revisions",
        "outgoing",
        "expires_in_ms",
    )

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment] # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"Message({shown})"

    @property
    def sent_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.sent_at_ms / 1000, tz=dt.UTC)


_NEW_MESSAGE = Message.__new__


def plain_message(
    index: int, sender: str | None, sent_at_ms: int, body: str, precision_ms: int, line: int, sender_name: str | None
) -> Message:
    """A plain text Message, made without the keyword handling of `Message.__init__`."""
    message = _NEW_MESSAGE(Message)
    message.index, message.sender, message.sent_at_ms, message.kind = index, sender, sent_at_ms, Kind.TEXT
    message.body, message.precision_ms, message.line, message.sender_name = body, precision_ms, line, sender_name
    return message


class MessageColumns(Sequence[Message]):
    """The messages of one big conversation, kept column by column (the WhatsApp parser makes these).

    A million-message export would otherwise be a million objects: making them is a third of a
    parse, and the loader only takes their fields apart again. Plain text messages live in the
    columns only; `messages[i]` makes a fresh `Message` for them on each access, so change a
    message only through `materialise(i)`, which keeps a real object for position i (every
    non-plain message has one). `sync()` writes those objects' fields back into the columns; the
    parser calls it when it is done, and the columns are read-only from then on.
    Position i is the message's `index` (running order in the export).
    """

    __slots__ = ("senders", "sent_at_ms", "bodies", "precisions", "lines", "names", "objects")

    def __init__(self) -> None:
        self.senders: list[str | None] = []
        self.sent_at_ms: list[int] = []
        self.bodies: list[str] = []
        self.precisions: list[int] = []
        self.lines: list[int] = []
        self.names: list[str | None] = []
        self.objects: dict[int, Message] = {}  # position -> the real object (non-plain messages)

    def __len__(self) -> int:
        return len(self.bodies)

    @overload
    def __getitem__(self, index: int) -> Message: ...
    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...
    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self.bodies)
            if index < 0:
                raise IndexError("message index out of range")
        found = self.objects.get(index)
        if found is not None:
            return found
        return plain_message(
            index,
            self.senders[index],
            self.sent_at_ms[index],
            self.bodies[index],
            self.precisions[index],
            self.lines[index],
            self.names[index],
        )

    def __iter__(self) -> Iterator[Message]:
        return map(self.__getitem__, range(len(self.bodies)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of equal messages (a list included), as a list of them would be."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(map(eq, self, other))

    __hash__ = None  # type: ignore[assignment] # mutable, like a list

    def materialise(self, index: int) -> Message:
        """The real object for position `index` (made now if the message was plain until now)."""
        found = self.objects.get(index)
        if found is None:
            found = self.objects[index] = plain_message(
                index,
                self.senders[index],
                self.sent_at_ms[index],
                self.bodies[index],
                self.precisions[index],
                self.lines[index],
                self.names[index],
            )
        return found

    def append(self, message: Message) -> None:
        """Add a message made elsewhere (kept as an object); its index must be its position."""
        self.objects[len(self.bodies)] = message
        self._push(message)

    def _push(self, message: Message) -> None:
        self.senders.append(message.sender)
        self.sent_at_ms.append(message.sent_at_ms)
        self.bodies.append(message.body)
        self.precisions.append(message.precision_ms)
        self.lines.append(message.line)
        self.names.append(message.sender_name)

    def sync(self) -> None:
        """Write the fields of the kept objects back into the columns."""
        senders, sent, bodies, precisions, lines, names = (
            self.senders,
            self.sent_at_ms,
            self.bodies,
            self.precisions,
            self.lines,
            self.names,
        )
        for index, message in self.objects.items():
            senders[index] = message.sender
            sent[index] = message.sent_at_ms
            bodies[index] = message.body
            precisions[index] = message.precision_ms
            lines[index] = message.line
            names[index] = message.sender_name


@dataclass(slots=True)
class Conversation:
    """One chat. `key` identifies it within the channel for this custodian (see identity.py)."""

    key: str
    title: str
    channel: Channel
    is_group: bool | None = None
    participants: list[Participant] = field(default_factory=list)
    messages: list[Message] | MessageColumns = field(default_factory=list)
    native_id: str | None = None
    # The time span the export is complete for. None means: from the first to the last message.
    covers_from_ms: int | None = None
    covers_to_ms: int | None = None

    def span(self) -> tuple[int, int] | None:
        """(first, last) UTC ms this export covers for this conversation, or None if empty."""
        if self.covers_from_ms is not None and self.covers_to_ms is not None:
            return self.covers_from_ms, self.covers_to_ms
        if not self.messages:
            return None
        times = sent_at_column(self.messages)
        return min(times), max(times)


def kept_objects(messages: Sequence[Message]) -> Iterable[Message]:
    """Every message that may be more than plain text (with columns: only the kept objects)."""
    if isinstance(messages, MessageColumns):
        return messages.objects.values()
    return messages


def sent_at_column(messages: Sequence[Message]) -> Sequence[int]:
    if isinstance(messages, MessageColumns):
        return messages.sent_at_ms
    return [m.sent_at_ms for m in messages]


@dataclass(slots=True)
class Defect:
    """Something a tolerant parser could not place. Kept as evidence, with the raw text."""

    code: str
    line: int
    raw: str
    message: str = ""


@dataclass(slots=True)
class Export:
    """Everything one handed-in file (or folder) holds, normalised."""

    format: str  # registry name, e.g. "whatsapp", "signal_android"
    channel: Channel
    source_name: str  # file name as handed in
    conversations: list[Conversation] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    platform: str | None = None  # android, ios, desktop, ...
    locale: str | None = None  # nl, en, ...
    created_at_ms: int | None = None  # when the export/backup was made, if the file says so
    self_participant: Participant | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def message_count(self) -> int:
        return sum(len(c.messages) for c in self.conversations)

    def newest_message_ms(self) -> int | None:
        newest = [max(sent_at_column(c.messages)) for c in self.conversations if c.messages]
        return max(newest) if newest else None


@dataclass(slots=True)
class ParseOptions:
    """What a parser may be given besides the path.

    ``secret``: passphrase / recovery key / database key (never stored or logged).
    ``workdir``: a private temporary folder the caller owns and removes; parsers spill decrypted
    attachments or unpacked members there. ``source_name``: the name the user handed the file in
    under (an upload is stored under another name). ``time_zone``: for formats with local
    wall-clock times. ``progress``: called with (done, total) in bytes, when known.
    """

    secret: str | None = None
    workdir: str | None = None
    source_name: str | None = None
    time_zone: str = "Europe/Amsterdam"
    strict: bool = False
    progress: Callable[[int, int], None] | None = field(default=None, repr=False)
