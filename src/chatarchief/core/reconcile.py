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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import compress, repeat
from operator import attrgetter, is_not, not_
from typing import NamedTuple, Protocol

from chatarchief.core.identity import TOMBSTONE, Keys, is_placeholder, match_key, occurrence_keys
from chatarchief.core.model import Kind, Message, kept_objects


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


class Archive(Protocol):
    """What reconciliation asks of the archive for one conversation (the loader reads it from the
    database, tests give a list). `keyed` is the cheap question every ingest asks; `refs` the
    fuller one, asked only for what the keys leave open."""

    def keyed(self) -> dict[str, int]:
        """Match key (`identity.match_key`) -> archived id, for every archived message."""
        ...

    def has_native_ids(self) -> bool: ...

    def refs(self, ids: Collection[int] | None = None) -> list[ArchivedRef]:
        """The archived messages with these ids (None: all), in id order."""
        ...


class ArchivedRefs:
    """An `Archive` over a list of refs in memory."""

    def __init__(self, refs: Sequence[ArchivedRef]) -> None:
        self._refs = sorted(refs, key=attrgetter("id"))

    def keyed(self) -> dict[str, int]:
        return {match_key(r.sender, r.minute, r.digest, r.occurrence): r.id for r in self._refs}

    def has_native_ids(self) -> bool:
        return any(r.native_id for r in self._refs)

    def refs(self, ids: Collection[int] | None = None) -> list[ArchivedRef]:
        return list(self._refs) if ids is None else [r for r in self._refs if r.id in ids]


@dataclass(slots=True)
class Reconciliation:
    """The outcome. Exact matches (seen again unchanged) are two parallel columns; `aligned` holds
    the rest of the matches, each with its change."""

    keys: Keys  # the identity key of every exported message, by position
    exact_positions: list[int]
    exact_ids: list[int]
    aligned: list[Match]
    new: list[int]  # positions of messages the archive does not have yet
    unmatched: list[ArchivedRef]  # archived messages this export did not show

    @property
    def matches(self) -> list[Match]:
        exact = map(Match, self.exact_positions, self.exact_ids, repeat(Change.UNCHANGED))
        return sorted([*exact, *self.aligned], key=attrgetter("index"))


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


def reconcile(messages: Sequence[Message], archived: Archive | Sequence[ArchivedRef]) -> Reconciliation:
    archive: Archive = ArchivedRefs(archived) if isinstance(archived, Sequence) else archived
    keys = occurrence_keys(messages)
    if not archive.has_native_ids() and not _with_native_ids(messages):
        return _by_keys(messages, keys, archive)
    return _by_native_ids(messages, keys, archive.refs())


def _with_native_ids(messages: Sequence[Message]) -> bool:
    return any(m.native_id is not None for m in kept_objects(messages))


def _by_keys(messages: Sequence[Message], keys: Keys, archive: Archive) -> Reconciliation:
    """Sources without ids: one dictionary lookup per message, in C-level maps. Keys are unique
    within an export and within the archive, so no archived message can be taken twice."""
    keyed = archive.keyed()
    found = list(map(keyed.get, keys.match))
    keys.match = []  # done with: a million match strings are 90 MB
    hit = list(map(is_not, found, repeat(None)))
    positions = list(compress(range(len(keys)), hit))
    ids: list[int] = list(compress(found, hit))  # type: ignore[arg-type]
    leftovers = list(compress(range(len(keys)), map(not_, hit)))
    rest = set(keyed.values()).difference(ids) if len(ids) < len(keyed) else set()
    refs = archive.refs(rest) if rest else []
    aligned, new, unmatched = _align_leftovers(messages, keys, refs, leftovers)
    return Reconciliation(keys, positions, ids, aligned, new, unmatched)


def _by_native_ids(messages: Sequence[Message], keys: Keys, archived: list[ArchivedRef]) -> Reconciliation:
    by_native = {a.native_id: a for a in archived if a.native_id}
    by_key = {(a.sender, a.minute, a.digest, a.occurrence): a for a in archived}
    taken: set[int] = set()
    aligned: list[Match] = []
    leftovers = []
    for position, message in enumerate(messages):
        key = keys[position]
        if message.native_id is not None and message.native_id in by_native:
            same = by_native[message.native_id]
            if same.id not in taken:
                taken.add(same.id)
                aligned.append(Match(position, same.id, _by_native_id(message, key[2], same)))
                continue
        found = by_key.get(key)
        if found is not None and found.id not in taken and (found.native_id is None or message.native_id is None):
            taken.add(found.id)
            aligned.append(Match(position, found.id, Change.UNCHANGED))
        else:
            leftovers.append(position)
    rest = [ref for ref in archived if ref.id not in taken]
    more, new, unmatched = _align_leftovers(messages, keys, rest, leftovers)
    return Reconciliation(keys, [], [], aligned + more, new, unmatched)


def _align_leftovers(
    messages: Sequence[Message], keys: Keys, refs: list[ArchivedRef], leftovers: list[int]
) -> tuple[list[Match], list[int], list[ArchivedRef]]:
    """Step 3: what the keys did not match is aligned with the untaken `refs` per (sender, minute)
    bucket. Returns the aligned matches, the new positions and the refs left unmatched."""
    aligned: list[Match] = []
    new: list[int] = []
    taken: set[int] = set()
    if leftovers and refs:
        buckets: dict[tuple[str, int], list[ArchivedRef]] = defaultdict(list)
        for ref in refs:
            buckets[(ref.sender, ref.minute)].append(ref)
        for bucket in buckets.values():
            bucket.sort(key=lambda r: (r.occurrence, r.id))
        for position in leftovers:
            message = messages[position]
            change = None
            for ref in buckets.get((keys.senders[position], keys.minute(position)), ()):
                if ref.id in taken:
                    continue
                change = _pair(message, keys.digests[position], ref)
                if change is not None:
                    taken.add(ref.id)
                    aligned.append(Match(position, ref.id, change))
                    break
            if change is None:
                new.append(position)
    else:
        new = leftovers
    unmatched = [ref for ref in refs if ref.id not in taken]
    return aligned, new, unmatched
