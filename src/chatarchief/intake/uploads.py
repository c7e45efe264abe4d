"""An upload (web page or API) handed in: spooled to a private file, ingested, the spool removed."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from chatarchief.archive.models import Custodian
from chatarchief.intake.pipeline import ingest
from chatarchief.intake.receipts import IngestOutcome


def ingest_upload(
    chunks: Iterable[bytes],
    custodian: Custodian,
    *,
    actor: str,
    file_name: str | None,
    user: Any = None,
    exported_at: dt.datetime | None = None,
    secret: str | None = None,
) -> IngestOutcome:
    """Spool the upload under UPLOAD_DIR (never in memory), ingest it as `file_name` (as the sender
    named it: `ingest` applies the file-name rule), and remove the spool: the original is kept in
    the blob store."""
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(dir=settings.UPLOAD_DIR)
    try:
        with os.fdopen(fd, "wb") as sink:
            for chunk in chunks:
                sink.write(chunk)
        return ingest(
            path,
            custodian,
            actor=actor,
            user=user,
            file_name=file_name or "upload",
            exported_at=exported_at,
            secret=secret,
        )
    finally:
        os.unlink(path)
