"""Full-text search: `chatarchief search QUERY` (see docs/search.md for the query language)."""

from __future__ import annotations

import datetime as dt

import click

from chatarchief.cli.base import actor, json_option, principal, print_json


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


@click.command("search")
@click.argument("query")
@click.option("--custodian", "custodian", default=None, help="only this custodian's archive (slug)")
@click.option("--conversation", type=int, default=None, help="only this conversation (id)")
@click.option("--from", "date_from", callback=_date, default=None, help="from this day (YYYY-MM-DD, inclusive)")
@click.option("--to", "date_to", callback=_date, default=None, help="up to this day (YYYY-MM-DD, inclusive)")
@click.option("--sender", default=None, help="words of the sender's name")
@click.option("--channel", default=None, help="whatsapp, signal, sms or telegram")
@click.option("--sort", type=click.Choice(["time", "relevance"]), default="time", show_default=True)
@click.option("--limit", type=int, default=50, show_default=True)
@json_option()
def search(
    query: str,
    custodian: str | None,
    conversation: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    sender: str | None,
    channel: str | None,
    sort: str,
    limit: int,
    as_json: bool,
) -> int:
    """search the messages you may read ("a phrase", AND, OR, NOT, -word, prefix*)"""
    from chatarchief.search.services import search_for

    result = search_for(
        principal(),
        actor(),
        query,
        custodian=custodian,
        conversation=conversation,
        date_from=date_from,
        date_to=date_to,
        sender=sender,
        channel=channel,
        sort=sort,
        limit=limit,
    )
    if as_json:
        print_json(result.as_dict())
        return 0
    click.echo(f"{result.total} hit(s)")
    for hit in result.hits:
        text = "".join(f"[{part.text}]" if part.hit else part.text for part in hit.parts)
        click.echo(f"{hit.sent_at}  {hit.custodian}  {hit.conversation_title} ({hit.conversation_id})  {hit.sender}")
        click.echo(f"    {text}")
    return 0


COMMANDS = [search]
