"""Signal backup v2 frames → the normalised model (Export, Conversation, Message, ...).

`Mapper` is fed the decoded frames in file order: the account, recipients and chats come before the
chat items that reference them (Backup.proto ordering rules), so one pass suffices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.signal.people import Directory, e164, person
from chatarchief.core.formats.signal.protos import signal_backup_wire as w
from chatarchief.core.formats.signal.protos.signal_backup_wire import Msg, uuid_text
from chatarchief.core.formats.signal.v2_updates import fill_update
from chatarchief.core.identity import SIGNAL_SELF_KEY
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

# ChatItem "item" oneof members, in field-number order.
ITEM_KINDS = [
    "standardMessage",
    "contactMessage",
    "stickerMessage",
    "remoteDeletedMessage",
    "updateMessage",
    "paymentNotification",
    "giftBadge",
    "viewOnceMessage",
    "directStoryReplyMessage",
    "poll",
]


@dataclass
class Recipient:
    """One Recipient frame, reduced to what a chat needs."""

    id: int
    kind: str  # contact, group, self, releaseNotes, distributionList, callLink
    participant: Participant | None = None
    stable_id: str = ""  # ACI, e164, group master key hex, "self"
    title: str = ""
    member_acis: list[str] = field(default_factory=list)


# Resolves an attachment: (FilePointer, flag, message label) -> Attachment, adding defects itself.
AttachmentResolver = Callable[[Msg, int, str], Attachment]


def contact_recipient(rid: int, contact: Msg) -> Recipient:
    nickname = contact.msg("nickname", w.NAME)
    names = [
        " ".join(p for p in (nickname.text("given"), nickname.text("family")) if p) if nickname else "",
        contact.text("systemNickname"),
        " ".join(p for p in (contact.text("systemGivenName"), contact.text("systemFamilyName")) if p),
        " ".join(p for p in (contact.text("profileGivenName"), contact.text("profileFamilyName")) if p),
        contact.text("username"),
    ]
    found = person(
        phone=e164(contact.opt_num("e164")),
        aci=uuid_text(contact.blob("aci")),
        names=names,
        key_fallback=f"recipient:{rid}",
        stable_fallback=f"recipient-{rid}",
        name_fallback=f"recipient {rid}",
    )
    return Recipient(rid, "contact", found.participant(), found.stable_id, found.name)


def group_recipient(rid: int, group: Msg) -> Recipient:
    master_key = group.blob("masterKey") or b""
    snapshot = group.msg("snapshot", w.GROUP_SNAPSHOT)
    title = ""
    members: list[str] = []
    if snapshot is not None:
        blob = snapshot.msg("title", w.GROUP_ATTRIBUTE_BLOB)
        title = blob.text("title") if blob else ""
        for member in snapshot.msgs("members", w.GROUP_MEMBER):
            aci = uuid_text(member.blob("userId"))
            if aci:
                members.append(aci)
    stable = master_key.hex() or f"group-{rid}"
    return Recipient(rid, "group", None, stable, title or "Signal-groep", members)


class Mapper:
    """Builds conversations from frames; `resolve_attachment` decrypts media (see v2.py)."""

    def __init__(self, resolve_attachment: AttachmentResolver, defects: DefectSink) -> None:
        self.resolve_attachment = resolve_attachment
        self.defects = defects
        self.self_participant = Participant(key=SIGNAL_SELF_KEY, name="", is_self=True)
        self.recipients: dict[int, Recipient] = {}
        self.by_aci: Directory[Recipient] = Directory()
        self.chats: dict[int, Conversation] = {}
        self.chat_ids: dict[int, str] = {}
        self.skipped_chats: set[int] = set()
        self.index = 0
        self.frame_number = 0

    # --- frames -------------------------------------------------------------------------------

    def frame(self, data: bytes) -> None:
        self.frame_number += 1
        frame = Msg(data, w.FRAME)
        kind = frame.which(["account", "recipient", "chat", "chatItem"])
        if kind == "account":
            self.account(Msg(frame.blob("account") or b"", w.ACCOUNT))
        elif kind == "recipient":
            self.recipient(Msg(frame.blob("recipient") or b"", w.RECIPIENT))
        elif kind == "chat":
            self.chat(Msg(frame.blob("chat") or b"", w.CHAT))
        elif kind == "chatItem":
            self.chat_item(Msg(frame.blob("chatItem") or b"", w.CHAT_ITEM))

    def account(self, account: Msg) -> None:
        name = " ".join(p for p in (account.text("givenName"), account.text("familyName")) if p)
        self.self_participant.name = name or account.text("username") or "Ik"

    def recipient(self, frame: Msg) -> None:
        rid = frame.num("id")
        kind = frame.which(["contact", "group", "distributionList", "self", "releaseNotes", "callLink"])
        if kind == "contact":
            recipient = contact_recipient(rid, Msg(frame.blob("contact") or b"", w.CONTACT))
            if recipient.participant:
                self.by_aci.add(recipient, recipient.participant.native_id)
        elif kind == "group":
            recipient = group_recipient(rid, Msg(frame.blob("group") or b"", w.GROUP))
        elif kind == "self":
            recipient = Recipient(rid, "self", self.self_participant, "self", "")
        else:
            recipient = Recipient(rid, kind or "unknown")
        self.recipients[rid] = recipient

    def chat(self, frame: Msg) -> None:
        cid = frame.num("id")
        recipient = self.recipients.get(frame.num("recipientId"))
        if recipient is None or recipient.kind not in ("contact", "group", "self"):
            self.skipped_chats.add(cid)  # release notes, call links: not a conversation with people
            return
        participants = [self.self_participant]
        if recipient.kind == "contact" and recipient.participant:
            participants.append(recipient.participant)
        for aci in recipient.member_acis:
            member = self.by_aci.find(aci)
            if member and member.participant and member.participant not in participants:
                participants.append(member.participant)
        title = recipient.title if recipient.kind != "self" else "Notitie aan mezelf"
        self.chat_ids[cid] = recipient.stable_id
        self.chats[cid] = Conversation(
            key=f"signal:thread:{recipient.stable_id}",
            title=title or self.self_participant.name,
            channel=Channel.SIGNAL,
            is_group=recipient.kind == "group",
            participants=participants,
            native_id=str(cid),
        )

    # --- chat items ---------------------------------------------------------------------------

    def author(self, author_id: int) -> Participant | None:
        recipient = self.recipients.get(author_id)
        return recipient.participant if recipient else None

    def chat_item(self, item: Msg) -> None:
        cid = item.num("chatId")
        conversation = self.chats.get(cid)
        if conversation is None:
            if cid not in self.skipped_chats:
                self.defects.add(
                    "signal_v2.unknown_chat",
                    self.frame_number,
                    "",
                    f"chat {cid} is not defined",
                    nl=f"Bericht in blok {self.frame_number} hoort bij chat {cid}, die niet in de back-up staat.",
                    en=f"The item in frame {self.frame_number} belongs to chat {cid}, which the backup does not define.",
                )
            return
        message = self.message(item, cid)
        if message is None:
            return
        message.revisions = [self.revision(old, cid) for old in item.msgs("revisions", w.CHAT_ITEM)]
        message.edited = bool(message.revisions)
        if message.revisions:
            self.identify_by_original(message, item, cid)
        conversation.messages.append(message)

    def identify_by_original(self, message: Message, item: Msg, cid: int) -> None:
        """An edited ChatItem carries the latest revision's dateSent; the message is still the one
        first sent (revisions[0]), so its native id is built from that time, as before the edit."""
        first = message.revisions[0].sent_at_ms
        if first:
            message.native_id = self.native_id(first, item.num("authorId"), cid)
            message.details = {**(message.details or {}), "edited_at_ms": message.sent_at_ms}

    def native_id(self, sent_at: int, author_id: int, cid: int) -> str:
        """ "dateSent:author:chat", author and chat by their stable ids (see `people`)."""
        recipient = self.recipients.get(author_id)
        author = recipient.stable_id if recipient is not None and recipient.participant else str(author_id)
        return f"{sent_at}:{author}:{self.chat_ids[cid]}"
        self.index += 1

    def revision(self, item: Msg, cid: int) -> Revision:
        old = self.message(item, cid)
        if old is None:
            return Revision(body="", sent_at_ms=item.num("dateSent"))
        return Revision(body=old.body, sent_at_ms=old.sent_at_ms, kind=old.kind)

    def message(self, item: Msg, cid: int) -> Message | None:
        kind_name = item.which(ITEM_KINDS)
        if kind_name is None:
            return None  # "If unset, importers should skip this item"
        author = self.author(item.num("authorId"))
        sent_at = item.num("dateSent")
        direction = item.which(["incoming", "outgoing", "directionless"])
        message = Message(
            index=self.index,
            sender=author.key if author else None,
            sent_at_ms=sent_at,
            kind=Kind.TEXT,
            body="",
            raw_time=str(sent_at),
            precision_ms=1,
            line=self.frame_number,
            sender_name=author.name if author else None,
            native_id=self.native_id(sent_at, item.num("authorId"), cid),
            outgoing={"incoming": False, "outgoing": True}.get(direction or ""),
            expires_in_ms=item.num("expiresInMs") or None,
        )
        if author is not None and author.is_self and message.outgoing is None and direction != "directionless":
            message.outgoing = True
        content = Msg(item.blob(kind_name) or b"", _CONTENT_NAMES[kind_name])
        label = f"{self.chats[cid].title} {sent_at}"
        _FILLERS[kind_name](self, message, content, label)
        return message

    def standard(self, message: Message, content: Msg, label: str) -> None:
        text = content.msg("text", w.TEXT)
        message.body = text.text("body") if text else ""
        for attachment in content.msgs("attachments", w.MESSAGE_ATTACHMENT):
            pointer = attachment.msg("pointer", w.FILE_POINTER)
            if pointer is not None:
                message.attachments = [
                    *message.attachments,
                    self.resolve_attachment(pointer, attachment.num("flag"), label),
                ]
                if not message.body and pointer.text("caption"):
                    message.body = pointer.text("caption")
        if content.has("longText"):
            self.defects.add(
                "signal_v2.long_text",
                message.line,
                "",
                f"{label}: long text kept as its first part",
                nl=f"{label}: van de lange tekst is alleen het eerste deel bewaard.",
            )
        message.kind = Kind.MEDIA if message.attachments else Kind.TEXT

    def contact(self, message: Message, content: Msg, label: str) -> None:
        message.kind = Kind.CONTACT
        card = content.msg("contact", w.CONTACT_ATTACHMENT)
        name = card.msg("name", w.CONTACT_ATTACHMENT_NAME) if card else None
        if name is not None:
            message.body = " ".join(p for p in (name.text("givenName"), name.text("familyName")) if p) or name.text(
                "nickname"
            )

    def sticker(self, message: Message, content: Msg, label: str) -> None:
        message.kind = Kind.MEDIA
        sticker = content.msg("sticker", w.STICKER)
        if sticker is None:
            return
        message.body = sticker.text("emoji")
        data = sticker.msg("data", w.FILE_POINTER)
        if data is not None:
            attachment = self.resolve_attachment(data, 0, label)
            attachment.media_type = "sticker"
            message.attachments = [*message.attachments, attachment]

    def remote_deleted(self, message: Message, content: Msg, label: str) -> None:
        message.kind = Kind.DELETED
        message.deleted_by = Deleter.SELF if message.sender == SIGNAL_SELF_KEY else Deleter.OTHER

    def view_once(self, message: Message, content: Msg, label: str) -> None:
        message.kind = Kind.VIEW_ONCE
        attachment = content.msg("attachment", w.MESSAGE_ATTACHMENT)
        pointer = attachment.msg("pointer", w.FILE_POINTER) if attachment else None
        if attachment is not None and pointer is not None:
            message.attachments = [
                *message.attachments,
                self.resolve_attachment(pointer, attachment.num("flag"), label),
            ]

    def story_reply(self, message: Message, content: Msg, label: str) -> None:
        reply = content.msg("textReply", w.TEXT_REPLY)
        text = reply.msg("text", w.TEXT) if reply else None
        message.body = text.text("body") if text else content.text("emoji")
        message.details = {"story_reply": True}

    def poll(self, message: Message, content: Msg, label: str) -> None:
        message.kind = Kind.POLL
        message.body = content.text("question")
        message.details = {"options": [o.text("option") for o in content.msgs("options", w.POLL_OPTION)]}

    def other(self, message: Message, content: Msg, label: str) -> None:
        message.kind = Kind.SYSTEM
        message.event = SystemEvent.OTHER

    def update(self, message: Message, content: Msg, label: str) -> None:
        fill_update(self, message, content)


_CONTENT_NAMES: dict[str, dict[str, int]] = {
    "standardMessage": w.STANDARD_MESSAGE,
    "contactMessage": w.CONTACT_MESSAGE,
    "stickerMessage": w.STICKER_MESSAGE,
    "remoteDeletedMessage": {},
    "updateMessage": w.CHAT_UPDATE,
    "paymentNotification": {},
    "giftBadge": {},
    "viewOnceMessage": w.VIEW_ONCE_MESSAGE,
    "directStoryReplyMessage": w.DIRECT_STORY_REPLY,
    "poll": w.POLL,
}
_FILLERS: dict[str, Callable[[Mapper, Message, Msg, str], None]] = {
    "standardMessage": Mapper.standard,
    "contactMessage": Mapper.contact,
    "stickerMessage": Mapper.sticker,
    "remoteDeletedMessage": Mapper.remote_deleted,
    "updateMessage": Mapper.update,
    "paymentNotification": Mapper.other,
    "giftBadge": Mapper.other,
    "viewOnceMessage": Mapper.view_once,
    "directStoryReplyMessage": Mapper.story_reply,
    "poll": Mapper.poll,
}
