"""Organisations (ministries) and custodians (the officials whose chats are secured)."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor, json_option, principal, print_json, writes_to_pipe


@click.group("organisation")
def organisation() -> None:
    """manage organisations"""


@organisation.command("add")
@click.argument("code")
@click.option("--name", required=True)
def organisation_add(code: str, name: str) -> int:
    """add an organisation (ministry)"""
    from chatarchief.archive.services import registry

    added = registry.add_organisation(code, name, actor=actor())
    print(f"{added.code}: {added.name}")
    return 0


@click.group("custodian")
def custodian() -> None:
    """manage custodians"""


@custodian.command("add")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--organisation")
@click.option("--category", default="sleutelfunctionaris", type=click.Choice(["bewindspersoon", "sleutelfunctionaris"]))
@click.option("--function", default="")
@click.option("--phone", multiple=True, help="business phone number (repeatable)")
@click.option(
    "--time-zone",
    help="IANA zone of the custodian's devices, e.g. Europe/Amsterdam (default: CHATARCHIEF_TIME_ZONE); "
    "export times without a zone are read in it",
)
def custodian_add(
    slug: str,
    name: str,
    organisation: str | None,
    category: str,
    function: str,
    phone: tuple[str, ...],
    time_zone: str | None,
) -> int:
    """add a custodian (official)"""
    from chatarchief.archive.services import registry

    added = registry.add_custodian(
        slug,
        name=name,
        actor=actor(),
        organisation=organisation,
        category=category,
        function=function,
        phones=list(phone),
        time_zone=time_zone,
    )
    print(f"{added.slug}: {added.name}")
    return 0


@custodian.command("list")
@json_option()
@writes_to_pipe
def custodian_list(as_json: bool) -> int:
    """list custodians"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.services import registry

    rows = [
        {**registry.custodian_summary(c), "phone_numbers": c.phone_numbers}
        for c in access.custodians(principal(), Action.VIEW_METADATA).select_related("organisation").order_by("slug")
    ]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            print(f"{row['slug']:24} {row['name']:30} {row['organisation'] or '-':8} {row['category']}")
    return 0


COMMANDS = [organisation, custodian]
