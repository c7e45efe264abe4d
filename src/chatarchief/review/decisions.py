"""Deciding labels: reviewers decide (a second reviewer confirms an exclusion), custodians propose,
stand-up sessions record who decided what together.

One function per action; the CLI, the web and tasks call these. Access is asked of
`access.services`: `Action.CLASSIFY` for reviewers, `Action.PROPOSE_LABEL` for custodians.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.archive.models import Conversation, Custodian, Message, Organisation
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.rules.labels import Label
from chatarchief.review import classify as classification
from chatarchief.review import exclusion
from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus, ProposalStatus
from chatarchief.review.models import Decision, Proposal, StandupSession


class ReviewError(ChatarchiefError):
    """A review action that cannot be done as asked."""


def _error(code: str, nl: str, en: str) -> ReviewError:
    return ReviewError(f"review.{code}", nl=nl, en=en)


def _label(value: str) -> str:
    try:
        return str(Label(value))
    except ValueError:
        raise _error(
            "bad_label",
            f"Onbekend label {value!r}: kies zakelijk (business), privé (private) of partijpolitiek (party).",
            f"Unknown label {value!r}: choose business, private or party.",
        ) from None


def target(*, conversation_id: int | None = None, message_ids: Sequence[int] = ()) -> tuple[Conversation, list[int]]:
    """The conversation and messages a decision or proposal is about (messages of one conversation)."""
    if bool(conversation_id) == bool(message_ids):
        raise _error(
            "bad_target",
            "Geef een gesprek of een of meer berichten op (niet beide).",
            "Give a conversation or one or more messages (not both).",
        )
    if conversation_id:
        found = Conversation.objects.select_related("custodian").filter(pk=conversation_id).first()
        if found is None:
            raise _error(
                "unknown_conversation",
                f"Gesprek {conversation_id} bestaat niet.",
                f"Conversation {conversation_id} does not exist.",
            )
        return found, []
    ids = sorted(set(int(i) for i in message_ids))
    rows = dict(Message.objects.filter(pk__in=ids).values_list("id", "conversation_id"))
    missing = [i for i in ids if i not in rows]
    if missing:
        raise _error("unknown_message", f"Bericht {missing[0]} bestaat niet.", f"Message {missing[0]} does not exist.")
    if len(set(rows.values())) != 1:
        raise _error(
            "mixed_conversations",
            "De berichten van één besluit horen bij één gesprek.",
            "The messages of one decision belong to one conversation.",
        )
    return Conversation.objects.select_related("custodian").get(pk=next(iter(rows.values()))), ids


def _rules_of(custodian: Custodian, conversation: Conversation, message_ids: list[int]) -> list[dict[str, Any]]:
    """The rules' verdicts at the moment of deciding (names, versions, labels, reasons; no text)."""
    item = classification.classify(custodian, [conversation])[0]
    if not message_ids:
        return [h.as_dict("nl") for h in item.label.hits]
    wanted = set(message_ids)
    return [m.hit.as_dict("nl") | {"message_id": m.message_id} for m in item.label.messages if m.message_id in wanted]


def open_standup_of(organisation_id: int | None) -> StandupSession | None:
    if organisation_id is None:
        return None
    return (
        StandupSession.objects.filter(organisation_id=organisation_id, closed_at__isnull=True).order_by("-id").first()
    )


def _name(principal: Any, actor: str) -> str:
    return getattr(principal, "username", "") or actor


def decide(
    principal: Any,
    *,
    label: str,
    reason: str,
    actor: str,
    conversation_id: int | None = None,
    message_ids: Sequence[int] = (),
) -> Decision:
    """A reviewer's decision. Business is final; private or party awaits a second reviewer."""
    label = _label(label)
    if not reason.strip():
        raise _error("no_reason", "Geef een reden voor het besluit.", "Give a reason for the decision.")
    conversation, ids = target(conversation_id=conversation_id, message_ids=message_ids)
    custodian = conversation.custodian
    access.require(principal, Action.CLASSIFY, custodian)
    with transaction.atomic():
        # an earlier live decision about exactly this conversation (or these messages) gives way
        Decision.objects.filter(conversation=conversation, status__in=classification.LIVE, message_ids=ids).update(
            status=DecisionStatus.SUPERSEDED
        )
        decision = Decision.objects.create(
            custodian=custodian,
            conversation=conversation,
            conversation_ref=conversation.pk,
            message_ids=ids,
            label=label,
            reason=reason.strip(),
            rules=_rules_of(custodian, conversation, ids),
            status=DecisionStatus.AWAITING_CONFIRMATION if label in EXCLUDED_LABELS else DecisionStatus.FINAL,
            decided_by=principal if getattr(principal, "pk", None) else None,
            decided_by_name=_name(principal, actor),
            decided_at=timezone.now(),
            standup=open_standup_of(custodian.organisation_id),
        )
        _settle_proposals(conversation, ids, decision)
        log.label_decided(actor, decision)
    return decision


