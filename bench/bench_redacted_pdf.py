"""Benchmark: export 10,000 generated chat messages to redacted Woo PDFs (one per conversation-day).

    .venv/bin/python bench/bench_redacted_pdf.py [n_messages] [--per-day N] [--workers N] [--runs N]

Generates `n_messages` (default 10,000) seeded messages as conversation-day documents of about
`--per-day` messages (default 100: ~100 documents), with the redactions a Woo coordinator makes
(private senders' names, phone numbers, a whole message, a rectangle in each picture), renders each
with `render_redacted_pdf` and writes it to a temporary folder, as `woo export` would. Reports the
best of `--runs` (default 3) wall-clock runs with its CPU time, in messages per second, and checks on
every PDF that no redacted phone number can be extracted. CPU time (workers included) is printed
too: on a shared machine it is the figure the load of others disturbs least. `--workers` > 1 renders documents in that
many processes. Target (issue 18): >= 200 messages/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

TARGET = 200  # messages/s


def _render(args: tuple[object, Path]) -> tuple[int, int]:
    from tests.generators.chat_documents import redactions_for

    from chatarchief.core.packaging.chat_pdf import render_redacted_pdf

    doc, folder = args
    pdf = render_redacted_pdf(doc, redactions_for(doc))  # type: ignore[arg-type]
    (folder / f"{doc.number}.pdf").write_bytes(pdf)  # type: ignore[attr-defined]
    return len(doc.messages), len(pdf)  # type: ignore[attr-defined]


def _check(folder: Path) -> int:
    """Extract every PDF's text and make sure no redacted phone number survived."""
    import pypdf
    from tests.generators.chat_documents import PHONES

    pages = 0
    for path in sorted(folder.glob("*.pdf")):
        reader = pypdf.PdfReader(path)
        pages += len(reader.pages)
        text = "".join(page.extract_text() for page in reader.pages)
        leaked = [phone for phone in PHONES if phone in text]
        if leaked or "5.1.2e" not in text:
            raise SystemExit(f"{path.name}: redaction check failed ({leaked})")
    return pages


def _cpu() -> float:
    """CPU seconds of this process and of the worker processes it has reaped."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    from tests.generators.chat_documents import generate_documents, redactions_for

    from chatarchief.core.packaging.chat_pdf import render_redacted_pdf

    docs = list(generate_documents(options.n, seed=18, per_day=options.per_day))
    render_redacted_pdf(docs[0], redactions_for(docs[0]))  # warm up: fonts, Pango, imports
    print(f"input: {options.n} messages in {len(docs)} conversation-day documents, workers={options.workers}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    results = []
    for run in range(options.runs):
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory(prefix="chatarchief-bench-pdf-") as tmp:
            folder = Path(tmp)
            wall, cpu = time.perf_counter(), _cpu()
            if options.workers > 1:
                with ProcessPoolExecutor(options.workers) as pool:
                    done = list(pool.map(_render, [(doc, folder) for doc in docs], chunksize=4))
            else:
                done = [_render((doc, folder)) for doc in docs]
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            pages = _check(folder)
        messages, size = sum(d[0] for d in done), sum(d[1] for d in done)
        rate = messages / wall
        results.append(rate)
        print(
            f"run {run + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rate:.0f} messages/s wall, "
            f"{messages / cpu:.0f} messages per CPU-second, "
            f"{len(done)} PDFs, {pages} pages, {size / 1e6:.1f} MB, load average before {load:.1f}"
        )
    best = max(results)
    print(f"best: {best:.0f} messages/s (target >= {TARGET}): {'OK' if best >= TARGET else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
