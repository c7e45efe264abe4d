"""WhatsApp "Export chat" (.txt from Android or iOS, or the .zip with `_chat.txt` and media).

`parse` reads the chat text in big chunks and scans it with one header regex (see
`scan`); bodies that look special are classified by `content`; wall-clock times
become UTC by `clock` (date order worked out from all headers of the file). Media inside a
zip become attachments that read the zip member; media named in a bare text are attachments without
content (`open=None`), and `<Media omitted>` forms are omitted attachments.
"""

from __future__ import annotations

import gc
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, TypeVar

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import register
from chatarchief.core.formats.whatsapp.clock import Clock, detect_order
from chatarchief.core.formats.whatsapp.content import Content, is_group_event, mime_of, system_locale
from chatarchief.core.formats.whatsapp.read import CHUNK, iter_text
from chatarchief.core.formats.whatsapp.scan import LEGACY, Scanner, choose_header, no_messages, order_from_sample
from chatarchief.core.model import (
    Attachment,
    Channel,
    Conversation,
    Deleter,
    Export,
    Kind,
    Message,
    ParseOptions,
    Participant,
    SystemEvent,
)
from chatarchief.core.safety import SafeMember, open_member, open_zip, read_member

_TITLE = re.compile(
    r"^(?:WhatsApp[- ]chat met |WhatsApp Chat with |WhatsApp Chat - )(.+?)(?:\.txt|\.zip)?$", re.IGNORECASE
)
_SNIFF_BYTES = 16384
_SAMPLE = 2 * 1024 * 1024
_T = TypeVar("_T")


# ---------------------------------------------------------------- detection


