"""Database triggers that refuse UPDATE and DELETE on the audit table (events are written once).

Installed by migration audit 0002 on SQLite and PostgreSQL. Whoever holds the database's owner
credentials can drop them (an attacker with that access, or a test flushing its database): the
hash chain and the signed anchor log (audit.anchor) then still find the change.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP; END $$",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
]
POSTGRES_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}"]


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(connection.vendor, []):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def install(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL})


def remove(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE})
