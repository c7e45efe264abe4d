"""The ingest pipeline: receive → parse → reconcile/load → findings → receipt.

`ingest()` is the one service function the CLI, the web upload and the API call. It is
all-or-nothing (one transaction after the original is safely kept) and idempotent (the same
original twice is a duplicate that changes nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chatarchief.archive.models import Blob, Custodian, Delivery, DeliveryStatus
from chatarchief.archive.services import blobs, findings
from chatarchief.archive.services.load import LoadCounts, load_conversation
from chatarchief.archive.services.receive import receive
from chatarchief.audit import log
from chatarchief.compliance import cadence
from chatarchief.compliance.models import FindingType
from chatarchief.core import formats
from chatarchief.core.errors import ChatarchiefError, FormatError, with_file
from chatarchief.core.model import Channel, Export, ParseOptions, kept_objects

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class IngestOutcome:
    delivery: Delivery
    conversations: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    error: ChatarchiefError | None = None

    @property
    def status(self) -> str:
        return self.delivery.status

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        first = self.conversations[0] if self.conversations else None
        return {
            "delivery_id": self.delivery.pk,
            "file": self.delivery.file_name,
            "sha256": self.delivery.sha256,
            "status": self.delivery.status,
            "format": self.delivery.format or None,
            "exported_at": self.delivery.exported_at.isoformat() if self.delivery.exported_at else None,
            "conversation": first,
            "conversations": self.conversations,
            "counts": self.counts or dict.fromkeys(vars(LoadCounts()), 0),
            "error": {"code": self.error.code, "message": self.error.message(lang)} if self.error else None,
        }


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
    """Hand in one export file or folder for a custodian."""
    received = receive(path, custodian, actor=actor, file_name=file_name, user=user)
    delivery = received.delivery
    if received.duplicate_of is not None:
        earlier = received.duplicate_of
        Delivery.objects.filter(pk=delivery.pk).update(
            counts=_duplicate_counts(earlier), exported_at=earlier.exported_at
        )
        delivery.refresh_from_db()
        log.delivery_finished(actor, delivery)
        return IngestOutcome(delivery, _conversations_of(earlier), delivery.counts)
    return process(delivery, str(path), actor=actor, exported_at=exported_at, secret=secret, progress=progress)


def ingest_upload(
    chunks: Iterable[bytes],
    custodian: Custodian,
    *,
    actor: str,
    file_name: str,
    user: Any = None,
    exported_at: dt.datetime | None = None,
    secret: str | None = None,
) -> IngestOutcome:
    """Hand in an upload (web page or API): spooled to a private file under UPLOAD_DIR, ingested,
    and the spool removed (the original is kept in the blob store by `ingest`)."""
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(dir=settings.UPLOAD_DIR)
    try:
        with os.fdopen(fd, "wb") as sink:
            for chunk in chunks:
                sink.write(chunk)
        return ingest(
            path, custodian, actor=actor, user=user, file_name=file_name, exported_at=exported_at, secret=secret
        )
    finally:
        os.unlink(path)


def _duplicate_counts(earlier: Delivery) -> dict[str, int]:
    counts = dict.fromkeys(vars(LoadCounts()), 0)
    counts["messages"] = counts["unchanged"] = int(earlier.counts.get("messages", 0))
    return counts


def _conversations_of(delivery: Delivery) -> list[dict[str, Any]]:
    return [
        {"id": c.conversation_id, "title": c.conversation.title, "channel": c.conversation.channel}
        for c in delivery.coverage.select_related("conversation").order_by("conversation__title")
    ]


def _store_media(export: Export, progress: Progress | None) -> None:
    """Keep every media file once per SHA-256, before the transaction (blobs are write-once)."""
    attachments = [
        a
        for c in export.conversations
        for m in kept_objects(c.messages)
        for a in m.attachments
        if a.open and not a.omitted
    ]
    store = blobs.store()
    known: dict[str, int] = {}
    for done, attachment in enumerate(attachments, 1):
        if attachment.sha256 and (attachment.sha256 in known or store.exists(attachment.sha256)):
            known.setdefault(attachment.sha256, attachment.size or 0)
        else:
            assert attachment.open is not None
            with attachment.open() as stream:
                sha256, size = store.put_stream(stream)
            if attachment.sha256 and attachment.sha256 != sha256:
                raise FormatError(
                    "media.hash_mismatch",
                    nl=f"Mediabestand {attachment.filename!r} komt niet overeen met zijn controlegetal.",
                    en=f"Media file {attachment.filename!r} does not match its checksum.",
                )
            attachment.sha256, attachment.size = sha256, size
            known[sha256] = size
        if progress and (done % 50 == 0 or done == len(attachments)):
            progress("media", done, len(attachments))
    existing = set(Blob.objects.filter(sha256__in=list(known)).values_list("sha256", flat=True))
    Blob.objects.bulk_create(
        [Blob(sha256=s, size=n) for s, n in known.items() if s not in existing], ignore_conflicts=True
    )


def _secured_at(export: Export, given: dt.datetime | None, delivery: Delivery) -> tuple[dt.datetime, str]:
    if given is not None:
        return given, "given"
    if export.created_at_ms is not None:
        return dt.datetime.fromtimestamp(export.created_at_ms / 1000, tz=dt.UTC), "backup"
    newest = export.newest_message_ms()
    if newest is not None:
        return dt.datetime.fromtimestamp(newest / 1000, tz=dt.UTC), "newest_message"
    return delivery.received_at, "received"


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
    """Parse and load a received delivery. Safe to run twice: an ingested delivery is returned as is."""
    if delivery.status == DeliveryStatus.INGESTED:
        return IngestOutcome(delivery, _conversations_of(delivery), delivery.counts)
    try:
        with tempfile.TemporaryDirectory(prefix="chatarchief-") as workdir, _no_cyclic_gc():
            export = _parse(path, delivery, workdir, secret, progress)
            _store_media(export, progress)
            outcome = _load(delivery, export, exported_at, progress)
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
    return outcome


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


def _failed(delivery: Delivery, actor: str, error: ChatarchiefError) -> IngestOutcome:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED,
        error_code=error.code,
        error_message=error.message("nl"),
        error_message_en=error.message("en"),
    )
    delivery.refresh_from_db()
    log.delivery_finished(actor, delivery)
    return IngestOutcome(delivery, error=error)


def _load(
    delivery: Delivery, export: Export, exported_at: dt.datetime | None, progress: Progress | None
) -> IngestOutcome:
    secured_at, source = _secured_at(export, exported_at, delivery)
    total = LoadCounts()
    conversations = []
    with transaction.atomic():
        custodian = Custodian.objects.select_for_update().get(pk=delivery.custodian_id)
        for done, parsed in enumerate(export.conversations, 1):
            conversation, counts = load_conversation(custodian.pk, delivery, secured_at, parsed)
            total.add(counts)
            conversations.append({"id": conversation.pk, "title": conversation.title, "channel": conversation.channel})
            if export.channel is Channel.SMS and parsed.messages:
                findings.upsert(
                    FindingType.SMS_USED,
                    custodian.pk,
                    f"delivery:{delivery.pk}:conversation:{conversation.pk}",
                    conversation_id=conversation.pk,
                    delivery_id=delivery.pk,
                    details={"messages": len(parsed.messages)},
                )
            if progress:
                progress("load", done, len(export.conversations))
        delivery.status = DeliveryStatus.INGESTED
        delivery.exported_at = secured_at
        delivery.exported_at_source = source
        delivery.counts = vars(total)
        delivery.defects = [
            {"code": d.code, "line": d.line, "raw": d.raw[:500], "message": d.message} for d in export.defects[:1000]
        ]
        delivery.save(update_fields=["status", "exported_at", "exported_at_source", "counts", "defects", "format"])
        cadence.refresh(custodian, max(timezone.now(), secured_at))
    return IngestOutcome(delivery, conversations, vars(total))
