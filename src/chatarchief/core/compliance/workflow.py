"""The findings workflow: a finding is open, then explained, then closed; or its risk is accepted.

One table says which transitions exist; everything else is refused with a readable error. Every
transition needs a note (why), and says who made it and when, so the history can be shown and audited.
Who may make which transition is decided by the access rules, not here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from chatarchief.core.compliance.errors import ComplianceError


class FindingStatus(StrEnum):
    OPEN = "open"
    EXPLAINED = "explained"
    CLOSED = "closed"
    ACCEPTED_RISK = "accepted_risk"


LABELS = {
    FindingStatus.OPEN: ("open", "open"),
    FindingStatus.EXPLAINED: ("toegelicht", "explained"),
    FindingStatus.CLOSED: ("afgehandeld", "closed"),
    FindingStatus.ACCEPTED_RISK: ("risico aanvaard", "risk accepted"),
}

# from -> the statuses it may move to. Closing needs an explanation first; a final status can be
# reopened (with a note saying why), which keeps the history instead of editing it.
TRANSITIONS: dict[FindingStatus, frozenset[FindingStatus]] = {
    FindingStatus.OPEN: frozenset({FindingStatus.EXPLAINED, FindingStatus.ACCEPTED_RISK}),
    FindingStatus.EXPLAINED: frozenset({FindingStatus.CLOSED, FindingStatus.ACCEPTED_RISK, FindingStatus.OPEN}),
    FindingStatus.CLOSED: frozenset({FindingStatus.OPEN}),
    FindingStatus.ACCEPTED_RISK: frozenset({FindingStatus.OPEN}),
}
UNRESOLVED = frozenset({FindingStatus.OPEN})  # what the traffic light and "open findings" count


@dataclass(frozen=True)
class Transition:
    """One step in a finding's history."""

    source: FindingStatus
    target: FindingStatus
    by: str
    at: dt.datetime
    note: str


def parse_status(value: str) -> FindingStatus:
    try:
        return FindingStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in FindingStatus)
        raise ComplianceError(
            "finding.bad_status",
            nl=f"Onbekende status {value!r}. Kies uit: {allowed}.",
            en=f"Unknown status {value!r}. Choose from: {allowed}.",
        ) from None


def allowed(source: str) -> frozenset[FindingStatus]:
    return TRANSITIONS[parse_status(source)]


def transition(source: str, target: str, *, by: str, at: dt.datetime, note: str) -> Transition:
    """The transition from `source` to `target`, or a ComplianceError when the table forbids it."""
    old, new = parse_status(source), parse_status(target)
    if new not in TRANSITIONS[old]:
        nl_old, en_old = LABELS[old]
        nl_new, en_new = LABELS[new]
        raise ComplianceError(
            "finding.transition_refused",
            nl=f"Een bevinding met status '{nl_old}' kan niet naar '{nl_new}'.",
            en=f"A finding with status '{en_old}' cannot move to '{en_new}'.",
        )
    if not note.strip():
        raise ComplianceError(
            "finding.note_required",
            nl="Schrijf een toelichting bij deze stap.",
            en="Write a note with this step.",
        )
    if not by.strip():
        raise ComplianceError("finding.actor_required", nl="Wie zet deze stap?", en="Who takes this step?")
    return Transition(old, new, by, at, note.strip())


def bulk_transition(
    sources: dict[int, str], target: str, *, by: str, at: dt.datetime, note: str
) -> tuple[dict[int, Transition], dict[int, ComplianceError]]:
    """Apply one step to many findings (id -> status): the allowed ones, and per refused id the reason."""
    done: dict[int, Transition] = {}
    refused: dict[int, ComplianceError] = {}
    for finding_id, source in sources.items():
        try:
            done[finding_id] = transition(source, target, by=by, at=at, note=note)
        except ComplianceError as error:
            refused[finding_id] = error
    return done, refused
