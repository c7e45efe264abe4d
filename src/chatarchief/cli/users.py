"""Web users: `chatarchief user ...`."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor, print_json, read_secret, writes_to_pipe

ROLES = ["custodian", "operator", "reviewer", "woo_coordinator", "auditor", "admin"]


@click.group("user")
def user() -> None:
    """manage web users"""


@user.command("add")
@click.argument("username")
@click.option("--password-file", required=True)
@click.option("--role", type=click.Choice(ROLES))
@click.option("--custodian", help="the custodian this role applies to (custodian, operator)")
@click.option("--organisation", help="the organisation this role applies to (reviewer, auditor, ...)")
def user_add(
    username: str, password_file: str, role: str | None, custodian: str | None, organisation: str | None
) -> int:
    """add a user"""
    from chatarchief.access.accounts import add_user

    password = read_secret(password_file) or ""
    added = add_user(
        username, password, actor=actor(), role=role, custodian_slug=custodian, organisation_code=organisation
    )
    print(f"user {added.username} added")
    return 0


@user.command("totp-reset")
@click.argument("username")
def user_totp_reset(username: str) -> int:
    """remove a user's TOTP device; they enrol again at the next login"""
    from chatarchief.access import otp

    removed = otp.reset(username, actor=actor())
    print(f"{username}: {removed} TOTP device(s) removed; the user enrols again at the next login")
    return 0


@user.command("totp-status")
@click.argument("username")
@writes_to_pipe
def user_totp_status(username: str) -> int:
    """show whether a user has enrolled a TOTP device"""
    from chatarchief.access import otp

    print_json(otp.status(username))
    return 0


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> int:
    """switch a user off: no more logins, open sessions end at once"""
    from chatarchief.access.accounts import disable_user

    disable_user(username, actor=actor())
    print(f"user {username} disabled; open sessions ended")
    return 0


COMMANDS = [user]
