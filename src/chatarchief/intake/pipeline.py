"""The ingest pipeline: receive → parse → load → findings → cadence → receipt.

`ingest()` is the one service function the CLI, the web upload and the API call. It is
all-or-nothing (one transaction after the original is safely kept) and idempotent (the same
original twice is a duplicate that changes nothing). The stages:

1. receive (`intake.receive`): the original into the blob store and a Delivery row, committed.
2. parse (`core.formats`): the file to a Django-free `Export`; its media kept (`intake.media`).
3. load (`archive.services.load`): reconcile each conversation with the archive and store it.
4. findings (`compliance.services.record_load`): from the archive's state, for what the load touched.
5. cadence (`compliance.services.refresh_cadence`): the custodian's delivery gaps.
6. receipt (`intake.receipts`): the outcome, and the delivery's audit event.

Stages 3 to 5 run in one transaction with the custodian locked.

Background ingest (intake/queue.py): web and API uploads are received (stage 1) and answered at once
with status `queued`; a worker runs `process` (`running`, then `ingested`, `duplicate` or `failed`).
Concurrency is settled by the database: the custodian's row lock (PostgreSQL; on SQLite one writer
at a time, see `single_writer`) and the unique constraint `delivery_ingested_once` make two copies of
one original end as one `ingested` and one `duplicate`, and every message stored once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.archive.services.load import LoadCounts, Touched, load_conversation, refresh_statistics
from chatarchief.audit import log
from chatarchief.compliance import services as compliance
from chatarchief.core import formats
from chatarchief.core.errors import ChatarchiefError, FormatError, with_file
from chatarchief.core.model import Export, ParseOptions
from chatarchief.intake import faults
from chatarchief.intake.filenames import delivery_name
from chatarchief.intake.media import Progress, store_media
from chatarchief.intake.moments import in_custodian_zone, secured_at
from chatarchief.intake.receipts import IngestOutcome, conversations_of
from chatarchief.intake.receive import receive

logger = logging.getLogger(__name__)


class ExclusionHook(Protocol):
    """Exclusion at ingest (the review app registers one): `filter_export` drops from a parsed export
    what was excluded from the archive, before its media is kept, and returns how many messages it
    dropped; `after_ingest` runs once a delivery is processed (or found a duplicate), to replace or
    destroy an original that holds excluded content."""

    def filter_export(self, delivery: Delivery, export: Export) -> int: ...
    def after_ingest(self, delivery: Delivery) -> None: ...


_EXCLUSION_HOOKS: list[ExclusionHook] = []


def register_exclusion_hook(hook: ExclusionHook) -> None:
    if hook not in _EXCLUSION_HOOKS:
        _EXCLUSION_HOOKS.append(hook)


def _after_ingest(delivery: Delivery) -> None:
    for hook in _EXCLUSION_HOOKS:
        hook.after_ingest(delivery)


def ingest(
    path: str | os.PathLike[str],
    custodian: Custodian,
    *,
    actor: str,
    user: Any = None,
    file_name: str | None = None,
    exported_at: dt.datetime | None = None,
    secret: str | None = None,
    progress: Progress | None = None,
) -> IngestOutcome:
    """Hand in one export file or folder for a custodian. A naive `exported_at` is read in the
    custodian's time zone (`intake.moments`)."""
    name = delivery_name(file_name or os.fspath(path))
    received = receive(path, custodian, actor=actor, file_name=name, user=user)
    delivery = received.delivery
    if received.duplicate_of is not None:
        return _mark_duplicate(delivery, received.duplicate_of, actor)
    moment = in_custodian_zone(exported_at, custodian)
    return process(delivery, str(path), actor=actor, exported_at=moment, secret=secret, progress=progress)


def _mark_duplicate(delivery: Delivery, earlier: Delivery, actor: str) -> IngestOutcome:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DUPLICATE,
        duplicate_of=earlier,
        format=earlier.format,
        counts=_duplicate_counts(earlier),
        exported_at=earlier.exported_at,
        finished_at=timezone.now(),
    )
    delivery.refresh_from_db()
    log.delivery_finished(actor, delivery)
    _after_ingest(delivery)
    return IngestOutcome(delivery, conversations_of(delivery), delivery.counts)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(delivery: Delivery) -> bool:
    """Mark a queued delivery `running` (committed, with this process as its worker). False: it is
    not waiting (another worker has it, or it is done)."""
    with transaction.atomic():
        current = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if current is None or current.status not in (DeliveryStatus.QUEUED, DeliveryStatus.RECEIVED):
            return False
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.RUNNING,
            attempts=current.attempts + 1,
            worker=worker_name(),
            started_at=timezone.now(),
        )
    delivery.refresh_from_db()
    return True


