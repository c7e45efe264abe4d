"""A normalised export: what the archive holds of a delivery's conversations, as JSON and media in a zip.

The derived original of a delivery whose own format cannot be rewritten without its secrets or
without writing that format (Signal backups and folders, SMS, Telegram): the remaining (business)
conversations it covered, each message as the archive keeps it, with its media files. `read()`
reads it back (and checks every media file against its SHA-256), so a derived original verifies.

Layout: `chatarchief-export.json` and `media/<sha256>` for every media file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from chatarchief.archive.models import Absence, Attachment, Delivery, Message
from chatarchief.archive.services import blobs
from chatarchief.core.errors import FormatError

FORMAT = "chatarchief-normalised/1"
INDEX = "chatarchief-export.json"
_FIELDS = (
    "id",
    "sender_key",
    "sender_name",
    "sent_at_ms",
    "precision_ms",
    "kind",
    "body",
    "native_id",
    "event",
    "details",
    "edited",
    "outgoing",
    "expires_in_ms",
    "state",
    "deleted_by",
)


def _messages(coverage: Any, delivery: Delivery) -> list[dict[str, Any]]:
    absent = set(Absence.objects.filter(delivery=delivery).values_list("message_id", flat=True))
    rows = (
        Message.objects.filter(
            conversation_id=coverage.conversation_id,
            sent_at_ms__gte=coverage.first_ms,
            sent_at_ms__lte=coverage.last_ms,
        )
        .order_by("sent_at_ms", "sort_index", "id")
        .values(*_FIELDS)
    )
    messages = [row for row in rows if row["id"] not in absent]
    files: dict[int, list[dict[str, Any]]] = {}
    for a in Attachment.objects.filter(message_id__in=[m["id"] for m in messages]).order_by("position", "id"):
        files.setdefault(a.message_id, []).append(
            {
                "filename": a.filename,
                "mime_type": a.mime_type,
                "media_type": a.media_type,
                "size": a.size,
                "omitted": a.omitted,
                "sha256": a.blob_id,
            }
        )
    for message in messages:
        message["attachments"] = files.get(message.pop("id"), [])
    return messages


def export_delivery(delivery: Delivery) -> bytes:
    """The zip of the delivery's remaining conversations (as the archive holds them now)."""
    conversations = []
    media: set[str] = set()
    for coverage in delivery.coverage.select_related("conversation").order_by("conversation_id"):
        conversation = coverage.conversation
        messages = _messages(coverage, delivery)
        media |= {a["sha256"] for m in messages for a in m["attachments"] if a["sha256"]}
        conversations.append(
            {
                "channel": conversation.channel,
                "key": conversation.key,
                "title": conversation.title,
                "is_group": conversation.is_group,
                "native_id": conversation.native_id,
                "participants": [
                    {"key": p.key, "name": p.name, "phone": p.phone, "is_self": p.is_self}
                    for p in conversation.participants.order_by("key")
                ],
                "messages": messages,
            }
        )
    index = {
        "format": FORMAT,
        "derived_from": {"sha256": delivery.sha256, "file_name": delivery.file_name, "format": delivery.format},
        "exported_at": delivery.exported_at.isoformat() if delivery.exported_at else None,
        "conversations": conversations,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(INDEX, json.dumps(index, ensure_ascii=False, sort_keys=True, indent=1))
        for sha256 in sorted(media):
            archive.writestr(f"media/{sha256}", blobs.read_verified(sha256))
    return out.getvalue()


def read(data: bytes) -> dict[str, Any]:
    """A normalised export read back; raises FormatError when it is not one or a media file differs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            index = json.loads(archive.read(INDEX))
            names = set(archive.namelist())
            for conversation in index.get("conversations", []):
                for message in conversation["messages"]:
                    for attachment in message["attachments"]:
                        sha256 = attachment["sha256"]
                        if sha256 and hashlib.sha256(archive.read(f"media/{sha256}")).hexdigest() != sha256:
                            raise _bad()
            if index.get("format") != FORMAT or INDEX not in names:
                raise _bad()
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _bad() from error
    return index


def _bad() -> FormatError:
    return FormatError(
        "normalised.bad",
        nl="Geen leesbare genormaliseerde export (of een mediabestand wijkt af van zijn SHA-256).",
        en="Not a readable normalised export (or a media file differs from its SHA-256).",
    )
