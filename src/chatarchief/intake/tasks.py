"""The tasks the worker runs (django-tasks): one delivery's ingest."""

from __future__ import annotations

from django_tasks import task


@task()
def ingest_delivery(delivery_id: int) -> str:
    """Parse and reconcile a queued delivery (intake/queue.py `run`); returns its final status."""
    from chatarchief.intake.queue import run

    return run(delivery_id)
