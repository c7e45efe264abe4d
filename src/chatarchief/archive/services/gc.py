"""`chatarchief gc`: remove blobs no record refers to.

An ingest keeps its original and media in the blob store before its load transaction commits (the
original must be safe whatever parsing finds); a worker killed in between leaves media blobs (and
their `Blob` rows) that nothing refers to. They are harmless but take space: `collect` removes those
older than a grace period (default CHATARCHIEF_GC_GRACE_SECONDS, a day: an ingest running now may be
about to refer to a younger one). Referenced means: named by any foreign key to `Blob` (originals,
derived originals, attachments, and whatever other apps add), listed in a folder delivery's manifest,
or the passphrase of a delivery still waiting. A referenced blob is never removed; every removal is
logged and written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chatarchief.archive.models import Blob, Delivery
from chatarchief.archive.services import blob_names, blobs
from chatarchief.audit import log

logger = logging.getLogger(__name__)


def referenced() -> set[str]:
    """Every SHA-256 some record refers to."""
    found: set[str] = set()
    for model, column in blob_references():
        found.update(v for v in model._default_manager.exclude(**{column: None}).values_list(column, flat=True))
    found.update(s for s in Delivery.objects.exclude(secret_blob="").values_list("secret_blob", flat=True))
    found.update(_manifest_members())
    return {sha for sha in found if isinstance(sha, str) and blob_names.is_digest(sha)}


def blob_references() -> list[tuple[Any, str]]:
    """(model, column) of every foreign key to Blob in every installed app (hidden ones included:
    `Delivery.original` has no reverse name)."""
    return [
        (model, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Blob
    ]


def _manifest_members() -> set[str]:
    """Blobs listed by folder deliveries' manifests (a folder's original is a small JSON manifest
    whose size differs from the delivery's, which counts the folder's files)."""
    members: set[str] = set()
    folders = Delivery.objects.exclude(original=None).exclude(original__size=F("size"))
    for sha256 in set(folders.values_list("original_id", flat=True)):
        try:
            data = json.loads(blobs.read_verified(sha256))
        except (ValueError, UnicodeDecodeError, blobs.BlobError):
            continue
        if isinstance(data, dict) and isinstance(data.get("files"), list):
            members.update(entry.get("sha256", "") for entry in data["files"] if isinstance(entry, dict))
    return members


def _stored_age(store: Any, name: str) -> dt.datetime | None:
    root = getattr(store, "root", None)
    try:
        if root is not None:
            return dt.datetime.fromtimestamp((root / name).stat().st_mtime, dt.UTC)
        return store.storage.get_modified_time(name)
    except (OSError, NotImplementedError, AttributeError):
        return None


def collect(grace: dt.timedelta | None = None, *, dry_run: bool = False, actor: str = "system") -> dict[str, Any]:
    """Remove unreferenced blobs older than `grace`. Returns {"removed": [sha256 or stored name],
    "kept": referenced count, "dry_run": bool}."""
    grace = grace if grace is not None else dt.timedelta(seconds=settings.GC_GRACE_SECONDS)
    cutoff = timezone.now() - grace
    store = blobs.store()
    removed: list[str] = []
    with transaction.atomic():
        keep = referenced()
        doomed = Blob.objects.filter(created_at__lt=cutoff).exclude(sha256__in=keep)
        names = {store.namer().name(sha): sha for sha in Blob.objects.values_list("sha256", flat=True)}
        names.update({store.namer().name(sha): sha for sha in keep})
        for blob in doomed.select_for_update():
            if blob.sha256 in keep:  # pragma: no cover - excluded above; kept as a second guard
                continue
            logger.warning("gc: removing unreferenced blob %s (%d bytes)", blob.sha256, blob.size)
            removed.append(blob.sha256)
            if not dry_run:
                sha256 = blob.sha256
                blob.delete()  # first the row (PROTECT refuses a referenced one), then the file
                store.remove(sha256)
    # stored files without a Blob row (written just before a crash, before the row)
    for name in list(store.stored()):
        if name in names or name.rsplit("/", 1)[-1] in names.values():
            continue
        age = _stored_age(store, name)
        if age is None or age >= cutoff:
            continue
        logger.warning("gc: removing stored file %s that no record names", name)
        removed.append(name)
        if not dry_run:
            store._delete(name)  # type: ignore[attr-defined]
    report = {"removed": removed, "kept": len(keep), "dry_run": dry_run}
    if removed and not dry_run:
        log.blobs_collected(actor, report)
    return report
