"""Request and response shapes of the integration API (they make up docs/openapi.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class ProblemOut(Schema):
    code: str = Field(description="stable machine code, e.g. api.forbidden")
    detail: str = Field(description="message for people, Dutch unless Accept-Language asks for English")


class ConversationRef(Schema):
    id: int
    title: str
    channel: str


class ReceiptError(Schema):
    code: str
    message: str


class ReceiptOut(Schema):
    """The receipt of one delivery: what came in and what the archive made of it."""

    delivery_id: int
    file: str
    sha256: str
    status: Literal["received", "queued", "running", "ingested", "duplicate", "failed"]
    format: str | None
    exported_at: dt.datetime | None = Field(description="the moment the custodian secured the chats")
    conversation: ConversationRef | None
    conversations: list[ConversationRef]
    counts: dict[str, int]
    error: ReceiptError | None
    status_url: str | None = Field(None, description="where to follow a queued delivery (GET)")


class DeliveryOut(Schema):
    id: int
    custodian: str
    received_at: dt.datetime
    delivered_by: str
    size: int
    receipt: ReceiptOut


class CustodianOut(Schema):
    slug: str
    name: str
    function: str
    category: str
    organisation: str | None


class FindingOut(Schema):
    id: int | None = Field(description="null for an open cadence gap not recorded yet")
    type: str
    detected_at: dt.datetime | None = Field(description="null for an open cadence gap not recorded yet")
    conversation_id: int | None
    message_id: int | None
    delivery_id: int | None
    details: dict[str, Any] = Field(description="metadata of the finding; never message content")


class ComplianceOut(Schema):
    custodian: str
    cadence_days: int
    last_secured_at: dt.datetime | None = Field(description="newest moment the custodian secured their chats")
    overdue: bool = Field(description="no chats secured within the cadence until now")
    open_findings: list[FindingOut]
