"""The hash of one audit event: it covers the event's fields and the hash of the event before it."""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64


def digest(
    previous: str, at: str, actor: str, action: str, object_type: str, object_id: str, custodian: str, details: dict
) -> str:
    payload = json.dumps(
        [previous, at, actor, action, object_type, object_id, custodian, details], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