@contextlib.contextmanager
def single_writer() -> Iterator[None]:
    """On SQLite, one ingest writes at a time, waiting on a lock file beside the database for as long
    as it takes (a 1 M load holds its write transaction for tens of seconds, longer than SQLite's
    30 s busy timeout). PostgreSQL needs nothing here: the custodian's row lock orders loads of one
    custodian and lets the others run in parallel."""
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or name.startswith(":") or "mode=memory" in name:
        yield
        return
    import fcntl

    with open(Path(name).with_name(Path(name).name + ".ingest-lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _duplicate_counts(earlier: Delivery) -> dict[str, int]:
    counts = dict.fromkeys(vars(LoadCounts()), 0)
    counts["messages"] = counts["unchanged"] = int(earlier.counts.get("messages", 0))
    return counts


def _parse(path: str, delivery: Delivery, workdir: str, secret: str | None, progress: Progress | None) -> Export:
    spec = formats.detect(path, delivery.file_name)
    Delivery.objects.filter(pk=delivery.pk).update(format=spec.name)
    delivery.format = spec.name
    options = ParseOptions(
        secret=secret,
        workdir=workdir,
        source_name=delivery.file_name,
        time_zone=delivery.custodian.zone_name,
        progress=(lambda done, total: progress("parse", done, total)) if progress else None,
    )
    return spec.parse(path, options)


def process(
    delivery: Delivery,
    path: str,
    *,
    actor: str,
    exported_at: dt.datetime | None = None,
    secret: str | None = None,
    progress: Progress | None = None,
) -> IngestOutcome:
    """Parse and load a received delivery. Safe to run twice: a delivery that is not waiting (done,
    or running in another worker) is returned as it is."""
    if delivery.status != DeliveryStatus.RUNNING and not claim(delivery):
        delivery.refresh_from_db()
        return IngestOutcome(delivery, conversations_of(delivery), delivery.counts)
    faults.point("claimed")
    try:
        with tempfile.TemporaryDirectory(prefix="chatarchief-") as workdir, _no_cyclic_gc():
            export = _parse(path, delivery, workdir, secret, progress)
            faults.point("parsed")
            excluded = sum(hook.filter_export(delivery, export) for hook in _EXCLUSION_HOOKS)
            store_media(export, progress)
            faults.point("media")
            with single_writer():
                earlier = _ingested_copy(delivery)
                if earlier is not None:
                    return _mark_duplicate(delivery, earlier, actor)
                try:
                    outcome = _load(delivery, export, exported_at, progress, excluded)
                except IntegrityError:
                    # the same original committed by another worker between our check and our commit
                    earlier = _ingested_copy(delivery)
                    if earlier is None:
                        raise
                    return _mark_duplicate(delivery, earlier, actor)
            faults.point("committed")
            refresh_statistics(int(outcome.counts.get("new", 0)))
    except ChatarchiefError as error:
        return _failed(delivery, actor, with_file(error, delivery.file_name))
    except Exception:
        logger.exception("ingest of delivery %s failed", delivery.pk)
        error = FormatError(
            "internal_error",
            nl="Het bestand kon door een interne fout niet worden verwerkt; het origineel is bewaard.",
            en="The file could not be processed because of an internal error; the original is kept.",
            file=delivery.file_name,
        )
        return _failed(delivery, actor, error)
    log.delivery_finished(actor, outcome.delivery)
    _after_ingest(outcome.delivery)
    if outcome.delivery.status == DeliveryStatus.INGESTED:
        _warm_pages(outcome.delivery.pk)
    return outcome


def _warm_pages(delivery_id: int) -> None:
    """Build the calendars of the conversations the delivery touched (archive.services.timeline) into
    the shared `calendars` cache: the first conversation page after a delivery is then as quick as the
    next, in every web process. Never fails the delivery."""
    from chatarchief.archive.services import timeline

    try:
        timeline.warm_delivery(delivery_id)
    except Exception:  # an optimisation: the page builds the calendar itself when it is not there
        logger.exception("calendars of delivery %s not warmed", delivery_id)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A million parsed messages are a million tracked objects; every cyclic collection would walk
    them all. The pipeline makes no reference cycles worth collecting, so collect once at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ingested_copy(delivery: Delivery) -> Delivery | None:
    """The delivery of the same original already ingested for this custodian, if any."""
    return (
        Delivery.objects.filter(custodian_id=delivery.custodian_id, sha256=delivery.sha256)
        .filter(status=DeliveryStatus.INGESTED)
        .exclude(pk=delivery.pk)
        .order_by("id")
        .first()
    )


def _failed(delivery: Delivery, actor: str, error: ChatarchiefError) -> IngestOutcome:
    Delivery.objects.filter(pk=delivery.pk).update(
        finished_at=timezone.now(),
        status=DeliveryStatus.FAILED,
        error_code=error.code,
        error_message=error.message("nl"),
        error_message_en=error.message("en"),
    )
    delivery.refresh_from_db()
    log.delivery_finished(actor, delivery)
    return IngestOutcome(delivery, error=error)


def _load(
    delivery: Delivery, export: Export, exported_at: dt.datetime | None, progress: Progress | None, excluded: int = 0
) -> IngestOutcome:
    """Stages 3-5 in one transaction: load every conversation, then findings, then cadence."""
    secured, source = secured_at(export, exported_at, delivery)
    total = LoadCounts()
    conversations = []
    touched: list[Touched] = []
    with transaction.atomic():
        custodian = Custodian.objects.select_for_update().get(pk=delivery.custodian_id)
        earlier = _ingested_copy(delivery)  # committed while we waited for the lock
        if earlier is not None:
            raise IntegrityError("delivery_ingested_once")
        for done, parsed in enumerate(export.conversations, 1):
            conversation, counts, changes = load_conversation(custodian.pk, delivery, secured, parsed)
            total.add(counts)
            touched.append(changes)
            conversations.append({"id": conversation.pk, "title": conversation.title, "channel": conversation.channel})
            if progress:
                progress("load", done, len(export.conversations))
            if done == 1:
                faults.point("loading")
        compliance.record_load(touched)
        delivery.status = DeliveryStatus.INGESTED
        delivery.exported_at = secured
        delivery.exported_at_source = source
        counts = vars(total) | ({"excluded": excluded} if excluded else {})  # only a delivery that had some
        delivery.counts = counts
        delivery.defects = [
            {"code": d.code, "line": d.line, "raw": d.raw[:500], "message": d.message} for d in export.defects[:1000]
        ]
        delivery.finished_at = timezone.now()
        delivery.save(
            update_fields=["status", "exported_at", "exported_at_source", "counts", "defects", "format", "finished_at"]
        )
        compliance.refresh_cadence(custodian, max(timezone.now(), secured))
        faults.point("loaded")
    return IngestOutcome(delivery, conversations, counts)
