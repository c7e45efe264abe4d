"""The dashboard's fast path: each custodian's cadence judged once and stored (`StatusSnapshot`), the
light worked out at read time from those columns and the open findings counted in one SQL query.

Judging a custodian (core.compliance.cadence.judge) costs a fraction of a millisecond; thousands per
request do not fit in the dashboard's 300 ms. What the judgement yields changes only when a delivery,
an agreement, the roster or a phase changes, or when time passes a date it already names (the clock
start, the next due date, the term end); those dates are stored, so time passing is seen without
judging again. The open findings are counted into the snapshot too. `refresh()` runs after every
ingest (services.refresh_cadence), agreement, roster import and finding step, and daily; a custodian
without a snapshot is judged on first read. Findings written by other parts outside an ingest (a
fixity failure, a private contact found by the review) show on the dashboard after the daily refresh. The rules for state and
light are core.compliance.status's (timing_state, status_of), applied to the stored dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.fields.json import KT
from django.utils import timezone

from chatarchief.archive.models import Custodian
from chatarchief.compliance import rules
from chatarchief.compliance.models import Finding, StatusSnapshot
from chatarchief.core.compliance import cadence as core_cadence
from chatarchief.core.compliance.dates import end_of_day, start_of_day
from chatarchief.core.compliance.status import State, Status, judge_light
from chatarchief.core.compliance.workflow import FindingStatus

SECOND = dt.timedelta(seconds=1)
OPEN = FindingStatus.OPEN.value


def _snapshot(
    custodian: Custodian,
    timeline: core_cadence.Timeline,
    now: dt.datetime,
    counts: dict[tuple[str, str], int],
    gap_states: dict[tuple[int, str], str],
) -> StatusSnapshot:
    day = core_cadence.clock_start_day(timeline)
    if day == core_cadence.NOT_SCHEDULED:
        clock = None
    elif day is None:
        clock = min(timeline.moments) if timeline.moments else None
    else:
        clock = start_of_day(day, timeline.zone)
    at = now if clock is None or clock <= now else clock + SECOND  # a clock that starts later: judge from then
    judged = core_cadence.judge(timeline, at)
    counts = dict(counts)
    for gap in judged.gaps:  # closed gaps are the custodian's own breaches (an open one: the state says it)
        if gap.end is not None and gap_states.get((custodian.pk, gap.key), OPEN) == OPEN:
            key = (rules.OVERDUE, "custodian")
            counts[key] = counts.get(key, 0) + 1
    return StatusSnapshot(
        custodian=custodian,
        computed_at=now,
        clock_start=clock,
        term_end=end_of_day(timeline.term_end, timeline.zone) if timeline.term_end else None,
        last_secured_at=max((m for m in timeline.moments if m <= now), default=None),
        next_due_at=judged.next_due_at,
        due_soon_days=judged.agreement.due_soon.days if judged.agreement else 7,
        secured_since_clock=judged.secured_since_clock,
        open_counts=[[type_, by, n] for (type_, by), n in sorted(counts.items())],
        due_soon_from=judged.next_due_at - judged.agreement.due_soon
        if judged.next_due_at and judged.agreement
        else judged.next_due_at - dt.timedelta(days=7)
        if judged.next_due_at
        else None,
        breaches=sum(n for (type_, by), n in counts.items() if type_ == rules.OVERDUE or by == "custodian"),
        by_others=sum(n for (type_, by), n in counts.items() if not (type_ == rules.OVERDUE or by == "custodian")),
        open_total=sum(counts.values()),
    )


def refresh(custodians: Sequence[Custodian], now: dt.datetime | None = None) -> list[StatusSnapshot]:
    now = now or timezone.now()
    lines = rules.timelines(list(custodians))
    ids = [c.pk for c in custodians]
    counts = _open_counts(ids, everyone=False)
    gap_states = rules.gap_statuses(ids)
    made = [_snapshot(c, lines[c.pk], now, counts.get(c.pk, {}), gap_states) for c in custodians]
    with transaction.atomic():
        StatusSnapshot.objects.filter(custodian__in=[c.pk for c in custodians]).delete()
        StatusSnapshot.objects.bulk_create(made, batch_size=1000)
    return made


class Stored(NamedTuple):
    """The snapshot's columns as the read path needs them (no model instances: thousands per page)."""

    clock_start: dt.datetime | None
    term_end: dt.datetime | None
    last_secured_at: dt.datetime | None
    next_due_at: dt.datetime | None
    due_soon_days: int
    secured_since_clock: bool
    open_counts: list[list]  # [[type, by, count], ...]


COLUMNS = (
    "clock_start", "term_end", "last_secured_at", "next_due_at", "due_soon_days", "secured_since_clock", "open_counts",
)  # fmt: skip


def _stored(made: StatusSnapshot) -> Stored:
    return Stored(*(getattr(made, name) for name in COLUMNS))


def _open_counts(ids: list[int], everyone: bool) -> dict[int, dict[tuple[str, str], int]]:
    """custodian -> (type, by) -> open findings (stored cadence gaps are the custodian's own)."""
    found: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for start in range(0, len(ids), 900) if not everyone else [0]:
        query = Finding.objects.filter(retracted_at__isnull=True, status=OPEN).exclude(type=rules.OVERDUE)
        if not everyone:
            query = query.filter(custodian_id__in=ids[start : start + 900])
        rows = (
            query.annotate(by=KT("details__by"))
            .values_list("custodian_id", "type", "by")
            .annotate(n=Count("id"))
            .order_by()
        )
        for custodian_id, type_, by, n in rows:
            key = (type_, by or "unknown")
            mine = found[custodian_id]
            mine[key] = mine.get(key, 0) + n
    return found


