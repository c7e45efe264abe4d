"""A verifiable extract of the audit log for an auditor (`chatarchief audit export`).

One JSON file: the events of a period (a contiguous run of the chain: from the first event on the
first day to the last on the last day, in the installation's time zone), the hash the first one links
to, the chain's head at export time, and an Ed25519 signature (the anchor key) over all of it.
`verify_file` (and `chatarchief audit verify-export`) recomputes every event's hash and link and checks
the signature: against the public key file given (`<anchor key>.pub`, handed to the auditor apart),
else against the key in the file (which shows only that the file is whole, not who made it).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from chatarchief.audit import anchor, chain, log
from chatarchief.audit.models import AuditEvent

FORMAT = "chatarchief-audit-extract/1"


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    first = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return first, after


def _event(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "custodian": e.custodian_slug,
        "details": e.details,
        "previous_hash": e.previous_hash,
        "hash": e.hash,
    }


def canonical(document: dict[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def export(start: dt.date, end: dt.date, out: str | os.PathLike[str], *, actor: str) -> dict[str, Any]:
    first, after = _bounds(start, end)
    in_period = AuditEvent.objects.filter(at__gte=first, at__lt=after)
    low = in_period.order_by("id").values_list("id", flat=True).first()
    high = in_period.order_by("-id").values_list("id", flat=True).first()
    events = (
        [_event(e) for e in AuditEvent.objects.filter(id__gte=low, id__lte=high).order_by("id").iterator()]
        if low is not None
        else []
    )
    count, last_id, last_hash = anchor.head()
    key = anchor._private_key()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    document: dict[str, Any] = {
        "format": FORMAT,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "created_at": timezone.now().isoformat(),
        "created_by": actor,
        "links_to": events[0]["previous_hash"] if events else None,
        "events": events,
        "head": {"count": count, "last_id": last_id, "hash": last_hash},
        "public_key": base64.b64encode(public).decode(),
    }
    document["signature"] = base64.b64encode(key.sign(canonical(document))).decode()
    path = Path(out)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)
    log.audit_exported(actor, start=start.isoformat(), end=end.isoformat(), events=len(events), file=path.name)
    return {"events": len(events), "out": str(path), "head": document["head"]}


def verify_document(document: dict[str, Any], public_key: bytes | None = None) -> dict[str, Any]:
    """Check a parsed extract (plain Python: an auditor can run this without the archive)."""
    result: dict[str, Any] = {"intact": False, "events": len(document.get("events") or []), "problem": ""}
    if document.get("format") != FORMAT:
        result["problem"] = "not a chatarchief audit extract"
        return result
    raw = public_key or base64.b64decode(document.get("public_key", ""))
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(document["signature"]), canonical(document))
    except (ValueError, KeyError, InvalidSignature):
        result["problem"] = "signature does not match (the file was changed, or signed by another key)"
        return result
    previous = document.get("links_to")
    last_id = 0
    for event in document["events"]:
        digest = chain.digest(
            event["previous_hash"],
            event["at"],
            event["actor"],
            event["action"],
            event["object_type"],
            event["object_id"],
            event["custodian"],
            event["details"],
        )
        if event["previous_hash"] != previous or digest != event["hash"] or event["id"] <= last_id:
            result["problem"] = f"chain broken at event {event['id']}"
            result["broken_id"] = event["id"]
            return result
        previous, last_id = event["hash"], event["id"]
    result["intact"] = True
    result["signed_by_given_key"] = public_key is not None
    return result


def verify_file(path: str | os.PathLike[str], public_key_file: str | None = None) -> dict[str, Any]:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    key = base64.b64decode(Path(public_key_file).read_bytes().strip()) if public_key_file else None
    return verify_document(document, key)
