"""Woo requests from the command line: `chatarchief woo create|search|assess|redact|export|show`."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor, json_option, principal, print_json


@click.group("woo")
def woo() -> None:
    """Woo requests: search record, documents, assessment, redaction, publication package"""


@woo.command("create")
@click.option("--reference", required=True, help="the request's reference (kenmerk)")
@click.option("--subject", required=True)
@click.option("--received", required=True, help="date received (YYYY-MM-DD)")
@click.option("--from", "period_from", required=True, help="period from (YYYY-MM-DD)")
@click.option("--to", "period_to", required=True, help="period up to and including (YYYY-MM-DD)")
@click.option("--custodian", "custodians", multiple=True, required=True, help="a custodian in scope (slug); repeat")
@click.option("--requester", default="", help="the requester (personal data: shown to coordinators only)")
@click.option("--four-eyes", is_flag=True, help="every assessment needs a second person's confirmation")
@click.option("--grouping", type=click.Choice(["day", "week", "conversation"]), default="day", show_default=True)
@json_option()
def create(
    reference: str,
    subject: str,
    received: str,
    period_from: str,
    period_to: str,
    custodians: tuple[str, ...],
    requester: str,
    four_eyes: bool,
    grouping: str,
    as_json: bool,
) -> int:
    """register a Woo request"""
    from chatarchief.woo import services

    request = services.create_request(
        principal(),
        actor(),
        reference=reference,
        subject=subject,
        received=received,
        period_from=period_from,
        period_to=period_to,
        custodians=custodians,
        requester=requester,
        four_eyes=four_eyes,
        grouping=grouping,
    )
    if as_json:
        print_json({"id": request.pk})
    else:
        click.echo(f"Woo request {request.pk} ({request.reference}), deadline {request.deadline.isoformat()}")
    return 0


@woo.command("search")
@click.argument("request_id", type=int)
@click.argument("query")
@json_option()
def search(request_id: int, query: str, as_json: bool) -> int:
    """search the request's custodians and period; recorded, hits added as documents"""
    from chatarchief.woo import services

    who = principal()
    result = services.run_search(who, actor(), services.get_request(who, request_id), query)
    if as_json:
        print_json(result)
        return 0
    click.echo(f"{result['hits']} hit(s) in {len(result['documents'])} document(s)")
    for d in result["documents"]:
        click.echo(f"  {d['number']:>5}  {d['date']}  {d['conversation_title']}  ({', '.join(d['holders'])})")
    return 0


@woo.command("assess")
@click.argument("request_id", type=int)
@click.argument("number", type=int)
@click.option("--decision", required=True, type=click.Choice(["openbaar", "deels", "niet", "reeds"]))
@click.option("--ground", "grounds", multiple=True, help="a refusal ground, e.g. 5.1.2e; repeat")
@click.option("--note", default="", help="the explanation (toelichting)")
@json_option()
def assess(request_id: int, number: int, decision: str, grounds: tuple[str, ...], note: str, as_json: bool) -> int:
    """assess a document"""
    from chatarchief.woo import services

    who = principal()
    request = services.get_request(who, request_id)
    assessment = services.assess(
        who, actor(), services.get_document(request, number), decision=decision, grounds=grounds, note=note
    )
    out = {"document": number, "decision": assessment.decision, "grounds": list(assessment.grounds)}
    if as_json:
        print_json(out)
    else:
        click.echo(f"document {number}: {assessment.decision} {' '.join(assessment.grounds)}".rstrip())
    return 0


@woo.command("confirm")
@click.argument("request_id", type=int)
@click.argument("number", type=int)
def confirm(request_id: int, number: int) -> int:
    """confirm another person's assessment (four eyes)"""
    from chatarchief.woo import services

    who = principal()
    request = services.get_request(who, request_id)
    services.confirm_assessment(who, actor(), services.get_document(request, number))
    click.echo(f"document {number}: confirmed")
    return 0


@woo.command("close")
@click.argument("request_id", type=int)
def close(request_id: int) -> int:
    """close a request (decision sent); lifts the legal holds it put on its custodians"""
    from chatarchief.woo import services

    who = principal()
    request = services.close(who, actor(), services.get_request(who, request_id))
    click.echo(f"{request.reference}: closed")
    return 0


@woo.command("redact")
@click.argument("request_id", type=int)
@click.argument("number", type=int)
@click.option("--text", required=True, help="every occurrence in the document (case-insensitive)")
@click.option("--ground", required=True, help="the refusal ground, e.g. 5.1.2e")
@json_option()
def redact(request_id: int, number: int, text: str, ground: str, as_json: bool) -> int:
    """black out a text in a document"""
    from chatarchief.woo import services

    who = principal()
    request = services.get_request(who, request_id)
    redaction = services.add_redaction(
        who, actor(), services.get_document(request, number), kind="phrase", text=text, ground=ground
    )
    if as_json:
        print_json({"document": number, "redaction": redaction.pk, "ground": redaction.ground})
    else:
        click.echo(f"document {number}: redaction {redaction.pk} ({redaction.ground})")
    return 0


@woo.command("export")
@click.argument("request_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="a new or empty folder")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="render PDFs in N processes")
@json_option()
def export(request_id: int, out: str, workers: int, as_json: bool) -> int:
    """write the publication package (PDFs, inventory list, search record, manifest)"""
    from chatarchief.woo import services

    who = principal()
    result = services.export_package(who, actor(), services.get_request(who, request_id), out, workers=workers)
    if as_json:
        print_json(result)
    else:
        click.echo(f"{result['pdfs']} PDF(s) for {result['documents']} document(s) in {result['folder']}")
    return 0


COMMANDS = [woo]
