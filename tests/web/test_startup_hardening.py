"""Start-up hardening, run in a subprocess as an operator would start the app: production refuses weak
secret keys, and the data directory and the embedded database are private to the service user."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from chatarchief.web.hardening import DEV_SECRET_KEY
from tests.paths import REPO_ROOT


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATARCHIEF_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        CHATARCHIEF_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="chatarchief.web.settings",
        PYTHONPATH=str(REPO_ROOT / "src"),
    )
    env.update(extra)
    return env


def _production(tmp_path: Path, secret_key: str | None) -> dict[str, str]:
    env = _env(
        tmp_path,
        CHATARCHIEF_ENV="production",
        CHATARCHIEF_ALLOWED_HOSTS="archief.example.nl",
        CHATARCHIEF_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
    )
    if secret_key is not None:
        env["DJANGO_SECRET_KEY"] = secret_key
    return env


def _start(env: dict[str, str], code: str = "import django; django.setup()") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import os; os.umask(0o022); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "is empty or not set"),
        ("", "is empty or not set"),
        ("   ", "is empty or not set"),
        (DEV_SECRET_KEY, "is the public development key"),
        ("k3Y-" + "a1b2c3" * 7, "is 46 characters long; at least 50 are required"),
        ("ab" * 40, "fewer than 5 different characters"),
        ("django-insecure-" + secrets.token_urlsafe(50), "django-insecure-"),
    ],
    ids=["unset", "empty", "blank", "development", "short", "repetitive", "django-insecure"],
)
def test_production_refuses_a_weak_secret_key(tmp_path: Path, key: str | None, reason: str) -> None:
    result = _start(_production(tmp_path, key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr, result.stderr
    assert reason in result.stderr, result.stderr
    assert "CHATARCHIEF_ENV=production" in result.stderr and "willekeurige sleutel" in result.stderr
    if key and key.strip():
        assert key not in result.stderr  # the refused key itself is never echoed


def test_production_starts_with_a_strong_secret_key(tmp_path: Path) -> None:
    result = _start(
        _production(tmp_path, secrets.token_urlsafe(64)),
        "import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))",
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 50


def test_development_keeps_its_default_key(tmp_path: Path) -> None:
    result = _start(
        _env(tmp_path), "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DEV_SECRET_KEY


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_the_data_directory_and_embedded_database_are_private(tmp_path: Path) -> None:
    """Under an ordinary umask (022) a fresh data directory is 0700 and db.sqlite3, -wal and -shm 0600."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('CREATE TABLE t (x)'); cursor.execute('INSERT INTO t VALUES (1)'); "
        "import pathlib, stat; from django.conf import settings; "
        "print(*sorted(f'{p.name}={oct(stat.S_IMODE(p.stat().st_mode))}' for p in pathlib.Path(settings.DATA_DIR).iterdir()))"
    )
    result = _start(_env(tmp_path), code)
    assert result.returncode == 0, result.stderr
    modes = dict(item.split("=") for item in result.stdout.split())
    assert {name: modes.get(name) for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm")} == {
        "db.sqlite3": "0o600",
        "db.sqlite3-wal": "0o600",
        "db.sqlite3-shm": "0o600",
    }
    assert _mode(tmp_path / "data") == "0o700"


def test_an_existing_open_data_directory_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "db.sqlite3").write_bytes(b"")
    (data / "db.sqlite3").chmod(0o644)
    (data / "db.sqlite3-wal").write_bytes(b"")
    (data / "db.sqlite3-wal").chmod(0o644)
    result = _start(_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert _mode(data) == "0o700"
    assert _mode(data / "db.sqlite3") == "0o600" and _mode(data / "db.sqlite3-wal") == "0o600"
