"""Cadence over time: securing moments judged against the agreements in force, the term and the phase.

The rules (docs/compliance.md says them in words):

- **The clock** starts at the latest of: the first agreement's `valid_from`, the term start, the
  phase start (local midnight of that day). With none of them known it starts at the first securing
  moment (the behaviour before agreements existed). Moments before the clock are not judged.
- **The deadline** after a securing moment `s` (or the clock start) is `s + period` of the agreement
  in force at `s`. An agreement that comes into force at `v` before that deadline can only bring it
  forward, to `v + its period`: a stricter agreement applies from its own start with a full period,
  a looser one only from the next securing moment. A change of who secures never resets the clock.
- **A gap** is a finding when the next securing moment comes after the deadline (closed gap), when
  the deadline passed and nothing came until `at` (the open gap), or when the term ended after the
  deadline without a securing moment (closed by the term end). Nothing is judged after the term ends.
- **Identity**: a gap is known by its start instant (`gap:<UTC ISO start>`), so findings are upserted
  and the set of gaps depends only on the set of moments, never on the order they were handed in.
- Moments after `at` are ignored: judging "as of" a date gives what was known then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from chatarchief.core.compliance.agreements import Agreement, agreement_in_force, default_agreement, effective
from chatarchief.core.compliance.dates import (
    DEFAULT_ZONE,
    end_of_day,
    local_date,
    require_aware,
    start_of_day,
    utc_text,
)

NOT_SCHEDULED = dt.date.max  # a phase without a start date: nobody in it is in scope yet
DELIVERY = "delivery"
CLOCK_START = "clock_start"
TERM_END = "term_end"


@dataclass(frozen=True)
class Timeline:
    """What the cadence needs to know about one custodian. Dates are local calendar days in `zone`."""

    moments: Sequence[dt.datetime]  # the deliveries' exported_at instants (aware)
    agreements: Sequence[Agreement] = ()
    term_start: dt.date | None = None
    term_end: dt.date | None = None  # inclusive
    phase_start: dt.date | None = None  # None: no phase restriction; NOT_SCHEDULED: not in scope yet
    zone: str = DEFAULT_ZONE


@dataclass(frozen=True)
class Gap:
    """A period longer than allowed without securing. `end` None: still open at the judging moment."""

    start: dt.datetime
    end: dt.datetime | None
    due_at: dt.datetime
    opened_by: str  # "delivery" or "clock_start"
    closed_by: str | None  # "delivery", "term_end", or None while open
    agreement: Agreement  # in force at the start

    @property
    def key(self) -> str:
        """The finding's subject: the same gap always gets the same key."""
        return gap_key(self.start)

    @property
    def is_open(self) -> bool:
        return self.end is None

    def length(self, at: dt.datetime) -> dt.timedelta:
        return (self.end or at) - self.start

    def overdue(self, at: dt.datetime) -> dt.timedelta:
        return (self.end or at) - self.due_at

    def details(self, at: dt.datetime) -> dict[str, Any]:
        """The finding's details (JSON-ready); `from`, `to`, `days`, `limit_days`, `open` as before."""
        return {
            "from": utc_text(self.start),
            "to": utc_text(self.end),
            "days": round(self.length(at).total_seconds() / 86400, 1),
            "limit_days": round((self.due_at - self.start).total_seconds() / 86400, 1),
            "due_at": utc_text(self.due_at),
            "overdue_days": round(self.overdue(at).total_seconds() / 86400, 1),
            "open": self.is_open,
            "opened_by": self.opened_by,
            "closed_by": self.closed_by,
            "frequency": self.agreement.frequency.value,
            "agreement_version": None if self.agreement.is_default else self.agreement.version,
        }


def gap_key(start: dt.datetime) -> str:
    return f"gap:{start.astimezone(dt.UTC).isoformat()}"


@dataclass(frozen=True)
class Cadence:
    """The cadence of one custodian judged at `at`."""

    at: dt.datetime
    in_scope: bool  # the clock runs at `at` (started, and the term has not ended)
    clock_start: dt.datetime | None
    term_ended: bool
    gaps: tuple[Gap, ...] = ()  # every gap that is a finding, oldest first; an open one is last
    last_secured_at: dt.datetime | None = None
    next_due_at: dt.datetime | None = None
    agreement: Agreement | None = None  # in force at `at` (at the term end once it ended)
    never_delivered: bool = False  # not a single securing moment up to `at`
    secured_since_clock: bool = False  # a securing moment since the clock started
    moments: tuple[dt.datetime, ...] = field(default=(), repr=False)  # the moments judged

    @property
    def open_gap(self) -> Gap | None:
        return self.gaps[-1] if self.gaps and self.gaps[-1].is_open else None

    @property
    def gap_keys(self) -> set[str]:
        return {g.key for g in self.gaps}


