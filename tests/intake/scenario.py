"""A year of monthly WhatsApp exports of one chat, with everything that can happen between exports.

Twelve cumulative exports (Android and iOS, Dutch and English, one without media) of the chat
"Crisisteam" held by the minister ("Mark"). Between exports: a message deleted for everyone after
it was archived, a message the minister deleted for himself (it just disappears), an edit, a
view-once photo, disappearing messages switched on and off, the same text twice in one minute,
the DST fall-back hour of 26 October 2025 (02:00-03:00 happens twice), and lines written in
airplane mode that appear out of time order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from tests.generators.whatsapp import Spec, write_export

TITLE = "Crisisteam"
D = dt.datetime


@dataclass(frozen=True)
class Event:
    spec: Spec
    month: int  # first export that shows it
    deleted_from: int | None = None  # exports from this month on show a tombstone
    gone_from: int | None = None  # exports from this month on do not show it (delete for me)
    edited_from: int | None = None  # exports from this month on show `edited_body` with the marker
    edited_body: str = ""


def _events() -> list[Event]:
    e = [
        Event(Spec("Anne", D(2025, 1, 13, 9, 0), "Goedemorgen, de crisisnotitie staat klaar."), 1),
        Event(Spec("Mark", D(2025, 1, 13, 9, 2), "Dank, ik lees hem vanavond."), 1),
        Event(
            Spec("Anne", D(2025, 2, 14, 10, 15), "Vertrouwelijk: de begroting wordt 40 miljoen lager."),
            2,
            deleted_from=4,
        ),
        Event(Spec("Bram", D(2025, 2, 20, 11, 0), "Zie de bijlage.", kind="media", media="IMG-20250220-WA0001.jpg"), 2),
        Event(Spec("Mark", D(2025, 3, 17, 16, 40), "Dit hoort hier niet, ik haal het weg."), 3, gone_from=5),
        Event(
            Spec("Anne", D(2025, 4, 14, 8, 30), "Overleg donderdag om 10:00."),
            4,
            edited_from=6,
            edited_body="Overleg donderdag om 11:00.",
        ),
        Event(Spec("Bram", D(2025, 5, 19, 12, 0), kind="view_once"), 5),
        Event(
            Spec(
                None,
                D(2025, 6, 16, 9, 0),
                "Bram heeft berichten met vervaldatum ingeschakeld. Alle nieuwe "
                "berichten verdwijnen na 7 dagen uit deze chat. Tik om dit te wijzigen",
                kind="system",
            ),
            6,
        ),
        Event(Spec("Mark", D(2025, 6, 16, 9, 5), "Graag uitzetten, dit moet bewaard blijven."), 6),
        Event(
            Spec(
                None,
                D(2025, 6, 16, 9, 6),
                "Bram heeft berichten met vervaldatum uitgeschakeld. Tik om dit te wijzigen",
                kind="system",
            ),
            6,
        ),
        Event(Spec("Anne", D(2025, 7, 21, 14, 0, 5), "Ok"), 7),
        Event(Spec("Anne", D(2025, 7, 21, 14, 0, 40), "Ok"), 7),
        # airplane mode: written 10:05, delivered after the 10:03 line
        Event(Spec("Mark", D(2025, 8, 18, 10, 5), "Ik zit in het vliegtuig, bel je straks."), 8),
        Event(Spec("Anne", D(2025, 8, 18, 10, 3), "Landen jullie op tijd?"), 8),
        Event(
            Spec(
                "Bram",
                D(2025, 9, 15, 13, 0),
                "Foto van de situatie ter plaatse",
                kind="media",
                media="IMG-20250915-WA0002.jpg",
            ),
            9,
        ),
        # DST fall-back on 26 October 2025: 02:10 and 02:40 (CEST), then 02:15 and 02:50 again (CET)
        Event(Spec("Anne", D(2025, 10, 26, 2, 10), "Nachtelijke update 1"), 10),
        Event(Spec("Anne", D(2025, 10, 26, 2, 40), "Nachtelijke update 2"), 10),
        Event(Spec("Bram", D(2025, 10, 26, 2, 15), "Na het terugzetten van de klok"), 10),
        Event(Spec("Bram", D(2025, 10, 26, 2, 50), "Tweede keer 02:50"), 10),
        Event(Spec("Mark", D(2025, 11, 17, 18, 0), "Prima, dank allen."), 11),
        Event(Spec("Anne", D(2025, 12, 15, 9, 30), "Fijne feestdagen en tot januari."), 12),
    ]
    return e


# month -> (platform, locale, with_media, file suffix)
_EXPORT_FORM = {
    1: ("android", "nl", True, ".txt"),
    2: ("android", "nl", True, ".zip"),
    3: ("ios", "nl", True, ".zip"),
    4: ("android", "en", True, ".zip"),
    5: ("android", "nl", False, ".txt"),  # without media
    6: ("ios", "nl", True, ".zip"),
    7: ("android", "nl", True, ".zip"),
    8: ("ios", "en", True, ".zip"),
    9: ("android", "nl", True, ".zip"),
    10: ("android", "nl", True, ".zip"),
    11: ("ios", "nl", True, ".zip"),
    12: ("android", "nl", True, ".zip"),
}

EVENTS = _events()


def specs_for(month: int) -> list[Spec]:
    specs = []
    for event in EVENTS:
        if event.month > month or (event.gone_from is not None and month >= event.gone_from):
            continue
        spec = event.spec
        if event.deleted_from is not None and month >= event.deleted_from:
            spec = replace(spec, kind="deleted", body="")
        elif event.edited_from is not None and month >= event.edited_from:
            spec = replace(spec, kind="edited", body=event.edited_body)
        specs.append(spec)
    return specs


def exported_at(month: int) -> dt.datetime:
    """Secured on the 28th of each month at 20:00 local time."""
    from zoneinfo import ZoneInfo

    return dt.datetime(2025, month, 28, 20, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def write_exports(folder: Path) -> list[tuple[Path, dt.datetime]]:
    """The twelve exports plus the same file (month 7) handed in a second time."""
    files = []
    for month in range(1, 13):
        platform, locale, with_media, suffix = _EXPORT_FORM[month]
        name = {
            ("android", "nl"): f"WhatsApp-chat met {TITLE}",
            ("android", "en"): f"WhatsApp Chat with {TITLE}",
        }.get((platform, locale), f"WhatsApp Chat - {TITLE}")
        target = folder / f"{month:02d}" / (name + suffix)
        target.parent.mkdir(parents=True)
        write_export(target, specs_for(month), platform=platform, locale=locale, with_media=with_media, title=TITLE)
        files.append((target, exported_at(month)))
    twice = folder / "07-again" / files[6][0].name
    twice.parent.mkdir()
    twice.write_bytes(files[6][0].read_bytes())
    files.append((twice, exported_at(7)))
    return files


UNIQUE_MESSAGES = len(EVENTS) + 1  # every event once, plus the E2E notice
