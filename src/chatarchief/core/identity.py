"""Identity of a message across exports.

WhatsApp exports carry no message ids, so a message is known by
(conversation, sender, minute, content digest, occurrence): the occurrence index tells apart equal
texts sent in the same minute. Sources with their own ids (Signal, Telegram) are matched on those.

The content digest of a media message is the media's SHA-256 when the file is present; when the
export only says "media omitted" the digest is a placeholder that a later export with the media
*enriches* (see reconcile.py).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from chatarchief.core.model import Kind, Message, SystemEvent

_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"), None)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")

# System lines whose wording depends on the phone's language and platform but whose meaning does
# not: identified by event (and timer) so a Dutch iOS and an English Android export line up.
_WORDING_FREE = {
    SystemEvent.E2E_NOTICE,
    SystemEvent.DISAPPEARING_ENABLED,
    SystemEvent.DISAPPEARING_DISABLED,
    SystemEvent.MISSED_CALL,
    SystemEvent.CALL,
    SystemEvent.SECURITY_CODE_CHANGED,
}

PLACEHOLDER = "media?"  # digest prefix of a media message whose file was not in the export
TOMBSTONE = "deleted"
VIEW_ONCE = "view_once"


def normalise_text(text: str) -> str:
    """The text as compared across exports: NFC, no bidi marks, whitespace runs folded, trimmed."""
    if text.isascii():
        return " ".join(text.split())
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text.translate(_INVISIBLE))).strip()


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def content_digest(message: Message) -> str:
    """A short stable digest of what the message says (not how the export spelled it)."""
    kind = message.kind
    if kind is Kind.DELETED:
        return TOMBSTONE
    if kind is Kind.VIEW_ONCE:
        return VIEW_ONCE
    if message.attachments:
        hashes = [a.sha256 for a in message.attachments]
        if all(hashes):
            return "media:" + _short_hash("|".join(h for h in hashes if h))
        media = message.attachments[0].media_type or "media"
        return f"{PLACEHOLDER}{media}"
    if kind is Kind.SYSTEM or kind is Kind.CALL:
        if message.event in _WORDING_FREE:
            timer = (message.details or {}).get("timer_seconds", "")
            return f"{message.event.value}:{timer}"
        event = message.event.value if message.event else "system"
        return f"{event}:{_short_hash(normalise_text(message.body))}"
    return _short_hash(normalise_text(message.body))


def is_placeholder(digest: str) -> bool:
    return digest.startswith(PLACEHOLDER)


def minute_of(sent_at_ms: int) -> int:
    return sent_at_ms // 60_000


def occurrence_keys(messages: Iterable[Message]) -> list[tuple[str, int, str, int]]:
    """(sender, minute, digest, occurrence) for each message, occurrence counted in export order.

    The hot loop of every ingest: plain text messages take an inlined fast path."""
    seen: dict[tuple[str, int, str], int] = {}
    keys = []
    text_kind = Kind.TEXT
    blake2b = hashlib.blake2b
    for message in messages:
        if message.kind is text_kind and not message.attachments:
            body = message.body
            if not body.isascii():
                body = normalise_text(body)
            elif not body.isprintable() or "  " in body or body[:1] == " " or body[-1:] == " ":
                body = " ".join(body.split())
            digest = blake2b(body.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        else:
            digest = content_digest(message)
        base = (message.sender or "", message.sent_at_ms // 60_000, digest)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        keys.append((*base, occurrence))
    return keys
