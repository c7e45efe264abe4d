"""WhatsApp header dates and times: date order per file, local wall-clock to UTC milliseconds.

Dates are cached per date string and times per time string, so a million headers cost two dict
lookups each. The UTC offset is cached per day; only days with a DST transition look at the hour,
and the repeated fall-back hour is resolved by line order (when the clock goes back inside that
hour, that line and the later ones are the second occurrence, ``fold=1``).

Non-Gregorian iOS calendars are converted, not rejected: Buddhist years (``2565 BE``, or any year
above 2400) minus 543, Japanese era years (``R4`` = Reiwa 4 = 2022, ``H31``, ``S64``) to Gregorian.
"""

from __future__ import annotations

import datetime as dt
import re

from chatarchief.core.formats import zone_of

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_SPLIT = re.compile(r"\s*[-/.]\s*")
_ERAS = {"R": 2018, "H": 1988, "S": 1925, "T": 1911, "M": 1867}
_AMPM = {"a": False, "p": True, "\u0635": False, "\u0645": True}  # Arabic ص / م
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(\S.*)?$")
_SPACE = {0x00A0: " ", 0x202F: " "}
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


def _year(text: str) -> int:
    text = text.replace(" BE", "").strip()
    if text[:1] in _ERAS:
        return _ERAS[text[0]] + int(text[1:])
    year = int(text)
    if len(text) <= 2:
        year += 2000
    elif year > 2400:  # Buddhist calendar
        year -= 543
    return year


def split_date(date: str) -> tuple[str, str, str, str] | None:
    """(a, b, c, separator) of a header date, or None when it has not three parts."""
    clean = date.translate(_BIDI)
    parts = _SPLIT.split(clean)
    if len(parts) != 3:
        return None
    separator = next((ch for ch in clean if ch in "-/."), "-")
    return parts[0], parts[1], parts[2], separator


def detect_order(dates: list[str]) -> str:
    """'ymd', 'dmy' or 'mdy' from all distinct header dates of a file, in first-seen order."""
    triples = [t for t in map(split_date, dates) if t is not None]
    if not triples:
        return "dmy"
    if all(len(a) == 4 for a, _b, _c, _s in triples):
        return "ymd"
    firsts, seconds = [], []
    for a, b, _c, _s in triples:
        try:
            firsts.append(int(a))
            seconds.append(int(b))
        except ValueError:
            continue
    a_big = sum(1 for a in firsts if a > 12)
    b_big = sum(1 for b in seconds if b > 12)
    if a_big != b_big:
        return "dmy" if a_big > b_big else "mdy"
    # Ambiguous: prefer the order under which the dates mostly go forward in file order.
    dmy = _backsteps([(b, a) for a, b in zip(firsts, seconds, strict=True)])
    mdy = _backsteps(list(zip(firsts, seconds, strict=True)))
    if dmy != mdy:
        return "dmy" if dmy < mdy else "mdy"
    # Still a tie: US short style is M/D/YY with slashes and no leading zeros.
    a, b, c, sep = triples[0]
    if sep == "/" and len(c) == 2 and (len(a) == 1 or len(b) == 1):
        return "mdy"
    return "dmy"


def _backsteps(month_days: list[tuple[int, int]]) -> int:
    return sum(1 for x, y in zip(month_days, month_days[1:], strict=False) if y < x)


class Clock:
    """Converts header (date, time, am/pm) strings to UTC epoch milliseconds in one time zone."""

    def __init__(self, time_zone: str, shown: str) -> None:
        self.zone = zone_of(time_zone, shown, "whatsapp.time_zone")
        self.order = "dmy"
        # date string -> (local midnight as epoch seconds, uniform UTC offset or None, ordinal) | None
        self.days: dict[str, tuple[int, int | None, int] | None] = {}
        # time key -> (seconds of day, precision ms) | None
        self.times: dict[str, tuple[int, int] | None] = {}
        self._hours: dict[int, list[tuple[int, int]]] = {}
        self._fold_state: dict[tuple[int, int], list[int]] = {}

    def reset(self, order: str) -> None:
        self.order = order
        self.days.clear()
        self._fold_state.clear()

    def day(self, date: str) -> tuple[int, int | None, int] | None:
        """Cache and return the local-midnight seconds and offset of a header date (None: invalid)."""
        found = self._day(date)
        self.days[date] = found
        return found

    def _day(self, date: str) -> tuple[int, int | None, int] | None:
        parts = split_date(date)
        if parts is None:
            return None
        a, b, c, _sep = parts
        try:
            if self.order == "ymd":
                year, month, mday = _year(a), int(b), int(c)
            elif self.order == "mdy":
                year, month, mday = _year(c), int(a), int(b)
            else:
                year, month, mday = _year(c), int(b), int(a)
            ordinal = dt.date(year, month, mday).toordinal()
        except (ValueError, KeyError, OverflowError):
            return None
        start = self._offset(ordinal, 0, 0)
        end = self._offset(ordinal, 23, 0)
        uniform = start if start == end and self._offset(ordinal, 23, 1) == start else None
        return (ordinal - _EPOCH_ORDINAL) * 86400, uniform, ordinal

    def _offset(self, ordinal: int, hour: int, fold: int) -> int:
        moment = dt.datetime.combine(dt.date.fromordinal(ordinal), dt.time(hour, 59, fold=fold), self.zone)
        offset = moment.utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def time(self, text: str) -> tuple[int, int] | None:
        """Cache and return (seconds of day, precision in ms) for a header time (with am/pm)."""
        found = None
        parsed = _CLOCK.match(text.translate(_SPACE))
        if parsed is not None:
            hour, minute = int(parsed.group(1)), int(parsed.group(2))
            second = int(parsed.group(3)) if parsed.group(3) else 0
            ampm = parsed.group(4)
            if ampm:
                pm = _AMPM.get(ampm[:1].lower())
                hour = 99 if pm is None or hour > 12 else hour % 12 + (12 if pm else 0)
            if hour < 24 and minute < 60 and second < 60:
                found = (hour * 3600 + minute * 60 + second, 1000 if parsed.group(3) else 60000)
        self.times[text] = found
        return found

    def resolve(self, ordinal: int, local_seconds: int) -> int:
        """UTC offset for a local time on a day with a DST transition, by line order in the hour."""
        hours = self._hours.get(ordinal)
        if hours is None:
            hours = [(self._offset(ordinal, h, 0), self._offset(ordinal, h, 1)) for h in range(24)]
            self._hours[ordinal] = hours
        seconds_of_day = local_seconds % 86400
        hour = seconds_of_day // 3600
        first, second = hours[hour]
        if first <= second:  # no repeat (a spring-forward gap uses the offset before the change)
            return first
        state = self._fold_state.setdefault((ordinal, hour), [-1, 0])  # [latest seen, folded]
        if state[1] or seconds_of_day < state[0]:
            state[1] = 1
            return second
        state[0] = seconds_of_day
        return first
