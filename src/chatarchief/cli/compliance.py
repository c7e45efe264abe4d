"""Compliance: `chatarchief findings`, `status`, `agreement set|show`, `custodian import`,
`finding explain|close|accept|reopen` (docs/compliance.md)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from chatarchief.cli.base import actor, json_option, lang, principal, print_json, writes_to_pipe
from chatarchief.cli.registry import custodian as custodian_group
from chatarchief.core.errors import ChatarchiefError


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


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


@click.command("status")
@click.option("--organisation", help="organisation code, e.g. BZK")
@click.option(
    "--at", "at_day", callback=_date, help="judge as of the end of this day (YYYY-MM-DD); later deliveries are ignored"
)
@json_option()
@writes_to_pipe
def status(organisation: str | None, at_day: dt.date | None, as_json: bool) -> int:
    """traffic light, timing and open findings per custodian"""
    from chatarchief.compliance import services

    rows = services.status_rows(principal(), organisation=organisation, at_day=at_day)
    if as_json:
        print_json({"custodians": rows})
        return 0
    for row in rows:
        due = row["next_due_at"] or "-"
        print(f"{row['slug']}\t{row['organisation'] or '-'}\t{row['light']}\t{row['state']}\t{due}")
    return 0


@click.group("agreement")
def agreement() -> None:
    """agreements (afspraken) on securing, versioned per custodian"""


@agreement.command("set")
@click.argument("slug")
@click.option("--frequency", required=True, type=click.Choice(["monthly", "weekly"]))
@click.option("--secured-by", "secured_by", required=True, type=click.Choice(["self", "secretary", "doc-direkt"]))
@click.option("--secretary", help="username of the operator who secures (with --secured-by secretary)")
@click.option("--channel", "channels", multiple=True, help="a channel the agreement covers (repeatable; none: all)")
@click.option("--from", "valid_from", required=True, callback=_date, help="in force from this day (YYYY-MM-DD)")
@json_option()
def agreement_set(
    slug: str,
    frequency: str,
    secured_by: str,
    secretary: str | None,
    channels: tuple[str, ...],
    valid_from: dt.date,
    as_json: bool,
) -> int:
    """record a new agreement version"""
    from chatarchief.archive.services import registry
    from chatarchief.compliance import services

    target = registry.get_custodian(slug)
    row = services.set_agreement(
        principal(),
        target,
        frequency=frequency,
        secured_by=secured_by,
        secretary=secretary,
        channels=channels,
        valid_from=valid_from,
        actor=actor(),
    )
    shown = services.agreement_view(principal(), target, row.valid_from)
    if as_json:
        print_json(shown)
    else:
        print(f"{slug}: {frequency}, {secured_by} (vanaf {valid_from.isoformat()})")
    return 0


@agreement.command("show")
@click.argument("slug")
@click.option("--at", "at_day", callback=_date, help="the agreement in force on this day (default: today)")
@json_option()
@writes_to_pipe
def agreement_show(slug: str, at_day: dt.date | None, as_json: bool) -> int:
    """the agreement in force, and every version"""
    from chatarchief.archive.services import registry
    from chatarchief.compliance import services

    shown = services.agreement_view(principal(), registry.get_custodian(slug), at_day)
    if as_json:
        print_json(shown)
    else:
        current = shown["agreement"]
        print(f"{slug} ({shown['at']}): {current['frequency']}, {current['secured_by']}, vanaf {current['valid_from']}")
    return 0


@custodian_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check every row, store nothing")
@json_option()
def custodian_import(file: Path, dry_run: bool, as_json: bool) -> int:
    """import the roster (CSV or XLSX): custodians, terms, phases"""
    from chatarchief.compliance import services

    outcome = services.import_roster(principal(), file.read_bytes(), file.name, dry_run=dry_run, actor=actor())
    if as_json:
        print_json(outcome.as_dict(lang()))
    else:
        for problem in outcome.problems:
            print(f"{file.name}: {problem.message(lang())}", file=sys.stderr)
        if not outcome.problems:
            verb = "te importeren" if dry_run else "geïmporteerd"
            print(
                f"{outcome.rows} functionarissen {verb}: {len(outcome.created)} nieuw, {len(outcome.updated)} bijgewerkt"
            )
    if outcome.problems:
        if not as_json:
            print(f"{file.name}: niets geïmporteerd ({len(outcome.problems)} fouten)", file=sys.stderr)
        return 2
    return 0


def _step(target: str):  # type: ignore[no-untyped-def]
    @click.argument("ids", nargs=-1, type=int, required=True)
    @click.option("--note", required=True, help="why (required for every step)")
    @json_option()
    def command(ids: tuple[int, ...], note: str, as_json: bool) -> int:
        from chatarchief.compliance import services

        result = services.step_findings(principal(), list(ids), target, note=note, actor=actor(), lang=lang())
        if as_json:
            print_json(result.as_dict())
        else:
            for done in result.done:
                print(f"{done.pk}: {done.status}")
            for finding_id, reason in sorted(result.refused.items()):
                print(f"{finding_id}: {reason}", file=sys.stderr)
        if result.refused and not result.done:
            raise ChatarchiefError("finding.nothing_done", nl="Geen bevinding gewijzigd.", en="No finding changed.")
        return 1 if result.refused else 0

    return command


@click.group("finding")
def finding() -> None:
    """the findings' workflow: explain, close, accept a risk, reopen"""


