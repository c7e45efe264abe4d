"""Redactions applied to a `ChatDocument` before anything is laid out.

`prepare_document` turns a document and its redactions into a `RenderDocument` whose texts are runs
of plain strings and `Box` values. A redacted range is *dropped* here: the box carries only the
ground codes, never the text it replaces, not even its length. The HTML builder and WeasyPrint see only
this prepared form, so redacted text cannot end up in the PDF's text, content streams, fonts,
metadata, outline, alt texts, link targets or file names. Images pass `images.sanitise_image`
(pixels blacked out, metadata stripped); media redacted whole are not passed on at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.packaging.document import (
    ChatAttachment,
    ChatDocument,
    ChatMessage,
    MediaRedaction,
    MessageKind,
    MessageRedaction,
    PhraseRedaction,
    Precision,
    Redaction,
    SenderRedaction,
    TextField,
    TextRedaction,
)
from chatarchief.core.packaging.grounds import normalise_grounds
from chatarchief.core.packaging.images import MAX_SIDE, CleanImage, ImageRefused, PixelBox, sanitise_image


class RedactionError(ChatarchiefError):
    """A redaction that does not fit the document (unknown message, range outside the text, ...)."""


@dataclass(frozen=True, slots=True)
class Box:
    """A black box in place of redacted content; it knows only the grounds."""

    grounds: tuple[str, ...]

    @property
    def label(self) -> str:
        return ", ".join(self.grounds)


Segment = str | Box
Rich = tuple[Segment, ...]


def plain_text(rich: Rich) -> str:
    """The text of a run with each box written as ``[5.1.2e]`` (for PDF metadata and tests)."""
    return "".join(part if isinstance(part, str) else f"[{part.label}]" for part in rich)


@dataclass(slots=True)
class RenderAttachment:
    kind: Literal["image", "file", "omitted", "unreadable", "box"]
    name: Rich = ()
    caption: Rich = ()
    image: CleanImage | None = None
    box: Box | None = None


@dataclass(slots=True)
class RenderVersion:
    time: str
    body: Rich


@dataclass(slots=True)
class RenderMessage:
    sender: Rich | None
    time: str
    day: dt.date
    outgoing: bool
    kind: MessageKind
    body: Rich = ()
    event: Rich = ()
    attachments: list[RenderAttachment] = field(default_factory=list)
    versions: list[RenderVersion] = field(default_factory=list)
    edited: bool = False
    deleted: bool = False
    whole: Box | None = None  # the message was redacted whole


@dataclass(slots=True)
class RenderDocument:
    title: Rich
    number: str
    time_zone: str
    lang: str
    holders: list[Rich]
    header_lines: list[Rich]
    footer_lines: list[Rich]
    messages: list[RenderMessage]
    redacted: bool


def _error(code: str, nl: str, en: str) -> RedactionError:
    return RedactionError(f"woo.{code}", nl=nl, en=en)


class _Plan:
    """The redactions of one document, validated and indexed for lookup while rendering."""

    def __init__(self, doc: ChatDocument, redactions: Iterable[Redaction]) -> None:
        self.messages = {message.id: message for message in doc.messages}
        self.phrases: list[tuple[re.Pattern[str], str]] = []
        self.senders: dict[str, set[str]] = defaultdict(set)
        self.whole: dict[str, set[str]] = defaultdict(set)
        self.text: dict[tuple[str, TextField, int], list[tuple[int, int, str]]] = defaultdict(list)
        self.media: dict[tuple[str, int], list[MediaRedaction]] = defaultdict(list)
        for redaction in redactions:
            self._add(redaction)

    def _add(self, redaction: Redaction) -> None:
        ground = normalise_grounds([redaction.ground])[0]
        if isinstance(redaction, PhraseRedaction):
            self.phrases.append((_phrase_pattern(redaction.text, whole_words=False), ground))
        elif isinstance(redaction, SenderRedaction):
            self.senders[redaction.sender].add(ground)
            names = {m.sender_name for m in self.messages.values() if m.sender == redaction.sender and m.sender_name}
            self.phrases.extend((_phrase_pattern(name, whole_words=True), ground) for name in sorted(names))
        elif isinstance(redaction, MessageRedaction):
            self._message(redaction.message_id)
            self.whole[redaction.message_id].add(ground)
        elif isinstance(redaction, TextRedaction):
            text = _field_text(self._message(redaction.message_id), redaction.field, redaction.index)
            if not 0 <= redaction.start < redaction.end <= len(text):
                raise _error(
                    "redaction_out_of_range",
                    f"Lakking {redaction.start}-{redaction.end} valt buiten de tekst van bericht {redaction.message_id}.",
                    f"Redaction {redaction.start}-{redaction.end} lies outside the text of message {redaction.message_id}.",
                )
            key = (redaction.message_id, redaction.field, redaction.index)
            self.text[key].append((redaction.start, redaction.end, ground))
        else:
            message = self._message(redaction.message_id)
            if not 0 <= redaction.attachment < len(message.attachments):
                raise _error(
                    "redaction_no_attachment",
                    f"Bericht {redaction.message_id} heeft geen bijlage {redaction.attachment}.",
                    f"Message {redaction.message_id} has no attachment {redaction.attachment}.",
                )
            self.media[(redaction.message_id, redaction.attachment)].append(
                MediaRedaction(redaction.message_id, redaction.attachment, ground, redaction.box)
            )

    def _message(self, message_id: str) -> ChatMessage:
        try:
            return self.messages[message_id]
        except KeyError:
            raise _error(
                "redaction_unknown_message",
                f"Lakking verwijst naar een bericht dat niet in het document staat: {message_id}.",
                f"Redaction refers to a message that is not in the document: {message_id}.",
            ) from None

    def rich(self, text: str, spans: Sequence[tuple[int, int, str]] = ()) -> Rich:
        """The text with every explicit span and phrase occurrence replaced by a box."""
        intervals = list(spans)
        for pattern, ground in self.phrases:
            intervals.extend((m.start(), m.end(), ground) for m in pattern.finditer(text) if m.end() > m.start())
        if not intervals:
            return (text,) if text else ()
        intervals.sort()
        merged: list[tuple[int, int, set[str]]] = []
        for start, end, ground in intervals:
            if merged and start <= merged[-1][1]:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2] | {ground})
            else:
                merged.append((start, end, {ground}))
        parts: list[Segment] = []
        position = 0
        for start, end, grounds in merged:
            if start > position:
                parts.append(text[position:start])
            parts.append(Box(normalise_grounds(sorted(grounds))))
            position = end
        if position < len(text):
            parts.append(text[position:])
        return tuple(parts)

    def field(self, message: ChatMessage, which: TextField, index: int = 0) -> Rich:
        return self.rich(_field_text(message, which, index), self.text.get((message.id, which, index), ()))


def _phrase_pattern(phrase: str, *, whole_words: bool) -> re.Pattern[str]:
    words = phrase.split()
    if not words:
        raise _error(
            "redaction_empty_phrase", "Een lege tekst kan niet worden gelakt.", "An empty text cannot be redacted."
        )
    body = r"\s+".join(re.escape(word) for word in words)
    if whole_words:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body, re.IGNORECASE)


def _field_text(message: ChatMessage, which: TextField, index: int) -> str:
    try:
        if which is TextField.BODY:
            return message.body
        if which is TextField.EVENT:
            return message.event_text
        if which is TextField.CAPTION:
            return message.attachments[index].caption
        return message.versions[index].body
    except IndexError:
        raise _error(
            "redaction_no_field",
            f"Bericht {message.id} heeft geen {which.value} {index}.",
            f"Message {message.id} has no {which.value} {index}.",
        ) from None


def prepare_document(
    doc: ChatDocument, redactions: Iterable[Redaction] = (), *, max_image_side: int = MAX_SIDE
) -> RenderDocument:
    """The document as the renderer may see it: redacted text dropped, pictures sanitised."""
    redactions = list(redactions)
    plan = _Plan(doc, redactions)
    zone = _zone(doc.time_zone)
    messages = [_prepare_message(plan, message, zone, max_image_side) for message in doc.messages]
    return RenderDocument(
        title=plan.rich(doc.title),
        number=doc.number,
        time_zone=doc.time_zone,
        lang=doc.lang,
        holders=[plan.rich(holder) for holder in doc.holders],
        header_lines=[plan.rich(line) for line in doc.header_lines],
        footer_lines=[plan.rich(line) for line in doc.footer_lines],
        messages=messages,
        redacted=bool(redactions),
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _error("unknown_time_zone", f"Onbekende tijdzone: {name!r}.", f"Unknown time zone: {name!r}.") from None


def format_time(moment: dt.datetime, zone: ZoneInfo, precision: Precision) -> str:
    """Wall-clock time in the custodian's zone; seconds only when the source gave them."""
    if moment.tzinfo is None:
        raise _error("naive_time", "Een berichttijd zonder tijdzone.", "A message time without a time zone.")
    local = moment.astimezone(zone)
    return local.strftime("%H:%M:%S" if precision is Precision.SECOND else "%H:%M")


