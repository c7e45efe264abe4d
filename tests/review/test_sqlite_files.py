"""Acceptance (issue 16) on the raw SQLite files: the whole scenario through the `chatarchief`
command on an embedded database; afterwards neither the database file nor its -wal or -shm holds a
byte of the excluded texts (secure_delete + WAL checkpoint), and no command logged them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.review import scenario

MARKERS = [m.encode() for m in scenario.TEXT_MARKERS] + list(scenario.MEDIA_MARKERS)


def _run(env: dict[str, str], *args: str, log: list[bytes]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "chatarchief.cli", *args], env=env, capture_output=True, timeout=300, check=False
    )
    log += [done.stdout, done.stderr]
    assert done.returncode == 0, (args, done.stderr.decode()[-2000:])
    return done.stdout.decode()


def _assert_clean(data: Path) -> None:
    files = sorted(p for p in data.iterdir() if p.name.startswith("db.sqlite3"))
    assert files and files[0].name == "db.sqlite3"
    for path in files:
        raw = path.read_bytes()
        assert not [m for m in MARKERS if m in raw], f"excluded bytes in {path.name}"


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the raw-file check is for the embedded SQLite database"
)
def test_no_excluded_byte_in_the_sqlite_files_or_the_logs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CHATARCHIEF_", "DJANGO_"))}
    env |= {"CHATARCHIEF_DATA_DIR": str(data), "CHATARCHIEF_LOG_LEVEL": "DEBUG", "CHATARCHIEF_LANG": "en"}
    log: list[bytes] = []
    password = tmp_path / "password"
    password.write_text("een-lang-en-sterk-wachtwoord-2026", encoding="utf-8")
    _run(env, "migrate", log=log)
    _run(env, "organisation", "add", "BZK", "--name", "Binnenlandse Zaken", log=log)
    _run(env, "custodian", "add", "eva", "--name", scenario.SELF, "--organisation", "BZK", log=log)
    for name in ("anna", "bram"):
        _run(
            env,
            "user",
            "add",
            name,
            "--password-file",
            str(password),
            "--role",
            "reviewer",
            "--organisation",
            "BZK",
            log=log,
        )
    _run(
        env,
        "contacts",
        "import",
        str(scenario.write_contacts(tmp_path / "contacts.csv")),
        "--custodian",
        "eva",
        log=log,
    )
    for path in scenario.write_month(tmp_path / "m1", 1).values():
        _run(env, "ingest", str(path), "--custodian", "eva", "--json", log=log)
    labels = json.loads(_run(env, "classify", "--custodian", "eva", "--json", log=log))
    spouse = next(c["conversation_id"] for c in labels["conversations"] if c["label"] == "private")
    wish = labels["messages"][0]["message_id"]
    decided = []
    for target in (["--conversation", str(spouse)], ["--message", str(wish), "--message", str(wish + 1)]):
        out = _run(
            env,
            "review",
            "decide",
            *target,
            "--label",
            "private",
            "--by",
            "anna",
            "--reason",
            "privé",
            "--json",
            log=log,
        )
        decided.append(json.loads(out)["decision_id"])
    for decision in decided:
        _run(env, "review", "confirm", str(decision), "--by", "bram", "--json", log=log)
    _assert_clean(data)  # right after the exclusion (later writes could hide what a deletion left)
    receipts = [
        json.loads(_run(env, "ingest", str(p), "--custodian", "eva", "--json", log=log))["deliveries"][0]
        for p in scenario.write_month(tmp_path / "m2", 2).values()
    ]
    assert sorted(r["counts"].get("excluded", 0) for r in receipts) == [0, 2, 5]
    listed = _run(env, "messages", "--custodian", "eva", log=log)
    assert scenario.BUSINESS in listed

    _assert_clean(data)
    everything = b"".join(log)
    assert not [m for m in MARKERS if m in everything], "excluded text in the commands' output or logs"
    assert b"PRIVEWENS" not in b"".join(
        p.read_bytes() for p in data.rglob("*") if p.is_file() and "blobs" not in p.parts
    )
