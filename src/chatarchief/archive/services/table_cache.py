"""The `calendars` cache in a table of the archive's database (when there is no Redis): Django's
database cache, written with one upsert and culled now and then instead of on every write.

Django's `DatabaseCache` counts every row of its table (`SELECT COUNT(*)`) before each write, to
decide whether to cull, and writes in a transaction of its own. The calendars cache holds a few keys
per conversation and a count key per delivery (up to MAX_ENTRIES), and every ingest writes three:
that count grows with the archive, so the per-export time would too. Here a write is one statement
(`INSERT … ON CONFLICT (cache_key) DO UPDATE`, PostgreSQL and SQLite alike), and `cull` (expired
rows, then the soonest to expire beyond MAX_ENTRIES) runs from the workers' housekeeping and after
every CULL_EVERY writes of a process. Reads, deletes and the table itself (`createcachetable`,
archive migration 0006) are Django's.
"""

from __future__ import annotations

import base64
import datetime as dt
import pickle
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

CULL_EVERY = 1000  # writes of one process between two culls


class TableCache(DatabaseCache):
    _writes = 0

    def _written(self) -> tuple[Any, str]:
        """The connection the cache writes through, and its table's quoted name."""
        connection = connections[router.db_for_write(self.cache_model_class)]
        return connection, connection.ops.quote_name(self._table)

    def _base_set(self, mode: str, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> bool:
        if mode != "set":  # add and touch: rare here, Django's own path
            return bool(super()._base_set(mode, key, value, timeout))
        timeout = self.get_backend_timeout(timeout)
        zone = dt.UTC if settings.USE_TZ else None
        expires = dt.datetime.max if timeout is None else dt.datetime.fromtimestamp(timeout, tz=zone)
        connection, table = self._written()
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s)"  # noqa: S608
                " ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                [key, encoded, connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))],
            )
        TableCache._writes += 1
        if TableCache._writes % CULL_EVERY == 0:
            self.cull()
        return True

    def cull(self) -> int:
        """Remove the expired rows, then, beyond MAX_ENTRIES, those that expire first. Returns how
        many rows went."""
        connection, table = self._written()
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608
            removed = max(cursor.rowcount, 0)
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            over = int(cursor.fetchone()[0]) - self._max_entries
            if over > 0:
                cursor.execute(
                    f"DELETE FROM {table} WHERE cache_key IN"  # noqa: S608
                    f" (SELECT cache_key FROM {table} ORDER BY expires, cache_key LIMIT %s)",
                    [over],
                )
                removed += max(cursor.rowcount, 0)
        return removed
