"""One Telegram Desktop message (a JSON object) → `Message` (helpers of `telegram`).

Every field is read through small typed getters: a fuzzed or hand-edited export may hold any JSON
type anywhere, and a wrong type must become a defect, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from chatarchief.core.formats.telegram.source import Source
from chatarchief.core.model import Attachment, Kind, Message, Participant, SystemEvent

_LATEST_S = 7_258_118_400  # 2200-01-01: a later time is damage

MEDIA_TYPES = {
    "sticker": "sticker",
    "video_message": "video",
    "voice_message": "audio",
    "animation": "gif",
    "video_file": "video",
    "audio_file": "audio",
}

SIMPLE_ACTIONS = {
    "create_group": SystemEvent.GROUP_CREATED,
    "create_channel": SystemEvent.GROUP_CREATED,
    "invite_members": SystemEvent.MEMBER_ADDED,
    "join_group_by_link": SystemEvent.MEMBER_ADDED,
    "join_group_by_request": SystemEvent.MEMBER_ADDED,
    "edit_group_title": SystemEvent.SUBJECT_CHANGED,
    "edit_group_photo": SystemEvent.ICON_CHANGED,
    "delete_group_photo": SystemEvent.ICON_CHANGED,
    "pin_message": SystemEvent.PINNED,
}


class MessageError(Exception):
    """A message that cannot be placed (no usable date, not an object); becomes a defect."""


@dataclass
class Context:
    """What converting one chat's messages needs and collects."""

    source: Source
    zone: ZoneInfo
    self_key: str | None
    participants: dict[str, Participant] = field(default_factory=dict)
    media_not_handed_in: int = 0


