"""The tasks the worker runs (django-tasks): one delivery's ingest (defined beside the queue it
serves, intake/queue.py)."""

from __future__ import annotations

from chatarchief.intake.queue import ingest_delivery

__all__ = ["ingest_delivery"]
