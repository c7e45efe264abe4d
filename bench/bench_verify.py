"""Throughput of the fixity check (`chatarchief verify`): every blob decrypted, authenticated and
re-hashed against its SHA-256, through the real service (database rows, store, findings, run record).

    .venv/bin/python bench/bench_verify.py [--mb 400] [--blob-mb 8]

Builds a fresh archive in a temporary data directory (SQLite, filesystem store, encrypted blobs):
`--mb` MiB in blobs of `--blob-mb` MiB (seeded pseudo-random bytes) plus 200 small ones of 64 KiB
(media-sized), then times `fixity.run` with 1 and 2 reader threads; the baseline is a plain SHA-256
of the same plaintext bytes in one thread. Prints machine, input and MB/s (of plaintext).
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ["CHATARCHIEF_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-verify-data-")
atexit.register(shutil.rmtree, os.environ["CHATARCHIEF_DATA_DIR"], True)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

MB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=400)
    parser.add_argument("--blob-mb", type=int, default=8)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from chatarchief.archive.models import Blob
    from chatarchief.archive.services import blobs
    from chatarchief.preservation import fixity

    store = blobs.store()
    rng = random.Random(2026)
    block = rng.randbytes(MB)
    plain: list[bytes] = []
    for i in range(args.mb // args.blob_mb):
        data = b"".join(block[(i + j) % 997 :] + block[: (i + j) % 997] for j in range(args.blob_mb))
        plain.append(data)
    plain += [rng.randbytes(64 * 1024) for _ in range(200)]
    for data in plain:
        sha256, size = store.put_stream(io.BytesIO(data))
        Blob.objects.get_or_create(sha256=sha256, defaults={"size": size})
    total = sum(len(d) for d in plain) / 1e6
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"input: {len(plain)} blobs, {total:.0f} MB plaintext ({args.mb // args.blob_mb} × {args.blob_mb} MiB, 200 × 64 KiB)"
    )

    start = time.perf_counter()
    for data in plain:
        hashlib.sha256(data).hexdigest()
    seconds = time.perf_counter() - start
    print(f"{'baseline: SHA-256 in memory':40} {seconds:7.2f} s  {total / seconds:8.1f} MB/s")
    for workers in (1, 2):
        os.environ["CHATARCHIEF_VERIFY_WORKERS"] = str(workers)
        start = time.perf_counter()
        run = fixity.run(actor="bench")
        seconds = time.perf_counter() - start
        assert run.checked == len(plain) and not run.failures, run.failures
        label = f"verify, {workers} thread{'s' if workers > 1 else ''} (decrypt + SHA-256)"
        print(f"{label:40} {seconds:7.2f} s  {total / seconds:8.1f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