finding.command("explain", help="mark findings explained (with a note)")(_step("explained"))
finding.command("close", help="close explained findings")(_step("closed"))
finding.command("accept", help="accept the risk of findings")(_step("accepted_risk"))
finding.command("reopen", help="reopen findings")(_step("open"))


@click.group("report")
def report() -> None:
    """reports"""


@report.command("compliance")
@click.option("--organisation", required=True, help="organisation code, e.g. BZK")
@click.option("--from", "start", required=True, callback=_date, help="first day (YYYY-MM-DD)")
@click.option("--to", "end", required=True, callback=_date, help="last day, inclusive (YYYY-MM-DD)")
@click.option("--format", "output_format", required=True, type=click.Choice(["pdf", "csv", "xlsx", "json"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def report_compliance(organisation: str, start: dt.date, end: dt.date, output_format: str, out: Path) -> int:
    """the ADR compliance report of one organisation and period"""
    from chatarchief.compliance import services

    data = services.compliance_report_file(
        principal(),
        organisation=organisation,
        start=start,
        end=end,
        output_format=output_format,
        actor=actor(),
        lang=lang(),
    )
    partial = out.with_name(out.name + ".part")  # nothing half-written at OUT
    partial.write_bytes(data)
    partial.replace(out)
    print(f"{out} ({len(data)} bytes)")
    return 0


@click.group("receipt")
def receipt() -> None:
    """signed receipts (ontvangstbevestigingen) of deliveries"""


@receipt.command("make")
@click.argument("delivery_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "receipt_lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
def receipt_make(delivery_id: int, out: Path, receipt_lang: str) -> int:
    """write a delivery's receipt PDF and its signature (OUT.sig)"""
    from chatarchief.archive.models import Delivery
    from chatarchief.compliance import services

    delivery = Delivery.objects.select_related("custodian").filter(pk=delivery_id).first()
    if delivery is None:
        raise ChatarchiefError(
            "receipt.unknown_delivery",
            nl=f"Onbekende aanlevering {delivery_id}.",
            en=f"Unknown delivery {delivery_id}.",
        )
    pdf, signature = services.receipt_files(principal(), delivery, lang=receipt_lang, actor=actor())
    out.write_bytes(pdf)
    out.with_name(out.name + ".sig").write_bytes(signature)
    print(f"{out}, {out}.sig")
    return 0


@receipt.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signature", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="default: FILE.sig")
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="default: this installation's key",
)
@json_option()
def receipt_verify(file: Path, signature: Path | None, public_key: Path | None, as_json: bool) -> int:
    """check a receipt PDF against its detached signature"""
    from chatarchief.compliance import receipt as receipts

    signature = signature or file.with_name(file.name + ".sig")
    if not signature.exists():
        raise ChatarchiefError(
            "receipt.no_signature",
            nl="Geen handtekeningbestand gevonden.",
            en="No signature file found.",
            file=str(signature),
        )
    found = receipts.verify(file.read_bytes(), signature.read_bytes(), public_key.read_bytes() if public_key else None)
    if as_json:
        print_json(found.as_dict(lang()))
    else:
        print(f"{file.name}: {found.message(lang())}", file=sys.stdout if found.ok else sys.stderr)
    return 0 if found.ok else 1


@click.group("phase")
def phase() -> None:
    """rollout phases and the pilot: who is in scope from when"""


@phase.command("set")
@click.argument("code")
@click.option("--name", default="", help="e.g. 'Pilot BZK, Financiën, JenV'")
@click.option("--starts", "starts_on", callback=_date, help="in scope from this day (YYYY-MM-DD); none: not yet")
@json_option()
def phase_set(code: str, name: str, starts_on: dt.date | None, as_json: bool) -> int:
    """create or change a phase"""
    from chatarchief.compliance import services

    found = services.set_phase(principal(), code, name=name, starts_on=starts_on, actor=actor())
    shown = {
        "code": found.code,
        "name": found.name,
        "starts_on": found.starts_on.isoformat() if found.starts_on else None,
    }
    if as_json:
        print_json(shown)
    else:
        print(f"{found.code}: {found.name or '-'} ({shown['starts_on'] or 'nog niet gepland'})")
    return 0


@phase.command("list")
@json_option()
def phase_list(as_json: bool) -> int:
    """list the phases"""
    from chatarchief.compliance import services

    rows = services.phases_list()
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            print(f"{row['code']}\t{row['starts_on'] or '-'}\t{row['name']}")
    return 0


COMMANDS = [findings, status, agreement, finding, report, receipt, phase]
