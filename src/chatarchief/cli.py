"""The `chatarchief` command. Each command is a few lines around one service function."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
    import django

    django.setup()


def _actor() -> str:
    return f"cli:{os.environ.get('CHATARCHIEF_ACTOR') or getpass.getuser()}"


def _lang() -> str:
    lang = os.environ.get("CHATARCHIEF_LANG") or os.environ.get("LANG", "nl")
    return "en" if lang.lower().startswith("en") else "nl"


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def wrap(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = func
        return func

    return wrap


def _iso_datetime(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo(os.environ.get("CHATARCHIEF_TIME_ZONE", "Europe/Amsterdam")))
    return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatarchief", description="Archive of business chat messages.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="create or update the database tables")
    serve = sub.add_parser("serve", help="serve the web app (development server)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    sub.add_parser("demo", help="load demo data (organisations, custodians, users, exports)")

    org = sub.add_parser("organisation", help="manage organisations").add_subparsers(dest="action", required=True)
    org_add = org.add_parser("add", help="add an organisation (ministry)")
    org_add.add_argument("code")
    org_add.add_argument("--name", required=True)

    cus = sub.add_parser("custodian", help="manage custodians").add_subparsers(dest="action", required=True)
    cus_add = cus.add_parser("add", help="add a custodian (official)")
    cus_add.add_argument("slug")
    cus_add.add_argument("--name", required=True)
    cus_add.add_argument("--organisation")
    cus_add.add_argument("--category", default="sleutelfunctionaris", choices=["bewindspersoon", "sleutelfunctionaris"])
    cus_add.add_argument("--function", default="")
    cus_add.add_argument("--phone", action="append", default=[], help="business phone number (repeatable)")
    cus_list = cus.add_parser("list", help="list custodians")
    cus_list.add_argument("--json", action="store_true")

    ing = sub.add_parser("ingest", help="hand in export files or folders for a custodian")
    ing.add_argument("paths", nargs="+", metavar="PATH")
    ing.add_argument("--custodian", required=True)
    ing.add_argument("--exported-at", type=_iso_datetime, help="when the custodian secured the chats (ISO 8601)")
    ing.add_argument("--passphrase-file", help="file holding the Signal passphrase / recovery key / Desktop key")
    ing.add_argument("--json", action="store_true", help="print the result as JSON")

    msgs = sub.add_parser("messages", help="print archived messages")
    msgs.add_argument("--custodian", required=True)
    msgs.add_argument("--format", choices=["jsonl"], default="jsonl")
    msgs.add_argument("--conversation", type=int)

    fnd = sub.add_parser("findings", help="print findings")
    fnd.add_argument("--custodian", required=True)
    fnd.add_argument("--format", choices=["json"], default="json")

    aud = sub.add_parser("audit", help="audit log").add_subparsers(dest="action", required=True)
    aud.add_parser("verify", help="verify the hash chain of the audit log")

    usr = sub.add_parser("user", help="manage web users").add_subparsers(dest="action", required=True)
    usr_add = usr.add_parser("add", help="add a user")
    usr_add.add_argument("username")
    usr_add.add_argument("--password-file", required=True)
    usr_add.add_argument("--role", choices=["custodian", "operator", "reviewer", "woo_coordinator", "auditor", "admin"])
    usr_add.add_argument("--custodian", help="the custodian this role applies to (custodian, operator)")
    usr_add.add_argument("--organisation", help="the organisation this role applies to (reviewer, auditor, ...)")
    usr_reset = usr.add_parser("totp-reset", help="remove a user's TOTP device; they enrol again at the next login")
    usr_reset.add_argument("username")
    usr_status = usr.add_parser("totp-status", help="show whether a user has enrolled a TOTP device")
    usr_status.add_argument("username")

    keys = sub.add_parser("keys", help="master keys of the encrypted blob store").add_subparsers(
        dest="action", required=True
    )
    keys_rotate = keys.add_parser("rotate", help="re-wrap every blob's data key under a new master key")
    keys_rotate.add_argument("--new-key-file", required=True, help="file holding the new master key (base64)")
    keys_rotate.add_argument("--json", action="store_true", help="print the report as JSON")
    keys_rename = keys.add_parser(
        "rename-blobs", help="move blobs kept under their plain SHA-256 (older stores) to their keyed names"
    )
    keys_rename.add_argument("--json", action="store_true", help="print the report as JSON")

    sva = sub.add_parser("serviceaccount", help="integration API accounts").add_subparsers(dest="action", required=True)
    sva_add = sva.add_parser("add", help="add a service account; prints its token once")
    sva_add.add_argument("name")
    sva_add.add_argument("--organisation", required=True, help="organisation code; scopes the account")
    sva_add.add_argument(
        "--operation",
        action="append",
        required=True,
        choices=["deliver", "read_status", "read_compliance"],
        help="allowed operation (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `chatarchief messages ... | head` ends quietly
    args = build_parser().parse_args(argv)
    _setup_django()
    from chatarchief import commands  # noqa: F401  (registers the command functions)
    from chatarchief.core.errors import ChatarchiefError

    name = args.command if not getattr(args, "action", None) else f"{args.command} {args.action}"
    try:
        return COMMANDS[name](args)
    except ChatarchiefError as error:
        print(f"chatarchief: {error.message(_lang())}", file=sys.stderr)
        return 2


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    raise SystemExit(main())
