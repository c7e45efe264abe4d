"""Replaying a backup's SQL statements into a private, locked-down SQLite database.

A `.backup` is Signal's database as a list of `CREATE TABLE` and `INSERT` statements. The statements
come from the (untrusted) file, so the replay connection only allows creating tables and inserting rows:
no ATTACH, PRAGMA, SELECT or triggers, no functions beyond a few harmless ones, and bounded value
sizes. Triggers, views, virtual (full-text) tables and indexes are skipped: the reader needs none of
them and they would only slow the load down. A statement SQLite refuses becomes a defect (in strict
mode: the error).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from chatarchief.core.formats.defects import DefectSink

MAX_VALUE = 64 * 1024 * 1024
_BATCH = 500
_ALLOWED_FUNCTIONS = frozenset(
    {"strftime", "datetime", "date", "time", "julianday", "unixepoch", "coalesce", "ifnull", "lower", "upper", "abs"}
)
_ALLOWED_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_INDEX,  # the implicit index of a UNIQUE column
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_UPDATE,  # SQLite updates sqlite_master / sqlite_sequence itself
        sqlite3.SQLITE_SAVEPOINT,
    }
)
_SKIP = re.compile(
    r"\s*create\s+(?:(?:temp|temporary)\s+)?(?:table\s+(?:if\s+not\s+exists\s+)?[\"'`\[]?sqlite_"
    r"|virtual\s+table|(?:unique\s+)?index|trigger|view)",
    re.IGNORECASE,
)
_REPLAYED = re.compile(r"\s*(?:create\s+table|insert)\b", re.IGNORECASE)
_VIRTUAL_NAME = re.compile(r"\s*create\s+virtual\s+table\s+(?:if\s+not\s+exists\s+)?[\"'`\[]?(\w+)", re.IGNORECASE)


def _authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _ALLOWED_FUNCTIONS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


class ReplayDatabase:
    """The backup's tables, rebuilt from its statements in a file under `workdir`."""

    def __init__(self, workdir: str, defects: DefectSink) -> None:
        self.path = os.path.join(workdir, "signal-backup.sqlite")
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=OFF")
        self.connection.execute("PRAGMA synchronous=OFF")
        self.connection.execute("PRAGMA temp_store=FILE")
        self.connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE)
        self.connection.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1_000_000)
        self.connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        self.connection.execute("BEGIN")
        self.connection.set_authorizer(_authorize)
        self.defects = defects
        self.skipped = 0
        self._virtual: set[str] = set()
        self._sql: str | None = None
        self._rows: list[Sequence[Any]] = []
        self._frame = 0

    def statement(self, sql: str, params: Sequence[Any], frame: int) -> None:
        """Queue one statement; consecutive statements with the same text run as one batch."""
        if sql != self._sql or len(self._rows) >= _BATCH:
            self.flush()
            if _SKIP.match(sql) or not _REPLAYED.match(sql):
                self._skip(sql)
                return
            self._sql = sql
            self._frame = frame
        self._rows.append(params)

    def flush(self) -> None:
        """Run the queued batch (falling back to row by row if one row fails)."""
        sql, rows = self._sql, self._rows
        if sql is None or not rows:
            return
        self._rows = []
        if len(rows) == 1:
            self._execute(sql, rows[0], self._frame)
            return
        try:
            self.connection.execute("SAVEPOINT batch")
            self.connection.executemany(sql, rows)
            self.connection.execute("RELEASE batch")
        except sqlite3.Error:
            self.connection.execute("ROLLBACK TO batch")
            self.connection.execute("RELEASE batch")
            for offset, row in enumerate(rows):
                self._execute(sql, row, self._frame + offset)

    def finish(self) -> sqlite3.Connection:
        """Commit and hand back a connection for reading (the authorizer is lifted)."""
        self.flush()
        self._sql = None
        self.connection.set_authorizer(None)
        self.connection.execute("COMMIT")
        return self.connection

    def close(self) -> None:
        """Close and remove the database file: the Export holds everything the caller needs."""
        self.connection.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def _execute(self, sql: str, params: Sequence[Any], frame: int) -> None:
        try:
            self.connection.execute(sql, params)
        except (sqlite3.Error, OverflowError, ValueError) as error:
            if self._is_virtual_table_row(sql):
                return
            self.defects.add(
                "signal.sql_statement_failed",
                frame,
                sql[:300],
                f"SQLite: {str(error)[:200]}",
                nl=f"Een databaseopdracht uit de back-up (blok {frame}) kon niet worden uitgevoerd.",
                en=f"A database statement from the backup (frame {frame}) could not be executed.",
            )

    def _skip(self, sql: str) -> None:
        self.skipped += 1
        match = _VIRTUAL_NAME.match(sql)
        if match:
            self._virtual.add(match.group(1).lower())

    def _is_virtual_table_row(self, sql: str) -> bool:
        head = sql[:200].lower()
        return any(name in head for name in self._virtual)
