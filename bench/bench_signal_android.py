"""Benchmark: decrypt + replay + map a large Signal-Android `.backup` (200,000 messages, 500 MB media).

Run: `.venv/bin/python bench/bench_signal_android.py [--messages N] [--media-mb M]`. The backup is
generated once under bench/data/ (gitignored) by tests/generators/signal_android.py; the parse runs in a
fresh child process so its peak RSS is the parser's own. Prints input, machine and figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.generators.signal_android import PASSPHRASE, generate_backup  # noqa: E402

from chatarchief.core.formats.signal import android as signal_android  # noqa: E402
from chatarchief.core.model import ParseOptions  # noqa: E402

DATA = ROOT / "bench" / "data"


def _generate(path: Path, messages: int, media_mb: int) -> None:
    attachments = max(media_mb, 1) if media_mb else 0
    tmp = path.with_suffix(".partial")
    with open(tmp, "wb", buffering=1 << 20) as stream:
        generate_backup(
            stream, messages=messages, threads=50, attachments=attachments, attachment_size=1024 * 1024, seed=42
        )
    tmp.rename(path)


def _parse(path: str, queue: multiprocessing.Queue) -> None:
    workdir = tempfile.mkdtemp(prefix="bench-signal-", dir=DATA)
    try:
        start = time.perf_counter()
        export = signal_android.parse(
            path, ParseOptions(secret=PASSPHRASE, workdir=workdir, source_name=os.path.basename(path))
        )
        seconds = time.perf_counter() - start
        attachments = sum(len(m.attachments) for c in export.conversations for m in c.messages)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put(
            {"seconds": seconds, "messages": export.message_count, "attachments": attachments, "peak_rss_mb": peak_mb}
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--media-mb", type=int, default=500)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"signal-2024-06-01-12-00-00-{args.messages}m-{args.media_mb}mb.backup"
    if not path.exists():
        start = time.perf_counter()
        _generate(path, args.messages, args.media_mb)
        print(f"generated {path.name} in {time.perf_counter() - start:.1f} s")
    size_mb = path.stat().st_size / 1e6
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.get_context("fork").Process(target=_parse, args=(str(path), queue))
    child.start()
    result = queue.get()
    child.join()
    print(f"input:   {path.name}, {size_mb:.0f} MB, {args.messages} messages, {args.media_mb} x 1 MB attachments")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"parse:   {result['seconds']:.1f} s (decrypt + replay + map, incl. 0.2 s key derivation)")
    print(f"         {size_mb / result['seconds']:.0f} MB/s, {result['messages'] / result['seconds']:.0f} messages/s")
    print(f"         {result['messages']} messages, {result['attachments']} attachments")
    print(f"peak RSS of the parsing process: {result['peak_rss_mb']:.0f} MB (limit 500 MB)")
    print(json.dumps(result))
    if result["peak_rss_mb"] > 500:
        sys.exit("peak RSS above 500 MB")


if __name__ == "__main__":
    main()
