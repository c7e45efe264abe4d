"""Scheduled compliance jobs (settings.PERIODIC_TASKS): safe to run any number of times."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluate_reminders() -> int:
    """Daily: send every reminder that is due and was not sent for this due date; returns how many."""
    from chatarchief.compliance import reminders

    return len(reminders.evaluate())
