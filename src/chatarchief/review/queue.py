"""The weekly review: what the stand-up looks at, in the order it looks at it, and its agenda.

An item is on the queue when no live decision covers it and
- a custodian proposed a label for it (`proposal`), or
- the rules and the suggestion model disagree (`disagreement`), or
- the rules label it private or party (`exclude`: only a person's decision can exclude), or
- the rules' label is doubtful (`doubtful`, confidence below 0.7).
A confident business conversation without a proposal needs no stand-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.archive.models import Custodian, Message, Organisation
from chatarchief.core.rules.labels import DOUBTFUL_BELOW, RuleHit
from chatarchief.core.rules.suggest import Suggestion
from chatarchief.review import classify as classification
from chatarchief.review import suggestions
from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus, ProposalStatus, QueueReason
from chatarchief.review.models import Decision, Proposal, StandupSession

ORDER = [QueueReason.PROPOSAL, QueueReason.DISAGREEMENT, QueueReason.EXCLUDE, QueueReason.DOUBTFUL]


@dataclass
class QueueItem:
    kind: str  # conversation | message
    custodian: Custodian
    conversation_id: int
    title: str
    label: str  # the rules' label
    confidence: float
    hits: list[RuleHit]
    why: str
    message_id: int | None = None
    sent_at: dt.datetime | None = None
    suggestion: Suggestion | None = None
    proposal: Proposal | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            ORDER.index(QueueReason(self.why)),
            self.confidence,
            self.custodian.name,
            self.title,
            self.message_id or 0,
        )

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "kind": self.kind,
            "custodian": self.custodian.slug,
            "conversation_id": self.conversation_id,
            "title": self.title,
            "message_id": self.message_id,
            "sent_at": self.sent_at.astimezone(self.custodian.zone).isoformat() if self.sent_at else None,
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "why": self.why,
            "rules": [{"rule": h.rule, "reason": h.reason(lang)} for h in self.hits],
            "suggestion": self.suggestion.as_dict() if self.suggestion else None,
            "proposal": {"label": self.proposal.label, "by": self.proposal.proposed_by} if self.proposal else None,
        }


def _why(label: str, confidence: float, suggestion: Suggestion | None, proposal: Proposal | None) -> str | None:
    if proposal is not None:
        return QueueReason.PROPOSAL
    if suggestion is not None and str(suggestion.label) != label:
        return QueueReason.DISAGREEMENT
    if label in EXCLUDED_LABELS:
        return QueueReason.EXCLUDE
    if confidence < DOUBTFUL_BELOW:
        return QueueReason.DOUBTFUL
    return None


def review_queue(custodian: Custodian) -> list[QueueItem]:
    """The custodian's items for the stand-up, in its order."""
    model = suggestions.model_for(custodian.organisation_id)
    proposals = list(Proposal.objects.filter(custodian=custodian, status=ProposalStatus.OPEN).order_by("id"))
    items: list[QueueItem] = []
    classified = [c for c in classification.classify(custodian) if c.decided is None]
    texts = [" ".join(m.text for m in (c.facts.messages if c.facts else ()) if m.text) for c in classified]
    for item, suggestion in zip(classified, suggestions.suggest_texts(model, texts), strict=True):
        conversation = item.conversation
        proposal = next((p for p in proposals if p.conversation_id == conversation.pk and not p.message_ids), None)
        label, confidence = str(item.label.label), item.label.confidence
        why = _why(label, confidence, suggestion, proposal)
        if why:
            items.append(
                QueueItem(
                    "conversation",
                    custodian,
                    conversation.pk,
                    conversation.title,
                    label,
                    confidence,
                    item.label.hits,
                    why,
                    suggestion=suggestion,
                    proposal=proposal,
                )
            )
        items += _message_items(item, model, proposals)
    return sorted(items, key=QueueItem.sort_key)


def _message_items(item: classification.Classified, model: Any, proposals: list[Proposal]) -> list[QueueItem]:
    rows = [r for r in classification.differing_messages(item) if r["hit"] is not None]
    proposed = {i: p for p in proposals if p.conversation_id == item.conversation.pk for i in p.message_ids}
    rows += [
        {"message_id": i, "label": p.label, "confidence": 0.0, "hit": None, "sent_at": None}
        for i, p in proposed.items()
        if i not in {r["message_id"] for r in rows} and i not in item.message_decisions
    ]
    bodies = dict(Message.objects.filter(pk__in=[r["message_id"] for r in rows]).values_list("id", "body"))
    found = []
    hints = suggestions.suggest_texts(model, [bodies.get(r["message_id"]) or "" for r in rows])
    for row, suggestion in zip(rows, hints, strict=True):
        proposal = proposed.get(row["message_id"])
        why = _why(row["label"], row["confidence"], suggestion, proposal) or QueueReason.EXCLUDE
        found.append(
            QueueItem(
                "message",
                item.conversation.custodian,
                item.conversation.pk,
                item.conversation.title,
                row["label"],
                row["confidence"],
                [row["hit"]] if row["hit"] else [],
                why,
                message_id=row["message_id"],
                sent_at=row["sent_at"],
                suggestion=suggestion,
                proposal=proposal,
            )
        )
    return found


@dataclass
class Agenda:
    organisation: Organisation
    since: dt.date | None
    items: list[QueueItem] = field(default_factory=list)
    awaiting: list[Decision] = field(default_factory=list)
    decided_since: list[Decision] = field(default_factory=list)

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "organisation": self.organisation.code,
            "since": self.since.isoformat() if self.since else None,
            "items": [item.as_dict(lang) for item in self.items],
            "awaiting_confirmation": [decision_dict(d) for d in self.awaiting],
            "decided_since": [decision_dict(d) for d in self.decided_since],
        }


def decision_dict(decision: Decision) -> dict[str, Any]:
    """A decision as read-outs show it (no content: ids, label, status, people, times)."""
    return {
        "decision_id": decision.pk,
        "custodian": decision.custodian.slug,
        "conversation_id": decision.conversation_ref,
        "message_ids": list(decision.message_ids),
        "label": decision.label,
        "status": decision.status,
        "reason": decision.reason,
        "decided_by": decision.decided_by_name,
        "decided_at": decision.decided_at.isoformat(),
        "confirmed_by": decision.confirmed_by_name or None,
        "confirmed_at": decision.confirmed_at.isoformat() if decision.confirmed_at else None,
        "result": decision.result or None,
    }


def agenda(principal: Any, organisation: Organisation) -> Agenda:
    """What is open for the organisation's stand-up since its last session (the principal's custodians)."""
    custodians = list(access.custodians(principal, Action.CLASSIFY).filter(organisation=organisation).order_by("name"))
    if not custodians:
        raise access.AccessDenied
    last = StandupSession.objects.filter(organisation=organisation, closed_at__isnull=False).aggregate(
        last=Max("held_on")
    )["last"]
    result = Agenda(organisation, last)
    for custodian in custodians:
        result.items += review_queue(custodian)
    result.items.sort(key=QueueItem.sort_key)
    decisions = Decision.objects.filter(custodian__in=custodians).select_related("custodian")
    result.awaiting = list(decisions.filter(status=DecisionStatus.AWAITING_CONFIRMATION).order_by("decided_at"))
    if last:
        result.decided_since = list(decisions.filter(decided_at__date__gte=last).order_by("decided_at"))
    return result
