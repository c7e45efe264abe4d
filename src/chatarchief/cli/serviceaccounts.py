"""Integration API accounts: `chatarchief serviceaccount ...`."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor

OPERATIONS = ["deliver", "read_status", "read_compliance"]


@click.group("serviceaccount")
def serviceaccount() -> None:
    """integration API accounts"""


@serviceaccount.command("add")
@click.argument("name")
@click.option("--organisation", required=True, help="organisation code; scopes the account")
@click.option(
    "--operation",
    "operations",
    multiple=True,
    required=True,
    type=click.Choice(OPERATIONS),
    help="allowed operation (repeatable)",
)
def serviceaccount_add(name: str, organisation: str, operations: tuple[str, ...]) -> int:
    """add a service account; prints its token once"""
    from chatarchief.api.accounts import add_service_account

    account, token = add_service_account(name, organisation, list(operations), actor=actor())
    print(f"service account {account.name} ({account.organisation.code}): {', '.join(account.operations)}")
    print("token (shown once, store it now):")
    print(token)
    return 0


@serviceaccount.command("revoke")
@click.argument("name")
def serviceaccount_revoke(name: str) -> int:
    """switch a service account off: its token stops working at once"""
    from chatarchief.api.accounts import revoke_service_account

    account = revoke_service_account(name, actor=actor())
    print(f"service account {account.name} ({account.organisation.code}) revoked")
    return 0


COMMANDS = [serviceaccount]
