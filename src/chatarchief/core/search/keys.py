"""Time keys: the search index's row key, ordered by the time a message was sent.

A key is ``sent_at_ms * 2**21 + slot`` where the slot separates messages sent in the same
millisecond (the message id modulo 2**21, moved on to the next free slot on a clash). Both backends
sort hits by this key (newest first) and turn a date range into a key range, so "sorted by time"
and "from/to" need no look-up outside the index. Times from 1831 to 2109 fit a signed 64-bit key.
"""

from __future__ import annotations

SLOT_BITS = 21
SLOTS = 1 << SLOT_BITS
_LIMIT_MS = (1 << (63 - SLOT_BITS)) - 1  # keeps every key inside a signed 64-bit integer


def clamp_ms(ms: int) -> int:
    return max(-_LIMIT_MS, min(_LIMIT_MS, ms))


def time_key(sent_at_ms: int, message_id: int, probe: int = 0) -> int:
    """The key of a message; `probe` > 0 gives the next slots when the first is taken."""
    return clamp_ms(sent_at_ms) * SLOTS + (message_id + probe) % SLOTS


def key_range(from_ms: int | None, to_ms: int | None) -> tuple[int, int]:
    """The keys of messages sent from `from_ms` up to and including `to_ms` (either open)."""
    low = clamp_ms(from_ms) * SLOTS if from_ms is not None else -_LIMIT_MS * SLOTS
    high = clamp_ms(to_ms) * SLOTS + SLOTS - 1 if to_ms is not None else _LIMIT_MS * SLOTS + SLOTS - 1
    return low, high


def sent_at_ms(key: int) -> int:
    return key >> SLOT_BITS


def assign_keys(candidates: list[tuple[int, int]], taken: set[int]) -> list[int]:
    """Keys for (sent_at_ms, message_id) pairs, none in `taken` nor twice (`taken` is extended)."""
    keys = []
    for ms, message_id in candidates:
        probe = 0
        key = time_key(ms, message_id)
        while key in taken:
            probe += 1
            if probe >= SLOTS:
                raise OverflowError(f"more than {SLOTS} messages in one millisecond")
            key = time_key(ms, message_id, probe)
        taken.add(key)
        keys.append(key)
    return keys
