"""Stage 1, receive: keep the original byte for byte (before anything is parsed) and record a Delivery."""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from chatarchief.archive.models import Blob, Custodian, Delivery, DeliveryStatus
from chatarchief.archive.services import blobs
from chatarchief.audit import log


@dataclass
class Received:
    delivery: Delivery
    duplicate_of: Delivery | None


def _store_directory(path: Path) -> tuple[str, int]:
    """A folder (Signal v2 backup, Desktop profile) is kept as its files plus a manifest blob;
    the manifest's SHA-256 is the delivery's identity."""
    entries = []
    total = 0
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
        sha256, size = blobs.store().put_file(file)
        Blob.objects.get_or_create(sha256=sha256, defaults={"size": size})
        entries.append({"path": file.relative_to(path).as_posix(), "sha256": sha256, "size": size})
        total += size
    manifest = json.dumps({"folder": path.name, "files": entries}, sort_keys=True, indent=1).encode()
    sha256, _ = blobs.store().put_stream(io.BytesIO(manifest))
    Blob.objects.get_or_create(sha256=sha256, defaults={"size": len(manifest)})
    return sha256, total


def receive(
    path: str | os.PathLike[str],
    custodian: Custodian,
    *,
    actor: str,
    file_name: str | None = None,
    user: object | None = None,
) -> Received:
    """Store the original and create the Delivery row (committed on its own: the original is kept
    whatever parsing later finds). The same original already ingested for this custodian makes a
    `duplicate` delivery that changes nothing else."""
    source = Path(path)
    name = file_name or source.name
    if source.is_dir():
        sha256, size = _store_directory(source)
    else:
        sha256, size = blobs.store().put_file(source)
        Blob.objects.get_or_create(sha256=sha256, defaults={"size": size})
    with transaction.atomic():
        earlier = (
            Delivery.objects.filter(custodian=custodian, sha256=sha256, status=DeliveryStatus.INGESTED)
            .order_by("id")
            .first()
        )
        delivery = Delivery.objects.create(
            custodian=custodian,
            delivered_by=user if getattr(user, "pk", None) else None,
            delivered_by_label=actor,
            file_name=name[:500],
            sha256=sha256,
            size=size,
            original_id=sha256,
            status=DeliveryStatus.DUPLICATE if earlier else DeliveryStatus.QUEUED,
            duplicate_of=earlier,
            format=earlier.format if earlier else "",
        )
        log.delivery_received(actor, delivery)
    return Received(delivery=delivery, duplicate_of=earlier)
