"""Reconcile one export of a conversation with what the archive already holds (a pure function).

Matching is an alignment, not a set lookup:
1. Messages with a source id (Signal, Telegram) are matched on it.
2. The rest are matched on their full key (sender, minute, digest, occurrence): seen again unchanged.
3. What is left is aligned per (sender, minute) bucket in running order: a tombstone, an edited
   text, a "media omitted" placeholder or a media file lines up with the archived message at the
   same sender and minute, so that a deletion keeps the original and an edit adds a version.
   The pairing rules are symmetric, so the archive ends up the same whichever export comes first.
Whatever is left on the export side is new; what is left on the archive side was not seen, and the
caller decides from the export's coverage whether that makes it missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import compress, repeat
from operator import is_not, itemgetter, not_
from typing import NamedTuple

from chatarchief.core.identity import TOMBSTONE, is_placeholder, occurrence_keys
from chatarchief.core.model import Kind, Message

Key = tuple[str, int, str, int]  # sender, minute, digest, occurrence


class Change(StrEnum):
    UNCHANGED = "unchanged"
    ENRICHED = "enriched"  # media now present, or content found for a message known only as deleted
    DELETED = "deleted"  # the export shows a tombstone where the archive has the message
    EDITED = "edited"  # the export shows another version of the text


class ArchivedRef(NamedTuple):
    """What reconciliation needs to know of an archived message (a tuple: a million load fast).

    `seen_before` / `seen_after`: whether the archive first saw it before / after the export being
    reconciled (the loader fills them; reconciliation itself does not look at them)."""

    id: int
    sender: str
    minute: int
    digest: str
    occurrence: int
    kind: str
    native_id: str | None = None
    edited: bool = False
    seen_before: bool = False
    seen_after: bool = False
    precision_ms: int = 1


@dataclass(slots=True)
class Match:
    index: int  # position in the export's message list
    archived_id: int
    change: Change


@dataclass(slots=True)
class Reconciliation:
    keys: list[Key]  # the identity key of every exported message, by position
    matches: list[Match]
    new: list[int]  # positions of messages the archive does not have yet
    unmatched: list[int]  # archived ids this export did not show


def _pair(message: Message, digest: str, archived: ArchivedRef) -> Change | None:
    """How an unmatched exported message relates to an unmatched archived one in the same bucket."""
    incoming_tomb = message.kind is Kind.DELETED
    archived_tomb = archived.digest == TOMBSTONE
    if incoming_tomb and archived_tomb:
        return Change.UNCHANGED
    if incoming_tomb:
        return Change.DELETED
    if archived_tomb:
        return Change.ENRICHED
    incoming_media = bool(message.attachments)
    archived_media = archived.digest.startswith("media")
    if incoming_media and archived_media:
        if is_placeholder(archived.digest) and not is_placeholder(digest):
            return Change.ENRICHED
        if is_placeholder(digest):
            return Change.UNCHANGED
        return None  # two different files: two messages
    if incoming_media != archived_media:
        return None
    if message.kind.value != archived.kind:
        return None
    if message.edited or archived.edited:
        return Change.EDITED
    return None


def _by_native_id(message: Message, digest: str, archived: ArchivedRef) -> Change:
    if digest == archived.digest:
        return Change.UNCHANGED
    paired = _pair(message, digest, archived)
    if paired is not None:
        return paired
    return Change.EDITED


_KEY_OF = itemgetter(1, 2, 3, 4)  # ArchivedRef -> (sender, minute, digest, occurrence)


def _exact_matches(keys: list[Key], archived: Sequence[ArchivedRef]) -> tuple[list[Match], list[int], set[int]]:
    """Sources without ids: the key lookup for a whole export in C-level maps. Keys are unique
    within an export and within the archive, so no archived message can be taken twice."""
    by_key = dict(zip(map(_KEY_OF, archived), archived, strict=True))
    found = list(map(by_key.get, keys))
    hit = list(map(is_not, found, repeat(None)))
    positions = list(compress(range(len(keys)), hit))
    ids = [ref.id for ref in compress(found, hit)]  # type: ignore[union-attr]
    matches = list(map(Match, positions, ids, repeat(Change.UNCHANGED)))
    leftovers = list(compress(range(len(keys)), map(not_, hit)))
    return matches, leftovers, set(ids)


def reconcile(messages: Sequence[Message], archived: Sequence[ArchivedRef]) -> Reconciliation:
    keys = occurrence_keys(messages)
    by_native = {a.native_id: a for a in archived if a.native_id}
    if not by_native and all(m.native_id is None for m in messages):
        matches, leftovers, taken = _exact_matches(keys, archived)
        return _align_leftovers(messages, keys, archived, matches, leftovers, taken)
    by_key = {(a.sender, a.minute, a.digest, a.occurrence): a for a in archived}
    taken = set()
    matches = []
    leftovers = []
    for position, (message, key) in enumerate(zip(messages, keys, strict=True)):
        if message.native_id is not None and message.native_id in by_native:
            same = by_native[message.native_id]
            if same.id not in taken:
                taken.add(same.id)
                matches.append(Match(position, same.id, _by_native_id(message, key[2], same)))
                continue
        found = by_key.get(key)
        if found is not None and found.id not in taken and (found.native_id is None or message.native_id is None):
            taken.add(found.id)
            matches.append(Match(position, found.id, Change.UNCHANGED))
        else:
            leftovers.append(position)
    return _align_leftovers(messages, keys, archived, matches, leftovers, taken)


def _align_leftovers(
    messages: Sequence[Message],
    keys: list[Key],
    archived: Sequence[ArchivedRef],
    matches: list[Match],
    leftovers: list[int],
    taken: set[int],
) -> Reconciliation:
    """Step 3: what the keys did not match is aligned per (sender, minute) bucket."""
    new: list[int] = []
    if leftovers:
        buckets: dict[tuple[str, int], list[ArchivedRef]] = defaultdict(list)
        for ref in archived:
            if ref.id not in taken:
                buckets[(ref.sender, ref.minute)].append(ref)
        for refs in buckets.values():
            refs.sort(key=lambda r: (r.occurrence, r.id))
        for position in leftovers:
            message, key = messages[position], keys[position]
            change = None
            for ref in buckets.get((key[0], key[1]), ()):
                if ref.id in taken:
                    continue
                change = _pair(message, key[2], ref)
                if change is not None:
                    taken.add(ref.id)
                    matches.append(Match(position, ref.id, change))
                    break
            if change is None:
                new.append(position)
    unmatched = [a.id for a in archived if a.id not in taken]
    return Reconciliation(keys=keys, matches=matches, new=new, unmatched=unmatched)
