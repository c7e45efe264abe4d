"""The audit log: `chatarchief audit verify`."""

from __future__ import annotations

import sys

import click

from chatarchief.cli.base import writes_to_pipe


@click.group("audit")
def audit() -> None:
    """audit log"""


@audit.command("verify")
@writes_to_pipe
def verify() -> int:
    """verify the hash chain of the audit log"""
    from chatarchief.audit import log

    intact, count, broken = log.verify()
    if intact:
        print(f"audit log intact: {count} events")
        return 0
    print(f"audit log BROKEN at event {broken} (after {count} intact events)", file=sys.stderr)
    return 1


COMMANDS = [audit]
