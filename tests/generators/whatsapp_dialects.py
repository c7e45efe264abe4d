"""WhatsApp header dialects as the peer corpus shows them, and the real-world variants of issue 14.

The header of a WhatsApp line follows the phone's regional settings (FORMATS.md §1.2): date order,
separators, 12 or 24 hours, AM/PM words, calendar and digits. `DIALECTS` renders one local time in
each form seen in exports from the wild; `render_chat` writes a small chat in one dialect, with the
variants the issue lists: an empty body (with or without the space after the colon), a byte-order
mark before a line (or before every line), and impossible times that must not vanish.

    text = render_chat(DIALECTS["ios_en_us_12h"], lines=chat_lines())
    write_chat(tmp_path / "WhatsApp Chat with Test.txt", text, crlf=True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LRM, RLM, NNBSP, NBSP, BOM = "\u200e", "\u200f", "\u202f", "\u00a0", "\ufeff"
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _h12(at: dt.datetime) -> int:
    return at.hour % 12 or 12


@dataclass(frozen=True)
class Dialect:
    """One header form. `render(at)` gives the header up to the sender; `impossible` a header of the
    same form whose time cannot exist (for the never-vanish variant)."""

    name: str
    platform: str  # "android" or "ios" (as the parser reports it)
    render: Callable[[dt.datetime], str]
    impossible: str
    precision_ms: int
    sample: str = ""  # how it looks, for the reader


def _d(name: str, platform: str, render: Callable[[dt.datetime], str], impossible: str, precision: int, sample: str):
    return Dialect(name, platform, render, impossible, precision, sample)


_LIST = [
    _d(
        "android_nl",
        "android",
        lambda a: f"{a:%d-%m-%Y %H:%M} - ",
        "14-03-2021 24:10 - ",
        60_000,
        "02-05-2022 16:08 - ",
    ),
    _d(
        "android_en_us",
        "android",
        lambda a: f"{a.month}/{a.day}/{a:%y}, {a:%H:%M} - ",
        "3/14/21, 23:61 - ",
        60_000,
        "5/2/22, 16:08 - ",
    ),
    _d(
        "android_en_gb",
        "android",
        lambda a: f"{a:%d/%m/%Y}, {a:%H:%M} - ",
        "14/03/2021, 24:00 - ",
        60_000,
        "23/03/2022, 13:31 - ",
    ),
    _d(
        "android_12h",
        "android",
        lambda a: f"{a:%d/%m/%y}, {_h12(a)}:{a:%M}{NNBSP}{'pm' if a.hour >= 12 else 'am'} - ",
        f"14/03/21, 23:59{NNBSP}pm - ",
        60_000,
        "08/12/22, 7:14 pm - ",
    ),
    _d(
        "android_ru",
        "android",
        lambda a: f"{a:%d.%m.%Y}, {a:%H:%M} - ",
        "14.03.2021, 25:00 - ",
        60_000,
        "23.03.2022, 13:31 - ",
    ),
    _d(
        "android_ymd",
        "android",
        lambda a: f"{a:%Y/%m/%d}, {a:%H:%M} - ",
        "2021/03/14, 24:30 - ",
        60_000,
        "2019/01/01, 11:25 - ",
    ),
    _d(
        "android_fi",
        "android",
        lambda a: f"{a.day}.{a.month}.{a.year} klo {a:%H.%M.%S} - ",
        "14.3.2021 klo 23.60.00 - ",
        1_000,
        "13.6.2018 klo 21.25.15 - ",
    ),
    _d(
        "android_es_12h",
        "android",
        lambda a: f"{a:%d/%m/%Y}, {_h12(a):02d}:{a:%M} {'p.' if a.hour >= 12 else 'a.'}{NBSP}m. - ",
        f"14/03/2021, 23:59 p.{NBSP}m. - ",
        60_000,
        "01/01/2019, 11:25 a. m. - ",
    ),
    _d(
        "ios_nl",
        "ios",
        lambda a: f"[{a:%d-%m-%Y %H:%M:%S}] ",
        "[14-03-2021 24:00:00] ",
        1_000,
        "[02-05-2022 16:12:20] ",
    ),
    _d(
        "ios_en_us_12h",
        "ios",
        lambda a: f"[{a.month}/{a.day}/{a:%y}, {_h12(a)}:{a:%M:%S}{NNBSP}{'PM' if a.hour >= 12 else 'AM'}] ",
        f"[3/14/21, 23:59:00{NNBSP}PM] ",
        1_000,
        "[3/27/22, 9:41:35 PM] ",
    ),
    _d(
        "ios_en",
        "ios",
        lambda a: f"[{a.month}/{a.day}/{a:%y}, {a:%H:%M:%S}] ",
        "[3/14/21, 24:01:00] ",
        1_000,
        "[3/27/22, 21:41:35] ",
    ),
    _d(
        "ios_es_12h",
        "ios",
        lambda a: f"[{a.day}/{a.month}/{a:%y} {_h12(a)}:{a:%M:%S} {'p.' if a.hour >= 12 else 'a.'} m.] ",
        "[14/3/21 23:59:00 p. m.] ",
        1_000,
        "[3/6/18 1:55:00 p. m.] ",
    ),
    _d(
        "ios_ar",
        "ios",
        lambda a: (
            f"[{a.day}/{RLM}{a.month}/{RLM}{a:%y} {_h12(a)}:{a:%M:%S}{NBSP}" + ("م" if a.hour >= 12 else "ص") + "] "
        ).translate(_ARABIC_DIGITS),
        f"[١٤/{RLM}٣/{RLM}٢١ ٢٣:٥٩:٠٠{NBSP}م] ",
        1_000,
        "[١٩/‏٣/‏٢٢ ٢:٥٦:٠٠ م] ",
    ),
    _d(
        "ios_vi",
        "ios",
        lambda a: f"[{a:%H:%M:%S}, {a.month}/{a.day}/{a:%y}] ",
        "[24:10:00, 3/14/21] ",
        1_000,
        "[14:56:01, 3/18/22] ",
    ),
    _d(
        "ios_buddhist",
        "ios",
        lambda a: f"[{a.month}/{a.day}/{a.year + 543} BE, {a:%H:%M:%S}] ",
        "[3/14/2564 BE, 24:00:00] ",
        1_000,
        "[3/27/2565 BE, 21:41:35] ",
    ),
    _d(
        "ios_japanese",
        "ios",
        lambda a: f"[{a.month}/{a.day}/R{a.year - 2018}, {a:%H:%M:%S}] ",
        "[3/14/R3, 24:00:00] ",
        1_000,
        "[3/27/R4, 21:41:35] ",
    ),
    # Before 2017 (iOS): no brackets, no dash; seconds, then a colon. In several locales.
    _d(
        "legacy_en_gb", "ios", lambda a: f"{a:%d/%m/%y %H:%M:%S}: ", "14/03/16 24:00:00: ", 1_000, "12/03/16 14:04:10: "
    ),
    _d("legacy_nl", "ios", lambda a: f"{a:%d-%m-%y %H:%M:%S}: ", "14-03-16 23:59:60: ", 1_000, "12-03-16 14:04:10: "),
    _d(
        "legacy_de",
        "ios",
        lambda a: f"{a:%d.%m.%y}, {a:%H:%M:%S}: ",
        "14.03.16, 25:00:00: ",
        1_000,
        "12.03.16, 14:04:10: ",
    ),
    _d(
        "legacy_en_us",
        "ios",
        lambda a: f"{a.month}/{a.day}/{a:%y}, {_h12(a)}:{a:%M:%S} {'PM' if a.hour >= 12 else 'AM'}: ",
        "3/14/16, 23:59:00 PM: ",
        1_000,
        "3/12/16, 2:04:10 PM: ",
    ),
]
DIALECTS: dict[str, Dialect] = {d.name: d for d in _LIST}
LEGACY = [d for d in _LIST if d.name.startswith("legacy_")]


@dataclass
class Line:
    """One chat line: a message (`sender` and `body`), a system line (`sender` None), or an impossible
    header (`impossible=True`: must come out as a defect). `bom`: a byte-order mark before the line."""

    at: dt.datetime
    sender: str | None
    body: str = ""
    continuation: list[str] = field(default_factory=list)
    bom: bool = False
    impossible: bool = False
    trailing_space: bool = True  # "Carol: " (the exporter kept the space after the colon) or "Carol:"


def chat_lines(start: dt.datetime = dt.datetime(2021, 3, 14, 9, 0)) -> list[Line]:
    """A small chat of every kind of line (start after the 12th of a month, so the date order is plain)."""
    day = start
    minute = dt.timedelta(minutes=1)
    return [
        Line(day, None, "Anne heeft de groep Overleg gemaakt"),
        Line(day + minute, "Anne", "Goedemorgen, de nota staat klaar."),
        Line(day + 2 * minute, "Bram de Vries", "Dank je.", continuation=["Ik lees hem vanmiddag.", ""]),
        Line(day + 3 * minute, "Carol", ""),  # an empty body, the space kept
        Line(day + 4 * minute, "Carol", "", trailing_space=False),  # an empty body, the space cut off
        Line(day + 5 * minute, "Anne", "Nog een vraag: wanneer?", bom=True),
        Line(day + 6 * minute, "+31 6 12345678", "[5/2, 16:08] Anne: een geciteerde regel"),
        Line(day + 7 * minute, "Bram de Vries", "", impossible=True),
        Line(day + 8 * minute, "Anne", "Morgen om 10:00."),
    ]


def render_line(dialect: Dialect, line: Line) -> str:
    header = dialect.impossible if line.impossible else dialect.render(line.at)
    if line.sender is None:
        first = header + line.body
    elif line.body or line.trailing_space:
        first = f"{header}{line.sender}: {line.body}"
    else:
        first = f"{header}{line.sender}:"
    if line.impossible:
        first = f"{header}{line.sender}: tijd bestaat niet"
    return "\n".join([(BOM if line.bom else "") + first, *line.continuation])


def render_chat(dialect: Dialect, lines: list[Line], *, bom_every_line: bool = False) -> str:
    """The chat text (LF line ends, a final newline); `bom_every_line`: a BOM before every line."""
    text = "\n".join(render_line(dialect, line) for line in lines) + "\n"
    if bom_every_line:
        text = "\n".join(BOM + part if part and not part.startswith(BOM) else part for part in text.split("\n"))
    return text


def write_chat(path: str | Path, text: str, *, crlf: bool = False, encoding: str = "utf-8") -> Path:
    path = Path(path)
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode(encoding))
    return path