def _settle_proposals(conversation: Conversation, ids: list[int], decision: Decision) -> None:
    for proposal in Proposal.objects.filter(conversation=conversation, status=ProposalStatus.OPEN):
        if not ids or (proposal.message_ids and set(proposal.message_ids) <= set(ids)):
            proposal.status, proposal.decision = ProposalStatus.DECIDED, decision
            proposal.save(update_fields=["status", "decision"])


def confirm(principal: Any, decision: Decision, *, actor: str) -> exclusion.ExclusionResult:
    """A second reviewer confirms a private or party decision: the exclusion runs. Four eyes: the
    one who decided cannot confirm."""
    access.require(principal, Action.CLASSIFY, decision.custodian)
    if decision.status != DecisionStatus.AWAITING_CONFIRMATION:
        raise _error(
            "not_awaiting",
            f"Besluit {decision.pk} wacht niet op bevestiging.",
            f"Decision {decision.pk} is not awaiting confirmation.",
        )
    name = _name(principal, actor)
    same_user = getattr(principal, "pk", None) is not None and principal.pk == decision.decided_by_id
    if same_user or name == decision.decided_by_name:
        log.confirmation_refused(actor, decision, "own_decision")
        raise _error(
            "own_decision",
            "U kunt uw eigen besluit niet bevestigen: een tweede beoordelaar bevestigt (vier ogen).",
            "You cannot confirm your own decision: a second reviewer confirms (four eyes).",
        )
    Decision.objects.filter(pk=decision.pk).update(
        confirmed_by=principal if getattr(principal, "pk", None) else None,
        confirmed_by_name=name,
        confirmed_at=timezone.now(),
    )
    decision.refresh_from_db()
    try:
        return exclusion.execute(decision, actor=actor)
    except Exception:
        Decision.objects.filter(pk=decision.pk, status=DecisionStatus.AWAITING_CONFIRMATION).update(
            confirmed_by=None, confirmed_by_name="", confirmed_at=None
        )
        raise


def propose(
    principal: Any,
    *,
    label: str,
    reason: str,
    actor: str,
    conversation_id: int | None = None,
    message_ids: Sequence[int] = (),
) -> Proposal:
    """A custodian proposes a label for their own conversation or messages; a reviewer decides."""
    label = _label(label)
    conversation, ids = target(conversation_id=conversation_id, message_ids=message_ids)
    access.require(principal, Action.PROPOSE_LABEL, conversation.custodian)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            custodian=conversation.custodian,
            conversation=conversation,
            conversation_ref=conversation.pk,
            message_ids=ids,
            label=label,
            reason=reason.strip(),
            proposed_by=_name(principal, actor),
        )
        log.label_proposed(actor, proposal)
    return proposal


def may_review_organisation(principal: Any, organisation: Organisation) -> bool:
    return access.custodians(principal, Action.CLASSIFY).filter(organisation=organisation).exists()


def _require_organisation(principal: Any, organisation: Organisation) -> None:
    if not may_review_organisation(principal, organisation):
        raise access.AccessDenied


def open_standup(
    principal: Any, organisation: Organisation, *, held_on: dt.date, attendees: Sequence[str], actor: str
) -> StandupSession:
    """Start a stand-up: decisions taken while it is open are recorded in it."""
    _require_organisation(principal, organisation)
    with transaction.atomic():
        StandupSession.objects.filter(organisation=organisation, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        session = StandupSession.objects.create(
            organisation=organisation,
            held_on=held_on,
            attendees=sorted({a.strip() for a in attendees if a.strip()}),
            opened_by=_name(principal, actor),
        )
        log.standup_opened(actor, session)
    return session


def close_standup(principal: Any, session: StandupSession, *, actor: str) -> StandupSession:
    _require_organisation(principal, session.organisation)
    if session.closed_at is None:
        session.closed_at = timezone.now()
        session.save(update_fields=["closed_at"])
        log.standup_closed(actor, session, session.decisions.count())
    return session