def status_of(snapshot: Stored, now: dt.datetime) -> Status:
    """core.compliance.status.status_of, over the stored dates instead of a fresh judgement."""
    in_scope = (
        snapshot.clock_start is not None
        and snapshot.clock_start <= now
        and (snapshot.term_end is None or now <= snapshot.term_end)
    )
    due = snapshot.next_due_at if in_scope else None
    if due is None:
        state = State.OK
    elif now > due:
        state = State.OVERDUE
    elif due - now <= dt.timedelta(days=snapshot.due_soon_days):
        state = State.DUE
    else:
        state = State.OK
    by_type: dict[str, int] = {}
    breaches = by_others = 0
    open_counts = list(snapshot.open_counts or ())
    if state is State.OVERDUE:
        open_counts.append([rules.OVERDUE, "custodian", 1])  # the open gap
    for type_, by, n in open_counts:
        by_type[type_] = by_type.get(type_, 0) + n
        if type_ == rules.OVERDUE or by == "custodian":
            breaches += n
        else:
            by_others += n
    light, reasons = judge_light(
        state, breaches, by_others, in_scope=in_scope, secured_since_clock=bool(snapshot.secured_since_clock)
    )
    return Status(
        at=now,
        in_scope=in_scope,
        agreement=None,
        last_secured_at=snapshot.last_secured_at,
        next_due_at=due,
        state=state,
        light=light,
        open_findings=dict(by_type),
        breaches_by_custodian=breaches,
        open_by_others=by_others,
        never_delivered=snapshot.last_secured_at is None,
        reasons=tuple(reasons),
    )


def judged(custodians: Sequence[Custodian], now: dt.datetime) -> list[rules.Judged]:
    """Every custodian's status from the snapshots (judging those that have none yet)."""
    custodians = list(custodians)
    ids = [c.pk for c in custodians]
    everyone = len(ids) == Custodian.objects.count()  # no IN lists when the viewer sees everyone
    stored: dict[int, Stored] = {}
    for start in range(0, len(ids), 900) if not everyone else [0]:
        query = (
            StatusSnapshot.objects.all()
            if everyone
            else StatusSnapshot.objects.filter(custodian_id__in=ids[start : start + 900])
        )
        stored.update({row[0]: Stored(*row[1:]) for row in query.values_list("custodian_id", *COLUMNS)})
    missing = [c for c in custodians if c.pk not in stored]
    if missing:
        stored.update({made.custodian.pk: _stored(made) for made in refresh(missing, now)})
    return [rules.Judged(c, None, status_of(stored[c.pk], now)) for c in custodians]  # type: ignore[arg-type]


# ---------------------------------------------------------------- the dashboard's SQL


def light_rank(now: dt.datetime) -> Case:
    """0 red, 1 orange, 2 green: core.compliance.status.status_of over the stored columns, in SQL."""
    in_scope = Q(clock_start__isnull=False, clock_start__lte=now) & (Q(term_end__isnull=True) | Q(term_end__gte=now))
    overdue = in_scope & Q(next_due_at__isnull=False, next_due_at__lt=now)
    due = in_scope & Q(next_due_at__gte=now, due_soon_from__lte=now)
    not_secured = in_scope & Q(secured_since_clock=False)
    return Case(
        When(overdue | Q(breaches__gt=0), then=Value(0)),
        When(due | Q(by_others__gt=0) | not_secured, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


LIGHT_OF_RANK = {0: "red", 1: "orange", 2: "green"}


def ensure(custodians: QuerySet[Custodian], now: dt.datetime) -> None:
    """Judge the custodians that have no snapshot yet (once; later reads find it)."""
    missing = list(custodians.filter(status_snapshot__isnull=True))
    if missing:
        refresh(missing, now)


def ranked(custodians: QuerySet[Custodian], now: dt.datetime) -> QuerySet[StatusSnapshot]:
    """The snapshots of these custodians with their light rank (`rank`), red first."""
    return (
        StatusSnapshot.objects.filter(custodian__in=custodians)
        .annotate(rank=light_rank(now))
        .select_related("custodian", "custodian__organisation")
        .order_by("rank", "custodian__organisation__code", "custodian__slug")
    )


def summary(custodians: QuerySet[Custodian], now: dt.datetime) -> list[dict]:
    """Per organisation: custodians, red/orange/green, open breaches (an open gap counted once per
    overdue custodian) and open findings by others; one GROUP BY."""
    rank = light_rank(now)
    in_scope = Q(clock_start__isnull=False, clock_start__lte=now) & (Q(term_end__isnull=True) | Q(term_end__gte=now))
    overdue = in_scope & Q(next_due_at__isnull=False, next_due_at__lt=now)
    return list(
        StatusSnapshot.objects.filter(custodian__in=custodians)
        .annotate(rank=rank)
        .values("custodian__organisation__code", "custodian__organisation__name")
        .annotate(
            custodians=Count("id"),
            red=Count("id", filter=Q(rank=0)),
            orange=Count("id", filter=Q(rank=1)),
            green=Count("id", filter=Q(rank=2)),
            breaches=Sum("breaches") + Count("id", filter=overdue),
            by_others=Sum("by_others"),
        )
        .order_by("custodian__organisation__code")
    )


def judged_of(snapshot: StatusSnapshot, now: dt.datetime) -> rules.Judged:
    return rules.Judged(snapshot.custodian, None, status_of(_stored(snapshot), now))  # type: ignore[arg-type]
