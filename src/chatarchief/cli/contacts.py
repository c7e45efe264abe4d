"""Contacts: `chatarchief contacts import`."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor, json_option, principal, print_json


@click.group("contacts")
def contacts() -> None:
    """contacts of custodians and organisations (business, private, party)"""


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--custodian", "slug", default=None, help="the custodian the contacts belong to")
@click.option("--organisation", "code", default=None, help="or: every custodian of this organisation")
@json_option()
def import_contacts(file: str, slug: str | None, code: str | None, as_json: bool) -> int:
    """import a CSV (name,phone,category,note) or vCard file; all or nothing"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.models import Organisation
    from chatarchief.archive.services import registry
    from chatarchief.review.contacts import import_contacts as run

    if bool(slug) == bool(code):
        raise click.UsageError("give --custodian SLUG or --organisation CODE")
    if slug:
        custodian = registry.get_custodian(slug)
        access.require(principal(), Action.CLASSIFY, custodian)
        result = run(file, actor=actor(), custodian=custodian)
    else:
        organisation = Organisation.objects.filter(code=str(code).upper()).first()
        if organisation is None:
            raise click.UsageError(f"unknown organisation {code!r}")
        if not access.custodians(principal(), Action.CLASSIFY).filter(organisation=organisation).exists():
            raise access.AccessDenied
        result = run(file, actor=actor(), organisation=organisation)
    if as_json:
        print_json(result.as_dict())
    else:
        click.echo(
            f"{result.contacts} contacts: {result.created} new, {result.changed} changed, {result.unchanged} unchanged"
        )
    return 0


COMMANDS = [contacts]
