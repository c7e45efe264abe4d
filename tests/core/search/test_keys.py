from __future__ import annotations

from chatarchief.core.search.keys import SLOTS, assign_keys, key_range, sent_at_ms, time_key


def test_keys_sort_by_time_then_slot():
    assert time_key(1000, 5) < time_key(1000, 6) < time_key(1001, 0)
    assert time_key(-5, 3) < time_key(0, 0)
    assert sent_at_ms(time_key(1_700_000_000_000, 123)) == 1_700_000_000_000


def test_clashing_slots_move_on():
    taken = {time_key(1000, 5)}
    keys = assign_keys([(1000, 5), (1000, 5 + SLOTS), (1000, 6)], taken)
    assert len(set(keys)) == 3
    assert keys[0] == time_key(1000, 5, 1)
    assert all(sent_at_ms(k) == 1000 for k in keys)


def test_key_range_is_inclusive_and_may_be_open():
    low, high = key_range(1000, 2000)
    assert low <= time_key(1000, 0) and time_key(2000, SLOTS - 1) <= high
    assert time_key(999, SLOTS - 1) < low and high < time_key(2001, 0)
    low, high = key_range(None, None)
    assert low < time_key(-(10**12), 0) and time_key(4 * 10**12, 7) < high
