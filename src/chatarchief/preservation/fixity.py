"""Fixity: re-hash every blob (originals, media, derived originals) against its recorded SHA-256.

Reading a blob through the store decrypts it segment by segment (AES-GCM authenticates every
segment) and checks the SHA-256 of the plaintext at the end (archive.services.blob_crypto), so a
flipped byte anywhere in the stored file fails, and a file gone from the store is `missing`. Blobs
are read in parallel (hashlib and AES-GCM release the GIL on large buffers). Every run is kept
(FixityRun) and audited; every failure becomes a `fixity_failure` finding under each custodian whose
delivery or message holds the blob (compliance.findings.upsert: one per custodian and blob).
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from chatarchief.archive.models import Attachment, Blob, Delivery
from chatarchief.archive.services import blobs
from chatarchief.audit import log
from chatarchief.compliance import findings
from chatarchief.compliance.models import FindingType
from chatarchief.preservation.models import FixityRun

READ = 4 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    sha256: str
    size: int
    kind: str = ""  # "", "mismatch" or "missing"
    error: str = ""


def check_blob(store: blobs.BlobStore, sha256: str) -> Checked:
    """Read one blob to its end through the verifying reader."""
    size = 0
    try:
        with store.open(sha256) as handle:
            while chunk := handle.read(READ):
                size += len(chunk)
    except blobs.BlobError as error:
        kind = "missing" if error.code == "blob.not_found" else "mismatch"
        return Checked(sha256, size, kind, error.message("en"))
    except (OSError, ValueError) as error:
        return Checked(sha256, size, "mismatch", str(error))
    return Checked(sha256, size)


def _selection(sample: float | None) -> list[str]:
    shas = list(Blob.objects.order_by("sha256").values_list("sha256", flat=True))
    if sample is None or sample >= 100:
        return shas
    if sample <= 0:
        return []
    count = min(len(shas), max(1, math.ceil(len(shas) * sample / 100)))
    return sorted(random.SystemRandom().sample(shas, count))


def holders(sha256: str) -> list[dict[str, Any]]:
    """Who holds a blob: (custodian, delivery, message) for every delivery original or derived
    original and every attachment that references it."""
    found: list[dict[str, Any]] = []
    for delivery in Delivery.objects.filter(original_id=sha256) | Delivery.objects.filter(derived_original_id=sha256):
        found.append({"custodian_id": delivery.custodian_id, "delivery_id": delivery.pk, "message_id": None})
    if not found:  # a file of a folder delivery (Signal backup, Desktop profile): listed in its manifest
        found += _in_manifests(sha256)
    for message_id, delivery_id, custodian_id, conversation_id in Attachment.objects.filter(blob_id=sha256).values_list(
        "message_id", "message__first_delivery_id", "message__conversation__custodian_id", "message__conversation_id"
    ):
        found.append(
            {
                "custodian_id": custodian_id,
                "delivery_id": delivery_id,
                "message_id": message_id,
                "conversation_id": conversation_id,
            }
        )
    return found


MANIFEST_MAX = 50 * 1024 * 1024


def _in_manifests(sha256: str) -> list[dict[str, Any]]:
    """The folder deliveries whose manifest blob lists `sha256` (read only for a failing blob)."""
    from chatarchief.review.originals import manifest_members

    found = []
    for delivery in Delivery.objects.filter(original__size__lte=MANIFEST_MAX).order_by("id"):
        try:
            members = manifest_members(delivery.original_id)
        except blobs.BlobError:
            continue
        if sha256 in members:
            found.append({"custodian_id": delivery.custodian_id, "delivery_id": delivery.pk, "message_id": None})
    return found


def _workers() -> int:
    return max(1, min(4, int(os.environ.get("CHATARCHIEF_VERIFY_WORKERS", 0) or (os.cpu_count() or 1))))


def check_all(
    shas: Iterable[str], workers: int | None = None, progress: Callable[[Checked], None] | None = None
) -> list[Checked]:
    store = blobs.store()
    store.namer()  # the name key is read from the database once, here, not in every reader thread
    with ThreadPoolExecutor(max_workers=workers or _workers()) as pool:
        results = []
        for checked in pool.map(lambda sha: check_blob(store, sha), shas):
            results.append(checked)
            if progress:
                progress(checked)
    return results


def run(*, actor: str, sample: float | None = None, progress: Callable[[Checked], None] | None = None) -> FixityRun:
    """Verify the blobs (all, or a random `sample` percent), record the run, raise findings."""
    started = timezone.now()
    clock = time.perf_counter()
    shas = _selection(sample)
    results = check_all(shas, progress=progress)
    failures: list[dict[str, Any]] = []
    with transaction.atomic():
        for checked in results:
            if not checked.kind:
                continue
            held = holders(checked.sha256)
            first = held[0] if held else {}
            failures.append(
                {
                    "sha256": checked.sha256,
                    "kind": checked.kind,
                    "delivery_id": first.get("delivery_id"),
                    "message_id": first.get("message_id"),
                }
            )
            for custodian_id in sorted({h["custodian_id"] for h in held}):
                mine = next(h for h in held if h["custodian_id"] == custodian_id)
                findings.upsert(
                    FindingType.FIXITY_FAILURE,
                    custodian_id,
                    f"blob:{checked.sha256}",
                    conversation_id=mine.get("conversation_id"),
                    message_id=mine.get("message_id"),
                    delivery_id=mine.get("delivery_id"),
                    details={"sha256": checked.sha256, "kind": checked.kind},
                )
        record = FixityRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            actor=actor,
            sample_percent=sample,
            checked=len(results),
            bytes_checked=sum(c.size for c in results),
            seconds=round(time.perf_counter() - clock, 3),
            failures=failures,
        )
        log.fixity_checked(actor, record)
    return record


def as_dict(record: FixityRun) -> dict[str, Any]:
    """The CLI's JSON contract: {"checked": N, "failures": [{"sha256", "kind", "delivery_id", "message_id"}]}."""
    return {"checked": record.checked, "failures": list(record.failures)}
