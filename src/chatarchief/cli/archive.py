"""Reading the archive out: `chatarchief messages`."""

from __future__ import annotations

import json
import sys

import click

from chatarchief.cli.base import actor, principal, writes_to_pipe


@click.command("messages")
@click.option("--custodian", required=True)
@click.option("--format", "output_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--conversation", type=int)
@writes_to_pipe
def messages(custodian: str, output_format: str, conversation: int | None) -> int:
    """print archived messages"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.services import readout, registry
    from chatarchief.audit import log

    target = registry.get_custodian(custodian)
    access.require(principal(), Action.READ_CONTENT, target)
    count = 0
    out = sys.stdout
    for row in readout.iter_messages(target, conversation):
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    log.content_read(actor(), "messages.export", target, target.slug, count=count, conversation=conversation)
    return 0


COMMANDS = [messages]
