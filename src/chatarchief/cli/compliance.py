"""Compliance: `chatarchief findings`."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor, principal, print_json, writes_to_pipe


@click.command("findings")
@click.option("--custodian", required=True)
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@writes_to_pipe
def findings(custodian: str, output_format: str) -> int:
    """print findings"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.services import registry
    from chatarchief.audit import log
    from chatarchief.compliance import readout, services

    target = registry.get_custodian(custodian)
    access.require(principal(), Action.VIEW_METADATA, target)
    services.refresh_cadence(target)  # like the scheduled task: an open gap gets its id (the web and API only show it)
    rows = readout.findings(services.status(target))
    log.findings_listed(actor(), target.slug, len(rows))
    print_json(rows)
    return 0


COMMANDS = [findings]
