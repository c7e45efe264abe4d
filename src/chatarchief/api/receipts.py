"""Read-outs for the API: a stored delivery's receipt, a custodian's open findings (metadata only)."""

from __future__ import annotations

from typing import Any

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.archive.services.ingest import IngestOutcome
from chatarchief.compliance.models import Finding
from chatarchief.core.errors import ChatarchiefError


def _conversations(delivery: Delivery) -> list[dict[str, Any]]:
    source = (
        delivery.duplicate_of if delivery.status == DeliveryStatus.DUPLICATE and delivery.duplicate_of else delivery
    )
    return [
        {"id": c.conversation_id, "title": c.conversation.title, "channel": c.conversation.channel}
        for c in source.coverage.select_related("conversation").order_by("conversation__title")
    ]


def receipt(delivery: Delivery, lang: str = "nl") -> dict[str, Any]:
    """The same receipt the ingest returned when the delivery came in."""
    error = None
    if delivery.status == DeliveryStatus.FAILED:
        error = ChatarchiefError(
            delivery.error_code or "error",
            nl=delivery.error_message,
            en=delivery.error_message_en or delivery.error_message,
        )
    return IngestOutcome(delivery, _conversations(delivery), dict(delivery.counts or {}), error).as_dict(lang)


def open_findings(custodian: Custodian) -> list[dict[str, Any]]:
    query = Finding.objects.filter(custodian=custodian, retracted_at__isnull=True).order_by("detected_at", "id")
    return [
        {
            "id": f.pk,
            "type": f.type,
            "detected_at": f.detected_at,
            "conversation_id": f.conversation_id,
            "message_id": f.message_id,
            "delivery_id": f.delivery_id,
            "details": f.details or {},
        }
        for f in query
    ]
