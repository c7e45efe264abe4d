"""Backup and restore (issue 19): an instance with an archive is backed up (database, blob store, keys,
anchor log), restored into an empty instance, and there `verify` and `audit verify` pass; a backup
changed after it was made is refused. Runs the real command in separate processes, each with its own
data directory (and on PostgreSQL its own database), on SQLite and, when DATABASE_URL names a
PostgreSQL server, on PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.review import scenario

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if SERVER.startswith("postgres") else [])


def _psql(sql: str) -> None:
    base = SERVER.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", base, "-q", "-c", sql], check=True, capture_output=True)


def _instance(tmp_path: Path, name: str, backend: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATARCHIEF_", "DATABASE_URL", "DJANGO_"))}
    env.update(CHATARCHIEF_DATA_DIR=str(tmp_path / name), CHATARCHIEF_LANG="en", PYTHONPATH=str(ROOT / "src"))
    if backend == "postgresql":
        database = f"chatarchief_wpres_{name}_{os.getpid()}"
        _psql(f"DROP DATABASE IF EXISTS {database}")
        _psql(f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + f"/{database}"
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatarchief.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def _ok(env: dict[str, str], *args: str) -> str:
    done = _cli(env, *args)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_restores_into_an_empty_instance_where_verify_and_audit_verify_pass(tmp_path, backend):
    source = _instance(tmp_path, "source", backend)
    _ok(source, "migrate")
    _ok(source, "organisation", "add", "BZK", "--name", "Binnenlandse Zaken")
    _ok(source, "custodian", "add", "eva", "--name", scenario.SELF, "--organisation", "BZK")
    exports = scenario.write_month(tmp_path / "exports", 1)
    _ok(source, "ingest", *map(str, exports.values()), "--custodian", "eva")
    _ok(source, "hold", "add", "--custodian", "eva", "--reason", "Woo-verzoek")
    checked = json.loads(_ok(source, "verify", "--json"))["checked"]
    assert checked >= 4
    made = json.loads(_ok(source, "backup", "--out", str(tmp_path / "backup"), "--json"))
    assert made["database"] == backend
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert {"keys/master.key", "keys/audit-anchor.key", "audit-anchor.log"} <= set(manifest["files"])

    target = _instance(tmp_path, "target", backend)
    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "backup", damaged)
    blob = next(p for p in (damaged / "blobs").rglob("*") if p.is_file())
    os.chmod(blob, 0o640)
    blob.write_bytes(blob.read_bytes()[:-1] + bytes([blob.read_bytes()[-1] ^ 1]))
    refused = _cli(target, "restore", str(damaged))
    assert refused.returncode == 2 and "missing or changed since the backup" in refused.stderr

    _ok(target, "restore", str(tmp_path / "backup"))
    assert json.loads(_ok(target, "verify", "--json")) == {"checked": checked, "failures": []}
    assert "audit log intact" in _ok(target, "audit", "verify")
    holds = json.loads(_ok(target, "hold", "list", "--json"))
    assert [h["reason"] for h in holds] == ["Woo-verzoek"]
    assert _cli(target, "restore", str(tmp_path / "backup")).returncode == 2  # no longer empty
    if backend == "postgresql":
        for env in (source, target):
            _psql(f"DROP DATABASE IF EXISTS {env['DATABASE_URL'].rsplit('/', 1)[1]} WITH (FORCE)")
