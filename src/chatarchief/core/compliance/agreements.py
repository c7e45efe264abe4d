"""Agreements (afspraken): how often a custodian secures their chats, who does it, for which channels.

Agreements are versioned values: a new agreement never changes an old one, it starts on its own
`valid_from` date. Two recorded for the same date: the one recorded last is in force.

The government-wide minimum is monthly. "Monthly" is defined as **31 days**: the longest calendar
month, so a custodian who secures on the same day every month is never late (the existing
`CHATARCHIEF_CADENCE_DAYS` default). Weekly is 7 days. No agreement can be looser than the minimum:
`limit()` caps every period at 31 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.model import Channel


class Frequency(StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"


class SecuredBy(StrEnum):
    SELF = "self"
    SECRETARY = "secretary"
    DOC_DIREKT = "doc-direkt"


MINIMUM_PERIOD = dt.timedelta(days=31)  # the government-wide monthly minimum
PERIODS = {Frequency.MONTHLY: MINIMUM_PERIOD, Frequency.WEEKLY: dt.timedelta(days=7)}
# "Due soon" (orange, and the first reminder): 7 days before a monthly due date. A weekly agreement
# would always be due within 7 days, so its window is 2 days.
DUE_SOON = {Frequency.MONTHLY: dt.timedelta(days=7), Frequency.WEEKLY: dt.timedelta(days=2)}
CHANNELS = tuple(c.value for c in Channel)


def limit(frequency: Frequency) -> dt.timedelta:
    """The longest allowed time between two securing moments under `frequency`: never over 31 days."""
    return min(PERIODS[frequency], MINIMUM_PERIOD)


@dataclass(frozen=True)
class Agreement:
    """One version of a custodian's agreement. `channels` empty means every channel."""

    frequency: Frequency
    secured_by: SecuredBy
    valid_from: dt.date
    channels: tuple[str, ...] = ()
    secretary: str | None = None  # the username of the operator who secures, when secured_by is secretary
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None
    version: int = 0  # the database id or a running number: breaks ties between equal recorded_at
    is_default: bool = field(default=False, compare=False)  # the minimum, applied when none is recorded

    @property
    def period(self) -> dt.timedelta:
        return limit(self.frequency)

    @property
    def due_soon(self) -> dt.timedelta:
        return DUE_SOON[self.frequency]

    def as_dict(self) -> dict[str, Any]:
        return {
            "frequency": self.frequency.value,
            "period_days": self.period.days,
            "secured_by": self.secured_by.value,
            "secretary": self.secretary,
            "channels": list(self.channels),
            "valid_from": self.valid_from.isoformat(),
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "version": self.version,
            "default": self.is_default,
        }


def default_agreement(valid_from: dt.date) -> Agreement:
    """The monthly minimum, secured by the custodian, for a custodian without a recorded agreement."""
    return Agreement(Frequency.MONTHLY, SecuredBy.SELF, valid_from, is_default=True)


def make_agreement(
    frequency: str,
    secured_by: str,
    valid_from: dt.date | str,
    *,
    channels: Iterable[str] = (),
    secretary: str | None = None,
    recorded_by: str = "",
    recorded_at: dt.datetime | None = None,
    version: int = 0,
) -> Agreement:
    """A validated agreement from what a person typed; a ComplianceError says what is wrong."""
    chosen_frequency = _choice(Frequency, frequency, "frequency", "frequentie")
    chosen_by = _choice(SecuredBy, secured_by, "secured_by", "wie borgt")
    secretary = (secretary or "").strip() or None
    if chosen_by is SecuredBy.SECRETARY and secretary is None:
        raise ComplianceError(
            "agreement.secretary_missing",
            nl="Noem het secretariaat dat borgt (--secretary GEBRUIKERSNAAM).",
            en="Name the secretary who secures (--secretary USERNAME).",
        )
    if chosen_by is not SecuredBy.SECRETARY and secretary is not None:
        raise ComplianceError(
            "agreement.secretary_unexpected",
            nl="Een secretariaat hoort alleen bij 'secured-by secretary'.",
            en="A secretary belongs only with 'secured-by secretary'.",
        )
    chosen_channels = _channels(channels)
    return Agreement(
        frequency=chosen_frequency,
        secured_by=chosen_by,
        valid_from=_date(valid_from),
        channels=chosen_channels,
        secretary=secretary,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
        version=version,
    )


def _choice(enum: Any, value: str, name: str, name_nl: str) -> Any:
    try:
        return enum((value or "").strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ComplianceError(
            f"agreement.bad_{name}",
            nl=f"Onbekende waarde voor {name_nl}: {value!r}. Kies uit: {allowed}.",
            en=f"Unknown value for {name}: {value!r}. Choose from: {allowed}.",
        ) from None


def _channels(channels: Iterable[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for channel in channels:
        value = channel.strip().lower()
        if value not in CHANNELS:
            raise ComplianceError(
                "agreement.bad_channel",
                nl=f"Onbekend kanaal {channel!r}. Kies uit: {', '.join(CHANNELS)}.",
                en=f"Unknown channel {channel!r}. Choose from: {', '.join(CHANNELS)}.",
            )
        if value not in chosen:
            chosen.append(value)
    return tuple(sorted(chosen, key=CHANNELS.index))


def _date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ComplianceError(
            "agreement.bad_date",
            nl=f"Ongeldige datum {value!r}: gebruik JJJJ-MM-DD.",
            en=f"Invalid date {value!r}: use YYYY-MM-DD.",
        ) from None


def _recorded_order(agreement: Agreement) -> tuple[Any, ...]:
    """Start date, then the order of recording; the values themselves break a remaining tie, so the
    outcome never depends on the order the agreements are handed in."""
    recorded = agreement.recorded_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    values = (agreement.frequency.value, agreement.secured_by.value, agreement.secretary or "", agreement.channels)
    return agreement.valid_from, recorded, agreement.version, values


def effective(agreements: Iterable[Agreement]) -> list[Agreement]:
    """The agreements that are ever in force, by start date: per date, the one recorded last."""
    by_date: dict[dt.date, Agreement] = {}
    for agreement in sorted(agreements, key=_recorded_order):
        by_date[agreement.valid_from] = agreement
    return [by_date[day] for day in sorted(by_date)]


def agreement_in_force(agreements: Sequence[Agreement], on: dt.date) -> Agreement | None:
    """The agreement in force on date `on`, or None before the first one."""
    found = None
    for agreement in effective(agreements):
        if agreement.valid_from > on:
            break
        found = agreement
    return found
