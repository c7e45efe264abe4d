"""Reminders: the window, the recipients, and never twice for the same due date."""

from __future__ import annotations

import datetime as dt

from chatarchief.core.compliance.agreements import make_agreement
from chatarchief.core.compliance.cadence import Timeline, judge
from chatarchief.core.compliance.reminders import OVERDUE, UPCOMING, Recipient, reminders_due
from chatarchief.core.compliance.status import status_of

UTC = dt.UTC
SECURED = dt.datetime(2025, 3, 1, 9, tzinfo=UTC)
DUE = SECURED + dt.timedelta(days=31)


def status_on(day: dt.datetime, agreement=None, moments=(SECURED,)):
    agreements = [agreement or make_agreement("monthly", "self", "2025-01-01")]
    return status_of(judge(Timeline(list(moments), agreements), day), [])


def run_daily(days: range, agreement=None, moments=(SECURED,)):
    """A daily job over `days` (offsets from SECURED): every reminder sent, keys remembered."""
    sent: dict[str, object] = {}
    for offset in days:
        now = SECURED + dt.timedelta(days=offset)
        for reminder in reminders_due("anne", "Anne de Vries", status_on(now, agreement, moments), already_sent=sent):
            sent[reminder.key] = (offset, reminder)
    return sent


def test_nothing_before_the_window():
    assert reminders_due("anne", "Anne", status_on(SECURED + dt.timedelta(days=20))) == []


def test_upcoming_within_seven_days_then_overdue_once_each_whatever_the_runs():
    sent = run_daily(range(0, 60))
    kinds = sorted((offset, reminder.kind) for offset, reminder in sent.values())
    assert kinds == [(24, UPCOMING), (32, OVERDUE)]  # due on day 31 at 09:00; runs at 09:00 daily
    again = run_daily(range(0, 60))
    assert set(again) == set(sent)  # keys are deterministic


def test_a_job_that_runs_twice_a_day_sends_nothing_new():
    now = DUE - dt.timedelta(days=3)
    first = reminders_due("anne", "Anne", status_on(now))
    assert [r.kind for r in first] == [UPCOMING]
    second = reminders_due("anne", "Anne", status_on(now + dt.timedelta(hours=1)), already_sent={r.key for r in first})
    assert second == []


def test_a_new_delivery_moves_the_due_date_and_gets_its_own_reminders():
    moments = (SECURED, SECURED + dt.timedelta(days=28))
    sent = run_daily(range(0, 70), moments=moments)
    due_dates = sorted({reminder.due_at for _offset, reminder in sent.values()})
    assert due_dates == [DUE, SECURED + dt.timedelta(days=28 + 31)]


def test_recipients_follow_who_secures():
    secretary = make_agreement("monthly", "secretary", "2025-01-01", secretary="jan.secretariaat")
    found = reminders_due("anne", "Anne", status_on(DUE + dt.timedelta(days=1), secretary))
    assert [r.recipient for r in found] == [Recipient("custodian", "anne"), Recipient("secretary", "jan.secretariaat")]
    assert len({r.key for r in found}) == 2
    doc = make_agreement("weekly", "doc-direkt", "2025-01-01")
    found = reminders_due("anne", "Anne", status_on(SECURED + dt.timedelta(days=6), doc))
    assert [(r.kind, r.recipient.role) for r in found] == [(UPCOMING, "custodian"), (UPCOMING, "doc-direkt")]


def test_texts_in_dutch_and_english_name_the_due_date():
    (reminder,) = reminders_due("anne", "Anne de Vries", status_on(DUE - dt.timedelta(days=2)))
    subject, body = reminder.text("nl")
    assert subject == "Herinnering: chatberichten van Anne de Vries veiligstellen vóór 1 april 2025"
    assert body.startswith("Beste Anne de Vries,") and "nog 2 dagen" in body
    subject_en, body_en = reminder.text("en")
    assert "1 April 2025" in subject_en and "2 days left" in body_en
    (late,) = reminders_due("anne", "Anne de Vries", status_on(DUE + dt.timedelta(days=5, hours=1)))
    assert "5 dagen geleden" in late.text("nl")[1]


def test_never_delivered_gets_an_overdue_reminder():
    timeline = Timeline([], [make_agreement("monthly", "self", "2025-01-01")], term_start=dt.date(2025, 1, 1))
    status = status_of(judge(timeline, dt.datetime(2025, 2, 5, tzinfo=UTC)), [])
    assert [r.kind for r in reminders_due("anne", "Anne", status)] == [OVERDUE]


def test_days_before_can_be_chosen():
    now = DUE - dt.timedelta(days=10)
    assert reminders_due("anne", "Anne", status_on(now)) == []
    assert len(reminders_due("anne", "Anne", status_on(now), days_before=14)) == 1
