"""Benchmark: full ingest of a generated 1,000,000-message Android WhatsApp export into SQLite,
then a re-ingest of the same messages in a new file (one message more, so another SHA-256).

Targets (issue: foundation): full ingest <= 20 s, re-ingest <= 10 s, peak memory <= 1 GB.
Run: `.venv/bin/python bench/bench_ingest.py [N]` (or `make bench`). Not a test.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
DATA = ROOT / "bench" / "data"
WORK = Path(tempfile.mkdtemp(prefix="chatarchief-bench-"))
os.environ["CHATARCHIEF_DATA_DIR"] = str(WORK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from tests.generators.whatsapp import write_android_export

    DATA.mkdir(parents=True, exist_ok=True)
    first = DATA / f"WhatsApp-chat met Benchmark {N}.txt"
    if not first.exists():
        write_android_export(first, N, seed=7)
    second = WORK / "second" / first.name
    second.parent.mkdir()
    shutil.copyfile(first, second)  # not read into this process: its peak memory is the ingest's
    with open(second, "ab") as handle:
        handle.write(b"31-12-2099 23:59 - Anne de Vries: nog een bericht\n")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from chatarchief.archive.services import registry
    from chatarchief.intake.pipeline import ingest

    custodian = registry.add_custodian("bench", name="Benchmark", actor="bench")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"input: {first.name}, {first.stat().st_size / 1e6:.1f} MB, {N:,} messages; database: SQLite (WAL) in {WORK}")
    rows = []
    for label, path in (("full ingest", first), ("re-ingest, new file", second)):
        start = time.perf_counter()
        outcome = ingest(path, custodian, actor="bench")
        seconds = time.perf_counter() - start
        assert outcome.status == "ingested", outcome.as_dict()
        rows.append((label, seconds, outcome.counts))
        print(
            f"{label:22} {seconds:6.1f} s  {N / seconds:10,.0f} msg/s  counts={outcome.counts}  peak RSS {peak_mb():,.0f} MB"
        )
    print(f"peak memory (max RSS): {peak_mb():,.0f} MB")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
