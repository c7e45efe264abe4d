"""Cadence over time: agreements that change, a term that ends, a phase that starts later, order-free gaps."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatarchief.core.compliance.agreements import (
    Agreement,
    Frequency,
    SecuredBy,
    agreement_in_force,
    limit,
    make_agreement,
)
from chatarchief.core.compliance.cadence import CLOCK_START, NOT_SCHEDULED, TERM_END, Timeline, gap_key, judge
from chatarchief.core.compliance.dates import start_of_day
from chatarchief.core.compliance.errors import ComplianceError

UTC = dt.UTC


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=UTC)


def local(day: str) -> dt.datetime:
    return start_of_day(dt.date.fromisoformat(day))


def agreement(frequency: str, valid_from: str, version: int = 0, **kw) -> Agreement:
    return make_agreement(frequency, kw.pop("secured_by", "self"), valid_from, version=version, **kw)


# ---------------------------------------------------------------- agreements


def test_monthly_is_31_days_and_weekly_7():
    assert limit(Frequency.MONTHLY) == dt.timedelta(days=31)
    assert limit(Frequency.WEEKLY) == dt.timedelta(days=7)


def test_agreement_in_force_over_time_and_the_last_recorded_wins_on_one_date():
    first = agreement("weekly", "2025-01-01", version=1)
    later = agreement("monthly", "2025-03-01", version=2)
    corrected = agreement("monthly", "2025-03-01", version=3, secured_by="doc-direkt")
    agreements = [corrected, first, later]
    assert agreement_in_force(agreements, dt.date(2024, 12, 31)) is None
    assert agreement_in_force(agreements, dt.date(2025, 1, 1)) == first
    assert agreement_in_force(agreements, dt.date(2025, 2, 28)) == first
    assert agreement_in_force(agreements, dt.date(2025, 3, 1)) == corrected
    assert agreement_in_force(agreements, dt.date(2026, 1, 1)).secured_by is SecuredBy.DOC_DIREKT


@pytest.mark.parametrize(
    ("args", "kwargs", "code"),
    [
        (("yearly", "self", "2025-01-01"), {}, "agreement.bad_frequency"),
        (("monthly", "mum", "2025-01-01"), {}, "agreement.bad_secured_by"),
        (("monthly", "secretary", "2025-01-01"), {}, "agreement.secretary_missing"),
        (("monthly", "self", "2025-01-01"), {"secretary": "jan"}, "agreement.secretary_unexpected"),
        (("monthly", "self", "1-1-2025"), {}, "agreement.bad_date"),
        (("monthly", "self", "2025-01-01"), {"channels": ["whatsapp", "msn"]}, "agreement.bad_channel"),
    ],
)
def test_bad_agreements_are_refused_in_both_languages(args, kwargs, code):
    with pytest.raises(ComplianceError) as caught:
        make_agreement(*args, **kwargs)
    assert caught.value.code == code
    assert caught.value.message("nl") != caught.value.message("en")


def test_agreement_normalises_channels_and_secretary():
    made = make_agreement(
        "WEEKLY", "secretary", "2025-01-01", channels=["signal", "WhatsApp", "signal"], secretary=" jan "
    )
    assert made.channels == ("whatsapp", "signal")
    assert made.secretary == "jan"
    assert made.as_dict()["period_days"] == 7


# ---------------------------------------------------------------- gaps


def test_monthly_gap_of_exactly_31_days_is_fine_and_one_second_more_is_a_finding():
    start = at("2025-01-10")
    timeline = Timeline([start, start + dt.timedelta(days=31)], [agreement("monthly", "2025-01-01")])
    assert judge(timeline, at("2025-02-12")).gaps == ()
    late = Timeline([start, start + dt.timedelta(days=31, seconds=1)], [agreement("monthly", "2025-01-01")])
    (gap,) = judge(late, at("2025-02-12")).gaps
    assert gap.start == start and gap.end == start + dt.timedelta(days=31, seconds=1)
    assert gap.key == f"gap:{start.isoformat()}"


def test_weekly_then_monthly():
    agreements = [agreement("weekly", "2025-01-01"), agreement("monthly", "2025-02-01")]
    moments = [at("2025-01-02"), at("2025-01-08"), at("2025-01-20"), at("2025-02-25"), at("2025-03-20")]
    cadence = judge(Timeline(moments, agreements), at("2025-03-25"))
    # weekly: 6 days fine, 12 days late; monthly: 36 days late (Jan 20 -> Feb 25), 23 days fine
    assert [(g.start, g.end) for g in cadence.gaps] == [
        (at("2025-01-08"), at("2025-01-20")),
        (at("2025-01-20"), at("2025-02-25")),
    ]
    first, second = cadence.gaps
    assert first.agreement.frequency is Frequency.WEEKLY and first.due_at == at("2025-01-15")
    # the gap of Jan 20 starts under the weekly agreement: its deadline stays Jan 27 (a looser
    # agreement applies from the next securing moment on)
    assert second.agreement.frequency is Frequency.WEEKLY and second.due_at == at("2025-01-27")
    assert cadence.next_due_at == at("2025-03-20") + dt.timedelta(days=31)
    assert cadence.agreement.frequency is Frequency.MONTHLY


def test_a_stricter_agreement_applies_from_its_own_start_with_a_full_period():
    agreements = [agreement("monthly", "2025-01-01"), agreement("weekly", "2025-01-20")]
    moments = [at("2025-01-02"), at("2025-01-29")]
    (gap,) = judge(Timeline(moments, agreements), at("2025-01-30")).gaps
    assert gap.due_at == local("2025-01-20") + dt.timedelta(days=7)
    assert gap.end == at("2025-01-29")
    on_time = Timeline([at("2025-01-02"), at("2025-01-26")], agreements)
    assert judge(on_time, at("2025-01-30")).gaps == ()


def test_a_new_version_of_the_same_frequency_does_not_reset_the_clock():
    agreements = [agreement("monthly", "2025-01-01"), agreement("monthly", "2025-01-30", secured_by="doc-direkt")]
    cadence = judge(Timeline([at("2025-01-02")], agreements), at("2025-02-10"))
    assert cadence.next_due_at == at("2025-02-02")
    assert cadence.open_gap is not None and cadence.open_gap.start == at("2025-01-02")


def test_open_gap_until_at_and_moments_after_at_are_ignored():
    moments = [at("2025-01-02"), at("2025-03-01")]
    timeline = Timeline(moments, [agreement("monthly", "2025-01-01")])
    before = judge(timeline, at("2025-02-20"))
    assert before.open_gap is not None and before.open_gap.end is None
    assert before.last_secured_at == at("2025-01-02")
    assert before.open_gap.details(before.at)["open"] is True
    after = judge(timeline, at("2025-03-02"))
    assert after.open_gap is None
    assert [(g.start, g.end) for g in after.gaps] == [(at("2025-01-02"), at("2025-03-01"))]
    assert after.gaps[0].key == before.open_gap.key  # the open gap's finding is updated, not duplicated


def test_never_delivered_is_overdue_from_the_clock_start_plus_the_period():
    timeline = Timeline([], [agreement("weekly", "2025-02-01")], term_start=dt.date(2025, 1, 1))
    fine = judge(timeline, local("2025-02-08"))
    assert fine.in_scope and fine.never_delivered and fine.gaps == ()
    assert fine.next_due_at == local("2025-02-01") + dt.timedelta(days=7)
    late = judge(timeline, local("2025-02-08") + dt.timedelta(seconds=1))
    assert late.open_gap is not None and late.open_gap.opened_by == CLOCK_START
    assert late.open_gap.start == local("2025-02-01")


def test_without_an_agreement_the_monthly_minimum_runs_from_the_term_start():
    cadence = judge(Timeline([], term_start=dt.date(2025, 1, 1)), at("2025-03-01"))
    assert cadence.agreement is not None and cadence.agreement.is_default
    assert cadence.open_gap is not None and cadence.open_gap.due_at == local("2025-02-01")


def test_a_phase_that_starts_later_starts_the_clock_later():
    timeline = Timeline(
        [], [agreement("monthly", "2025-01-01")], term_start=dt.date(2024, 6, 1), phase_start=dt.date(2025, 6, 1)
    )
    assert not judge(timeline, at("2025-05-31")).in_scope
    assert judge(timeline, at("2025-05-31")).agreement.frequency is Frequency.MONTHLY  # shown, though not judged
    assert judge(timeline, at("2025-05-31")).gaps == ()
    started = judge(timeline, at("2025-07-01"))
    assert started.in_scope and started.clock_start == local("2025-06-01") and started.gaps == ()
    assert judge(timeline, at("2025-07-03")).open_gap.start == local("2025-06-01")
    unscheduled = Timeline([], [agreement("monthly", "2025-01-01")], phase_start=NOT_SCHEDULED)
    assert not judge(unscheduled, at("2030-01-01")).in_scope


def test_moments_before_the_clock_are_not_judged():
    timeline = Timeline([at("2024-01-01"), at("2025-01-20")], [agreement("monthly", "2025-01-01")])
    cadence = judge(timeline, at("2025-02-15"))
    assert cadence.gaps == ()
    assert cadence.next_due_at == at("2025-01-20") + dt.timedelta(days=31)


def test_a_term_that_ends_stops_the_clock():
    timeline = Timeline(
        [at("2025-01-05"), at("2025-04-01")], [agreement("monthly", "2025-01-01")], term_end=dt.date(2025, 3, 1)
    )
    cadence = judge(timeline, at("2025-06-01"))
    assert not cadence.in_scope and cadence.term_ended and cadence.next_due_at is None
    (gap,) = cadence.gaps  # Jan 5 -> term end (Mar 2, 00:00 local): late, closed by the term end
    assert gap.closed_by == TERM_END and gap.end == local("2025-03-02")
    quiet = Timeline(
        [at("2025-01-20"), at("2025-02-20")], [agreement("monthly", "2025-01-01")], term_end=dt.date(2025, 3, 1)
    )
    assert judge(quiet, at("2025-12-01")).gaps == ()


def test_legacy_custodian_without_dates_is_judged_between_moments_only():
    timeline = Timeline([at("2025-01-01"), at("2025-03-01")])
    cadence = judge(timeline, at("2025-03-02"))
    assert [g.key for g in cadence.gaps] == [gap_key(at("2025-01-01"))]
    assert judge(Timeline([]), at("2025-03-02")).in_scope is False


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        judge(Timeline([dt.datetime(2025, 1, 1)]), at("2025-01-02"))


_DAYS = st.lists(st.integers(min_value=0, max_value=400), min_size=0, max_size=12)


@settings(max_examples=60, deadline=None)
@given(days=_DAYS, weekly_from=st.integers(min_value=0, max_value=400))
def test_gaps_depend_only_on_the_set_of_moments(days, weekly_from):
    base = at("2024-01-01")
    moments = [base + dt.timedelta(days=d, hours=d % 5) for d in days]
    agreements = [
        agreement("monthly", "2024-01-01"),
        agreement("weekly", (dt.date(2024, 1, 1) + dt.timedelta(days=weekly_from)).isoformat()),
    ]
    judged_at = base + dt.timedelta(days=420)
    expected = judge(Timeline(moments, agreements), judged_at)
    for order in itertools.islice(itertools.permutations(moments + moments[:1]), 5):
        again = judge(Timeline(list(order), list(reversed(agreements))), judged_at)
        assert again.gaps == expected.gaps
    # every gap is longer than the period of its own start's agreement or its stricter successor
    for gap in expected.gaps:
        assert (gap.end or judged_at) > gap.due_at
        assert gap.due_at - gap.start <= dt.timedelta(days=31)
