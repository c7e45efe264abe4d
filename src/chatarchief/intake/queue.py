"""Background ingest: an upload is received (original kept, SHA-256 recorded) and answered at once
as `queued`; a worker (`chatarchief worker`, intake/worker.py) parses and reconciles it.

The queue is django-tasks with its database backend (django-tasks-db): the task row lives in the
archive's own database, so no broker has to run beside PostgreSQL (or the embedded SQLite), a task is
visible to every web process and worker at once, and a delivery and its task are one thing to back up.
The delivery row is the source of truth for its state (`queued`, `running`, `ingested`, `duplicate`,
`failed`); the task row only wakes a worker. A worker that dies (`kill -9`, power loss) leaves its
delivery `running`: `recover_stalled` puts it back in the queue (at most MAX_ATTEMPTS times, then
`failed` with the original kept), and the load's single transaction means nothing half-written stays.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.archive.services import blobs
from chatarchief.core.errors import ChatarchiefError, FormatError
from chatarchief.intake import pipeline
from chatarchief.intake.filenames import delivery_name
from chatarchief.intake.moments import in_custodian_zone
from chatarchief.intake.receipts import IngestOutcome, conversations_of
from chatarchief.intake.receive import receive

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
STATUSES = ("queued", "running", "ingested", "duplicate", "failed")


def submit(
    path: str | os.PathLike[str],
    custodian: Custodian,
    *,
    actor: str,
    user: Any = None,
    file_name: str | None = None,
    exported_at: dt.datetime | None = None,
    secret: str | None = None,
) -> IngestOutcome:
    """Receive an export and queue it for a worker. Returns at once: status `queued` (or `duplicate`
    when this custodian's archive already holds the same original)."""
    name = delivery_name(file_name or os.fspath(path))
    received = receive(path, custodian, actor=actor, file_name=name, user=user)
    delivery = received.delivery
    if received.duplicate_of is not None:
        return pipeline._mark_duplicate(delivery, received.duplicate_of, actor)
    fields: dict[str, Any] = {"requested_exported_at": in_custodian_zone(exported_at, custodian)}
    if secret:
        fields["secret_blob"], _ = blobs.store().put_stream(io.BytesIO(secret.encode()))
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    enqueue(delivery)
    delivery.refresh_from_db()
    return outcome_of(delivery)


def outcome_of(delivery: Delivery) -> IngestOutcome:
    """The receipt of a delivery as it stands (queued, running or done)."""
    error = None
    if delivery.status == DeliveryStatus.FAILED:
        error = ChatarchiefError(
            delivery.error_code or "error",
            nl=delivery.error_message,
            en=delivery.error_message_en or delivery.error_message,
        )
    return IngestOutcome(delivery, conversations_of(delivery), dict(delivery.counts or {}), error)


@task()
def ingest_delivery(delivery_id: int) -> str:
    """The worker's task: parse and reconcile a queued delivery (`run`); returns its final status."""
    return run(delivery_id)


def enqueue(delivery: Delivery) -> None:
    """Hand a queued delivery to the task queue (with the immediate backend: run it now)."""
    ingest_delivery.enqueue(delivery.pk)


def submit_upload(
    chunks: Iterable[bytes], custodian: Custodian, *, file_name: str | None, **options: Any
) -> IngestOutcome:
    """An upload (web page or API) spooled to a private file under UPLOAD_DIR, submitted, the spool
    removed: the original is kept in the blob store."""
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(dir=settings.UPLOAD_DIR)
    try:
        with os.fdopen(fd, "wb") as sink:
            for chunk in chunks:
                sink.write(chunk)
        return submit(path, custodian, file_name=file_name or "upload", **options)
    finally:
        os.unlink(path)


def submit_uploaded(uploaded: Any, custodian: Custodian, **options: Any) -> IngestOutcome:
    """A Django upload: one Django already spooled to a private temporary file (larger than
    FILE_UPLOAD_MAX_MEMORY_SIZE, in FILE_UPLOAD_TEMP_DIR) is kept from there, without a second
    copy; a small one in memory goes through `submit_upload`."""
    name = options.pop("file_name", None) or getattr(uploaded, "name", None) or "upload"
    if hasattr(uploaded, "temporary_file_path"):
        return submit(uploaded.temporary_file_path(), custodian, file_name=name, **options)
    return submit_upload(uploaded.chunks(), custodian, file_name=name, **options)


def run(delivery_id: int) -> str:
    """The worker's part: claim the delivery, fetch its original from the blob store, process it.
    Returns the delivery's status. Safe to run twice (a delivery not waiting is left alone)."""
    delivery = Delivery.objects.select_related("custodian").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if not pipeline.claim(delivery):
        return delivery.status
    workdir = Path(tempfile.mkdtemp(prefix="chatarchief-queue-", dir=_spool_dir()))
    try:
        path = _materialise(delivery, workdir)
        secret = blobs.read_verified(delivery.secret_blob).decode() if delivery.secret_blob else None
        outcome = pipeline.process(
            delivery,
            str(path),
            actor=delivery.delivered_by_label or "worker",
            exported_at=delivery.requested_exported_at,
            secret=secret,
        )
        return outcome.delivery.status
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        _forget_secret(delivery.pk)


def _spool_dir() -> Path:
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    return settings.UPLOAD_DIR


def _materialise(delivery: Delivery, workdir: Path) -> Path:
    """The original as a plain file (or folder, from its manifest) for the parser."""
    target = workdir / (Path(delivery.file_name).name or "export")
    blobs.copy_to(delivery.sha256, str(target))
    if delivery.size != target.stat().st_size or target.stat().st_size < 4096:
        try:
            manifest = json.loads(target.read_bytes())
        except (ValueError, UnicodeDecodeError):
            return target
        if isinstance(manifest, dict) and "files" in manifest and "folder" in manifest:
            folder = workdir / (manifest["folder"] or "folder")
            for entry in manifest["files"]:
                file = folder / entry["path"]
                file.parent.mkdir(parents=True, exist_ok=True)
                blobs.copy_to(entry["sha256"], str(file))
            target.unlink()
            return folder
    return target


def _forget_secret(delivery_id: int) -> None:
    """A passphrase is kept (encrypted) only while its delivery waits or runs."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None or not delivery.secret_blob or delivery.status in ("queued", "running"):
        return
    if not Delivery.objects.filter(secret_blob=delivery.secret_blob).exclude(pk=delivery_id).exists():
        blobs.store().remove(delivery.secret_blob)
    Delivery.objects.filter(pk=delivery_id).update(secret_blob="")


def _alive(worker: str) -> bool | None:
    """Whether the worker process `host:pid` runs; None when it is on another host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stalled(lease: dt.timedelta | None = None) -> list[int]:
    """Deliveries left `running` by a worker that died: back to the queue, or `failed` (original
    kept) after MAX_ATTEMPTS. A worker on this host is checked by its pid; one elsewhere by the lease
    (CHATARCHIEF_INGEST_LEASE_SECONDS). Returns the ids it acted on."""
    lease = lease or dt.timedelta(seconds=settings.INGEST_LEASE_SECONDS)
    acted = []
    for delivery in Delivery.objects.filter(status=DeliveryStatus.RUNNING).only("pk", "worker", "started_at"):
        alive = _alive(delivery.worker)
        expired = delivery.started_at is None or timezone.now() - delivery.started_at > lease
        if alive or (alive is None and not expired):
            continue
        with transaction.atomic():
            current = Delivery.objects.select_for_update().select_related("custodian").get(pk=delivery.pk)
            if current.status != DeliveryStatus.RUNNING or current.worker != delivery.worker:
                continue
            if current.attempts >= MAX_ATTEMPTS:
                error = FormatError(
                    "ingest.interrupted",
                    nl=f"De verwerking is {current.attempts} keer afgebroken; het origineel is bewaard.",
                    en=f"Processing was interrupted {current.attempts} times; the original is kept.",
                    file=current.file_name,
                )
                pipeline._failed(current, "worker", error)
            else:
                Delivery.objects.filter(pk=current.pk).update(status=DeliveryStatus.QUEUED, worker="")
        if current.status == DeliveryStatus.RUNNING and current.attempts < MAX_ATTEMPTS:
            enqueue(current)
            logger.warning("delivery %s: worker %s gone; queued again", delivery.pk, delivery.worker)
        else:
            logger.warning(
                "delivery %s: worker %s gone; failed after %s attempts", delivery.pk, delivery.worker, current.attempts
            )
        acted.append(delivery.pk)
    acted += _requeue_orphans()
    return acted


def _requeue_orphans() -> list[int]:
    """Queued deliveries whose task is gone (a crash between receiving and queueing, or a worker
    that died holding the task before it claimed the delivery): queue them again."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover
        return []
    waiting = set(
        Delivery.objects.filter(
            status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RECEIVED),
            received_at__lt=timezone.now() - dt.timedelta(seconds=60),
        ).values_list("pk", flat=True)
    )
    if not waiting:
        return []
    pending = DBTaskResult.objects.filter(task_path=ingest_delivery.module_path, status__in=("READY", "RUNNING"))
    recent = timezone.now() - dt.timedelta(seconds=settings.INGEST_LEASE_SECONDS)
    for row in pending.values("args_kwargs", "status", "started_at"):
        args = (row["args_kwargs"] or {}).get("args") or []
        if row["status"] == "RUNNING" and row["started_at"] and row["started_at"] < recent:
            continue  # a task claimed long ago whose worker never marked the delivery: dead
        if args:
            waiting.discard(args[0])
    for pk in sorted(waiting):
        enqueue(Delivery.objects.get(pk=pk))
    return sorted(waiting)


def deliveries(status: str | None = None, custodian: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Deliveries newest first, for `chatarchief deliveries` and the operations pages."""
    query = Delivery.objects.select_related("custodian").order_by("-received_at", "-id")
    if status:
        query = query.filter(status=status)
    if custodian:
        query = query.filter(custodian__slug=custodian)
    return [delivery_row(d) for d in query[:limit]]


def delivery_row(d: Delivery) -> dict[str, Any]:
    def iso(moment: dt.datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": d.pk,
        "custodian": d.custodian.slug,
        "file": d.file_name,
        "sha256": d.sha256,
        "size": d.size,
        "status": "queued" if d.status == DeliveryStatus.RECEIVED else d.status,
        "received_at": iso(d.received_at),
        "started_at": iso(d.started_at),
        "finished_at": iso(d.finished_at),
        "attempts": d.attempts,
        "duplicate_of": d.duplicate_of_id,
        "error": {"code": d.error_code, "message": d.error_message} if d.status == DeliveryStatus.FAILED else None,
        "url": f"/deliveries/{d.pk}/",
    }


def queue_length() -> int:
    return Delivery.objects.filter(status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RECEIVED)).count()
