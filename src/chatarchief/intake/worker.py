"""`chatarchief worker`: runs the task queue (django-tasks-db's worker loop), and beside it the
periodic jobs of settings.PERIODIC_TASKS (daily, at a local time), the recovery of deliveries
whose worker died (intake/queue.py `recover_stalled`) and, on PostgreSQL, fresh planner statistics
for the message and search tables once a tenth of their rows changed (`load.analyze_stale`), a
VACUUM of the word counts once their dead row versions pile up (`load.vacuum_stale`), and
the culling of the calendars' table cache (`archive.services.table_cache`).

Any number of workers may run, on any number of machines: the task rows are claimed with row locks
(`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL), a periodic job is started once a day by whichever
worker inserts its `PeriodicRun` row first (a unique constraint), and each job is safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from chatarchief.archive.models import PeriodicRun
from chatarchief.archive.services.load import analyze_stale, vacuum_stale
from chatarchief.intake import queue
from chatarchief.intake.pipeline import worker_name

logger = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 30


def due_periodic(now: dt.datetime | None = None) -> list[str]:
    """Start the periodic jobs whose time has come today and that no worker started today yet;
    returns their names."""
    now = timezone.localtime(now or timezone.now())
    started = []
    for name, spec in getattr(settings, "PERIODIC_TASKS", {}).items():
        hour, minute = (int(part) for part in spec.get("at", "00:00").split(":"))
        if (now.hour, now.minute) < (hour, minute):
            continue
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=name, day=now.date(), worker=worker_name())
                import_string(spec["task"]).enqueue()
        except IntegrityError:
            continue  # another worker started it today
        logger.info("periodic job %s started", name)
        started.append(name)
    return started


def housekeeping() -> None:
    recovered = queue.recover_stalled()
    if recovered:
        logger.warning("recovered deliveries %s", recovered)
    analysed = analyze_stale()
    if analysed:
        logger.info("planner statistics refreshed: %s", ", ".join(analysed))
    vacuumed = vacuum_stale()
    if vacuumed:
        logger.info("dead row versions vacuumed: %s", ", ".join(vacuumed))
    store = caches["calendars"]
    if hasattr(store, "cull"):  # the table store (archive.services.table_cache); Redis expires by itself
        store.cull()
    due_periodic()


def _fresh_connections() -> None:
    """Drop broken or expired connections between tasks (not inside a transaction: a test runs
    the worker in its own)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _claim_next(backend_name: str, worker_id: str) -> Any:
    """The next ready task, claimed under a row lock (django-tasks-db's own claim; SKIP LOCKED on
    PostgreSQL, an exclusive transaction on SQLite). None: the queue is empty (or locked a moment)."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    tasks = DBTaskResult.objects.ready().filter(backend_name=backend_name)
    with exclusive_transaction(tasks.db):
        try:
            result = tasks.get_locked()
            if result is not None:
                result.claim(worker_id)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            return None
    return result


def run_worker(*, interval: float = 1.0, burst: bool = False, max_tasks: int | None = None) -> int:
    """Run until stopped (SIGTERM/SIGINT let the running task finish first); `burst`: until the
    queue is empty. Returns the number of tasks run."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=burst,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_name()[:64],
        excluded_queue_names=[],
    )
    if threading.current_thread() is threading.main_thread():
        worker.configure_signals()
    last = -HOUSEKEEPING_SECONDS - 1.0
    while worker.running:
        _fresh_connections()
        if time.monotonic() - last > HOUSEKEEPING_SECONDS:
            housekeeping()
            last = time.monotonic()
        result = _claim_next(worker.backend_name, worker.worker_id)
        if result is not None:
            worker.run_task(result)  # the library's: runs it, records success or failure
            if max_tasks is not None and worker._run_tasks >= max_tasks:
                break
            continue
        if burst:
            break
        time.sleep(interval)
    return worker._run_tasks