def _prepare_message(plan: _Plan, message: ChatMessage, zone: ZoneInfo, max_side: int) -> RenderMessage:
    time = format_time(message.sent_at, zone, message.precision)
    sender: Rich | None = None
    if message.sender_name or message.sender:
        grounds = plan.senders.get(message.sender or "")
        sender = (Box(normalise_grounds(sorted(grounds))),) if grounds else plan.rich(message.sender_name or "")
        sender = sender or None
    rendered = RenderMessage(
        sender=sender,
        time=time,
        day=message.sent_at.astimezone(zone).date(),
        outgoing=message.outgoing,
        kind=message.kind,
        edited=message.edited,
        deleted=message.deleted,
    )
    whole = plan.whole.get(message.id)
    if whole:
        rendered.whole = Box(normalise_grounds(sorted(whole)))
        return rendered
    rendered.body = plan.field(message, TextField.BODY)
    rendered.event = plan.field(message, TextField.EVENT)
    rendered.attachments = [
        _prepare_attachment(plan, message, index, attachment, max_side)
        for index, attachment in enumerate(message.attachments)
    ]
    rendered.versions = [
        RenderVersion(
            time=format_time(version.sent_at, zone, message.precision) if version.sent_at else "",
            body=plan.field(message, TextField.VERSION, index),
        )
        for index, version in enumerate(message.versions)
    ]
    return rendered


