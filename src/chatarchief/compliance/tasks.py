"""Scheduled compliance jobs (settings.PERIODIC_TASKS): safe to run any number of times."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluate_reminders() -> int:
    """Daily: bring every dashboard snapshot up to date (phases may have started), then send every
    reminder that is due and was not sent for this due date; returns how many went out."""
    from chatarchief.archive.models import Custodian
    from chatarchief.compliance import reminders, snapshot

    snapshot.refresh(list(Custodian.objects.all()))
    return len(reminders.evaluate())
