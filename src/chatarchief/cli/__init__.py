"""The `chatarchief` command: a click group with one module per group of commands.

Each command keeps its arguments, help and body together on one decorated function, a few lines
around one service function. To add commands: write `cli/<topic>.py` with a `COMMANDS` list of
click commands or groups, and add the module to `COMMAND_MODULES` below (see docs/architecture.md).
Domain errors (`ChatarchiefError`) become one line in the user's language and exit code 2, here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from chatarchief.cli.base import lang, setup_django
from chatarchief.core.errors import ChatarchiefError

# One line per module of commands (`chatarchief --help` lists the commands alphabetically).
COMMAND_MODULES = (
    "chatarchief.cli.system",  # migrate, serve, demo
    "chatarchief.cli.registry",  # organisation, custodian
    "chatarchief.cli.intake",  # ingest
    "chatarchief.cli.archive",  # messages
    "chatarchief.cli.compliance",  # findings
    "chatarchief.cli.audit",  # audit verify
    "chatarchief.cli.users",  # user
    "chatarchief.cli.keys",  # keys rotate
    "chatarchief.cli.serviceaccounts",  # serviceaccount
    "chatarchief.cli.contacts",  # contacts import
    "chatarchief.cli.review",  # classify, review agenda/decide/confirm/retrain
    "chatarchief.cli.preservation",  # verify, hold, retention, disposition
    "chatarchief.cli.search",  # search
    "chatarchief.cli.woo",  # woo create/search/assess/redact/export
    "chatarchief.cli.worker",  # worker, deliveries, gc
)


@click.group(name="chatarchief", context_settings={"help_option_names": ["-h", "--help"]})
def root() -> None:
    """Archive of business chat messages."""
    setup_django()


for _module in COMMAND_MODULES:
    for _command in importlib.import_module(_module).COMMANDS:
        root.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code. A usage error exits (code 2) as argparse did."""
    try:
        code = root.main(args=list(argv) if argv is not None else None, prog_name="chatarchief", standalone_mode=False)
    except click.UsageError as error:
        error.show()
        raise SystemExit(error.exit_code) from None
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except ChatarchiefError as error:
        print(f"chatarchief: {error.message(lang())}", file=sys.stderr)
        return 2
    return int(code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