def _prepare_attachment(
    plan: _Plan, message: ChatMessage, index: int, attachment: ChatAttachment, max_side: int
) -> RenderAttachment:
    media = plan.media.get((message.id, index), [])
    whole = sorted({m.ground for m in media if m.box is None})
    if whole:
        return RenderAttachment(kind="box", box=Box(normalise_grounds(whole)))
    name = plan.rich(attachment.filename or "")
    caption = plan.field(message, TextField.CAPTION, index)
    if attachment.omitted or attachment.data is None:
        if media:
            raise _not_a_picture(message.id, index)
        return RenderAttachment(kind="omitted" if attachment.omitted else "file", name=name, caption=caption)
    if attachment.mime_type and not attachment.mime_type.startswith("image/"):
        if media:
            raise _not_a_picture(message.id, index)
        return RenderAttachment(kind="file", name=name, caption=caption)
    boxes = [PixelBox(*m.box, label=m.ground) for m in media if m.box is not None]
    try:
        image = sanitise_image(attachment.data, boxes, max_side=max_side)
    except ImageRefused:
        if boxes:  # a rectangle we cannot paint: never show the picture, black it out whole
            return RenderAttachment(kind="box", box=Box(normalise_grounds(sorted({b.label for b in boxes}))))
        return RenderAttachment(kind="unreadable", name=name, caption=caption)
    return RenderAttachment(kind="image", name=name, caption=caption, image=image)


def _not_a_picture(message_id: str, index: int) -> RedactionError:
    return _error(
        "redaction_not_a_picture",
        f"Bijlage {index} van bericht {message_id} is geen afbeelding: alleen geheel lakken is mogelijk.",
        f"Attachment {index} of message {message_id} is not a picture: it can only be redacted whole.",
    )
