"""Labels, the facts the rules read, and the labels they give.

The facts are plain dataclasses so that the Django side can adapt archive rows cheaply (one
`MessageFacts` per row, ids as the caller's own). The output says, for every label, which rule gave
it, in which version, with what confidence and why (Dutch and English).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Below this confidence a label is doubtful: the weekly stand-up should look at it.
DOUBTFUL_BELOW = 0.7


class Label(StrEnum):
    """What the afwegingskader says a conversation or message is. Only `business` stays archived."""

    BUSINESS = "business"
    PRIVATE = "private"
    PARTY = "party"

    @property
    def dutch(self) -> str:
        return _DUTCH[self]


_DUTCH = {Label.BUSINESS: "zakelijk", Label.PRIVATE: "privé", Label.PARTY: "partijpolitiek"}


@dataclass(frozen=True, slots=True)
class ParticipantFacts:
    """Someone in a conversation. `key` is what `MessageFacts.sender_key` refers to.

    `phone` in E.164 where known; `native_id` the channel's own id (Signal ACI, Telegram
    `user123`); `is_self` marks the custodian (the archive's owner), who is never matched to a contact.
    """

    key: str
    name: str = ""
    phone: str | None = None
    is_self: bool = False
    native_id: str | None = None


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """One message. `id` is the caller's (a database id, an index): it is handed back unchanged."""

    id: Any
    sender_key: str | None
    text: str
    sent_at: dt.datetime | None = None


@dataclass(slots=True)
class ConversationFacts:
    """One conversation as the rules see it: title, group or not, channel, people and messages."""

    title: str
    is_group: bool
    channel: str = ""
    participants: Sequence[ParticipantFacts] = ()
    messages: Sequence[MessageFacts] = ()
    id: Any = None

    def others(self) -> list[ParticipantFacts]:
        """The participants other than the custodian."""
        return [p for p in self.participants if not p.is_self]


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule's verdict: a label, how sure, and why (Dutch and English)."""

    rule: str  # e.g. "contacts.one_to_one", "phrases.congratulations"
    version: str  # the rule's version; a phrase list's `@version` from its data file
    label: Label
    confidence: float
    reason_nl: str
    reason_en: str

    def reason(self, lang: str = "nl") -> str:
        return self.reason_nl if lang.startswith("nl") else self.reason_en

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "version": self.version,
            "label": str(self.label),
            "confidence": round(self.confidence, 3),
            "reason": self.reason(lang),
        }


@dataclass(frozen=True, slots=True)
class MessageLabel:
    """A message whose own label differs from its conversation's, with the rule that says so."""

    message_id: Any
    label: Label
    confidence: float
    hit: RuleHit

    @property
    def rule(self) -> str:
        return self.hit.rule


@dataclass(slots=True)
class ConversationLabel:
    """The rules' label of a conversation, every rule that fired, and the messages that differ.

    `label` and `confidence` come from the strongest rule (`hits[0]`); a rule for another label
    lowers the confidence (see `engine`). `messages` lists only messages whose label is not
    `label`; every other message shares the conversation's label.
    """

    conversation_id: Any
    label: Label
    confidence: float
    hits: list[RuleHit]
    messages: list[MessageLabel] = field(default_factory=list)

    @property
    def doubtful(self) -> bool:
        return self.confidence < DOUBTFUL_BELOW

    @property
    def rule(self) -> str:
        return self.hits[0].rule