class _Agreements:
    """The effective agreements as instants, and the deadline rule over them."""

    def __init__(self, agreements: Sequence[Agreement], zone: str) -> None:
        self.effective = effective(agreements)
        self.changes = [(start_of_day(a.valid_from, zone), a, a.period) for a in self.effective]
        self.zone = zone

    def _in_force(self, instant: dt.datetime) -> tuple[Agreement, dt.timedelta]:
        found = None
        for change in self.changes:
            if change[0] > instant:
                break
            found = change
        if found is None:
            default = default_agreement(local_date(instant, self.zone))
            return default, default.period
        return found[1], found[2]

    def in_force(self, instant: dt.datetime) -> Agreement:
        return self._in_force(instant)[0]

    def deadline(self, start: dt.datetime) -> tuple[dt.datetime, Agreement]:
        """The deadline after securing at `start`, and the agreement in force at `start`."""
        agreement, period = self._in_force(start)
        due = start + period
        for begins, _later, later_period in self.changes:
            if begins <= start:
                continue
            if begins >= due:
                break
            due = min(due, begins + later_period)
        return due, agreement


def clock_start_day(timeline: Timeline, agreements: Sequence[Agreement] | None = None) -> dt.date | None:
    """The day the clock starts: the latest known of first agreement, term start and phase start."""
    ordered = effective(timeline.agreements) if agreements is None else agreements
    first = ordered[0].valid_from if ordered else None
    known = [day for day in (first, timeline.term_start, timeline.phase_start) if day is not None]
    return max(known) if known else None


def judge(timeline: Timeline, at: dt.datetime) -> Cadence:
    """The cadence of `timeline` as known at `at` (moments after `at` are ignored)."""
    require_aware(at, "at")
    zone = timeline.zone
    if any(m.tzinfo is None for m in timeline.moments):
        require_aware(next(m for m in timeline.moments if m.tzinfo is None), "moment")
    moments = sorted({m.astimezone(dt.UTC) for m in timeline.moments if m <= at})
    last = moments[-1] if moments else None
    rules = _Agreements(timeline.agreements, zone)
    term_end = end_of_day(timeline.term_end, zone) if timeline.term_end else None
    until = min(at, term_end) if term_end else at
    day = clock_start_day(timeline, rules.effective)
    recorded = agreement_in_force(rules.effective, local_date(until, zone))
    if day is not None and (day == NOT_SCHEDULED or day > local_date(at, zone)):
        return Cadence(at, False, None, False, last_secured_at=last, agreement=recorded, never_delivered=last is None)
    clock = start_of_day(day, zone) if day is not None else (moments[0] if moments else None)
    if clock is None or clock >= until:  # nothing known to judge, or the term ended before the clock
        ended = term_end is not None and term_end <= at
        return Cadence(at, False, clock, ended, last_secured_at=last, agreement=recorded, never_delivered=last is None)
    judged = [m for m in moments if clock < m <= until]
    anchors = [clock, *judged]
    clock_opened = DELIVERY if clock in set(moments) else CLOCK_START  # the clock start may be a delivery
    gaps = []
    for start, end in pairwise(anchors):
        due, in_force = rules.deadline(start)
        if end > due:
            gaps.append(Gap(start, end, due, clock_opened if start == clock else DELIVERY, DELIVERY, in_force))
    due, in_force = rules.deadline(anchors[-1])
    ended = term_end is not None and term_end <= at
    last_opened = clock_opened if anchors[-1] == clock else DELIVERY
    if ended and term_end is not None and term_end > due:
        gaps.append(Gap(anchors[-1], term_end, due, last_opened, TERM_END, in_force))
    elif not ended and at > due:
        gaps.append(Gap(anchors[-1], None, due, last_opened, None, in_force))
    return Cadence(
        at=at,
        in_scope=not ended,
        clock_start=clock,
        term_ended=ended,
        gaps=tuple(gaps),
        last_secured_at=last,
        next_due_at=None if ended else due,
        agreement=rules.in_force(until if ended else at),
        never_delivered=last is None,
        secured_since_clock=bool(judged) or clock_opened == DELIVERY,
        moments=tuple(m for m in moments if clock <= m <= until),
    )
