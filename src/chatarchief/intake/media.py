"""Stage 2b, media: every media file of a parsed export kept once per SHA-256, before the load's
transaction (blobs are write-once, so a failed load leaves nothing that matters)."""

from __future__ import annotations

from collections.abc import Callable

from chatarchief.archive.models import Blob
from chatarchief.archive.services import blobs
from chatarchief.core.errors import FormatError
from chatarchief.core.model import Export, kept_objects

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def store_media(export: Export, progress: Progress | None) -> None:
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
