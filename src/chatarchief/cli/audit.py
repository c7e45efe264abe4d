"""The audit log: `chatarchief audit verify`, `audit anchor`, `audit export`, `audit verify-export`."""

from __future__ import annotations

import datetime as dt
import sys

import click

from chatarchief.cli.base import actor, json_option, lang, print_json, writes_to_pipe


@click.group("audit")
def audit() -> None:
    """audit log"""


@audit.command("verify")
@json_option()
@writes_to_pipe
def verify(as_json: bool) -> int:
    """verify the hash chain of the audit log against itself and the signed anchor log"""
    from chatarchief.audit import anchor

    report = anchor.verify_all()
    if as_json:
        print_json(report.as_dict())
    elif report.intact:
        print(f"audit log intact: {report.events} events, {report.anchors} anchors")
    else:
        problem = report.problem_nl if lang() == "nl" else report.problem
        print(f"audit log BROKEN: {problem}", file=sys.stderr)
    return 0 if report.intact else 1


@audit.command("anchor")
def anchor_now() -> int:
    """anchor the chain's current head now (after an upgrade; normally automatic after every commit)"""
    from chatarchief.audit import anchor

    entry = anchor.anchor_now()
    count, _, digest = anchor.head()
    click.echo(f"anchored: {count} events, head {digest[:12]}…" + ("" if entry else " (already anchored)"))
    return 0


def _day(ctx: click.Context, param: click.Parameter, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


@audit.command("export")
@click.option("--from", "start", required=True, callback=_day, help="first day, YYYY-MM-DD")
@click.option("--to", "end", required=True, callback=_day, help="last day, YYYY-MM-DD")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@json_option()
def export(start: dt.date, end: dt.date, out: str, as_json: bool) -> int:
    """write a verifiable extract of the audit log for an auditor (see `audit verify-export`)"""
    from chatarchief.audit import extract

    result = extract.export(start, end, out, actor=actor())
    if as_json:
        print_json(result)
    else:
        click.echo(f"{result['events']} events written to {out}")
    return 0


@audit.command("verify-export")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False), default=None)
@json_option()
def verify_export(path: str, public_key: str | None, as_json: bool) -> int:
    """check an audit extract: its events' links, its signed head, and the anchor it ends at"""
    from chatarchief.audit import extract

    result = extract.verify_file(path, public_key)
    if as_json:
        print_json(result)
    elif result["intact"]:
        click.echo(f"extract intact: {result['events']} events")
    else:
        print(f"extract BROKEN: {result['problem']}", file=sys.stderr)
    return 0 if result["intact"] else 1


COMMANDS = [audit]
