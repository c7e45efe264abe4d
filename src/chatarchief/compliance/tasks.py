"""Scheduled compliance jobs (settings.PERIODIC_TASKS): safe to run any number of times."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluate_reminders() -> int:
    """Daily: write every custodian's cadence findings (an open gap, "never delivered" included, gets
    its finding), bring every dashboard snapshot up to date (phases may have started), then send every
    reminder that is due and was not sent for this due date; returns how many reminders went out."""
    from chatarchief.archive.models import Custodian
    from chatarchief.compliance import cadence, reminders, snapshot

    everyone = list(Custodian.objects.select_related("organisation", "user"))
    for custodian in everyone:
        cadence.refresh(custodian)
    snapshot.refresh(everyone)
    return len(reminders.evaluate())
