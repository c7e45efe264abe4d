"""A custodian's status: the timing state and the traffic light.

- `state` is about timing only: `overdue` once the next due date has passed, `due` when it falls
  within the agreement's due-soon window (7 days for monthly, 2 for weekly), else `ok`. Out of scope
  (not started, or the term ended) is `ok`: nothing is due.
- `light`: **red** when overdue or when a breach by the custodian is open; **orange** when due soon,
  when findings by others (or by someone the export cannot name) are open, or when the custodian is
  in scope but has not secured since the clock started; **green** otherwise: secured within the agreed
  period and nothing open. A late delivery (`delivery_overdue`) is the custodian's own breach, also
  when a secretary or Doc-Direkt secures for them: the instruction binds the custodian.
- Only findings with status `open` count; explained, closed and accepted-risk ones do not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chatarchief.core.compliance.agreements import Agreement
from chatarchief.core.compliance.cadence import Cadence
from chatarchief.core.compliance.dates import utc_text
from chatarchief.core.compliance.workflow import UNRESOLVED, FindingStatus

DELIVERY_OVERDUE = "delivery_overdue"
CUSTODIAN = "custodian"
OTHER = "other"
UNKNOWN = "unknown"


class State(StrEnum):
    OK = "ok"
    DUE = "due"
    OVERDUE = "overdue"


class Light(StrEnum):
    GREEN = "green"
    ORANGE = "orange"
    RED = "red"


@dataclass(frozen=True)
class FindingFact:
    """What the rules need of a finding: its type, who did it, its workflow status, when it happened."""

    type: str
    by: str = UNKNOWN  # custodian | other | unknown
    status: str = FindingStatus.OPEN.value
    at: dt.datetime | None = None  # when the act happened or the gap started (for periods and months)
    delivery_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in UNRESOLVED

    @property
    def by_custodian(self) -> bool:
        """A breach of the instruction by the custodian themself."""
        return self.type == DELIVERY_OVERDUE or self.by == CUSTODIAN


@dataclass(frozen=True)
class Status:
    at: dt.datetime
    in_scope: bool
    agreement: Agreement | None
    last_secured_at: dt.datetime | None
    next_due_at: dt.datetime | None
    state: State
    light: Light
    open_findings: dict[str, int] = field(default_factory=dict)  # type -> count of open findings
    breaches_by_custodian: int = 0  # open findings that are the custodian's own breaches
    open_by_others: int = 0
    never_delivered: bool = False
    reasons: tuple[str, ...] = ()  # why the light is not green: overdue, breach, due_soon, by_others, not_secured

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `chatarchief status` (without slug and organisation, which the caller adds)."""
        return {
            "agreement": self.agreement.as_dict() if self.agreement else None,
            "in_scope": self.in_scope,
            "last_secured_at": utc_text(self.last_secured_at),
            "next_due_at": utc_text(self.next_due_at),
            "state": self.state.value,
            "light": self.light.value,
            "open_findings": dict(sorted(self.open_findings.items())),
            "breaches_by_custodian": self.breaches_by_custodian,
            "never_delivered": self.never_delivered,
            "reasons": list(self.reasons),
        }


def timing_state(cadence: Cadence) -> State:
    if not cadence.in_scope or cadence.next_due_at is None:
        return State.OK
    if cadence.at > cadence.next_due_at:
        return State.OVERDUE
    window = cadence.agreement.due_soon if cadence.agreement else dt.timedelta(days=7)
    if cadence.next_due_at - cadence.at <= window:
        return State.DUE
    return State.OK


def judge_light(
    state: State, breaches: int, by_others: int, *, in_scope: bool, secured_since_clock: bool
) -> tuple[Light, list[str]]:
    """The traffic light and its reasons from the timing state and the open findings' counts: red for
    overdue or an open breach by the custodian, orange for due soon, open findings by others or not yet
    secured since the clock started, else green (docs/compliance.md)."""
    reasons = []
    if state is State.OVERDUE:
        reasons.append("overdue")
    if breaches:
        reasons.append("breach")
    if state is State.DUE:
        reasons.append("due_soon")
    if by_others:
        reasons.append("by_others")
    if in_scope and not secured_since_clock and state is not State.OVERDUE:
        reasons.append("not_secured")
    if {"overdue", "breach"} & set(reasons):
        return Light.RED, reasons
    return (Light.ORANGE if reasons else Light.GREEN), reasons


def status_of(cadence: Cadence, findings: Iterable[FindingFact]) -> Status:
    """The status of one custodian from their cadence and their findings."""
    open_facts = [f for f in findings if f.is_open]
    by_type = Counter(f.type for f in open_facts)
    breaches = sum(1 for f in open_facts if f.by_custodian)
    by_others = len(open_facts) - breaches
    state = timing_state(cadence)
    light, reasons = judge_light(
        state, breaches, by_others, in_scope=cadence.in_scope, secured_since_clock=cadence.secured_since_clock
    )
    return Status(
        at=cadence.at,
        in_scope=cadence.in_scope,
        agreement=cadence.agreement,
        last_secured_at=cadence.last_secured_at,
        next_due_at=cadence.next_due_at,
        state=state,
        light=light,
        open_findings=dict(by_type),
        breaches_by_custodian=breaches,
        open_by_others=by_others,
        never_delivered=cadence.never_delivered,
        reasons=tuple(reasons),
    )
