"""Start-up hardening that the settings apply before anything else runs (no Django app loaded yet).

- `refuse_unsafe_production_settings`: with `CHATARCHIEF_ENV=production` the process refuses to start
  with the public development `DJANGO_SECRET_KEY`, an empty one, one shorter than 50 characters (or
  with fewer than 5 different characters, or Django's `django-insecure-` placeholder), or with debug
  pages on. A secret key signs sessions, CSRF tokens and password-reset links: a known key lets anyone
  forge a logged-in session.
- `parse_trusted_proxies`: `CHATARCHIEF_TRUSTED_PROXIES` checked at start-up (a typo would otherwise
  silently key every lock-out on the proxy's address, or trust a forged header).
- `make_private_dir` / `make_private_file`: the data directory is 0700 and the embedded database
  0600. SQLite gives the `-wal` and `-shm` files it creates beside a database the database's own
  mode, so creating `db.sqlite3` as 0600 before the first connection keeps those private too.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEV_SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32  # noqa: S105 (the published development default)
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def secret_key_problem(key: str) -> str | None:
    """Why `key` may not sign production sessions, or None when it may."""
    if not key.strip():
        return "is empty or not set"
    if key == DEV_SECRET_KEY:
        return "is the public development key"
    if key.startswith("django-insecure-"):
        return "is a Django development placeholder (django-insecure-…)"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is {len(key)} characters long; at least {MIN_SECRET_KEY_LENGTH} are required"
    if len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return f"has fewer than {MIN_SECRET_KEY_CHARACTERS} different characters"
    return None


def refuse_unsafe_production_settings(secret_key: str, debug: bool) -> None:
    """Stop the process with a clear message (Dutch and English) instead of running insecurely."""
    if debug:
        raise ImproperlyConfigured(
            "CHATARCHIEF_DEBUG=1 is refused with CHATARCHIEF_ENV=production (no debug pages). / "
            "CHATARCHIEF_DEBUG=1 wordt geweigerd met CHATARCHIEF_ENV=production (geen debugpagina's)."
        )
    problem = secret_key_problem(secret_key)
    if problem is not None:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY {problem}: refused with CHATARCHIEF_ENV=production. Set a random key of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'. / "
            f"DJANGO_SECRET_KEY wordt geweigerd met CHATARCHIEF_ENV=production: stel een willekeurige sleutel in "
            f"van minstens {MIN_SECRET_KEY_LENGTH} tekens."
        )


def _owned(path: Path) -> bool:
    return path.stat().st_uid == os.geteuid()


def make_private_dir(path: Path) -> None:
    """Create `path` (and missing parents) and make it 0700 if this user owns it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if _owned(path) and stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR:
        path.chmod(PRIVATE_DIR)


def make_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists; make it (and SQLite's companion files) 0600."""
    if not path.parent.is_dir():
        return  # SQLite will say that the folder is missing
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    except FileExistsError:
        pass
    for candidate in [path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)]:
        try:
            if _owned(candidate) and stat.S_IMODE(candidate.stat().st_mode) & 0o077:
                candidate.chmod(PRIVATE_FILE)
        except FileNotFoundError:
            continue


def parse_trusted_proxies(text: str) -> list[str]:
    """`CHATARCHIEF_TRUSTED_PROXIES`: comma-separated addresses or networks (`10.0.0.5, 172.16.0.0/12`)."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"CHATARCHIEF_TRUSTED_PROXIES: {item!r} is not an IP address or network. / "
                f"CHATARCHIEF_TRUSTED_PROXIES: {item!r} is geen IP-adres of netwerk."
            ) from None
    return networks
