"""An upload (web page or API) handed in: spooled to a private file, received and queued for a
worker (intake/queue.py), the spool removed. Answered at once: the receipt says `queued`."""

from __future__ import annotations

from chatarchief.intake.queue import submit_upload as ingest_upload

__all__ = ["ingest_upload"]
