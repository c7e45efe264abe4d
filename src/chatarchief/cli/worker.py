"""The background queue: `chatarchief worker`, `chatarchief deliveries`, `chatarchief gc`."""

from __future__ import annotations

import click

from chatarchief.cli.base import json_option, print_json


@click.command("worker")
@click.option("--burst", is_flag=True, help="run until the queue is empty, then stop")
@click.option("--interval", type=float, default=1.0, show_default=True, help="seconds between looks at an empty queue")
@click.option("--max-tasks", type=click.IntRange(min=1), help="stop after this many tasks")
def worker(burst: bool, interval: float, max_tasks: int | None) -> int:
    """run a background worker: queued deliveries and the daily periodic jobs"""
    import logging

    from chatarchief.intake.worker import run_worker

    logging.getLogger("chatarchief").setLevel(logging.INFO)
    run_worker(interval=interval, burst=burst, max_tasks=max_tasks)
    return 0


@click.command("deliveries")
@click.option("--status", type=click.Choice(["queued", "running", "ingested", "duplicate", "failed"]))
@click.option("--custodian", help="only this custodian's deliveries (slug)")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@json_option()
def deliveries(status: str | None, custodian: str | None, limit: int, as_json: bool) -> int:
    """list deliveries and their status, newest first"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.models import Custodian
    from chatarchief.cli.base import principal
    from chatarchief.intake import queue

    user = principal()
    rows = queue.deliveries(status, custodian, limit)
    allowed = {c.slug for c in Custodian.objects.all() if access.allowed(user, Action.VIEW_METADATA, c)}
    rows = [row for row in rows if row["custodian"] in allowed]
    if as_json:
        print_json({"deliveries": rows})
        return 0
    for row in rows:
        error = f"  {row['error']['message']}" if row["error"] else ""
        click.echo(f"{row['id']:>7} {row['status']:9} {row['custodian']:20} {row['file']}{error}")
    return 0


@click.command("gc")
@click.option("--grace-hours", type=float, help="leave blobs younger than this (default: CHATARCHIEF_GC_GRACE_SECONDS)")
@click.option("--dry-run", is_flag=True, help="only list what would be removed")
@json_option()
def gc(grace_hours: float | None, dry_run: bool, as_json: bool) -> int:
    """remove blobs no record refers to (left by an interrupted ingest)"""
    import datetime as dt

    from chatarchief.archive.services import gc as blob_gc
    from chatarchief.cli.base import actor

    grace = dt.timedelta(hours=grace_hours) if grace_hours is not None else None
    result = blob_gc.collect(grace=grace, dry_run=dry_run, actor=actor())
    if as_json:
        print_json(result)
    else:
        verb = "zou verwijderen" if dry_run else "verwijderd"
        click.echo(f"{len(result['removed'])} blobs {verb}, {result['kept']} in gebruik")
    return 0


COMMANDS = [worker, deliveries, gc]
