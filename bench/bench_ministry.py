"""Benchmark (issue 20): a ministry's month-end bursts through the queue with 2 workers, on
PostgreSQL. Per month: every custodian exports every chat (each export repeats the chat so far); all
exports are received and queued, then two `chatarchief worker --burst` processes work them off.

Reports per month: exports, messages in them (mostly history), new messages, burst wall time,
messages/s (all and new), the median and p90 time per export (claim to the end of the load), the
median whole task per export (claim to the task's end: search indexing and calendars included), and
the median task of the burst's first and last tenth (the archive grows during a burst: it must stay
flat); at the end the database and blob-store size per million archived messages, search p95 over
every custodian and the compliance dashboard's render time (`--final`).

Run: `.venv/bin/python bench/bench_ministry.py [--custodians 30] [--months 3]` with $BENCH_PG
(default postgres://postgres@127.0.0.1:5432/chatarchief_ministry; dropped and created). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/chatarchief_ministry")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--custodians", type=int, default=30)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--per-chat", type=float, default=120.0, help="messages per chat and month (log-normal)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--final", action="store_true", help="at the end: search p95 and dashboard time")
    args = parser.parse_args()

    import psycopg

    base, name = PG.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    work = Path(tempfile.mkdtemp(prefix="chatarchief-ministry-"))
    os.environ.update({"CHATARCHIEF_DATA_DIR": str(work / "data"), "DATABASE_URL": PG, "CHATARCHIEF_TASKS": "database"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tests.generators.ministry import ministry

    from chatarchief.archive.models import Custodian, Delivery, Message
    from chatarchief.archive.services import registry
    from chatarchief.intake import queue

    plan = ministry(args.custodians, messages_per_chat_month=args.per_chat)
    for slug in plan.custodians:
        registry.add_custodian(slug, name=f"Functionaris {slug[-5:]}", actor="bench")
    custodians = {c.slug: c for c in Custodian.objects.all()}
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}; PostgreSQL")
    print(
        f"ministry: {args.custodians} custodians, {len(plan.chats)} chats, {args.months} months, {args.workers} workers"
    )
    env = dict(os.environ)
    for month in range(args.months):
        exports = plan.month_exports(month, work / f"month-{month}")
        before = Message.objects.count()
        started = time.perf_counter()
        ids = [queue.submit(path, custodians[slug], actor="bench").delivery.pk for slug, path, _ in exports]
        received = time.perf_counter() - started
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "chatarchief.cli", "worker", "--burst", "--interval", "0.2"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.wait()
        burst = time.perf_counter() - started
        connection.close()
        done = Delivery.objects.filter(pk__in=ids)
        statuses = {s: done.filter(status=s).count() for s in ("ingested", "duplicate", "failed", "queued", "running")}
        per_export = sorted(
            (d.finished_at - d.started_at).total_seconds() for d in done if d.finished_at and d.started_at
        )
        shown = sum(n for _, _, n in exports)
        tasks = task_times(ids)
        tenth = max(1, len(tasks) // 10)
        new = Message.objects.count() - before
        print(
            json.dumps(
                {
                    "month": month + 1,
                    "exports": len(exports),
                    "messages_in_exports": shown,
                    "new_messages": new,
                    "receive_s": round(received, 1),
                    "burst_s": round(burst, 1),
                    "messages_per_s": round(shown / burst),
                    "new_messages_per_s": round(new / burst),
                    "per_export_median_s": round(statistics.median(per_export), 3),
                    "per_export_p90_s": round(per_export[int(len(per_export) * 0.9)], 3),
                    "task_median_s": round(statistics.median(tasks), 3),
                    "task_first_tenth_median_s": round(statistics.median(tasks[:tenth]), 3),
                    "task_last_tenth_median_s": round(statistics.median(tasks[-tenth:]), 3),
                    "statuses": {k: v for k, v in statuses.items() if v},
                }
            )
        )
    total = Message.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db_bytes = cursor.fetchone()[0]
    blob_bytes = sum(p.stat().st_size for p in (work / "data" / "blobs").rglob("*") if p.is_file())
    million = total / 1e6
    print(
        json.dumps(
            {
                "archived_messages": total,
                "database_mb": round(db_bytes / 1e6),
                "blob_store_mb": round(blob_bytes / 1e6),
                "database_mb_per_million": round(db_bytes / 1e6 / million),
                "blob_store_mb_per_million": round(blob_bytes / 1e6 / million),
            }
        )
    )
    if args.final:
        final_measures()


def task_times(delivery_ids: list[int]) -> list[float]:
    """Each delivery's whole task (claimed to finished: the load, then search indexing, calendars
    and the audit event), in the order the tasks started."""
    from django_tasks_db.models import DBTaskResult

    wanted = set(delivery_ids)
    rows = [
        (r.started_at, (r.finished_at - r.started_at).total_seconds())
        for r in DBTaskResult.objects.filter(task_path__endswith="ingest_delivery", status="SUCCESSFUL")
        if r.started_at and r.finished_at and (r.args_kwargs.get("args") or [None])[0] in wanted
    ]
    return [seconds for _, seconds in sorted(rows)]


def final_measures() -> None:
    """Search over every custodian (p95 of each kind, first page of 50 and the total) and the
    compliance dashboard as an admin who sees everyone (median of 5 renders after one warm-up)."""
    from django.db.models import Count

    from bench.dashboard_timing import dashboard_timings
    from chatarchief.archive.models import Custodian
    from chatarchief.search import services
    from chatarchief.search.models import SearchEntry

    everyone = list(Custodian.objects.all())
    largest = SearchEntry.objects.values("conversation_id").annotate(n=Count("id")).order_by("-n", "conversation_id")
    busiest = [row["conversation_id"] for row in largest[:3]]
    kinds = {
        "a chat's key (a three-word phrase)": [(f"functionaris-{n:05d}-p0", {}) for n in (1, 17, 123, 456, 789)],
        "common term, sorted by time": [(w, {"sort": "time"}) for w in ("kamerbrief", "begroting", "debat")],
        "common term in one conversation": [("overleg", {"conversation": c}) for c in busiest],
        "phrase": [(f'"{p}"', {}) for p in ("kamerbrief nota", "graag akkoord", "minister planning")],
    }
    for label, cases in kinds.items():
        for query, options in cases:
            services.search(everyone, query, **options)  # warm-up
        samples, totals = [], []
        for _ in range(5):
            for query, options in cases:
                start = time.perf_counter()
                result = services.search(everyone, query, **options)
                samples.append((time.perf_counter() - start) * 1000)
                totals.append(result.total)
        samples.sort()
        p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)]
        print(json.dumps({"search": label, "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1),
                          "totals": [min(totals), max(totals)], "n": len(samples)}))  # fmt: skip
    timings = dashboard_timings(5)
    print(json.dumps({"dashboard_median_ms": round(statistics.median(timings)), "custodians": len(everyone)}))


if __name__ == "__main__":
    main()
