"""The timing state and the traffic light, and the findings workflow's state table."""

from __future__ import annotations

import datetime as dt

import pytest

from chatarchief.core.compliance.agreements import make_agreement
from chatarchief.core.compliance.cadence import Timeline, judge
from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.status import FindingFact, Light, State, status_of
from chatarchief.core.compliance.workflow import TRANSITIONS, FindingStatus, bulk_transition, transition

UTC = dt.UTC
MONTHLY = [make_agreement("monthly", "self", "2025-01-01")]
WEEKLY = [make_agreement("weekly", "self", "2025-01-01")]
SECURED = dt.datetime(2025, 3, 1, 12, tzinfo=UTC)


def status(days_after: float, findings=(), agreements=MONTHLY, moments=(SECURED,)):
    at = SECURED + dt.timedelta(days=days_after)
    return status_of(judge(Timeline(list(moments), agreements), at), findings)


def test_green_secured_within_the_period_and_nothing_open():
    found = status(10, [FindingFact("message_deleted", "custodian", "closed")])
    assert (found.state, found.light, found.reasons) == (State.OK, Light.GREEN, ())
    assert found.next_due_at == SECURED + dt.timedelta(days=31)
    assert found.as_dict()["last_secured_at"] == "2025-03-01T12:00:00+00:00"


def test_orange_when_due_within_7_days():
    found = status(24.5)
    assert (found.state, found.light, found.reasons) == (State.DUE, Light.ORANGE, ("due_soon",))


def test_orange_when_findings_by_others_are_open():
    found = status(3, [FindingFact("message_deleted", "other"), FindingFact("message_missing", "unknown")])
    assert (found.state, found.light) == (State.OK, Light.ORANGE)
    assert found.open_findings == {"message_deleted": 1, "message_missing": 1}
    assert found.breaches_by_custodian == 0 and found.open_by_others == 2


def test_red_when_overdue():
    found = status(31.01)
    assert (found.state, found.light, found.reasons) == (State.OVERDUE, Light.RED, ("overdue",))


def test_red_when_a_breach_by_the_custodian_is_open_even_on_time():
    found = status(3, [FindingFact("disappearing_enabled", "custodian"), FindingFact("view_once", "other")])
    assert (found.state, found.light) == (State.OK, Light.RED)
    assert found.breaches_by_custodian == 1
    assert found.reasons == ("breach", "by_others")


def test_a_late_delivery_is_the_custodians_breach_until_explained():
    late = FindingFact("delivery_overdue", "", "open")
    assert status(3, [late]).light is Light.RED
    explained = FindingFact("delivery_overdue", "", "explained")
    assert status(3, [explained]).light is Light.GREEN


def test_weekly_agreement_is_due_two_days_before_not_always():
    assert status(4, agreements=WEEKLY).state is State.OK
    assert status(5.5, agreements=WEEKLY).state is State.DUE
    assert status(7.5, agreements=WEEKLY).state is State.OVERDUE


def test_never_delivered_is_not_green_and_turns_red_when_overdue():
    timeline = Timeline([], MONTHLY, term_start=dt.date(2025, 1, 1))
    early = status_of(judge(timeline, dt.datetime(2025, 1, 10, tzinfo=UTC)), [])
    assert (early.state, early.light, early.never_delivered) == (State.OK, Light.ORANGE, True)
    assert early.reasons == ("not_secured",)
    late = status_of(judge(timeline, dt.datetime(2025, 2, 10, tzinfo=UTC)), [])
    assert (late.state, late.light) == (State.OVERDUE, Light.RED)


def test_after_the_term_nothing_is_due():
    timeline = Timeline([SECURED], MONTHLY, term_end=dt.date(2025, 3, 15))
    found = status_of(judge(timeline, dt.datetime(2025, 9, 1, tzinfo=UTC)), [])
    assert (found.in_scope, found.state, found.next_due_at, found.light) == (False, State.OK, None, Light.GREEN)


def test_status_json_shape():
    shape = status(10).as_dict()
    assert set(shape) == {
        "agreement", "in_scope", "last_secured_at", "next_due_at", "state", "light",
        "open_findings", "breaches_by_custodian", "never_delivered", "reasons",
    }  # fmt: skip
    assert shape["agreement"]["frequency"] == "monthly"


# ---------------------------------------------------------------- workflow

NOW = dt.datetime(2025, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("source", list(FindingStatus))
@pytest.mark.parametrize("target", list(FindingStatus))
def test_every_pair_follows_the_table(source, target):
    if target in TRANSITIONS[source]:
        step = transition(source, target, by="jan", at=NOW, note="uitleg")
        assert (step.source, step.target, step.by, step.note) == (source, target, "jan", "uitleg")
    else:
        with pytest.raises(ComplianceError) as caught:
            transition(source, target, by="jan", at=NOW, note="uitleg")
        assert caught.value.code == "finding.transition_refused"


def test_the_happy_path_and_closing_needs_an_explanation_first():
    assert transition("open", "explained", by="anne", at=NOW, note="prive bericht").target is FindingStatus.EXPLAINED
    assert transition("explained", "closed", by="rm", at=NOW, note="akkoord").target is FindingStatus.CLOSED
    with pytest.raises(ComplianceError):
        transition("open", "closed", by="rm", at=NOW, note="weg ermee")


def test_a_note_and_an_actor_are_required():
    with pytest.raises(ComplianceError) as caught:
        transition("open", "explained", by="anne", at=NOW, note="  ")
    assert caught.value.code == "finding.note_required"
    with pytest.raises(ComplianceError):
        transition("open", "explained", by="", at=NOW, note="x")
    with pytest.raises(ComplianceError) as unknown:
        transition("open", "gone", by="anne", at=NOW, note="x")
    assert unknown.value.code == "finding.bad_status"


def test_bulk_transition_applies_what_it_may_and_names_what_it_refuses():
    done, refused = bulk_transition(
        {1: "open", 2: "closed", 3: "explained"}, "accepted_risk", by="cio", at=NOW, note="ok"
    )
    assert set(done) == {1, 3} and set(refused) == {2}
    assert "afgehandeld" in refused[2].message("nl")
