"""Small WhatsApp exports for the queue, crash and concurrency tests (tests/generators/whatsapp.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.generators.whatsapp import Spec, write_export

START = dt.datetime(2026, 1, 5, 9, 0)


def specs(count: int, *, media_every: int = 0, start: dt.datetime = START) -> list[Spec]:
    out = []
    for n in range(count):
        at = start + dt.timedelta(minutes=n)
        sender = ("Anna de Vries", "Bob Jansen")[n % 2]
        if media_every and n % media_every == media_every - 1:
            out.append(Spec(sender, at, "foto", kind="media", media=f"IMG-20260105-WA{n:04d}.jpg"))
        else:
            out.append(Spec(sender, at, f"bericht {n} over de Kamerbrief"))
    return out


def export(folder: Path, name: str, count: int, *, media_every: int = 0, start: dt.datetime = START) -> Path:
    """A chat 'Overleg' with `count` messages; the first messages are the same in every export,
    so a longer export repeats a shorter one and adds to it."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_export(folder / name, specs(count, media_every=media_every, start=start), title="Overleg")
