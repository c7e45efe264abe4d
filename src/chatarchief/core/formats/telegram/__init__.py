"""Telegram Desktop "Export chat history" (JSON): `result.json`, its folder, or a zip of that folder.

A single-chat export (`{name, type, id, messages}`) gives one conversation; a full export gives one
per chat in `chats.list` and `left_chats.list` (chats the owner has left still hold messages).

Choices, so that a reader need not guess:
- Text: a string, or an array of strings and entities whose `text` parts are joined. A `text_link`
  (a word that links somewhere else) is written as ``text (href)``: the hidden target is part of what
  was sent and must be searchable and visible to a Woo reviewer.
- Times: `date_unixtime` (precision 1 s); without it, `date` read as local time in `options.time_zone`.
- Self: `personal_information.user_id` in a full export. In a single `personal_chat` export the chat
  id is the other person's user id, so every other sender is the owner. Otherwise unknown.
- Edits: `edited=True` with ``details["edited_at_ms"]``; Telegram exports keep no earlier versions.
- Self-destructing media (`self_destruct_period_seconds`) are `Kind.VIEW_ONCE`.
- Media named in the JSON but not in the folder/zip handed in (or a bare result.json) are
  `omitted=True`, like the export's own "(File not included ...)".
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from zoneinfo import ZoneInfo

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import register, zone_of
from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.telegram.messages import Context, MessageError, convert, participant_key
from chatarchief.core.formats.telegram.source import Source, open_source, sniff_head
from chatarchief.core.model import Channel, Conversation, Export, ParseOptions, Participant
from chatarchief.core.phone import normalise_phone

NAME = "telegram"
GROUP_TYPES = {"private_group", "private_supergroup", "public_supergroup", "private_channel", "public_channel"}
ONE_TO_ONE_TYPES = {"personal_chat", "bot_chat", "saved_messages"}

_CHAT_TYPE = re.compile(
    rb'"type"\s*:\s*"(personal_chat|bot_chat|saved_messages|replies|private_group|private_supergroup|public_supergroup|private_channel|public_channel)"'
)
_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')
_CHATS_LIST = re.compile(rb'"chats"\s*:\s*\{[^{}]*?"list"\s*:\s*\[', re.DOTALL)
_PERSONAL = re.compile(rb'"personal_information"\s*:\s*\{')
_UNIXTIME = re.compile(rb'"date_unixtime"\s*:\s*"\d+"')


def detect(path: str) -> bool:
    """A JSON object with `messages` (and a chat type or `date_unixtime`), or a full export."""
    head = sniff_head(path)
    if head is None:
        return False
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return False
    if _MESSAGES.search(text) and (_CHAT_TYPE.search(text) or _UNIXTIME.search(text)):
        return True
    return bool(_CHATS_LIST.search(text) or _PERSONAL.search(text))


@register(
    name=NAME, channel=Channel.TELEGRAM, label="Telegram Desktop-export (JSON)", detect=detect, accepts_directory=True
)
def parse(path: str, options: ParseOptions) -> Export:
    shown = options.source_name or os.path.basename(path.rstrip("/"))
    source = open_source(path, shown)
    data = _load(source.data, shown)
    zone = zone_of(options.time_zone, shown, "telegram.bad_time_zone")
    chats, is_full = _chats(data, shown)
    me = _self_participant(data)
    export = Export(
        format=NAME,
        channel=Channel.TELEGRAM,
        source_name=shown,
        platform="desktop",
        self_participant=me,
        metadata={"export": "full" if is_full else "single", "container": source.kind},
    )
    defects = DefectSink(shown, strict=options.strict, lines=False)
    reader = _Reader(source, zone, me, shown, defects)
    for number, chat in enumerate(chats):
        export.conversations.append(reader.chat(chat, number))
    export.defects = defects.finish()
    if reader.missing_media:
        export.metadata["media_not_handed_in"] = reader.missing_media
    return export


def _load(raw: bytes, shown: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FormatError(
            "telegram.malformed",
            nl=f"Het JSON-bestand is onvolledig of beschadigd ({exc.msg}, kolom {exc.colno}).",
            en=f"The JSON file is incomplete or damaged ({exc.msg}, column {exc.colno}).",
            file=shown,
            line=exc.lineno,
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FormatError(
            "telegram.malformed",
            nl=f"Het JSON-bestand is onleesbaar ({type(exc).__name__}).",
            en=f"The JSON file is unreadable ({type(exc).__name__}).",
            file=shown,
        ) from None


def _chats(data: Any, shown: str) -> tuple[list[dict[str, Any]], bool]:
    """The chats to read: the export itself (single chat) or `chats.list` + `left_chats.list`."""
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return [data], False
    if isinstance(data, dict) and any(isinstance(data.get(k), dict) for k in ("chats", "left_chats")):
        chats: list[dict[str, Any]] = []
        seen: set[object] = set()
        for section in ("chats", "left_chats"):
            listing = data.get(section)
            items = listing.get("list") if isinstance(listing, dict) else None
            for chat in items if isinstance(items, list) else []:
                ident = chat.get("id") if isinstance(chat, dict) and isinstance(chat.get("id"), int | str) else None
                if isinstance(chat, dict) and (ident is None or ident not in seen):
                    seen.add(ident)
                    chats.append(chat)
        return chats, True
    raise FormatError(
        "telegram.not_export",
        nl="Dit JSON-bestand is geen Telegram-export (geen 'messages' of 'chats').",
        en="This JSON file is not a Telegram export (no 'messages' or 'chats').",
        file=shown,
    )


def _self_participant(data: Any) -> Participant | None:
    info = data.get("personal_information") if isinstance(data, dict) else None
    if not isinstance(info, dict) or not isinstance(info.get("user_id"), int):
        return None
    name = " ".join(p for p in (info.get("first_name"), info.get("last_name")) if isinstance(p, str) and p)
    phone = info.get("phone_number")
    phone = normalise_phone(phone) if isinstance(phone, str) and phone.strip() else None
    key = f"telegram:user{info['user_id']}"
    return Participant(key=key, name=name or key, phone=phone, is_self=True, native_id=f"user{info['user_id']}")


class _Reader:
    """Turns chats into conversations, keeping the running message index and the defects."""

    def __init__(self, source: Source, zone: ZoneInfo, me: Participant | None, shown: str, defects: DefectSink) -> None:
        self.source, self.zone, self.me = source, zone, me
        self.shown, self.defects = shown, defects
        self.index = 0
        self.missing_media = 0

    def chat(self, chat: dict[str, Any], number: int) -> Conversation:
        chat_id = chat.get("id") if isinstance(chat.get("id"), int | str) else None
        name = chat.get("name") if isinstance(chat.get("name"), str) else None
        chat_type = chat.get("type") if isinstance(chat.get("type"), str) else None
        me = self.me
        ctx = Context(
            source=self.source, zone=self.zone, self_key=me.key if me else _guess_self(chat, chat_type, chat_id)
        )
        if me is not None:
            ctx.participants[me.key] = Participant(me.key, me.name, me.phone, True, me.native_id)
        conversation = Conversation(
            key=_chat_key(chat_id, name, number),
            title=name or (f"Telegram {chat_id}" if chat_id is not None else os.path.splitext(self.shown)[0]),
            channel=Channel.TELEGRAM,
            is_group=True if chat_type in GROUP_TYPES else False if chat_type in ONE_TO_ONE_TYPES else None,
            native_id=str(chat_id) if chat_id is not None else None,
        )
        messages = chat.get("messages")
        for position, item in enumerate(messages if isinstance(messages, list) else []):
            try:
                message = convert(item, self.index, ctx)
            except MessageError as problem:
                self._defect(conversation.title, position, item, problem)
                continue
            self.index += 1
            conversation.messages.append(message)
        conversation.participants = list(ctx.participants.values())
        self.missing_media += ctx.media_not_handed_in
        return conversation

    def _defect(self, title: str, position: int, item: object, problem: MessageError) -> None:
        self.defects.add(
            "telegram.bad_message",
            0,
            _short(item),
            f"{title}: {problem}",
            nl=f"Bericht {position + 1} van chat {title!r} is onbruikbaar ({problem}).",
            en=f"Message {position + 1} of chat {title!r} is unusable ({problem}).",
        )


def _guess_self(chat: dict[str, Any], chat_type: str | None, chat_id: object) -> str | None:
    """In a one-to-one chat the chat id is the other person's id: any other sender is the owner."""
    if chat_type not in ("personal_chat", "saved_messages") or chat_id is None:
        return None
    messages = chat.get("messages")
    other = f"telegram:user{chat_id}"
    for item in messages if isinstance(messages, list) else []:
        if isinstance(item, dict) and item.get("type") == "message":
            key = participant_key(item.get("from_id"), item.get("from"))
            if key and (key != other or chat_type == "saved_messages") and key.startswith("telegram:user"):
                return key
    return None


def _chat_key(chat_id: object, name: str | None, number: int) -> str:
    if chat_id is not None:
        return f"telegram:{chat_id}"
    if name:
        return f"telegram:name:{name}"
    return f"telegram:unnamed:{number}"


def _short(item: object) -> str:
    try:
        text = json.dumps(item, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(item)
    return text[:500]
