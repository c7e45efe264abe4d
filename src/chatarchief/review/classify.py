"""Classification of archived conversations with the rules of `core.rules` (the afwegingskader).

Archive rows become the core's facts (`ConversationFacts`): participants with the custodian marked
`is_self` (by name, phone number or the source's own flag), messages with their text. Nothing is
stored: the rules are fast (hundreds of thousands of messages a second), and a changed phrase list
or contact counts at once. What a person decided is read from `Decision`s and wins over the rules.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings

from chatarchief.archive.models import Conversation, Custodian, Message, Participant
from chatarchief.archive.services.readout import iso
from chatarchief.core.rules.contact_book import ContactBook
from chatarchief.core.rules.engine import classify_conversation
from chatarchief.core.rules.labels import ConversationFacts, ConversationLabel, Label, MessageFacts, ParticipantFacts
from chatarchief.core.rules.ruleset import RuleSet
from chatarchief.core.rules.text import fold_name
from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus
from chatarchief.review.contacts import book_for
from chatarchief.review.models import Decision

_TEXT_KINDS = ("text", "media")  # media: the caption
LIVE = (DecisionStatus.FINAL, DecisionStatus.AWAITING_CONFIRMATION)


def rule_folders() -> tuple[str, ...]:
    """A records manager's folders of phrase lists (CHATARCHIEF_RULES_DIRS, separated by the OS's
    path separator), extending the shipped lists."""
    value = getattr(settings, "REVIEW_RULE_FOLDERS", None) or os.environ.get("CHATARCHIEF_RULES_DIRS", "")
    if isinstance(value, str):
        return tuple(p for p in value.split(os.pathsep) if p)
    return tuple(value)


@lru_cache(maxsize=4)
def _rules(folders: tuple[str, ...]) -> RuleSet:
    return RuleSet.load(folders)


def rules() -> RuleSet:
    return _rules(rule_folders())


def _is_self(participant: Participant, custodian: Custodian, own_names: set[str], own_phones: set[str]) -> bool:
    return (
        participant.is_self
        or participant.key == "signal:self"
        or fold_name(participant.name) in own_names
        or fold_name(participant.key) in own_names
        or (participant.phone or participant.key) in own_phones
    )


def facts_of(conversation: Conversation, custodian: Custodian) -> ConversationFacts:
    """The conversation as the rules see it; message ids are the archive's."""
    own_names = {fold_name(custodian.name)}
    own_phones = set(custodian.phone_numbers or [])
    participants = [
        ParticipantFacts(
            key=p.key,
            name=p.name,
            phone=p.phone or None,
            is_self=_is_self(p, custodian, own_names, own_phones),
            native_id=None,
        )
        for p in conversation.participants.all()
    ]
    rows = (
        Message.objects.filter(conversation=conversation)
        .exclude(sender_key="")
        .order_by("sent_at_ms", "sort_index", "id")
        .values_list("id", "sender_key", "kind", "body", "sent_at_ms")
    )
    messages = [
        MessageFacts(
            pk,
            sender,
            (body or "") if kind in _TEXT_KINDS else "",
            dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC),
        )
        for pk, sender, kind, body, ms in rows
    ]
    return ConversationFacts(
        title=conversation.title,
        is_group=bool(conversation.is_group),
        channel=conversation.channel,
        participants=participants,
        messages=messages,
        id=conversation.pk,
    )


@dataclass
class Classified:
    """A conversation's label by the rules, and what people decided about it and its messages."""

    conversation: Conversation
    label: ConversationLabel
    decided: Decision | None  # the conversation's live decision, if any
    message_decisions: dict[int, Decision] = field(default_factory=dict)  # message id -> live decision
    facts: ConversationFacts | None = None

    @property
    def shown_label(self) -> str:
        return self.decided.label if self.decided else str(self.label.label)

    @property
    def shown_confidence(self) -> float:
        return 1.0 if self.decided else self.label.confidence


