"""Audit events of review: contacts, label decisions, exclusion, stand-ups (issue 16). Details hold ids, labels, rules and counts, never excluded text.

Called as `chatarchief.audit.log.<name>` like every event (see audit/log.py)."""

from __future__ import annotations

from typing import Any

from chatarchief.audit.models import AuditEvent
from chatarchief.audit.record import _record

__all__ = [
    "contacts_imported",
    "contact_marked",
    "label_proposed",
    "label_decided",
    "confirmation_refused",
    "exclusion_executed",
    "excluded_at_ingest",
    "standup_opened",
    "standup_closed",
    "suggestions_trained",
]


def contacts_imported(actor: str, owner: Any, *, file: str, created: int, changed: int) -> AuditEvent:
    """A contacts file imported for a custodian or an organisation (`owner`)."""
    return _record(
        actor,
        "review.contacts_imported",
        obj=owner,
        custodian=getattr(owner, "slug", ""),
        file=file,
        created=created,
        changed=changed,
    )


def contact_marked(actor: str, contact: Any, custodian_slug: str) -> AuditEvent:
    """A contact's category set by hand (the contact's id only: a private contact's name stays out)."""
    return _record(actor, "review.contact_marked", obj=contact, custodian=custodian_slug, category=contact.category)


def label_proposed(actor: str, proposal: Any) -> AuditEvent:
    return _record(
        actor,
        "review.label_proposed",
        obj=proposal,
        custodian=proposal.custodian.slug,
        conversation=proposal.conversation_ref,
        messages=list(proposal.message_ids),
        label=proposal.label,
    )


def label_decided(actor: str, decision: Any) -> AuditEvent:
    return _record(
        actor,
        "review.label_decided",
        obj=decision,
        custodian=decision.custodian.slug,
        conversation=decision.conversation_ref,
        messages=list(decision.message_ids),
        label=decision.label,
        status=decision.status,
        rules=[r.get("rule") for r in decision.rules],
    )


def confirmation_refused(actor: str, decision: Any, reason: str) -> AuditEvent:
    """A confirmation that was not allowed (e.g. four eyes: the decider's own)."""
    return _record(actor, "review.confirm_refused", obj=decision, custodian=decision.custodian.slug, reason=reason)


def exclusion_executed(actor: str, decision: Any, result: dict[str, Any]) -> AuditEvent:
    """A confirmed private or party decision carried out: what left the archive, in numbers."""
    return _record(
        actor,
        "review.exclusion_executed",
        obj=decision,
        custodian=decision.custodian.slug,
        conversation=decision.conversation_ref,
        label=decision.label,
        decided_by=decision.decided_by_name,
        confirmed_by=decision.confirmed_by_name,
        **{k: v for k, v in result.items() if isinstance(v, int)},
    )


def excluded_at_ingest(actor: str, delivery: Any, *, messages: int, original: str) -> AuditEvent:
    """A delivery brought messages of excluded conversations (or excluded messages) again: skipped,
    and its original destroyed or replaced (`original`: destroyed, derived or kept)."""
    return _record(
        actor,
        "review.excluded_at_ingest",
        obj=delivery,
        custodian=delivery.custodian.slug,
        messages=messages,
        original=original,
    )


def standup_opened(actor: str, session: Any) -> AuditEvent:
    return _record(
        actor,
        "review.standup_opened",
        obj=session,
        organisation=session.organisation.code,
        held_on=session.held_on,
        attendees=list(session.attendees),
    )


def standup_closed(actor: str, session: Any, decisions: int) -> AuditEvent:
    return _record(
        actor, "review.standup_closed", obj=session, organisation=session.organisation.code, decisions=decisions
    )


def suggestions_trained(actor: str, organisation: Any, *, decisions: int, status: str) -> AuditEvent:
    return _record(
        actor,
        "review.suggestions_trained",
        obj=organisation,
        organisation=organisation.code,
        decisions=decisions,
        status=status,
    )
