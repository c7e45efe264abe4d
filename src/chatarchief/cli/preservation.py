"""Preservation: `chatarchief verify` (fixity), `chatarchief hold ...` (legal holds)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from chatarchief.cli.base import actor, json_option, lang, print_json


def _percent(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not 0 < value <= 100:
        raise click.BadParameter("a percentage above 0, at most 100")
    return value


@click.command("verify")
@click.option("--sample", type=float, default=None, callback=_percent, help="check a random PERCENT of the blobs")
@json_option()
def verify(sample: float | None, as_json: bool) -> int:
    """fixity: re-hash the stored originals and media against their SHA-256 (exit 1 on any failure)"""
    from chatarchief.preservation import fixity

    record = fixity.run(actor=actor(), sample=sample)
    result = fixity.as_dict(record)
    if as_json:
        print_json(result)
    else:
        mb = record.bytes_checked / 1e6
        click.echo(f"{record.checked} bestanden gecontroleerd ({mb:.1f} MB in {record.seconds:.1f} s)")
        for failure in result["failures"]:
            where = f"levering {failure['delivery_id']}" if failure["delivery_id"] else ""
            if failure["message_id"]:
                where += f", bericht {failure['message_id']}"
            print(f"{failure['kind']}: {failure['sha256']} ({where.strip(', ')})", file=sys.stderr)
    return 1 if result["failures"] else 0


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


@click.group("hold")
def hold() -> None:
    """legal holds (a Woo request, litigation): nothing under a hold is destroyed or excluded"""


@hold.command("add")
@click.option("--custodian", "slug", default=None)
@click.option("--conversation", "conversation_id", type=int, default=None)
@click.option("--from", "period_from", callback=_date, default=None, help="YYYY-MM-DD")
@click.option("--to", "period_to", callback=_date, default=None, help="YYYY-MM-DD")
@click.option("--reason", required=True)
@json_option()
def hold_add(
    slug: str | None,
    conversation_id: int | None,
    period_from: dt.date | None,
    period_to: dt.date | None,
    reason: str,
    as_json: bool,
) -> int:
    """put a custodian's archive or a conversation (in a period) under a legal hold"""
    from chatarchief.preservation import holds

    if (slug is None) == (conversation_id is None):
        raise click.UsageError("give exactly one of --custodian and --conversation")
    record = holds.add(
        actor=actor(),
        custodian=slug,
        conversation=conversation_id,
        period_from=period_from,
        period_to=period_to,
        reason=reason,
    )
    if as_json:
        print_json({"hold_id": record.pk})
    else:
        click.echo(f"hold {record.pk}: {holds.describe(record, lang())}")
    return 0


@hold.command("remove")
@click.argument("hold_id", type=int)
def hold_remove(hold_id: int) -> int:
    """lift a legal hold"""
    from chatarchief.preservation import holds

    record = holds.remove(hold_id, actor=actor())
    click.echo(f"hold {record.pk} opgeheven")
    return 0


@hold.command("list")
@json_option()
def hold_list(as_json: bool) -> int:
    """the active legal holds"""
    from chatarchief.preservation import holds

    rows = [
        {
            "hold_id": h.pk,
            "custodian": h.custodian.slug if h.custodian_id else None,
            "conversation": h.conversation_id,
            "from": h.period_from.isoformat() if h.period_from else None,
            "to": h.period_to.isoformat() if h.period_to else None,
            "reason": h.reason,
        }
        for h in holds.active()
    ]
    if as_json:
        print_json(rows)
    else:
        for h in holds.active():
            click.echo(f"{h.pk:>5}  {holds.describe(h, lang())}")
    return 0


COMMANDS = [verify, hold]
