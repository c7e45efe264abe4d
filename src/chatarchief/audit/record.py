"""The audit chain's mechanism: append one event (`_record`, for the event functions only) and check
the chain (`verify`). Events are hash-chained: each row's hash covers its fields and the previous
row's hash, so `chatarchief audit verify` proves the log intact."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from chatarchief.audit import anchor
from chatarchief.audit.chain import GENESIS
from chatarchief.audit.chain import digest as _digest
from chatarchief.audit.models import AuditEvent


def _record(actor: str, action: str, *, obj: Any = None, custodian: str = "", **details: Any) -> AuditEvent:
    """Append one event to the chain."""
    object_type = type(obj).__name__ if obj is not None else ""
    object_id = str(getattr(obj, "pk", "") or "") if obj is not None else ""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(4242)")
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        previous = last or GENESIS
        at = timezone.now()
        clean = json.loads(json.dumps(details, default=str))
        event = AuditEvent(
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            custodian_slug=custodian,
            details=clean,
            previous_hash=previous,
            hash=_digest(previous, at.isoformat(), actor, action, object_type, object_id, custodian, clean),
        )
        event.save(force_insert=True)  # written once: the database refuses UPDATE and DELETE (triggers)
        anchor.schedule()  # the chain's head goes to the signed anchor log once the transaction commits
    return event


def verify() -> tuple[bool, int, int | None]:
    """(intact, events checked, id of the first broken event or None)."""
    previous = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator():
        expected = _digest(
            previous,
            event.at.isoformat(),
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.custodian_slug,
            event.details,
        )
        if event.previous_hash != previous or event.hash != expected:
            return False, count, event.pk
        previous = event.hash
        count += 1
    return True, count, None
