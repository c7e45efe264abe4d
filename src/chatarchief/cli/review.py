"""Classification and the weekly review: `chatarchief classify`, `chatarchief review ...`."""

from __future__ import annotations

from typing import Any

import click

from chatarchief.cli.base import actor, json_option, lang, principal, print_json
from chatarchief.core.errors import ChatarchiefError


def _user(username: str) -> Any:
    """The reviewer named by --by: an active account (its roles decide)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ChatarchiefError(
            "cli.unknown_user", nl=f"{username!r} is geen actieve gebruiker.", en=f"{username!r} is not an active user."
        )
    return user


@click.command("classify")
@click.option("--custodian", "slug", required=True)
@json_option()
def classify(slug: str, as_json: bool) -> int:
    """label a custodian's conversations and messages with the rules (afwegingskader)"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.services import registry
    from chatarchief.audit import log
    from chatarchief.review.classify import classification_json

    custodian = registry.get_custodian(slug)
    access.require(principal(), Action.CLASSIFY, custodian)
    result = classification_json(custodian, lang())
    log.content_read(actor(), "classification", custodian, custodian.slug, messages=len(result["messages"]))
    if as_json:
        print_json(result)
        return 0
    for row in result["conversations"]:
        mark = "*" if row["decided"] else " "
        click.echo(f"{row['conversation_id']:>6} {mark} {row['label']:<8} {row['confidence']:.2f}  {row['title']}")
    for row in result["messages"]:
        click.echo(f"  message {row['message_id']} ({row['conversation_id']}): {row['label']} {row['rule']}")
    return 0


@click.group("review")
def review() -> None:
    """the weekly review: agenda, decisions, confirmation (four eyes)"""


@review.command("agenda")
@click.option("--organisation", "code", required=True)
@json_option()
def agenda(code: str, as_json: bool) -> int:
    """what is open for the stand-up since its last session"""
    from chatarchief.archive.models import Organisation
    from chatarchief.review.queue import agenda as build

    organisation = Organisation.objects.filter(code=code.upper()).first()
    if organisation is None:
        raise click.UsageError(f"unknown organisation {code!r}")
    result = build(principal(), organisation).as_dict(lang())
    if as_json:
        print_json(result)
        return 0
    click.echo(f"{result['organisation']}: since {result['since'] or '-'}")
    for item in result["items"]:
        where = f"message {item['message_id']}" if item["message_id"] else f"conversation {item['conversation_id']}"
        click.echo(f"  [{item['why']}] {item['custodian']} {where}: {item['label']} {item['confidence']:.2f}")
    for row in result["awaiting_confirmation"]:
        click.echo(f"  awaiting confirmation: decision {row['decision_id']} ({row['label']}, by {row['decided_by']})")
    return 0


@review.command("decide")
@click.option("--conversation", "conversation_id", type=int, default=None)
@click.option("--message", "message_ids", type=int, multiple=True)
@click.option("--label", required=True, type=click.Choice(["business", "private", "party"]))
@click.option("--by", "username", required=True, help="the reviewer's user name")
@click.option("--reason", required=True)
@json_option()
def decide(
    conversation_id: int | None, message_ids: tuple[int, ...], label: str, username: str, reason: str, as_json: bool
) -> int:
    """decide the label of a conversation or of messages (several --message: one decision)"""
    from chatarchief.review.decisions import decide as run

    decision = run(
        _user(username),
        label=label,
        reason=reason,
        actor=f"cli:{username}",
        conversation_id=conversation_id,
        message_ids=message_ids,
    )
    out = {"decision_id": decision.pk, "status": decision.status}
    if as_json:
        print_json(out)
    else:
        click.echo(f"decision {decision.pk}: {decision.status}")
    return 0


@review.command("confirm")
@click.argument("decision_id", type=int)
@click.option("--by", "username", required=True, help="the second reviewer's user name")
@json_option()
def confirm(decision_id: int, username: str, as_json: bool) -> int:
    """confirm another reviewer's private or party decision: the exclusion runs (irreversible)"""
    from chatarchief.review.decisions import confirm as run
    from chatarchief.review.models import Decision

    decision = Decision.objects.select_related("custodian").filter(pk=decision_id).first()
    if decision is None:
        raise ChatarchiefError(
            "review.unknown_decision",
            nl=f"Besluit {decision_id} bestaat niet.",
            en=f"Decision {decision_id} does not exist.",
        )
    result = run(_user(username), decision, actor=f"cli:{username}").as_dict()
    if as_json:
        print_json(result)
    else:
        click.echo(", ".join(f"{k}: {v}" for k, v in result.items()))
    return 0


@review.command("retrain")
@click.option("--organisation", "code", required=True)
@json_option()
def retrain(code: str, as_json: bool) -> int:
    """train the suggestion model again on every decision"""
    from chatarchief.archive.models import Organisation
    from chatarchief.review.suggestions import retrain as run

    organisation = Organisation.objects.filter(code=code.upper()).first()
    if organisation is None:
        raise click.UsageError(f"unknown organisation {code!r}")
    model = run(principal(), organisation, actor=actor())
    out = {"status": model.status, "decisions": model.decisions, "counts": model.counts}
    if as_json:
        print_json(out)
    else:
        click.echo(f"{model.status}: {model.decisions} decisions")
    return 0


COMMANDS = [classify, review]
