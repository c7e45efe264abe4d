"""What a search returns, in the JSON shape the CLI, the web page and Woo share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatarchief.core.search import Part


@dataclass(frozen=True, slots=True)
class Hit:
    message_id: int
    conversation_id: int
    conversation_title: str
    custodian: str  # slug
    sent_at: str  # ISO 8601 with the offset of the custodian's time zone
    sender: str
    snippet: str  # escaped HTML, hits in <mark>
    parts: tuple[Part, ...] = field(default=(), compare=False)  # the same snippet, structured (templates)

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "conversation_id": self.conversation_id,
            "conversation_title": self.conversation_title,
            "custodian": self.custodian,
            "sent_at": self.sent_at,
            "sender": self.sender,
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int  # every hit, whatever limit and offset
    hits: list[Hit]

    def as_dict(self) -> dict[str, Any]:
        """``{"total": N, "hits": [{"message_id", "conversation_id", "conversation_title",
        "custodian", "sent_at", "sender", "snippet"}]}``"""
        return {"total": self.total, "hits": [hit.as_dict() for hit in self.hits]}