def text_of(value: Any) -> str:
    """`text` as a string or an entity array; a `text_link` keeps its target as " (href)"."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    pieces: list[str] = []
    for item in value:
        if isinstance(item, str):
            pieces.append(item)
        elif isinstance(item, dict):
            text = _str(item, "text") or ""
            pieces.append(text)
            href = _str(item, "href")
            if item.get("type") == "text_link" and href and href != text:
                pieces.append(f" ({href})")
    return "".join(pieces)


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None


def participant_key(ident: Any, name: Any) -> str | None:
    """ "telegram:user123" from `from_id`; "telegram:name:<name>" when an export has no ids."""
    if isinstance(ident, str) and ident:
        return "telegram:" + ident
    if isinstance(ident, int) and not isinstance(ident, bool):
        return f"telegram:user{ident}"
    if isinstance(name, str) and name:
        return "telegram:name:" + name
    return None


def sent_at(data: dict[str, Any], zone: ZoneInfo) -> tuple[int, str]:
    """(UTC ms, raw text) from `date_unixtime`, else `date` read as local time in `zone`."""
    unix = _int(data, "date_unixtime")
    local = _str(data, "date")
    if unix is not None and 0 <= unix < _LATEST_S:
        return unix * 1000, local or str(data.get("date_unixtime"))
    if local:
        try:
            moment = dt.datetime.fromisoformat(local)
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            try:
                return int(moment.timestamp() * 1000), local
            except (OverflowError, ValueError):
                pass
    raise MessageError(f"message {data.get('id')!r} has no usable date")


def convert(data: Any, index: int, ctx: Context) -> Message:
    if not isinstance(data, dict):
        raise MessageError("a message is not a JSON object")
    when, raw_time = sent_at(data, ctx.zone)
    sender, name = _sender(data, ctx)
    body = text_of(data.get("text")) if "text" in data else text_of(data.get("text_entities"))
    details: dict[str, Any] = {}
    message = Message(
        index=index,
        sender=sender,
        sent_at_ms=when,
        kind=Kind.TEXT,
        body=body,
        raw=body,
        raw_time=raw_time,
        precision_ms=1000,
        sender_name=name,
        native_id=str(data["id"]) if isinstance(data.get("id"), int | str) else None,
        outgoing=(sender == ctx.self_key) if ctx.self_key and sender else None,
        attachments=_attachments(data, ctx),
    )
    _classify(data, message, details)
    _note_context(data, message, details)
    message.details = details or None
    return message


def _sender(data: dict[str, Any], ctx: Context) -> tuple[str | None, str | None]:
    if data.get("type") == "service":
        ident, name = data.get("actor_id"), data.get("actor")
    else:
        ident, name = data.get("from_id"), data.get("from")
    key = participant_key(ident, name)
    shown = name if isinstance(name, str) else None
    if key is not None and key not in ctx.participants:
        native = ident if isinstance(ident, str) else None
        ctx.participants[key] = Participant(key=key, name=shown or key, is_self=key == ctx.self_key, native_id=native)
    return key, shown


def _classify(data: dict[str, Any], message: Message, details: dict[str, Any]) -> None:
    kind = data.get("type")
    if kind == "service":
        _service(data, message, details)
    elif kind == "unsupported":
        message.kind, message.event = Kind.SYSTEM, SystemEvent.OTHER
        details["unsupported"] = True
        message.raw = json.dumps(data, ensure_ascii=False)
    elif _int(data, "self_destruct_period_seconds") is not None:
        message.kind = Kind.VIEW_ONCE  # self-destructing media: Telegram's form of view-once
        details["self_destruct_seconds"] = _int(data, "self_destruct_period_seconds")
    elif isinstance(data.get("location_information"), dict):
        _location(data, message, details)
    elif isinstance(data.get("contact_information"), dict):
        _contact(data, message, details)
    elif isinstance(data.get("poll"), dict):
        _poll(data["poll"], message, details)
    elif message.attachments:
        message.kind = Kind.MEDIA


def _service(data: dict[str, Any], message: Message, details: dict[str, Any]) -> None:
    action = _str(data, "action") or "unknown"
    details["action"] = action
    message.kind = Kind.SYSTEM
    message.raw = json.dumps(data, ensure_ascii=False)
    members = (
        [m for m in data.get("members") or [] if isinstance(m, str)] if isinstance(data.get("members"), list) else []
    )
    if members:
        details["members"] = members
    argument = ""
    if action == "set_messages_ttl":
        period = _int(data, "period") or _int(data, "period_seconds") or 0
        message.event = SystemEvent.DISAPPEARING_ENABLED if period > 0 else SystemEvent.DISAPPEARING_DISABLED
        if period > 0:
            details["timer_seconds"] = period
        argument = str(period)
    elif action in ("phone_call", "group_call", "invite_to_group_call"):
        message.kind = Kind.CALL
        reason = _str(data, "discard_reason")
        message.event = SystemEvent.MISSED_CALL if reason == "missed" else SystemEvent.CALL
        for key in ("duration_seconds", "discard_reason"):
            if key in data and isinstance(data[key], int | str):
                details[key] = data[key]
        argument = reason or ""
    elif action == "remove_members" and members and members == [data.get("actor")]:
        message.event = SystemEvent.MEMBER_LEFT
    elif action == "remove_members":
        message.event = SystemEvent.MEMBER_REMOVED
    else:
        message.event = SIMPLE_ACTIONS.get(action, SystemEvent.OTHER)
        title = _str(data, "title")
        if title:
            details["title"] = title
        pinned = _int(data, "message_id")
        if pinned is not None:
            details["message_id"] = pinned
        argument = title or (str(pinned) if pinned is not None else "")
    if not message.body:
        message.body = ": ".join(p for p in (action, argument or ", ".join(members)) if p)


def _location(data: dict[str, Any], message: Message, details: dict[str, Any]) -> None:
    info = data["location_information"]
    message.kind = Kind.LOCATION
    for key in ("latitude", "longitude"):
        if isinstance(info.get(key), int | float) and not isinstance(info.get(key), bool):
            details[key] = info[key]
    for key in ("place_name", "address"):
        if _str(data, key):
            details[key] = data[key]
    live = _int(data, "live_location_period_seconds")
    if live is not None:
        details["live_location_period_seconds"] = live
    if not message.body:
        place = ", ".join(details[k] for k in ("place_name", "address") if k in details)
        coordinates = (
            f"{details['latitude']},{details['longitude']}" if "latitude" in details and "longitude" in details else ""
        )
        message.body = " ".join(p for p in (place, coordinates) if p)


def _contact(data: dict[str, Any], message: Message, details: dict[str, Any]) -> None:
    info = data["contact_information"]
    message.kind = Kind.CONTACT
    contact = {k: info[k] for k in ("first_name", "last_name", "phone_number") if isinstance(info.get(k), str)}
    details["contact"] = contact
    if not message.body:
        name = " ".join(contact[k] for k in ("first_name", "last_name") if contact.get(k))
        phone = contact.get("phone_number")
        message.body = f"{name} ({phone})" if name and phone else name or phone or ""


def _poll(poll: dict[str, Any], message: Message, details: dict[str, Any]) -> None:
    message.kind = Kind.POLL
    answers = (
        [
            {"text": text_of(a.get("text")), "voters": _int(a, "voters") or 0, "chosen": a.get("chosen") is True}
            for a in poll.get("answers") or []
            if isinstance(a, dict)
        ]
        if isinstance(poll.get("answers"), list)
        else []
    )
    details["poll"] = {
        "question": text_of(poll.get("question")),
        "closed": poll.get("closed") is True,
        "total_voters": _int(poll, "total_voters") or 0,
        "answers": answers,
    }
    if not message.body:
        message.body = details["poll"]["question"]


def _note_context(data: dict[str, Any], message: Message, details: dict[str, Any]) -> None:
    if "edited" in data or "edited_unixtime" in data:
        message.edited = True  # Telegram exports keep no earlier versions
        edited = _int(data, "edited_unixtime")
        details["edited_at"] = _str(data, "edited")
        if edited is not None:
            details["edited_at_ms"] = edited * 1000
    for key in ("forwarded_from", "saved_from", "via_bot", "author"):
        if _str(data, key):
            details[key] = data[key]
    reply = _int(data, "reply_to_message_id")
    if reply is not None:
        details["reply_to_message_id"] = reply
    if _str(data, "sticker_emoji"):
        details["sticker_emoji"] = data["sticker_emoji"]


def _attachments(data: dict[str, Any], ctx: Context) -> list[Attachment]:
    found = []
    for key, default_type in (("photo", "image"), ("file", None), ("contact_vcard", "contact")):
        value = _str(data, key)
        if value is None:
            continue
        media_type = default_type or MEDIA_TYPES.get(_str(data, "media_type") or "", "document")
        mime = _str(data, "mime_type") if key == "file" else ("image/jpeg" if key == "photo" else "text/vcard")
        found.append(_attachment(value, data, key, media_type, mime, ctx))
    return found


def _attachment(
    value: str, data: dict[str, Any], key: str, media_type: str, mime: str | None, ctx: Context
) -> Attachment:
    size = _int(data, "file_size" if key == "file" else "photo_file_size")
    name = _str(data, "file_name") if key == "file" else None
    if value.startswith("("):  # "(File not included. ...)", "(File exceeds maximum size. ...)"
        return Attachment(name, mime, size=size, omitted=True, media_type=media_type)
    located = ctx.source.locate(value)
    filename = name or posixpath.basename(value.replace("\\", "/"))
    if located is None:
        ctx.media_not_handed_in += 1
        return Attachment(filename, mime, size=size, omitted=True, media_type=media_type)
    opener, real_size = located
    return Attachment(filename, mime, size=real_size, media_type=media_type, open=opener)
