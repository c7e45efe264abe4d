"""What every command shares: who acts, in which language, JSON output, secrets from files, progress.

Command modules import Django models and services inside their command functions: the root group
sets Django up after the arguments are parsed, so `chatarchief --help` needs no settings.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from chatarchief.core.errors import ChatarchiefError

F = TypeVar("F", bound=Callable[..., Any])


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
    import django

    django.setup()


def lang() -> str:
    """The language of messages for the person at the terminal: CHATARCHIEF_LANG, else LANG."""
    value = os.environ.get("CHATARCHIEF_LANG") or os.environ.get("LANG", "nl")
    return "en" if value.lower().startswith("en") else "nl"


def actor() -> str:
    """The audit log's name for whoever runs the command: `cli:<name>`, the name being
    CHATARCHIEF_ACTOR, else CHATARCHIEF_USER, else the login name."""
    name = os.environ.get("CHATARCHIEF_ACTOR") or os.environ.get("CHATARCHIEF_USER") or getpass.getuser()
    return f"cli:{name}"


def principal() -> Any:
    """Who the commands that read or deliver a custodian's archive (`ingest`, `messages`,
    `findings`, `custodian list`) act as, for chatarchief.access.services: the user account named
    by CHATARCHIEF_USER (its role grants apply), else the system actor (allowed everything: it
    holds the database credentials). Administrative commands always act as the system actor."""
    from chatarchief.access.services import SystemPrincipal

    username = os.environ.get("CHATARCHIEF_USER")
    if not username:
        return SystemPrincipal(actor().removeprefix("cli:"))
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ChatarchiefError(
            "cli.unknown_user",
            nl=f"CHATARCHIEF_USER={username!r} is geen actieve gebruiker.",
            en=f"CHATARCHIEF_USER={username!r} is not an active user.",
        )
    return user


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def json_option(help_text: str = "print the result as JSON") -> Callable[[F], F]:
    """`--json`: the command prints its result with `print_json` instead of lines for people."""
    return click.option("--json", "as_json", is_flag=True, help=help_text)


def read_secret(path: str | None) -> str | None:
    """A secret (passphrase, key, password) from a file: never from the command line, never logged."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ChatarchiefError(
            "cli.secret_file",
            nl=f"Kan het sleutelbestand niet lezen ({exc.strerror}).",
            en=f"Cannot read the key file ({exc.strerror}).",
            file=path,
        ) from None


def iso_datetime(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    """An ISO 8601 date-time, kept as given: a naive one is read in the custodian's time zone by
    the service (chatarchief.intake.moments), the same rule as the web upload and the API."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date-time: {value!r}") from None


def progress_bar(enabled: bool) -> Any:
    """A rich progress bar on a terminal (None when output goes elsewhere or is JSON)."""
    if not enabled:
        return None
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        transient=True,
    )


def writes_to_pipe(func: F) -> F:
    """Mark a command whose output is made to be piped (`chatarchief messages ... | head`): while it
    runs, a closed pipe ends the process quietly (SIGPIPE's default) instead of a traceback.

    Only such commands do this: a server (`serve`) must survive a client that hangs up."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()  # still under SIGPIPE's default: a closed pipe ends the process here
            return result
        finally:
            signal.signal(signal.SIGPIPE, previous)

    return wrapper  # type: ignore[return-value]
