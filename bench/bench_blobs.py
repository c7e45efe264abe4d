"""Throughput of the encrypted blob store: write (encrypt + SHA-256) and read (decrypt + verify).

    .venv/bin/python bench/bench_blobs.py [--mb 200]

Streams a generated blob (seeded pseudo-random bytes, never held whole in memory) through the
filesystem store in a temporary folder, then reads it back; prints input, machine and MB/s, with
a plain SHA-256 + copy of the same bytes as the baseline.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ["CHATARCHIEF_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-blobs-data-")
atexit.register(shutil.rmtree, os.environ["CHATARCHIEF_DATA_DIR"], True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
import django  # noqa: E402

django.setup()  # the store's modules read settings and models; no database is opened here

from chatarchief.archive.services.blob_crypto import SEGMENT  # noqa: E402
from chatarchief.archive.services.blob_keys import Keyring, LocalKeyProvider  # noqa: E402
from chatarchief.archive.services.blob_names import Namer  # noqa: E402
from chatarchief.archive.services.blobs import FilesystemBlobStore  # noqa: E402

MB = 1024 * 1024


def make_input(path: Path, megabytes: int) -> None:
    block = random.Random(2026).randbytes(MB)  # one seeded block, rotated per MiB
    with open(path, "wb") as sink:
        for i in range(megabytes):
            sink.write(block[i % 997 :] + block[: i % 997])


def timed(label: str, megabytes: int, func) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    print(f"{label:34} {seconds:7.2f} s  {megabytes / seconds:8.1f} MB/s")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}"
    )
    print(f"input: {args.mb} MiB generated file, segment {SEGMENT // 1024} KiB, AES-256-GCM, AES key wrap")
    with tempfile.TemporaryDirectory(prefix="bench-blobs-") as tmp:
        source = Path(tmp) / "input.bin"
        make_input(source, args.mb)
        keyring = Keyring(LocalKeyProvider(os.urandom(32)))
        namer = Namer.random()  # the installation's name key lives in the database; a fresh one here
        store = FilesystemBlobStore(Path(tmp) / "blobs", keys=lambda: keyring, names=lambda: namer)
        names: list[str] = []

        def baseline() -> None:
            digest = hashlib.sha256()
            with open(source, "rb") as src, open(Path(tmp) / "copy.bin", "wb") as sink:
                while chunk := src.read(MB):
                    digest.update(chunk)
                    sink.write(chunk)

        def write() -> None:
            names.append(store.put_file(source)[0])

        def read() -> None:
            with store.open(names[0]) as handle, open(os.devnull, "wb") as sink:
                shutil.copyfileobj(handle, sink, MB)

        timed("baseline: sha256 + plain copy", args.mb, baseline)
        timed("write: encrypt + sha256 + fsync", args.mb, write)
        timed("read: decrypt + verify sha256", args.mb, read)
        stored = store.path(names[0]).stat().st_size
        print(f"stored size: {stored} bytes for {args.mb * MB} bytes plaintext (+{stored - args.mb * MB} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
