"""A minimal protobuf wire-format reader for Signal's v2 backup (``Backup.proto``, package signal.backup).

Only the fields chatarchief maps are read; everything else is skipped. Field numbers follow
signalapp/libsignal ``rust/message-backup/src/proto/backup.proto`` (the same file as Signal-Android's
``Backup.proto``); they are named in the ``F_*`` tables below so a reader can check them against it.

Decoding never trusts the input: every length is bounds-checked and damage raises `WireError`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

# --- field numbers (backup.proto) -------------------------------------------------------------

BACKUP_INFO = {"version": 1, "backupTimeMs": 2, "mediaRootBackupKey": 3, "currentAppVersion": 4, "firstAppVersion": 5}
FRAME = {"account": 1, "recipient": 2, "chat": 3, "chatItem": 4}
ACCOUNT = {"username": 2, "givenName": 4, "familyName": 5}
RECIPIENT = {"id": 1, "contact": 2, "group": 3, "distributionList": 4, "self": 5, "releaseNotes": 6, "callLink": 7}
CONTACT = {
    "aci": 1,
    "pni": 2,
    "username": 3,
    "e164": 4,
    "profileGivenName": 11,
    "profileFamilyName": 12,
    "nickname": 16,
    "systemGivenName": 18,
    "systemFamilyName": 19,
    "systemNickname": 20,
}
NAME = {"given": 1, "family": 2}
GROUP = {"masterKey": 1, "snapshot": 5}
GROUP_SNAPSHOT = {"title": 2, "disappearingMessagesTimer": 4, "members": 7}
GROUP_ATTRIBUTE_BLOB = {"title": 1, "disappearingMessagesDuration": 3}
GROUP_MEMBER = {"userId": 1, "role": 2}
CHAT = {"id": 1, "recipientId": 2, "expirationTimerMs": 5}
CHAT_ITEM = {
    "chatId": 1,
    "authorId": 2,
    "dateSent": 3,
    "expireStartDate": 4,
    "expiresInMs": 5,
    "revisions": 6,
    "sms": 7,
    "incoming": 8,
    "outgoing": 9,
    "directionless": 10,
    "standardMessage": 11,
    "contactMessage": 12,
    "stickerMessage": 13,
    "remoteDeletedMessage": 14,
    "updateMessage": 15,
    "paymentNotification": 16,
    "giftBadge": 17,
    "viewOnceMessage": 18,
    "directStoryReplyMessage": 19,
    "poll": 20,
}
TEXT = {"body": 1}
STANDARD_MESSAGE = {"text": 2, "attachments": 3, "longText": 5}
MESSAGE_ATTACHMENT = {"pointer": 1, "flag": 2}
FILE_POINTER = {"contentType": 4, "fileName": 7, "caption": 10, "locatorInfo": 13}
LOCATOR_INFO = {"key": 1, "size": 3, "localKey": 9, "plaintextHash": 10, "encryptedDigest": 11}
CONTACT_MESSAGE = {"contact": 1}
CONTACT_ATTACHMENT = {"name": 1, "organization": 7}
CONTACT_ATTACHMENT_NAME = {"givenName": 1, "familyName": 2, "nickname": 6}
STICKER_MESSAGE = {"sticker": 1}
STICKER = {"emoji": 4, "data": 5}
VIEW_ONCE_MESSAGE = {"attachment": 1}
DIRECT_STORY_REPLY = {"textReply": 1, "emoji": 2}
TEXT_REPLY = {"text": 1}
POLL = {"question": 1, "options": 3}
POLL_OPTION = {"option": 1}
CHAT_UPDATE = {
    "simpleUpdate": 1,
    "groupChange": 2,
    "expirationTimerChange": 3,
    "profileChange": 4,
    "threadMerge": 5,
    "sessionSwitchover": 6,
    "individualCall": 7,
    "groupCall": 8,
    "learnedProfileChange": 9,
    "pollTerminate": 10,
}
SIMPLE_UPDATE_TYPES = {
    1: "JOINED_SIGNAL",
    2: "IDENTITY_UPDATE",
    3: "IDENTITY_VERIFIED",
    4: "IDENTITY_DEFAULT",
    5: "CHANGE_NUMBER",
    6: "RELEASE_CHANNEL_DONATION_REQUEST",
    7: "END_SESSION",
    8: "CHAT_SESSION_REFRESH",
    9: "BAD_DECRYPT",
    10: "PAYMENTS_ACTIVATED",
    11: "PAYMENT_ACTIVATION_REQUEST",
    12: "UNSUPPORTED_PROTOCOL_MESSAGE",
    13: "REPORTED_SPAM",
    14: "BLOCKED",
    15: "UNBLOCKED",
    16: "MESSAGE_REQUEST_ACCEPTED",
}
PROFILE_CHANGE = {"previousName": 1, "newName": 2}
INDIVIDUAL_CALL = {"type": 2, "direction": 3, "state": 4}
GROUP_CALL = {"state": 2}
# GroupChangeChatUpdate.Update oneof: field number -> name
GROUP_UPDATE_NAMES = {
    1: "genericGroupUpdate",
    2: "groupCreationUpdate",
    3: "groupNameUpdate",
    4: "groupAvatarUpdate",
    5: "groupDescriptionUpdate",
    6: "groupMembershipAccessLevelChangeUpdate",
    7: "groupAttributesAccessLevelChangeUpdate",
    8: "groupAnnouncementOnlyChangeUpdate",
    9: "groupAdminStatusUpdate",
    10: "groupMemberLeftUpdate",
    11: "groupMemberRemovedUpdate",
    12: "selfInvitedToGroupUpdate",
    13: "selfInvitedOtherUserToGroupUpdate",
    14: "groupUnknownInviteeUpdate",
    15: "groupInvitationAcceptedUpdate",
    16: "groupInvitationDeclinedUpdate",
    17: "groupMemberJoinedUpdate",
    18: "groupMemberAddedUpdate",
    19: "groupSelfInvitationRevokedUpdate",
    20: "groupInvitationRevokedUpdate",
    21: "groupJoinRequestUpdate",
    22: "groupJoinRequestApprovalUpdate",
    23: "groupJoinRequestCanceledUpdate",
    24: "groupInviteLinkResetUpdate",
    25: "groupInviteLinkEnabledUpdate",
    26: "groupInviteLinkAdminApprovalUpdate",
    27: "groupInviteLinkDisabledUpdate",
    28: "groupMemberJoinedByLinkUpdate",
    29: "groupV2MigrationUpdate",
    30: "groupV2MigrationSelfInvitedUpdate",
    31: "groupV2MigrationInvitedMembersUpdate",
    32: "groupV2MigrationDroppedMembersUpdate",
    33: "groupSequenceOfRequestsAndCancelsUpdate",
    34: "groupExpirationTimerUpdate",
}
GROUP_EXPIRATION_TIMER_UPDATE = {"expiresInMs": 1, "updaterAci": 2}
GROUP_NAME_UPDATE = {"updaterAci": 1, "newGroupName": 2}
# LocalMetadata (Signal-Android LocalArchiver) and FilesFrame
LOCAL_METADATA = {"version": 1, "backupId": 2}
ENCRYPTED_BACKUP_ID = {"iv": 1, "encryptedId": 2}
FILES_FRAME = {"mediaName": 1}

MAX_DEPTH = 64


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


Value = int | bytes
Fields = dict[int, list[Value]]


def read_varint(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    """A base-128 varint at `pos`; returns (value, new position)."""
    result = 0
    shift = 0
    end = len(data)
    while True:
        if pos >= end:
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint too long")


def decode(data: bytes | memoryview) -> Fields:
    """All fields of one message: field number -> values in order (ints for varint/fixed, bytes for len)."""
    fields: Fields = {}
    pos = 0
    end = len(data)
    while pos < end:
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        value: Value
        if wire_type == 0:
            value, pos = read_varint(data, pos)
        elif wire_type == 1:
            if pos + 8 > end:
                raise WireError("truncated fixed64")
            value = int.from_bytes(data[pos : pos + 8], "little")
            pos += 8
        elif wire_type == 2:
            length, pos = read_varint(data, pos)
            if pos + length > end:
                raise WireError("truncated length-delimited field")
            value = bytes(data[pos : pos + length])
            pos += length
        elif wire_type == 5:
            if pos + 4 > end:
                raise WireError("truncated fixed32")
            value = int.from_bytes(data[pos : pos + 4], "little")
            pos += 4
        else:
            raise WireError(f"unsupported wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


class Msg:
    """Read access to a decoded message by field name, with proto3 defaults."""

    __slots__ = ("fields", "names")

    def __init__(self, data: bytes | memoryview, names: dict[str, int]) -> None:
        self.fields = decode(data)
        self.names = names

    def has(self, name: str) -> bool:
        return self.names[name] in self.fields

    def which(self, names: list[str]) -> str | None:
        """The name of the set member of a oneof (the last one written wins, as in protobuf)."""
        best: tuple[int, str] | None = None
        for name in names:
            if self.names[name] in self.fields:
                # fields keep insertion order; the later key in the dict order was written later
                position = list(self.fields).index(self.names[name])
                if best is None or position > best[0]:
                    best = (position, name)
        return best[1] if best else None

    def num(self, name: str, default: int = 0) -> int:
        values = self.fields.get(self.names[name])
        if not values:
            return default
        value = values[-1]
        if not isinstance(value, int):
            raise WireError(f"field {name} is not an integer")
        return value

    def opt_num(self, name: str) -> int | None:
        return self.num(name) if self.has(name) else None

    def blob(self, name: str) -> bytes | None:
        values = self.fields.get(self.names[name])
        if not values:
            return None
        value = values[-1]
        if not isinstance(value, bytes):
            raise WireError(f"field {name} is not length-delimited")
        return value

    def text(self, name: str) -> str:
        raw = self.blob(name)
        if raw is None:
            return ""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WireError(f"field {name} is not UTF-8") from None

    def msg(self, name: str, names: dict[str, int]) -> Msg | None:
        raw = self.blob(name)
        return None if raw is None else Msg(raw, names)

    def msgs(self, name: str, names: dict[str, int]) -> list[Msg]:
        out = []
        for value in self.fields.get(self.names[name], []):
            if not isinstance(value, bytes):
                raise WireError(f"field {name} is not a message")
            out.append(Msg(value, names))
        return out

    def raw_fields(self, name: str) -> list[Value]:
        return self.fields.get(self.names[name], [])


def iter_delimited(data: bytes | memoryview) -> Iterator[bytes]:
    """Varint-length-delimited messages, as Signal writes frames and FilesFrames."""
    pos = 0
    end = len(data)
    while pos < end:
        length, pos = read_varint(data, pos)
        if pos + length > end:
            raise WireError("truncated frame")
        yield bytes(data[pos : pos + length])
        pos += length


def uuid_text(raw: bytes | None) -> str | None:
    """A 16-byte service id as its canonical UUID text (a 17-byte typed id keeps its 16 id bytes)."""
    if raw is None:
        return None
    if len(raw) == 17:
        raw = raw[1:]
    if len(raw) != 16:
        return None
    return str(uuid.UUID(bytes=raw))
