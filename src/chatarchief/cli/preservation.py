"""Preservation: `chatarchief verify` (fixity), `chatarchief hold ...` (legal holds)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from chatarchief.cli.base import actor, json_option, lang, print_json


def _say(nl: str, en: str) -> str:
    """A line for the person at the terminal, in CHATARCHIEF_LANG."""
    return nl if lang() == "nl" else en


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
        click.echo(
            _say(f"{record.checked} bestanden gecontroleerd", f"{record.checked} files checked")
            + f" ({mb:.1f} MB, {record.seconds:.1f} s)"
        )
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
    click.echo(_say(f"bewaarplicht {record.pk} opgeheven", f"hold {record.pk} lifted"))
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


def _user(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from chatarchief.core.errors import ChatarchiefError

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ChatarchiefError(
            "cli.unknown_user", nl=f"{username!r} is geen actieve gebruiker.", en=f"{username!r} is not an active user."
        )
    return user


@click.group("retention")
def retention() -> None:
    """retention: selection-list categories, per-conversation overrides, end of term"""


@retention.command("category")
@click.argument("code")
@click.option("--description", required=True)
@click.option("--action", "appraisal", type=click.Choice(["bewaren", "vernietigen"]), required=True)
@click.option("--years", type=int, default=None, help="retention period in years")
@click.option("--trigger", type=click.Choice(["end_of_term", "last_message"]), default="end_of_term")
@click.option("--custodian-category", default="", help="the default category of these custodians")
def retention_category(
    code: str, description: str, appraisal: str, years: int | None, trigger: str, custodian_category: str
) -> int:
    """add or change a selection-list category"""
    from chatarchief.preservation import retention as service

    found = service.add_category(
        actor=actor(),
        code=code,
        description=description,
        action=appraisal,
        period_years=years,
        trigger=trigger,
        custodian_category=custodian_category,
    )
    click.echo(
        f"{found.code}: {found.action}, {found.period_years or '-'} "
        + _say("jaar na", "years after")
        + f" {found.trigger}"
    )
    return 0


@retention.command("set")
@click.option("--conversation", "conversation_id", type=int, required=True)
@click.option("--category", "code", required=True)
def retention_set(conversation_id: int, code: str) -> int:
    """give one conversation its own category"""
    from chatarchief.preservation import retention as service

    service.override(conversation_id, code, actor=actor())
    click.echo(_say("gesprek", "conversation") + f" {conversation_id}: {code}")
    return 0


@retention.command("term")
@click.option("--custodian", "slug", required=True)
@click.option("--ended", callback=_date, required=True, help="YYYY-MM-DD")
def retention_term(slug: str, ended: dt.date) -> int:
    """record the end of a custodian's term of office"""
    from chatarchief.preservation import retention as service

    service.end_term(slug, ended, actor=actor())
    click.echo(f"{slug}: " + _say("ambtstermijn beëindigd op", "term ended on") + f" {ended.isoformat()}")
    return 0


@click.group("disposition")
def disposition() -> None:
    """destruction lists: propose, approve (two roles), execute"""


@disposition.command("propose")
@click.option("--as-of", "as_of", callback=_date, default=None, help="YYYY-MM-DD (default: today)")
@json_option()
def disposition_propose(as_of: dt.date | None, as_json: bool) -> int:
    """propose a destruction list of the conversations whose retention period has ended"""
    from chatarchief.preservation import disposition as service

    record, held = service.propose(actor=actor(), as_of=as_of)
    result = service.as_dict(record) if record else {"list_id": None, "items": []}
    result["held"] = held
    if as_json:
        print_json(result)
    else:
        click.echo(
            _say(
                f"lijst {result['list_id']}: {len(result['items'])} gesprekken",
                f"list {result['list_id']}: {len(result['items'])} conversations",
            )
            if record
            else _say("niets te vernietigen", "nothing to destroy")
        )
        for entry in held:
            click.echo(f"  {entry['conversation_id']}: " + _say("bewaarplicht", "legal hold") + f" {entry['hold_id']}")
    return 0


