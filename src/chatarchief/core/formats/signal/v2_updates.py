"""Signal backup v2 `ChatUpdateMessage` → SYSTEM / CALL messages (timer changes, group changes, calls)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatarchief.core.formats.signal.protos import signal_backup_wire as w
from chatarchief.core.formats.signal.protos.signal_backup_wire import Msg, decode, uuid_text
from chatarchief.core.model import Kind, Message, SystemEvent

if TYPE_CHECKING:
    from chatarchief.core.formats.signal.v2_map import Mapper

UPDATE_KINDS = list(w.CHAT_UPDATE)
CALL_TYPES = {1: "audio", 2: "video"}
CALL_DIRECTIONS = {1: "incoming", 2: "outgoing"}
INDIVIDUAL_MISSED = {3, 4}  # MISSED, MISSED_NOTIFICATION_PROFILE
GROUP_MISSED = {6, 7}
GROUP_EVENTS = {
    "groupCreationUpdate": SystemEvent.GROUP_CREATED,
    "groupNameUpdate": SystemEvent.SUBJECT_CHANGED,
    "groupAvatarUpdate": SystemEvent.ICON_CHANGED,
    "groupAdminStatusUpdate": SystemEvent.ADMIN_CHANGED,
    "groupMemberLeftUpdate": SystemEvent.MEMBER_LEFT,
    "groupMemberRemovedUpdate": SystemEvent.MEMBER_REMOVED,
    "groupMemberJoinedUpdate": SystemEvent.MEMBER_ADDED,
    "groupMemberAddedUpdate": SystemEvent.MEMBER_ADDED,
    "groupMemberJoinedByLinkUpdate": SystemEvent.MEMBER_ADDED,
    "groupInvitationAcceptedUpdate": SystemEvent.MEMBER_ADDED,
    "groupJoinRequestApprovalUpdate": SystemEvent.MEMBER_ADDED,
}
SIMPLE_EVENTS = {"IDENTITY_UPDATE": SystemEvent.SECURITY_CODE_CHANGED, "CHANGE_NUMBER": SystemEvent.NUMBER_CHANGED}


def timer(message: Message, expires_in_ms: int) -> None:
    """A disappearing-messages timer change; 0 means switched off."""
    message.kind = Kind.SYSTEM
    if expires_in_ms:
        message.event = SystemEvent.DISAPPEARING_ENABLED
        message.details = {"timer_seconds": expires_in_ms // 1000}
    else:
        message.event = SystemEvent.DISAPPEARING_DISABLED
        message.details = {"timer_seconds": 0}


def fill_update(mapper: Mapper, message: Message, update: Msg) -> None:
    message.kind = Kind.SYSTEM
    message.event = SystemEvent.OTHER
    message.outgoing = None
    kind = update.which(UPDATE_KINDS)
    body = update.blob(kind) or b"" if kind else b""
    if kind == "expirationTimerChange":
        timer(message, Msg(body, {"expiresInMs": 1}).num("expiresInMs"))
    elif kind == "groupChange":
        group_change(mapper, message, Msg(body, {"updates": 1}))
    elif kind == "simpleUpdate":
        name = w.SIMPLE_UPDATE_TYPES.get(Msg(body, {"type": 1}).num("type"), "UNKNOWN")
        message.event = SIMPLE_EVENTS.get(name, SystemEvent.OTHER)
        message.details = {"update": name}
    elif kind == "profileChange":
        change = Msg(body, w.PROFILE_CHANGE)
        message.details = {
            "update": kind,
            "previous_name": change.text("previousName"),
            "new_name": change.text("newName"),
        }
        message.body = change.text("newName")
    elif kind == "individualCall":
        call = Msg(body, w.INDIVIDUAL_CALL)
        missed = call.num("state") in INDIVIDUAL_MISSED
        message.kind = Kind.CALL
        message.event = SystemEvent.MISSED_CALL if missed else SystemEvent.CALL
        message.details = {
            "call_type": CALL_TYPES.get(call.num("type"), "audio"),
            "direction": CALL_DIRECTIONS.get(call.num("direction"), "incoming"),
        }
    elif kind == "groupCall":
        missed = Msg(body, w.GROUP_CALL).num("state") in GROUP_MISSED
        message.kind = Kind.CALL
        message.event = SystemEvent.MISSED_CALL if missed else SystemEvent.CALL
        message.details = {"call_type": "group"}
    else:
        message.details = {"update": kind or "unknown"}


def group_change(mapper: Mapper, message: Message, change: Msg) -> None:
    """A batch of group updates; the timer update, if any, decides the event, else the first known one."""
    names: list[str] = []
    details: dict[str, Any] = {}
    event: SystemEvent | None = None
    for raw in change.raw_fields("updates"):
        if not isinstance(raw, bytes):
            raise w.WireError("group update is not a message")
        for number, values in decode(raw).items():
            name = w.GROUP_UPDATE_NAMES.get(number, "unknown")
            names.append(name)
            body = values[-1] if isinstance(values[-1], bytes) else b""
            if name == "groupExpirationTimerUpdate":
                timer_update = Msg(body, w.GROUP_EXPIRATION_TIMER_UPDATE)
                timer(message, timer_update.num("expiresInMs"))
                details.update(message.details or {})
                event = message.event
                _set_updater(mapper, message, uuid_text(timer_update.blob("updaterAci")))
            elif name == "groupNameUpdate":
                details["new_name"] = Msg(body, w.GROUP_NAME_UPDATE).text("newGroupName")
            if event is None and name in GROUP_EVENTS:
                event = GROUP_EVENTS[name]
    message.kind = Kind.SYSTEM
    message.event = event or SystemEvent.OTHER
    details["updates"] = names
    message.details = details
    if "new_name" in details and message.event == SystemEvent.SUBJECT_CHANGED:
        message.body = details["new_name"]


def _set_updater(mapper: Mapper, message: Message, aci: str | None) -> None:
    """A group timer update names its updater; that person is the message's author."""
    if not aci:
        return
    recipient = mapper.by_aci.find(aci)
    if recipient and recipient.participant:
        message.sender = recipient.participant.key
        message.sender_name = recipient.participant.name
