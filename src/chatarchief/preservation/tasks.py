"""Scheduled jobs of the preservation app (registered in settings.PERIODIC_TASKS)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def verify_fixity(sample: float | None = None) -> dict[str, Any]:
    """The nightly fixity check: every blob (or a sample), findings for failures."""
    from chatarchief.preservation import fixity

    return fixity.as_dict(fixity.run(actor="system:fixity", sample=sample))


@task()
def propose_disposition() -> dict[str, Any]:
    """Daily: when retention periods have ended, propose a destruction list (nothing when none did, or
    when every such conversation is already on an open list); people approve and execute it."""
    from chatarchief.preservation import disposition

    record, held = disposition.propose(actor="system:retention")
    return {"list_id": record.pk if record else None, "held": held}
