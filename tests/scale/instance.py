"""A chatarchief installation of its own for tests that run real processes (workers killed with
SIGKILL, workers racing each other): its own data directory and database (an SQLite file, or a
PostgreSQL database beside the test database when the suite runs on PostgreSQL), driven through the
`chatarchief` command and inspected with plain SQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

CLI = [sys.executable, "-m", "chatarchief.cli"]


class Instance:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CHATARCHIEF_", "DATABASE_URL", "DJANGO_"))
        }
        self.env |= {"CHATARCHIEF_DATA_DIR": str(root / "data"), "CHATARCHIEF_ACTOR": "test", "PYTHONUNBUFFERED": "1"}
        db = settings.DATABASES["default"]
        self.postgres = db["ENGINE"].endswith("postgresql")
        if self.postgres:
            self.dsn = {k: db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
            # one database per pytest process (xdist's worker id: gw0, gw1, …), so that two workers'
            # instances never drop each other's
            base = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1] or "chatarchief"
            self.name = f"{base}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_proc"[-60:]
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"', f'CREATE DATABASE "{self.name}"')
            user = db.get("USER") or "postgres"
            self.env["DATABASE_URL"] = (
                f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{self.name}"
            )
        else:
            self.path = root / "data" / "db.sqlite3"
        self.cli("migrate")

    def _connect(self, dbname: str) -> Any:
        import psycopg

        return psycopg.connect(
            host=self.dsn.get("HOST"),
            port=self.dsn.get("PORT"),
            user=self.dsn.get("USER"),
            password=self.dsn.get("PASSWORD"),
            dbname=dbname,
            autocommit=True,
        )

    def _admin(self, *statements: str) -> None:
        with self._connect("postgres") as conn:
            for statement in statements:
                conn.execute(statement)

    def drop(self) -> None:
        if self.postgres:
            self._admin(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'",
                f'DROP DATABASE IF EXISTS "{self.name}"',
            )

    def cli(self, *args: str, fault: str = "", check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        env = self.env | ({"CHATARCHIEF_FAULT": fault} if fault else {})
        done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"chatarchief {' '.join(args)} exited {done.returncode}: {done.stderr[-3000:]}")
        return done

    def start(self, *args: str, fault: str = "") -> subprocess.Popen:
        env = self.env | ({"CHATARCHIEF_FAULT": fault} if fault else {})
        return subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sql(self, query: str, *params: Any) -> list[tuple]:
        if self.postgres:
            with self._connect(self.name) as conn:
                return conn.execute(query.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.path) as conn:
            return conn.execute(query, params).fetchall()

    def messages(self, slug: str) -> int:
        return self.sql(
            "SELECT COUNT(*) FROM archive_message m JOIN archive_conversation c ON c.id = m.conversation_id"
            " JOIN archive_custodian u ON u.id = c.custodian_id WHERE u.slug = ?",
            slug,
        )[0][0]

    def deliveries(self, slug: str) -> list[tuple]:
        """(id, status, attempts, sha256) of the custodian's deliveries, oldest first."""
        return self.sql(
            "SELECT d.id, d.status, d.attempts, d.sha256 FROM archive_delivery d"
            " JOIN archive_custodian u ON u.id = d.custodian_id WHERE u.slug = ? ORDER BY d.id",
            slug,
        )

    def blob_kept(self, sha256: str) -> bool:
        """The blob's row exists and its stored file is in the store (checked by the CLI's store)."""
        return bool(self.sql("SELECT COUNT(*) FROM archive_blob WHERE sha256 = ?", sha256)[0][0])

    def add_custodian(self, slug: str) -> None:
        self.cli("custodian", "add", slug, "--name", f"Functionaris {slug}")
