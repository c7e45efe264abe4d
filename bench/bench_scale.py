"""Benchmark (issue 20): first ingest on PostgreSQL against SQLite, and a monthly re-export that adds
0.1 % new messages against the first ingest of the same chat, with whatstk's parse of the same file
timed in the same run as the yardstick.

Run: `.venv/bin/python bench/bench_scale.py [N] [--db sqlite|postgres|both] [--no-index]` (default
N 200,000, both; the ingest indexes the new messages for search unless `--no-index`). PostgreSQL: $BENCH_PG (default postgres://postgres@127.0.0.1:5432/chatarchief_bench), dropped
and created for each run. Each backend runs in a process of its own; the figures are in-process wall
times of `intake.pipeline.ingest` (parse, reconcile, load, findings, receipt). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/chatarchief_bench")


def exports(n: int) -> tuple[Path, Path]:
    """The first export (n messages) and next month's re-export of the same chat: the same lines
    and 0.1 % more."""
    from tests.generators.whatsapp import write_android_export

    DATA.mkdir(parents=True, exist_ok=True)
    first = DATA / f"WhatsApp-chat met Schaal {n}.txt"
    if not first.exists():
        write_android_export(first, n, seed=11)
    again = DATA / "reexport" / first.name
    if not again.exists():
        again.parent.mkdir(exist_ok=True)
        extra = max(1, n // 1000)
        with open(first, "rb") as source, open(again, "wb") as sink:
            sink.write(source.read())
            for k in range(extra):
                sink.write(f"31-12-2099 {k // 60 % 24:02d}:{k % 60:02d} - Anne de Vries: nieuw bericht {k}\n".encode())
    return first, again


def _pg_reset(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_one(n: int, db: str, index: bool = True) -> dict:
    work = Path(tempfile.mkdtemp(prefix="chatarchief-scale-"))
    os.environ["CHATARCHIEF_DATA_DIR"] = str(work)
    os.environ["CHATARCHIEF_TASKS"] = "immediate"
    if db == "postgres":
        _pg_reset(PG)
        os.environ["DATABASE_URL"] = PG
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
    first, again = exports(n)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.CHATARCHIEF_SEARCH_INDEX_AT_INGEST = index  # off: the search index left to a later task
    from chatarchief.archive.services import registry
    from chatarchief.intake.pipeline import ingest

    custodian = registry.add_custodian("bench", name="Benchmark", actor="bench")
    figures: dict = {"db": db, "messages": n, "search_index_at_ingest": index}
    for label, path in (("first_ingest_s", first), ("reexport_s", again)):
        start = time.perf_counter()
        outcome = ingest(path, custodian, actor="bench")
        figures[label] = round(time.perf_counter() - start, 2)
        assert outcome.status == "ingested", outcome.as_dict()
        figures[label.replace("_s", "_counts")] = outcome.counts
    import whatstk

    start = time.perf_counter()
    whatstk.df_from_whatsapp(str(first), hformat="%d-%m-%Y %H:%M - %name:", max_size=None)
    figures["whatstk_parse_s"] = round(time.perf_counter() - start, 2)
    figures["reexport_vs_first"] = round(figures["reexport_s"] / figures["first_ingest_s"], 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--no-index", action="store_true", help="leave search indexing out of the ingest (as with a separate task)"
    )
    args = parser.parse_args()
    if args.db != "both":
        print(json.dumps(run_one(args.n, args.db, index=not args.no_index)))
        return
    exports(args.n)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    results = []
    for db in ("sqlite", "postgres"):
        done = subprocess.run(
            [sys.executable, __file__, str(args.n), "--db", db, *(["--no-index"] if args.no_index else [])],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]))
    sqlite, postgres = results
    print(f"first ingest PostgreSQL / SQLite: {postgres['first_ingest_s'] / sqlite['first_ingest_s']:.2f}x")


if __name__ == "__main__":
    main()
