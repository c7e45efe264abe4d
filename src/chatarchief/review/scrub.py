"""Leave nothing of excluded content in the database's deleted space.

- SQLite: `PRAGMA secure_delete = ON` while the exclusion deletes (freed cells and pages are
  overwritten with zeros), then, after the commit, `PRAGMA wal_checkpoint(TRUNCATE)`: the WAL held
  the pages as they were until the checkpoint copies them back and empties it. With
  CHATARCHIEF_EXCLUSION_VACUUM=1 a `VACUUM` follows (rewrites the whole file; costly on a big archive).
- PostgreSQL: after the commit, `VACUUM FULL` of every table the exclusion deleted from (a plain
  VACUUM marks the space free but leaves the old bytes in the pages; FULL rewrites the table, its
  TOAST table and indexes into new files). It takes an exclusive lock on each table while it runs.
  WAL segments keep the old rows until they are recycled (and in any WAL archive): an operational
  matter for the installation (see docs/review.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator

from django.db import connection

from chatarchief.search import services as search

logger = logging.getLogger(__name__)

# Tables an exclusion deletes from or rewrites.
TABLES = (
    "archive_message",
    "archive_messageversion",
    "archive_attachment",
    "archive_absence",
    "archive_participant",
    "archive_coverage",
    "archive_conversation",
    "archive_delivery",
    "archive_blob",
    "compliance_finding",
    "review_suggestionmodelstore",
)


@contextlib.contextmanager
def secure_delete() -> Iterator[None]:
    """SQLite's secure_delete on for the block (a no-op elsewhere). Set outside the transaction."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        former = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA secure_delete = 1")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA secure_delete = {former}")


def after_exclusion(tables: Iterable[str] = TABLES) -> bool:
    """After the exclusion committed: scrub the search index and the database's freed space.
    Returns False (and does nothing) inside a transaction, where neither can run."""
    if connection.in_atomic_block:
        logger.warning("exclusion scrub skipped: inside a transaction")
        return False
    search.scrub_freed_space()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if os.environ.get("CHATARCHIEF_EXCLUSION_VACUUM", "0") == "1":
                cursor.execute("VACUUM")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM (FULL, ANALYZE) {connection.ops.quote_name(table)}")
    return True
