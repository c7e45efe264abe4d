"""What people record about compliance: agreement versions, the roster, the findings' workflow.

The CLI and the web pages call these (through `compliance.services`); each checks access with
`chatarchief.access.services`, validates with the plain rules in `core.compliance`, stores, and
writes an audit event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.access.constants import Action, Role
from chatarchief.archive.models import Custodian, CustodianCategory
from chatarchief.archive.services import registry
from chatarchief.audit import log
from chatarchief.compliance import rules, snapshot
from chatarchief.compliance.models import Agreement, CustodianScope, Finding, FindingStep, Phase
from chatarchief.core.compliance import workflow
from chatarchief.core.compliance.agreements import SecuredBy, agreement_in_force, default_agreement, make_agreement
from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.roster import RosterProblem, read_roster
from chatarchief.core.phone import normalise_phone

PHASE_CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")

# ---------------------------------------------------------------- agreements


def set_agreement(
    principal: Any,
    custodian: Custodian,
    *,
    frequency: str,
    secured_by: str,
    valid_from: dt.date | str,
    channels: Iterable[str] = (),
    secretary: str | None = None,
    actor: str,
) -> Agreement:
    """Record a new agreement version (never changes an old one). A secretary who secures is an
    operator user with a grant on this custodian."""
    access.require(principal, Action.REGISTER_AGREEMENT, custodian)
    now = timezone.now()
    rule = make_agreement(
        frequency, secured_by, valid_from, channels=channels, secretary=secretary, recorded_by=actor, recorded_at=now
    )
    if rule.secured_by is SecuredBy.SECRETARY:
        _check_secretary(rule.secretary or "", custodian)
    with transaction.atomic():
        row = Agreement.objects.create(
            custodian=custodian,
            frequency=rule.frequency.value,
            secured_by=rule.secured_by.value,
            secretary=rule.secretary or "",
            channels=list(rule.channels),
            valid_from=rule.valid_from,
            recorded_by=actor,
            recorded_at=now,
        )
        log.agreement_recorded(actor, row)
    snapshot.refresh([custodian])
    return row


def _check_secretary(username: str, custodian: Custodian) -> None:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if (
        user is None
        or Role.OPERATOR not in access.roles_of(user)
        or not access.allowed(user, Action.DELIVER, custodian)
    ):
        raise ComplianceError(
            "agreement.secretary_not_operator",
            nl=f"{username!r} is geen operator met een toekenning voor {custodian.slug!r}.",
            en=f"{username!r} is not an operator with a grant on {custodian.slug!r}.",
        )


def agreement_view(principal: Any, custodian: Custodian, on: dt.date | None = None) -> dict[str, Any]:
    """`chatarchief agreement show`: the agreement in force on a date, and every version."""
    access.require(principal, Action.VIEW_METADATA, custodian)
    on = on or timezone.localdate(timezone.now(), custodian.zone)
    versions = [rules.agreement_of(row) for row in Agreement.objects.filter(custodian=custodian)]
    in_force = agreement_in_force(versions, on)
    shown = in_force or default_agreement(on)
    return {
        "custodian": custodian.slug,
        "at": on.isoformat(),
        "agreement": shown.as_dict(),
        "versions": [v.as_dict() for v in versions],
    }


# ---------------------------------------------------------------- findings workflow


def may_handle(principal: Any, custodian: Custodian) -> bool:
    """Who may explain, close or accept a finding: whoever registers agreements for the custodian
    (operator), classifies their archive (information manager) or administers it."""
    return any(
        access.allowed(principal, action, custodian)
        for action in (Action.REGISTER_AGREEMENT, Action.CLASSIFY, Action.ADMINISTER)
    )


@dataclass
class StepResult:
    done: list[Finding] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # id -> reason in the user's language

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": [{"id": f.pk, "status": f.status} for f in self.done],
            "refused": [{"id": key, "reason": reason} for key, reason in sorted(self.refused.items())],
        }


def step_findings(
    principal: Any, ids: Sequence[int], target: str, *, note: str, actor: str, lang: str = "nl"
) -> StepResult:
    """One workflow step (core.compliance.workflow) for one or many findings; every refusal named."""
    workflow.parse_status(target)
    result = StepResult()
    found = {f.pk: f for f in Finding.objects.filter(pk__in=list(ids)).select_related("custodian")}
    now = timezone.now()
    with transaction.atomic():
        for finding_id in ids:
            finding = found.get(finding_id)
            if finding is None or not access.allowed(principal, Action.VIEW_METADATA, finding.custodian):
                result.refused[finding_id] = "onbekende bevinding" if lang == "nl" else "unknown finding"
                continue
            if not may_handle(principal, finding.custodian):
                result.refused[finding_id] = access.AccessDenied().message(lang)
                continue
            try:
                step = workflow.transition(finding.status, target, by=actor, at=now, note=note)
            except ComplianceError as error:
                result.refused[finding_id] = error.message(lang)
                continue
            finding.status, finding.status_note = step.target.value, step.note
            finding.status_by, finding.status_at = step.by, step.at
            finding.save(update_fields=["status", "status_note", "status_by", "status_at"])
            FindingStep.objects.create(
                finding=finding, source=step.source.value, target=step.target.value, by=step.by, at=now, note=step.note
            )
            log.finding_stepped(actor, finding, source=step.source.value, target=step.target.value, note=step.note)
            result.done.append(finding)
    snapshot.refresh(list({f.custodian_id: f.custodian for f in result.done}.values()))
    return result


# ---------------------------------------------------------------- roster


@dataclass
class RosterImport:
    file: str
    dry_run: bool
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "problems": [p.as_dict(lang) for p in self.problems],
        }


def import_roster(principal: Any, data: bytes, file_name: str, *, dry_run: bool, actor: str) -> RosterImport:
    """The roster (CSV or XLSX): every row checked first; stored only when no row has a problem, in
    one transaction (nothing half-imported). Existing custodians (by slug) are brought up to date."""
    if not isinstance(principal, access.SystemPrincipal) and not access.admin_scope(principal).everywhere:
        raise access.AccessDenied()
    result = read_roster(data, file_name, phases=rules.phases())
    outcome = RosterImport(file_name, dry_run, rows=len(result.rows), problems=list(result.problems))
    existing = set(Custodian.objects.filter(slug__in=[r.slug for r in result.rows]).values_list("slug", flat=True))
    for row in result.rows:
        (outcome.updated if row.slug in existing else outcome.created).append(row.slug)
    if outcome.problems or dry_run:
        return outcome
    with transaction.atomic():
        for row in result.rows:
            phones = [row.phone] if row.phone else []
            if row.slug in existing:
                custodian = Custodian.objects.get(slug=row.slug)
                organisation = registry.add_organisation(row.organisation, row.organisation, actor=actor)
                custodian.name, custodian.function, custodian.category = row.name, row.function, row.category
                custodian.organisation = organisation
                if phones:
                    custodian.phone_numbers = sorted({*custodian.phone_numbers, *map(normalise_phone, phones)})
                custodian.save()
            else:
                category = (
                    row.category if row.category in CustodianCategory.values else CustodianCategory.SLEUTELFUNCTIONARIS
                )
                custodian = registry.add_custodian(
                    row.slug,
                    name=row.name,
                    actor=actor,
                    organisation=row.organisation,
                    category=category,
                    function=row.function,
                    phones=phones,
                )
            scope = {
                "term_start": row.term_start,
                "term_end": row.term_end,
                "phase": row.phase or "",
                "salary_scale": row.salary_scale,
            }
            CustodianScope.objects.update_or_create(custodian=custodian, defaults=scope)
            log.custodian_scope_changed(actor, custodian, scope)
        log.roster_imported(actor, file=file_name, created=len(outcome.created), updated=len(outcome.updated))
    snapshot.refresh(list(Custodian.objects.filter(slug__in=[r.slug for r in result.rows])))
    return outcome


# ---------------------------------------------------------------- phases


def set_phase(principal: Any, code: str, *, name: str = "", starts_on: dt.date | None = None, actor: str) -> Phase:
    """Create or change a rollout phase (or the pilot); its custodians are in scope from `starts_on`
    (none: not yet). The dashboard's judgement of its custodians is brought up to date."""
    if not isinstance(principal, access.SystemPrincipal) and not access.admin_scope(principal).everywhere:
        raise access.AccessDenied()
    code = code.strip()
    if not PHASE_CODE.match(code):
        raise ComplianceError(
            "phase.bad_code",
            nl="Een fasecode bestaat uit letters, cijfers en streepjes (hoogstens 32).",
            en="A phase code consists of letters, digits and hyphens (at most 32).",
        )
    with transaction.atomic():
        phase = Phase.objects.filter(code__iexact=code).first() or Phase(code=code)
        phase.name, phase.starts_on = name or phase.name, starts_on
        phase.save()
        log.phase_set(actor, phase)
    snapshot.refresh(list(Custodian.objects.filter(scope__phase__iexact=phase.code)))
    return phase


def phases_list() -> list[dict[str, Any]]:
    return [
        {"code": p.code, "name": p.name, "starts_on": p.starts_on.isoformat() if p.starts_on else None}
        for p in Phase.objects.all()
    ]
