"""Benchmark: parse a generated 1,000,000-message Android WhatsApp export, against whatstk.

    .venv/bin/python bench/bench_whatsapp_parse.py [n_messages]

Generates bench/data/whatsapp_android_<n>.txt (gitignored) if absent, then times chatarchief's
`whatsapp.parse` and whatstk's `df_from_whatsapp` (given the header format, so it does not
auto-detect), each in its own subprocess (best of 7 wall-clock runs for chatarchief, 2 for whatstk;
CPU time of that run; peak RSS).
Prints the input, the machine (platform, CPUs, load average) and the figures.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

HFORMAT = "%d-%m-%Y %H:%M - %name:"
TARGET_RATE = 400_000  # messages/s, from the issue
WHATSTK_REFERENCE = 117_000  # messages/s: whatstk on the machine
TARGET_RSS_MB = 600  # the parse share of the 1 GB ingest budget


def _chatarchief(path: str) -> tuple[object, int]:
    from chatarchief.core.formats import whatsapp
    from chatarchief.core.model import ParseOptions

    export = whatsapp.parse(path, ParseOptions())
    return export, export.message_count


def _whatstk(path: str) -> tuple[object, int]:
    import warnings

    warnings.filterwarnings("ignore")
    from whatstk import df_from_whatsapp

    frame = df_from_whatsapp(path, auto_header=False, hformat=HFORMAT, max_size=None)
    return frame, len(frame)


def _one(which: str, path: str, runs: int) -> None:
    """Child process: time `runs` parses, print one JSON line. The parsed result is released after
    the clock stops (an ingest goes on to use it), for both parsers alike."""
    run = _chatarchief if which == "chatarchief" else _whatstk
    best = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result, count = run(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        del result
        if best is None or wall < best[0]:
            best = (wall, cpu)
    assert best is not None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"messages": count, "wall": best[0], "cpu": best[1], "peak_rss_mb": peak}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        _one(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = ROOT / "bench" / "data" / f"whatsapp_android_{n // 1000}k.txt"
    if not path.exists():
        from tests.generators.whatsapp import write_android_export

        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        write_android_export(path, n)
        print(f"generated {path} in {time.perf_counter() - started:.1f} s")
    size = path.stat().st_size
    print(f"input: {path.name}, {n:,} messages, {size / 1e6:.1f} MB, {sum(1 for _ in open(path, 'rb')):,} lines")
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    rates: dict[str, float] = {}
    for which, runs in (("chatarchief", 7), ("whatstk", 2)):
        out = subprocess.run(
            [sys.executable, __file__, "--one", which, str(path), str(runs)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(f"{which}: failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{which:12s} best of {runs}: {result['wall']:.2f} s wall ({result['cpu']:.2f} s CPU), "
            f"{result['messages'] / result['wall']:,.0f} messages/s wall, "
            f"{result['messages'] / result['cpu']:,.0f} messages/s CPU, "
            f"{result['messages']:,} messages, peak RSS {result['peak_rss_mb']} MB"
        )
        rates[which] = result["messages"] / result["wall"]
        if which == "chatarchief":
            rate = result["messages"] / result["cpu"]
            verdict = "met" if rate >= TARGET_RATE and result["peak_rss_mb"] < TARGET_RSS_MB else "NOT met"
            print(f"{'':12s} target {TARGET_RATE:,} messages/s (CPU) and < {TARGET_RSS_MB} MB peak: {verdict}")
    if len(rates) == 2:
        print(
            f"chatarchief parses {rates['chatarchief'] / rates['whatstk']:.2f}x as fast as whatstk here"
            f" (the issue's target against its whatstk figure: {TARGET_RATE / WHATSTK_REFERENCE:.2f}x)"
        )


if __name__ == "__main__":
    main()
