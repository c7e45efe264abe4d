"""The calendars' table cache (archive.services.table_cache): Django's database cache, but a write is
one upsert (no COUNT of the whole table, which grows with the archive) and culling is separate."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chatarchief.archive.services.table_cache import TableCache

pytestmark = pytest.mark.django_db


def _store(max_entries: int = 200_000) -> TableCache:
    return TableCache("chatarchief_calendar_cache", {"OPTIONS": {"MAX_ENTRIES": max_entries}})


def test_the_calendars_cache_is_the_table_store_when_there_is_no_redis():
    assert isinstance(caches["calendars"], TableCache)


def test_a_write_is_one_statement_and_reads_back_what_was_written():
    store = _store()
    store.clear()
    with CaptureQueriesContext(connection) as queries:
        store.set("calendar-1", ([(739000, 1, 2)], 3), None)
        store.set("calendar-1", ([(739001, 4, 5)], 9), None)  # overwritten in place
    assert len(queries.captured_queries) == 2
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    store.set_many({"count-1": 7, "count-2": 8}, 60)
    assert store.get("calendar-1") == ([(739001, 4, 5)], 9)
    assert store.get_many(["count-1", "count-2", "absent"]) == {"count-1": 7, "count-2": 8}
    store.delete("count-1")
    assert store.get("count-1") is None and store.get("count-2") == 8
    assert store.add("count-2", 99) is False and store.get("count-2") == 8  # add: Django's own path


def test_cull_removes_the_expired_then_the_soonest_to_expire_beyond_the_limit():
    store = _store(max_entries=3)
    store.clear()
    store.set("gone", 1, 0)  # timeout 0: expired at once (Django's meaning)
    for n in range(5):
        store.set(f"kept-{n}", n, 1000 + n)  # kept-0 expires first
    store.set("forever", "x", None)
    assert store.cull() == 4  # "gone", then three beyond the limit of 3: kept-0, kept-1, kept-2
    assert store.get_many(["gone", "kept-0", "kept-1", "kept-2", "kept-3", "kept-4", "forever"]) == {
        "kept-3": 3,
        "kept-4": 4,
        "forever": "x",
    }
    assert store.cull() == 0


@pytest.mark.django_db(transaction=True)
def test_the_workers_housekeeping_culls_the_calendars_cache():
    from chatarchief.intake.worker import housekeeping

    caches["calendars"].set("stale-count", 1, 0)
    housekeeping()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM chatarchief_calendar_cache WHERE cache_key LIKE %s", ["%stale-count"])
        assert cursor.fetchone()[0] == 0
