"""Read-out of the archive in the stable shape the README documents (CLI `messages`); findings are
compliance's (chatarchief.compliance.readout)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from chatarchief.archive.models import Attachment, Conversation, Custodian, Message, MessageVersion

CHUNK = 5000


def iso(ms: int, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=zone).isoformat()


def _versions(message: Message, forms: list[MessageVersion]) -> list[dict[str, Any]]:
    if not forms:
        return [{"body": message.body, "kind": message.kind, "delivery_id": message.first_delivery_id}]
    return [{"body": f.body, "kind": f.kind, "delivery_id": f.delivery_id} for f in forms]


def iter_messages(custodian: Custodian, conversation_id: int | None = None) -> Iterator[dict[str, Any]]:
    """One dict per archived message, conversation by conversation, in time order."""
    zone = custodian.zone
    conversations = Conversation.objects.filter(custodian=custodian).order_by("channel", "key")
    if conversation_id is not None:
        conversations = conversations.filter(pk=conversation_id)
    for conversation in conversations:
        ids = list(
            Message.objects.filter(conversation=conversation)
            .order_by("sent_at_ms", "sort_index", "id")
            .values_list("id", flat=True)
        )
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            messages = Message.objects.in_bulk(chunk)
            forms: dict[int, list[MessageVersion]] = defaultdict(list)
            for form in MessageVersion.objects.filter(message_id__in=chunk).order_by("exported_at", "revision", "id"):
                forms[form.message_id].append(form)
            files: dict[int, list[Attachment]] = defaultdict(list)
            for attachment in Attachment.objects.filter(message_id__in=chunk):
                files[attachment.message_id].append(attachment)
            for message_id in chunk:
                message = messages[message_id]
                yield {
                    "id": message.pk,
                    "conversation_id": conversation.pk,
                    "conversation_title": conversation.title,
                    "channel": conversation.channel,
                    "sender": message.sender_name or message.sender_key or None,
                    "sender_key": message.sender_key or None,
                    "sent_at": iso(message.sent_at_ms, zone),
                    "kind": message.kind,
                    "body": message.body,
                    "state": message.state,
                    "edited": message.edited,
                    "event": message.event or None,
                    "versions": _versions(message, forms.get(message_id, [])),
                    "attachments": [
                        {
                            "sha256": a.blob_id,
                            "filename": a.filename or None,
                            "mime_type": a.mime_type or None,
                            "size": a.size,
                            "omitted": a.omitted,
                        }
                        for a in sorted(files.get(message_id, []), key=lambda a: a.position)
                    ],
                }
