"""Signal Desktop database rows → the normalised model.

Desktop keeps most of a message in the `json` column; newer versions copy fields into real columns
(`sourceServiceId`, `isErased`, ...). `field()` reads the column and falls back to the json.
Keys line up with `v2`: "signal:thread:<ACI | e164 | group master key hex>".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from chatarchief.core.formats.signal.people import Directory, Person, e164, person
from chatarchief.core.model import (
    Attachment,
    Channel,
    Conversation,
    Deleter,
    Kind,
    Message,
    Participant,
    Revision,
    SystemEvent,
)

SKIPPED_TYPES = {"story"}
SYSTEM_TYPES = {
    "keychange": SystemEvent.SECURITY_CODE_CHANGED,
    "change-number-notification": SystemEvent.NUMBER_CHANGED,
    "profile-change": SystemEvent.OTHER,
    "verified-change": SystemEvent.OTHER,
    "group-v2-change": SystemEvent.OTHER,
    "group": SystemEvent.OTHER,
    "chat-session-refreshed": SystemEvent.OTHER,
    "delivery-issue": SystemEvent.OTHER,
    "message-history-unsynced": SystemEvent.OTHER,
    "universal-timer-notification": SystemEvent.OTHER,
    "conversation-merge": SystemEvent.OTHER,
    "phone-number-discovery": SystemEvent.OTHER,
    "title-transition-notification": SystemEvent.OTHER,
    "joined-signal-notification": SystemEvent.OTHER,
}

Row = dict[str, Any]
AttachmentLoader = Callable[[dict[str, Any], str], Attachment]


def row_json(row: Row) -> dict[str, Any]:
    raw = row.get("json")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def field(row: Row, data: dict[str, Any], *names: str) -> Any:
    """The first non-empty value among columns `names`, then the same keys in the json."""
    for name in names:
        if row.get(name) not in (None, ""):
            return row[name]
    for name in names:
        if data.get(name) not in (None, ""):
            return data[name]
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _master_key_hex(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


class DesktopMapper:
    """Conversations first (`conversation()`), then messages in order (`message()`)."""

    def __init__(self, load_attachment: AttachmentLoader, self_participant: Participant) -> None:
        self.load_attachment = load_attachment
        self.self_participant = self_participant
        self.conversations: dict[str, Conversation] = {}
        self.thread_ids: dict[str, str] = {}
        self.people: Directory[Participant] = Directory()  # by serviceId, e164 or conversation id
        self.stable: dict[str, str] = {}  # participant key -> stable id (ACI or e164)
        self.member_ids: dict[str, list[str]] = {}
        self.index = 0

    def person(self, row: Row, data: dict[str, Any]) -> Participant:
        profile = " ".join(
            p for p in (as_text(field(row, data, "profileName")), as_text(field(row, data, "profileFamilyName"))) if p
        )
        found = person(
            phone=e164(as_text(field(row, data, "e164"))),
            aci=as_text(field(row, data, "serviceId", "uuid")),
            names=[as_text(field(row, data, "name")), as_text(field(row, data, "profileFullName")), profile],
            key_fallback=f"desktop:{row.get('id')}",
            stable_fallback=as_text(row.get("id")),
            name_fallback=as_text(row.get("id")),
        )
        return self._known(found, as_text(row.get("id")))

    def _known(self, found: Person, *handles: str) -> Participant:
        participant = found.participant()
        self.stable[found.key] = found.stable_id
        return self.people.add(participant, found.aci, found.phone, *handles)

    def conversation(self, row: Row) -> None:
        data = row_json(row)
        cid = as_text(row.get("id"))
        kind = as_text(field(row, data, "type"))
        if not cid or kind not in ("private", "group"):
            return
        if kind == "private":
            participant = self.person(row, data)
            if participant.phone and self.self_participant.phone == participant.phone:
                participant = self.self_participant
            stable = self.stable.get(participant.key, "self")
            title = participant.name
            participants = [self.self_participant] + ([participant] if participant is not self.self_participant else [])
        else:
            group_id = as_text(field(row, data, "groupId"))
            stable = _master_key_hex(data.get("masterKey")) or _group_id_hex(group_id) or cid
            title = as_text(field(row, data, "name")) or "Signal-groep"
            participants = [self.self_participant]
            self.member_ids[cid] = _members(row, data)
        self.thread_ids[cid] = stable
        self.conversations[cid] = Conversation(
            key=f"signal:thread:{stable}",
            title=title,
            channel=Channel.SIGNAL,
            is_group=kind == "group",
            participants=participants,
            native_id=cid,
        )

    def finish_members(self) -> None:
        for cid, members in self.member_ids.items():
            conversation = self.conversations[cid]
            for handle in members:
                member = self.people.find(handle)
                if member and member not in conversation.participants:
                    conversation.participants.append(member)

    def sender(self, row: Row, data: dict[str, Any], outgoing: bool) -> Participant | None:
        if outgoing:
            return self.self_participant
        handle = as_text(field(row, data, "sourceServiceId", "sourceUuid", "source"))
        if not handle:
            return None
        known = self.people.find(handle)
        if known is not None:
            return known
        number = handle.startswith("+")
        found = person(
            phone=e164(handle) if number else None,
            aci=None if number else handle,
            names=[handle],
            key_fallback=handle,
            stable_fallback=handle,
            name_fallback=handle,
        )
        return self._known(found, handle)

    def message(self, row: Row) -> None:
        data = row_json(row)
        conversation = self.conversations.get(as_text(field(row, data, "conversationId")))
        kind = as_text(field(row, data, "type"))
        if conversation is None or kind in SKIPPED_TYPES:
            return
        sent_at = as_int(field(row, data, "sent_at", "timestamp")) or 0
        outgoing = kind == "outgoing"
        sender = self.sender(row, data, outgoing)
        if sender is not None and sender not in conversation.participants:
            conversation.participants.append(sender)
        author_stable = "self" if sender is self.self_participant else self.stable.get(sender.key, "") if sender else ""
        expire_timer = as_int(field(row, data, "expireTimer"))
        message = Message(
            index=self.index,
            sender=sender.key if sender else None,
            sent_at_ms=sent_at,
            kind=Kind.TEXT,
            body=as_text(field(row, data, "body")),
            raw_time=str(sent_at),
            precision_ms=1,
            line=as_int(row.get("rowid")) or 0,
            sender_name=sender.name if sender else None,
            native_id=f"{sent_at}:{author_stable}:{self.thread_ids[conversation.native_id or '']}",
            outgoing=outgoing if kind in ("incoming", "outgoing") else None,
            expires_in_ms=expire_timer * 1000 if expire_timer else None,
        )
        self.fill(message, row, data, kind, conversation.title)
        conversation.messages.append(message)
        self.index += 1

    def fill(self, message: Message, row: Row, data: dict[str, Any], kind: str, title: str) -> None:
        label = f"{title} {message.sent_at_ms}"
        if kind == "timer-notification":
            raw_update = data.get("expirationTimerUpdate")
            update: dict[str, Any] = raw_update if isinstance(raw_update, dict) else {}
            seconds = as_int(update.get("expireTimer")) or 0
            message.kind = Kind.SYSTEM
            message.event = SystemEvent.DISAPPEARING_ENABLED if seconds else SystemEvent.DISAPPEARING_DISABLED
            message.details = {"timer_seconds": seconds}
            message.expires_in_ms = None
            own_phone = self.self_participant.phone
            if update.get("fromSync") or (own_phone and update.get("source") == own_phone):
                message.sender, message.sender_name = self.self_participant.key, self.self_participant.name
            return
        if kind in SYSTEM_TYPES or kind not in ("incoming", "outgoing"):
            message.kind = Kind.SYSTEM
            message.event = SYSTEM_TYPES.get(kind, SystemEvent.OTHER)
            message.details = {"type": kind}
            if kind == "profile-change" and isinstance(data.get("profileChange"), dict):
                change = data["profileChange"]
                message.details.update(
                    {"previous_name": as_text(change.get("oldName")), "new_name": as_text(change.get("newName"))}
                )
            return
        if data.get("deletedForEveryone") or as_int(field(row, data, "isErased")):
            message.kind = Kind.DELETED
            message.body = ""
            message.deleted_by = Deleter.SELF if message.outgoing else Deleter.OTHER
            return
        raw_attachments = data.get("attachments")
        attachments: list[Any] = raw_attachments if isinstance(raw_attachments, list) else []
        message.attachments = [self.load_attachment(a, label) for a in attachments if isinstance(a, dict)]
        if as_int(field(row, data, "isViewOnce")):
            message.kind = Kind.VIEW_ONCE
            message.body = ""
        elif message.attachments:
            message.kind = Kind.MEDIA
        self.revisions(message, data)

    def revisions(self, message: Message, data: dict[str, Any]) -> None:
        history = data.get("editHistory")
        if not isinstance(history, list) or len(history) < 2:
            return
        versions = sorted(
            (as_int(v.get("timestamp")) or 0, as_text(v.get("body"))) for v in history if isinstance(v, dict)
        )
        message.revisions = [Revision(body=body, sent_at_ms=ts or None) for ts, body in versions[:-1]]
        message.edited = bool(message.revisions)


def _members(row: Row, data: dict[str, Any]) -> list[str]:
    out: list[str] = []
    v2 = data.get("membersV2")
    if isinstance(v2, list):
        for member in v2:
            if isinstance(member, dict):
                out.append(as_text(member.get("aci") or member.get("uuid") or member.get("serviceId")))
    legacy = field(row, data, "members")
    if isinstance(legacy, str):
        out.extend(legacy.split())
    elif isinstance(legacy, list):
        out.extend(as_text(m) for m in legacy)
    return [m for m in out if m]


def _group_id_hex(group_id: str) -> str | None:
    if not group_id:
        return None
    try:
        return base64.b64decode(group_id, validate=True).hex() or None
    except (binascii.Error, ValueError):
        return group_id
