"""Benchmark: decrypt AND ingest a generated Signal Android backup (200,000 messages, 500 MB of
attachments) into the archive (SQLite, encrypted blob store). Issue target: peak memory < 500 MB;
report MB/s and messages/s. The backup is made once by bench/bench_signal_android.py (same file).

Run: `.venv/bin/python bench/bench_signal_ingest.py`. Not a test.
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
WORK = Path(tempfile.mkdtemp(prefix="chatarchief-bench-signal-"))
os.environ["CHATARCHIEF_DATA_DIR"] = str(WORK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")

MESSAGES, MEDIA_MB = 200_000, 500


def main() -> None:
    from tests.generators.signal_android import PASSPHRASE

    from bench.bench_signal_android import DATA, _generate

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"signal-2024-06-01-12-00-00-{MESSAGES}m-{MEDIA_MB}mb.backup"
    if not path.exists():
        _generate(path, MESSAGES, MEDIA_MB)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from chatarchief.archive.services import registry
    from chatarchief.intake.pipeline import ingest

    custodian = registry.add_custodian("bench", name="Benchmark", actor="bench")
    size_mb = path.stat().st_size / 1e6
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"input: {path.name}, {size_mb:,.0f} MB, {MESSAGES:,} messages; SQLite + encrypted filesystem blob store")
    start = time.perf_counter()
    outcome = ingest(path, custodian, actor="bench", secret=PASSPHRASE)
    seconds = time.perf_counter() - start
    assert outcome.status == "ingested", outcome.as_dict()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"decrypt + ingest: {seconds:.1f} s, {size_mb / seconds:.1f} MB/s, {MESSAGES / seconds:,.0f} messages/s, "
        f"peak RSS {peak:,.0f} MB, counts {outcome.counts}"
    )
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