def detect(path: str) -> bool:
    """True if `path` is a WhatsApp chat text, or a zip holding one. Never raises."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        if head.startswith(b"PK\x03\x04"):
            return _detect_zip(path)
        return _looks_like_chat(head)
    except Exception:  # noqa: BLE001 - a sniffer must never fail on foreign input
        return False


def _detect_zip(path: str) -> bool:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        chosen = _choose_chat([(i.filename, i) for i in infos])
        if chosen is None:
            return False
        with archive.open(chosen) as member:
            return _looks_like_chat(member.read(_SNIFF_BYTES))


def _looks_like_chat(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    lines = [line for line in text.replace("\r\n", "\n").split("\n")[:20] if line.strip()]
    if not lines:
        return False
    pattern = choose_header(lines[0] + "\n")
    return pattern.match("\n" + lines[0]) is not None


def _choose_chat(entries: list[tuple[str, _T]]) -> _T | None:
    """The chat text among zip members: `_chat.txt`, a `WhatsApp Chat with ….txt`, or the only text."""
    texts = [(os.path.basename(name), item) for name, item in entries if name.lower().endswith(".txt")]
    for rule in (lambda n: n == "_chat.txt", lambda n: _TITLE.match(n) is not None):
        found = [item for name, item in texts if rule(name)]
        if found:
            return found[0]
    return texts[0][1] if len(texts) == 1 else None


# ---------------------------------------------------------------- parsing


@register(name="whatsapp", channel=Channel.WHATSAPP, label="WhatsApp-export", detect=detect)
def parse(path: str, options: ParseOptions) -> Export:
    """Parse a WhatsApp export (.txt or .zip). Raises FormatError for anything that is not one."""
    shown = options.source_name or os.path.basename(path)
    collecting = gc.isenabled()
    gc.disable()  # millions of new objects and no cycles: the cyclic GC would only rescan them
    try:
        return _parse(path, options, shown)
    except FormatError:
        raise
    except zlib.error:
        raise FormatError(
            "zip.damaged",
            nl="Het zip-bestand is beschadigd of onvolledig (afgebroken download?).",
            en="The zip file is damaged or incomplete (interrupted download?).",
            file=shown,
        ) from None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise FormatError(
            "whatsapp.unreadable",
            nl=f"Het bestand kan niet worden gelezen ({type(exc).__name__}).",
            en=f"The file cannot be read ({type(exc).__name__}).",
            file=shown,
        ) from None
    finally:
        if collecting:
            gc.enable()


def _parse(path: str, options: ParseOptions, shown: str) -> Export:
    if not _is_zip(path):
        with open(path, "rb") as stream:
            scanner, platform = _scan_stream(stream, shown, options, os.path.getsize(path))
        return _build(scanner, platform, shown, {}, None, path)
    data, chat, members = _read_chat_member(path, shown)
    media = {os.path.basename(m.name): m for m in members if m is not chat}
    scanner, platform = _scan_stream(io.BytesIO(data), shown, options, len(data))
    return _build(scanner, platform, shown, media, os.path.basename(chat.name), path)


def _is_zip(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _read_chat_member(path: str, shown: str) -> tuple[bytes, SafeMember, list[SafeMember]]:
    """The chat text of an export zip (bytes), its member and all members."""
    archive, members = open_zip(path, shown)
    try:
        chat = _choose_chat([(m.name, m) for m in members])
        if chat is None:
            raise FormatError(
                "whatsapp.zip_without_chat",
                nl="Het zip-bestand bevat geen WhatsApp-chattekst (_chat.txt of 'WhatsApp Chat with ….txt').",
                en="The zip holds no WhatsApp chat text (_chat.txt or 'WhatsApp Chat with ….txt').",
                file=shown,
            )
        data = read_member(archive, chat, shown)
    finally:
        archive.close()
    return data, chat, members


def raw_lines(path: str, message: Message, source_name: str | None = None) -> str:
    """The raw text of a parsed WhatsApp message, as in the file: its header line and continuation lines.

    WhatsApp messages leave `Message.raw` empty (a million copies of the text would double the memory
    of a parse); the file is kept byte for byte, and `message.line` says where the message starts.
    Line ends are LF (a CR LF file gives LF), as the parser saw the text. Raises FormatError like `parse`.
    """
    shown = source_name or os.path.basename(path)
    if _is_zip(path):
        stream: IO[bytes] = io.BytesIO(_read_chat_member(path, shown)[0])
    else:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    with stream:
        text = "".join(chunk for chunk, _ in iter_text(stream, shown))
    if text.endswith("\n"):
        text = text[:-1]
    lines = text[1:].split("\n")  # the text starts with an added newline
    pattern = choose_header(text[1:65537])
    start = message.line - 1
    end = start + 1
    while end < len(lines) and pattern.match("\n" + lines[end]) is None:
        end += 1
    return "\n".join(lines[start:end])


def _scan_stream(stream: IO[bytes], shown: str, options: ParseOptions, total: int) -> tuple[Scanner, str]:
    chunks = iter_text(stream, shown)
    first = next(chunks, None)
    if first is None or not first[0].strip():
        raise FormatError("whatsapp.empty", nl="Het bestand is leeg.", en="The file is empty.", file=shown)
    clock = Clock(options.time_zone, shown)
    pattern = choose_header(first[0][1:65537])  # texts start with a newline (see iter_text)
    sample = [first]  # the date order is guessed from the first _SAMPLE characters, over several chunks
    size = len(first[0])
    while size < _SAMPLE and (following := next(chunks, None)) is not None:
        sample.append(following)
        size += len(following[0])
    clock.order = order_from_sample(pattern, "".join(text for text, _ in sample)[1 : _SAMPLE + 1])
    scanner = _run(pattern, clock, shown, options, _chain(sample, chunks), total)
    order = detect_order(list(clock.days))
    if order != clock.order:  # later headers contradict the sample: scan again with the file's order
        stream.seek(0)
        clock.reset(order)
        scanner = _run(pattern, clock, shown, options, iter_text(stream, shown), total)
    if not scanner.messages:
        raise no_messages(shown)
    return scanner, "ios" if scanner.ios else "android"


def _chain(first: list[tuple[str, int]], rest: Iterator[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    yield from first
    yield from rest


def _run(
    pattern: re.Pattern[str],
    clock: Clock,
    shown: str,
    options: ParseOptions,
    chunks: Iterator[tuple[str, int]],
    total: int,
) -> Scanner:
    scanner = Scanner(pattern, clock, shown, options.strict)
    pending = next(chunks, None)
    if pending is not None:
        head = pending[0].lstrip("\n\r\t \u200e\u200f\ufeff")
        scanner.ios = head.startswith("[") or pattern is LEGACY  # the pre-2017 form is iOS's
    while pending is not None:
        following = next(chunks, None)
        scanner.feed(pending[0], final=following is None)
        if options.progress is not None:
            options.progress(pending[1], total)
        pending = following
    return scanner


# ---------------------------------------------------------------- assembling the export


def _build(
    scanner: Scanner, platform: str, shown: str, media: dict[str, SafeMember], member_name: str | None, path: str
) -> Export:
    participants: dict[str, Participant] = {}
    for key, name in zip(scanner.keys.values(), scanner.names.values(), strict=True):
        if key is not None and name is not None and key not in participants:
            participants[key] = Participant(key, name, phone=key if key.startswith("+") else None)
    state = _State()
    opener = _ZipOpener(path, shown) if media else None
    for message, content in scanner.contents:
        _apply(message, content, participants, media, opener, state)
    scanner.messages.sync()
    title = _title(shown, member_name, state.e2e_sender)
    senders = set(scanner.messages.senders)
    senders.discard(None)
    conversation = Conversation(
        key=" ".join(title.split()).casefold(),
        title=title,
        channel=Channel.WHATSAPP,
        is_group=state.group_events or len(senders) > 2,
        participants=[p for p in participants.values() if p.key in senders or p.is_self],
        messages=scanner.messages,
    )
    self_participant = next((p for p in participants.values() if p.is_self), None)
    return Export(
        format="whatsapp",
        channel=Channel.WHATSAPP,
        source_name=shown,
        conversations=[conversation],
        defects=scanner.defects.finish(),
        platform=platform,
        locale=state.locale(),
        self_participant=self_participant,
        metadata={"date_order": scanner.clock.order, "chat_file": member_name}
        if member_name
        else {"date_order": scanner.clock.order},
    )


class _State:
    def __init__(self) -> None:
        self.group_events = False
        self.e2e_sender: str | None = None
        self.votes: dict[str, int] = {"nl": 0, "en": 0}

    def locale(self) -> str | None:
        if not any(self.votes.values()):
            return None
        return max(self.votes, key=lambda k: self.votes[k])


def _apply(
    message: Message,
    content: Content,
    participants: dict[str, Participant],
    media: dict[str, SafeMember],
    opener: _ZipOpener | None,
    state: _State,
) -> None:
    message.kind = content.kind
    message.body = content.body
    if content.edited:
        message.edited = True
    if content.locale:
        state.votes[content.locale] += 1
    if content.system:
        if message.sender is not None and content.event is SystemEvent.E2E_NOTICE and state.e2e_sender is None:
            state.e2e_sender = message.sender_name
        message.sender = None
        message.sender_name = None
        if system_locale(content.body):
            state.votes["nl"] += 1
    if content.event is not None:
        message.event = content.event
        if content.details:
            message.details = dict(content.details)
        state.group_events = state.group_events or is_group_event(content.event)
    elif content.details:
        message.details = dict(content.details)
    if content.kind is Kind.DELETED:
        message.deleted_by = content.deleted_by
        if content.deleted_by is Deleter.SELF and message.sender in participants:
            participants[message.sender].is_self = True
    if content.omitted or content.filename or content.media_type:
        message.attachments = [_attachment(content, media, opener)]


def _attachment(content: Content, media: dict[str, SafeMember], opener: _ZipOpener | None) -> Attachment:
    filename = content.filename
    attachment = Attachment(filename=filename, omitted=content.omitted, media_type=content.media_type)
    if filename:
        attachment.mime_type = mime_of(filename)
        member = media.get(filename) or media.get(filename.rstrip("."))
        if member is None and filename.endswith("."):
            member = next((m for name, m in media.items() if name.startswith(filename)), None)
        if member is not None and opener is not None:
            attachment.size = member.info.file_size
            attachment.open = opener.bind(member)
    return attachment


def _title(shown: str, member_name: str | None, e2e_sender: str | None) -> str:
    for name in (os.path.basename(shown), member_name):
        if name:
            found = _TITLE.match(name)
            if found and found.group(1).strip():
                return found.group(1).strip()
    if e2e_sender:
        return e2e_sender
    return os.path.splitext(os.path.basename(shown))[0] or shown


class _ZipOpener:
    """Opens media members of the export zip on demand (the zip was checked by `safety.open_zip`)."""

    def __init__(self, path: str, shown: str) -> None:
        self.path = path
        self.shown = shown

    def bind(self, member: SafeMember) -> Callable[[], IO[bytes]]:
        return lambda: self.open(member)

    def open(self, member: SafeMember) -> IO[bytes]:
        archive = zipfile.ZipFile(self.path)
        try:
            reader = open_member(archive, member, self.shown)
        except BaseException:
            archive.close()
            raise
        return _MemberStream(reader, archive)  # type: ignore[return-value]


class _MemberStream:
    """A binary stream of one zip member that closes the zip file with it."""

    def __init__(self, reader: object, archive: zipfile.ZipFile) -> None:
        self._reader = reader
        self._archive = archive

    def read(self, size: int = -1) -> bytes:
        return self._reader.read(size)  # type: ignore[attr-defined,no-any-return]

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._reader.close()  # type: ignore[attr-defined]
        self._archive.close()

    def __enter__(self) -> _MemberStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["CHUNK", "detect", "parse", "raw_lines"]