def live_decisions(custodian: Custodian) -> list[Decision]:
    return list(Decision.objects.filter(custodian=custodian, status__in=LIVE).order_by("decided_at", "id"))


def classify(
    custodian: Custodian, conversations: Iterable[Conversation] | None = None, *, book: ContactBook | None = None
) -> list[Classified]:
    """Every (or these) conversation(s) of a custodian, labelled by the rules, with the decisions."""
    book = book if book is not None else book_for(custodian)
    ruleset = rules()
    decisions = live_decisions(custodian)
    by_conversation = {d.conversation_id: d for d in decisions if not d.message_ids}
    by_message: dict[int, Decision] = {}
    for decision in decisions:
        for message_id in decision.message_ids:
            by_message[message_id] = decision
    query = conversations if conversations is not None else Conversation.objects.filter(custodian=custodian)
    found = []
    for conversation in query:
        facts = facts_of(conversation, custodian)
        decided = by_conversation.get(conversation.pk)
        label = classify_conversation(facts, book, ruleset, decided_label=Label(decided.label) if decided else None)
        ids = {m.id for m in facts.messages}
        mine = {i: d for i, d in by_message.items() if i in ids}
        found.append(Classified(conversation, label, decided, mine, facts))
    return found


def differing_messages(item: Classified) -> list[dict[str, Any]]:
    """The messages whose own label differs from their conversation's: the rules' findings, with a
    person's message decision winning ("decision" as the rule)."""
    conversation_label = item.shown_label
    rows: dict[int, dict[str, Any]] = {}
    sent = {m.id: m.sent_at for m in (item.facts.messages if item.facts else ())}
    for found in item.label.messages:
        rows[found.message_id] = {
            "message_id": found.message_id,
            "label": str(found.label),
            "confidence": round(found.confidence, 3),
            "rule": found.rule,
            "hit": found.hit,
        }
    for message_id, decision in item.message_decisions.items():
        rows[message_id] = {
            "message_id": message_id,
            "label": decision.label,
            "confidence": 1.0,
            "rule": "decision",
            "hit": None,
            "decision": decision,
        }
    result = [row for row in rows.values() if row["label"] != conversation_label]
    for row in result:
        row["sent_at"] = sent.get(row["message_id"])
    return sorted(result, key=lambda row: (row["sent_at"] or dt.datetime.min.replace(tzinfo=dt.UTC), row["message_id"]))


def _reason(row: dict[str, Any], lang: str) -> str:
    if row["hit"] is not None:
        return row["hit"].reason(lang)
    decision = row["decision"]
    return ("Besloten door " if lang == "nl" else "Decided by ") + decision.decided_by_name


def classification_json(custodian: Custodian, lang: str = "nl") -> dict[str, Any]:
    """`chatarchief classify --json` (issue 16's shape)."""
    zone = custodian.zone
    conversations, messages = [], []
    for item in classify(custodian, Conversation.objects.filter(custodian=custodian).order_by("title", "id")):
        conversations.append(
            {
                "conversation_id": item.conversation.pk,
                "title": item.conversation.title,
                "label": item.shown_label,
                "confidence": round(item.shown_confidence, 3),
                "decided": item.decided is not None,
                "rules": [{"rule": hit.rule, "reason": hit.reason(lang)} for hit in item.label.hits],
            }
        )
        for row in differing_messages(item):
            sent_at = row["sent_at"]
            messages.append(
                {
                    "message_id": row["message_id"],
                    "conversation_id": item.conversation.pk,
                    "sent_at": iso(int(sent_at.timestamp() * 1000), zone) if sent_at else None,
                    "label": row["label"],
                    "confidence": row["confidence"],
                    "rule": row["rule"],
                    "reason": _reason(row, lang),
                }
            )
    return {"conversations": conversations, "messages": messages}


def excluded_label(label: str) -> bool:
    return label in EXCLUDED_LABELS
