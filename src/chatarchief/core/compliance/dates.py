"""Calendar dates and instants: agreement, term and phase dates are local calendar days.

A date `d` in the custodian's time zone starts at local midnight (`start_of_day`). An end date is
inclusive: a term that ends on `d` lasts until the start of the next day (`end_of_day`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Amsterdam"

MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
MONTHS_SHORT = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


def start_of_day(day: dt.date, zone_name: str | None = None) -> dt.datetime:
    """The instant local midnight begins `day` (UTC)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone(zone_name)).astimezone(dt.UTC)


def end_of_day(day: dt.date, zone_name: str | None = None) -> dt.datetime:
    """The instant `day` ends (the start of the next local day, UTC): an inclusive end date."""
    return start_of_day(day + dt.timedelta(days=1), zone_name)


def local_date(instant: dt.datetime, zone_name: str | None = None) -> dt.date:
    return instant.astimezone(zone(zone_name)).date()


def require_aware(instant: dt.datetime, what: str) -> dt.datetime:
    """Refuse a naive datetime: every instant in the rules is an absolute moment."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {instant!r}")
    return instant


def utc_text(instant: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC (`2025-03-01T09:00:00+00:00`), or None."""
    return instant.astimezone(dt.UTC).isoformat() if instant is not None else None


def human_date(day: dt.date, lang: str = "nl") -> str:
    """`3 maart 2025` / `3 March 2025`, without depending on the process locale."""
    names = MONTHS["nl" if lang.startswith("nl") else "en"]
    return f"{day.day} {names[day.month - 1]} {day.year}"