@disposition.command("show")
@click.argument("list_id", type=int)
@json_option()
def disposition_show(list_id: int, as_json: bool) -> int:
    """a destruction list with its items (after execution: their tombstones)"""
    from chatarchief.preservation import disposition as service

    result = service.as_dict(service.get(list_id))
    if as_json:
        print_json(result)
    else:
        click.echo(_say("lijst", "list") + f" {result['list_id']}: {result['status']}")
        for item in result["items"]:
            click.echo(f"  {item['conversation_id']:>6} {item['custodian']} {item['category']} {item['messages']}")
    return 0


@disposition.command("approve")
@click.argument("list_id", type=int)
@click.option("--by", "username", required=True, help="the approving user (records manager, then admin/operator)")
@json_option()
def disposition_approve(list_id: int, username: str, as_json: bool) -> int:
    """approve a destruction list (a records manager and a second role)"""
    from chatarchief.preservation import disposition as service

    record = service.approve(list_id, _user(username), actor=actor())
    if as_json:
        print_json(service.as_dict(record))
    else:
        click.echo(_say("lijst", "list") + f" {record.pk}: {record.status}")
    return 0


@disposition.command("execute")
@click.argument("list_id", type=int)
@json_option()
def disposition_execute(list_id: int, as_json: bool) -> int:
    """destroy an approved list's conversations, keeping tombstones (refused under a legal hold)"""
    from chatarchief.preservation import disposition as service

    record = service.execute(list_id, actor=actor())
    if as_json:
        print_json(service.as_dict(record))
    else:
        click.echo(
            _say(
                f"lijst {record.pk}: {record.items.count()} gesprekken vernietigd",
                f"list {record.pk}: {record.items.count()} conversations destroyed",
            )
        )
    return 0


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False))
@json_option()
def backup(out: str, as_json: bool) -> int:
    """back up the database, the blob store, the keys and the audit anchor log into a new folder"""
    from chatarchief.preservation import backup as service

    result = service.backup(out, actor=actor())
    if as_json:
        print_json(result)
    else:
        click.echo(
            f"backup in {result['out']}: {result['files']} "
            + _say(
                f"bestanden, {result['audit_events']} auditgebeurtenissen",
                f"files, {result['audit_events']} audit events",
            )
        )
    return 0


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@json_option()
def restore(folder: str, as_json: bool) -> int:
    """restore a backup into an empty instance (then run `verify` and `audit verify`)"""
    from chatarchief.preservation import backup as service

    result = service.restore(folder, actor=actor())
    if as_json:
        print_json(result)
    else:
        click.echo(
            _say(f"hersteld uit {folder}: controleer met", f"restored from {folder}: check with")
            + " `chatarchief verify`, `chatarchief audit verify`"
        )
    return 0


@click.group("transfer")
def transfer() -> None:
    """transfer (overbrenging) to an e-depot"""


@transfer.command("package")
@click.option("--custodian", "slug", required=True)
@click.option("--from", "period_from", callback=_date, default=None, help="YYYY-MM-DD")
@click.option("--to", "period_to", callback=_date, default=None, help="YYYY-MM-DD")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="the bag's root (new or empty)")
@json_option()
def transfer_package(slug: str, period_from: dt.date | None, period_to: dt.date | None, out: str, as_json: bool) -> int:
    """write a BagIt bag with MDTO sidecars (SIP draft) of a custodian's business conversations"""
    from chatarchief.preservation import transfer as service

    result = service.package(slug, out, actor=actor(), period_from=period_from, period_to=period_to)
    if as_json:
        print_json(result)
    else:
        click.echo(
            f"{result['out']}: {result['conversations']} "
            + _say("gesprekken", "conversations")
            + f", {result['bestanden']} "
            + _say("bestanden", "files")
        )
    return 0


COMMANDS = [verify, hold, retention, disposition, backup, restore, transfer]
