"""The receipt of a delivery: what came in and what the archive made of it.

The same shape everywhere: `ingest --json` (README), the web receipt page, the API's
`POST /deliveries` answer and `GET /deliveries/{pk}` (`ReceiptOut` in docs/openapi.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatarchief.archive.models import Delivery, DeliveryStatus
from chatarchief.archive.services.load import LoadCounts
from chatarchief.core.errors import ChatarchiefError


@dataclass
class IngestOutcome:
    delivery: Delivery
    conversations: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    error: ChatarchiefError | None = None

    @property
    def status(self) -> str:
        return self.delivery.status

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        first = self.conversations[0] if self.conversations else None
        return {
            "delivery_id": self.delivery.pk,
            "file": self.delivery.file_name,
            "sha256": self.delivery.sha256,
            "status": self.delivery.status,
            "format": self.delivery.format or None,
            "exported_at": self.delivery.exported_at.isoformat() if self.delivery.exported_at else None,
            "conversation": first,
            "conversations": self.conversations,
            "counts": self.counts or dict.fromkeys(vars(LoadCounts()), 0),
            "error": {"code": self.error.code, "message": self.error.message(lang)} if self.error else None,
        }


def conversations_of(delivery: Delivery) -> list[dict[str, Any]]:
    """The conversations a delivery showed (a duplicate: those of the delivery it repeats)."""
    source = (
        delivery.duplicate_of if delivery.status == DeliveryStatus.DUPLICATE and delivery.duplicate_of else delivery
    )
    return [
        {"id": c.conversation_id, "title": c.conversation.title, "channel": c.conversation.channel}
        for c in source.coverage.select_related("conversation").order_by("conversation__title")
    ]


def receipt(delivery: Delivery, lang: str = "nl") -> dict[str, Any]:
    """The receipt of a stored delivery: the same one the ingest returned when it came in."""
    error = None
    if delivery.status == DeliveryStatus.FAILED:
        error = ChatarchiefError(
            delivery.error_code or "error",
            nl=delivery.error_message,
            en=delivery.error_message_en or delivery.error_message,
        )
    return IngestOutcome(delivery, conversations_of(delivery), dict(delivery.counts or {}), error).as_dict(lang)
