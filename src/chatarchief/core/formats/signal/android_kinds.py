"""Signal's `type` bitmask (MessageTypes.java) and what kind of Message a row becomes."""

from __future__ import annotations

from typing import Any

from chatarchief.core.model import Attachment, Deleter, Kind, Message, SystemEvent

__all__ = ["Kind", "classify", "is_draft", "is_outgoing"]

BASE_MASK = 0x1F
OUTGOING = frozenset({21, 23, 22, 24, 25, 26, 2, 11})
DRAFT = 27
MISSED_CALLS = frozenset({3, 8})
CALLS = frozenset({1, 2, 3, 8, 10, 11, 12})
VIDEO_CALLS = frozenset({8, 10, 11})
EXPIRATION_TIMER_UPDATE = 0x40000
SPECIAL_MASK = 0xF00000000
STORY_REACTION = 0x100000000

# flag -> (event, label); checked in this order
_FLAGS = (
    (0x10000, SystemEvent.OTHER, "group_update"),
    (0x20000, SystemEvent.MEMBER_LEFT, "group_leave"),
    (0x400000, SystemEvent.OTHER, "end_session"),
    (0x4000, SystemEvent.OTHER, "identity_verified"),
    (0x2000, SystemEvent.OTHER, "identity_default"),
    (0x200, SystemEvent.SECURITY_CODE_CHANGED, "identity_update"),
    (0x8000, SystemEvent.OTHER, "key_exchange"),
    (0x10000000, SystemEvent.OTHER, "decryption_failed"),
)
# base type -> (event, label) for the non-message base types
_BASES = {
    4: (SystemEvent.OTHER, "joined"),
    5: (SystemEvent.OTHER, "unsupported"),
    6: (SystemEvent.OTHER, "invalid"),
    7: (SystemEvent.OTHER, "profile_change"),
    9: (SystemEvent.OTHER, "gv1_migration"),
    13: (SystemEvent.OTHER, "bad_decrypt"),
    14: (SystemEvent.NUMBER_CHANGED, "change_number"),
    15: (SystemEvent.OTHER, "boost_request"),
    16: (SystemEvent.OTHER, "thread_merge"),
    17: (SystemEvent.OTHER, "sms_export"),
    18: (SystemEvent.OTHER, "session_switchover"),
}


def is_outgoing(kind: int) -> bool:
    return (kind & BASE_MASK) in OUTGOING


def is_draft(kind: int) -> bool:
    return (kind & BASE_MASK) == DRAFT


def system_event(kind: int) -> tuple[SystemEvent, str] | None:
    """The system event a type stands for, or None for an ordinary message."""
    for flag, event, label in _FLAGS:
        if kind & flag:
            return event, label
    base = kind & BASE_MASK
    if base in _BASES:
        return _BASES[base]
    special = kind & SPECIAL_MASK
    if special and special != STORY_REACTION:
        return SystemEvent.OTHER, f"special_{special >> 32:x}"
    return None


def classify(message: Message, row: Any, attachments: list[Attachment], *, self_deleted: bool) -> None:
    """Set kind, event, details, flags and attachments of `message` from its database row."""
    kind, base = row.type, row.type & BASE_MASK
    if row.remote_deleted:
        message.kind, message.body = Kind.DELETED, ""
        message.deleted_by = Deleter.SELF if self_deleted else Deleter.OTHER
        return
    if kind & EXPIRATION_TIMER_UPDATE:
        seconds = row.expires_in // 1000
        message.kind, message.body = Kind.SYSTEM, ""
        if seconds:
            message.event, message.details = SystemEvent.DISAPPEARING_ENABLED, {"timer_seconds": seconds}
        else:
            message.event = SystemEvent.DISAPPEARING_DISABLED
        return
    if base in CALLS:
        message.kind, message.body = Kind.CALL, ""
        message.event = SystemEvent.MISSED_CALL if base in MISSED_CALLS else SystemEvent.CALL
        message.details = {"video": base in VIDEO_CALLS, "group": base == 12, "signal_type": kind}
        return
    event = system_event(kind)
    if event is not None:
        message.kind, message.body = Kind.SYSTEM, ""
        message.event, message.details = event[0], {"signal_event": event[1], "signal_type": kind}
        return
    if row.expires_in:
        message.expires_in_ms = row.expires_in
    message.attachments = attachments
    if row.view_once:
        message.kind = Kind.VIEW_ONCE
    elif attachments:
        message.kind = Kind.MEDIA
    else:
        message.kind = Kind.TEXT
