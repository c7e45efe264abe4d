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
from collections import Counter
from collections.abc import Sequence
from functools import partial
from itertools import compress, repeat
from operator import attrgetter, eq, floordiv, methodcaller, not_
from typing import cast, overload

from chatarchief.core.model import Kind, Message, MessageColumns, SystemEvent

_INVISIBLE_RE = re.compile("[\u200e\u200f\u202a-\u202e\ufeff]")

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

# The custodian's own key in every Signal format (Android, backup v2, Desktop), so that their
# messages line up whichever way Signal was handed in.
SIGNAL_SELF_KEY = "signal:self"
PLACEHOLDER = "media?"  # digest prefix of a media message whose file was not in the export
TOMBSTONE = "deleted"
VIEW_ONCE = "view_once"


def normalise_text(text: str) -> str:
    """The text as compared across exports: NFC, no bidi marks, whitespace runs folded, trimmed."""
    if not text.isascii():
        if _INVISIBLE_RE.search(text):
            text = _INVISIBLE_RE.sub("", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())  # str.split() folds every Unicode space, NBSP and U+202F included


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
        media = (message.attachments[0].media_type or "media").replace(SEPARATOR, "")  # see match_key
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


def _fold_plain(body: str) -> str:
    if not body.isascii():
        return normalise_text(body)
    if not body.isprintable() or "  " in body or body[:1] == " " or body[-1:] == " ":
        return " ".join(body.split())
    return body


Key = tuple[str, int, str, int]  # sender, minute, digest, occurrence

# The match key, one string per message: "minute<US>occurrence<US>digest<US>sender". Minute and
# occurrence are numbers and a digest holds no US (see `content_digest`), so the sender is the rest
# and two different keys never give the same string. The loader builds the same string in SQL.
SEPARATOR = "\x1f"
_MATCH_FORMAT = "{}\x1f{}\x1f{}\x1f{}".format


def match_key(sender: str, minute: int, digest: str, occurrence: int) -> str:
    return _MATCH_FORMAT(minute, occurrence, digest, sender)


class Keys(Sequence[Key]):
    """The identity keys of an export's messages, column by column (a million tuples would cost
    seconds and hundreds of MB). `keys[i]` is the (sender, minute, digest, occurrence) tuple;
    `match[i]` the same key as one string, for dictionary lookups against the archive (reconcile
    empties it once it has matched)."""

    __slots__ = ("senders", "sent_at_ms", "digests", "occurrences", "match")

    def __init__(
        self,
        senders: list[str],
        sent_at_ms: Sequence[int],
        digests: list[str],
        occurrences: list[int],
        match: list[str],
    ) -> None:
        # the minute is worked out when asked for: a million minute numbers would be 40 MB
        self.senders, self.sent_at_ms, self.digests, self.occurrences, self.match = (
            senders,
            sent_at_ms,
            digests,
            occurrences,
            match,
        )

    def minute(self, index: int) -> int:
        return self.sent_at_ms[index] // 60_000

    def __len__(self) -> int:
        return len(self.digests)

    @overload
    def __getitem__(self, index: int) -> Key: ...
    @overload
    def __getitem__(self, index: slice) -> list[Key]: ...
    def __getitem__(self, index: int | slice) -> Key | list[Key]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.senders[index], self.sent_at_ms[index] // 60_000, self.digests[index], self.occurrences[index]


def occurrence_keys(messages: Sequence[Message]) -> Keys:
    """(sender, minute, digest, occurrence) for each message, occurrence counted in export order.

    The hot path of every ingest, so it works on whole columns with C-level `map`s; plain text is
    digested without a Python call per message when it needs no normalising (printable ASCII
    without doubled spaces), which is equal to the normalised digest (a property test checks it)."""
    count = len(messages)
    if isinstance(messages, MessageColumns):  # the columns are there already
        bodies, senders, sent = messages.bodies, messages.senders, messages.sent_at_ms
        plain = [True] * count
        for i, kept in messages.objects.items():
            plain[i] = kept.kind is Kind.TEXT and not kept.attachments
    else:
        bodies = list(map(_BODY, messages))
        senders = list(map(_SENDER, messages))
        sent = list(map(_SENT, messages))
        plain = list(map(eq, map(_TEXT_DIGEST_FIELDS, messages), repeat(_TEXT_DIGEST_VALUES)))
        if False in plain:  # not (text, the shared empty tuple): look closer (a text may have [] as attachments)
            for i in compress(range(count), map(not_, plain)):
                m = messages[i]
                plain[i] = m.kind is Kind.TEXT and not m.attachments
    texts = list(bodies)
    for i in compress(range(count), map(not_, map(bool, map(_SIMPLE.fullmatch, bodies)))):
        texts[i] = _fold_plain(bodies[i]) if plain[i] else ""
    try:
        digests = list(map(_HEX, map(_BLAKE, map(str.encode, texts))))
    except UnicodeEncodeError:  # a lone surrogate (from JSON): kept as it is
        digests = list(map(_HEX, map(_BLAKE, map(_ENCODE, texts))))
    if False in plain:
        for i in compress(range(count), map(not_, plain)):
            digests[i] = content_digest(messages[i])
    who = cast("list[str]", [s or "" for s in senders] if None in senders else senders)
    occurrences = [0] * count
    match = list(map(_MATCH_FORMAT, map(floordiv, sent, repeat(60_000)), occurrences, digests, who))
    counted = Counter(match)  # counts are small ints: no million new int objects, unlike positions
    if len(counted) != count:
        repeated = {key for key, times in counted.items() if times > 1}
        seen: dict[str, int] = {}
        for i in compress(range(count), map(repeated.__contains__, match)):
            occurrence = seen.get(match[i], 0)
            seen[match[i]] = occurrence + 1
            occurrences[i] = occurrence
        for i in compress(range(count), occurrences):
            match[i] = _MATCH_FORMAT(sent[i] // 60_000, occurrences[i], digests[i], who[i])
    return Keys(who, sent, digests, occurrences, match)


# Printable ASCII without leading, trailing or doubled spaces: digested as it is.
_SIMPLE = re.compile(r"(?:[!-~]++ )*+[!-~]++|")
_BODY = attrgetter("body")
_SENDER = attrgetter("sender")
# A message whose digest is that of its text: a text without attachments. (Not the loader's "plain"
# message, which also has no native id, edit or timer: that one decides the columns a row gets.)
_TEXT_DIGEST_FIELDS = attrgetter("kind", "attachments")
_TEXT_DIGEST_VALUES = (Kind.TEXT, ())
_HEX = methodcaller("hexdigest")
_BLAKE = partial(hashlib.blake2b, digest_size=8)
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
_SENT = attrgetter("sent_at_ms")
