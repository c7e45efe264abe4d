"""What the compliance pages say instead of codes: lights, states, `by`, statuses, agreements,
finding details (tests/web/test_words.py: no raw code on any page)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from chatarchief.compliance import rules
from chatarchief.compliance.models import Finding, FindingStep, FindingType
from chatarchief.core.compliance.workflow import TRANSITIONS, FindingStatus

LIGHTS = {"green": _("Groen"), "orange": _("Oranje"), "red": _("Rood")}
LIGHT_ORDER = {"red": 0, "orange": 1, "green": 2}
LIGHT_TEXT = {
    "green": _("Op orde"),
    "orange": _("Aandacht nodig"),
    "red": _("Actie nodig"),
}
STATES = {"ok": _("Op tijd"), "due": _("Binnenkort"), "overdue": _("Te laat")}
BY = {"custodian": _("De functionaris zelf"), "other": _("Iemand anders"), "unknown": _("Onbekend")}
STATUSES = {
    FindingStatus.OPEN.value: _("Open"),
    FindingStatus.EXPLAINED.value: _("Toegelicht"),
    FindingStatus.CLOSED.value: _("Afgehandeld"),
    FindingStatus.ACCEPTED_RISK.value: _("Risico aanvaard"),
}
STEPS = {
    FindingStatus.EXPLAINED.value: _("Toelichten"),
    FindingStatus.CLOSED.value: _("Afhandelen"),
    FindingStatus.ACCEPTED_RISK.value: _("Risico aanvaarden"),
    FindingStatus.OPEN.value: _("Heropenen"),
}
FREQUENCIES = {"monthly": _("maandelijks"), "weekly": _("wekelijks")}
SECURED_BY = {"self": _("de functionaris zelf"), "secretary": _("het secretariaat"), "doc-direkt": _("Doc-Direkt")}
REASONS = {
    "overdue": _("te laat met veiligstellen"),
    "breach": _("open overtreding door de functionaris"),
    "due_soon": _("binnenkort veiligstellen"),
    "by_others": _("open bevindingen door anderen"),
    "not_secured": _("nog niet veiliggesteld sinds de start"),
}
BASIS = {
    "tombstone": _("de tekst van het verwijderde bericht"),
    "outgoing": _("de richting in de export (verzonden of ontvangen)"),
    "system_text": _("de woorden van de systeemregel"),
    "self_identity": _("de afzender is de functionaris"),
    "not_self": _("de afzender is iemand anders"),
    "self_unknown": _("de export zegt niet wie de functionaris is"),
    "none": _("de export noemt niemand"),
}
DETAIL_LABELS = {
    "timer_seconds": _("Timer (seconden)"),
    "content_preserved": _("Inhoud bewaard"),
    "versions": _("Versies"),
    "absent_in": _("Ontbreekt in exports"),
    "from": _("Van"),
    "to": _("Tot"),
    "days": _("Dagen"),
    "limit_days": _("Toegestaan (dagen)"),
    "overdue_days": _("Dagen te laat"),
    "messages": _("Berichten"),
    "category": _("Categorie"),
}


def judged_order(judged: rules.Judged) -> tuple[int, str, str]:
    """Red first, then orange, then green; by organisation and name."""
    custodian = judged.custodian
    return (
        LIGHT_ORDER[judged.status.light.value],
        custodian.organisation.code if custodian.organisation_id else "",
        custodian.slug,
    )


def judged_row(judged: rules.Judged) -> dict[str, Any]:
    status, custodian = judged.status, judged.custodian
    return {
        "slug": custodian.slug,
        "name": custodian.name,
        "organisation": custodian.organisation.code if custodian.organisation_id else "",
        "light": status.light.value,
        "light_label": LIGHTS[status.light.value],
        "light_text": LIGHT_TEXT[status.light.value],
        "state": STATES[status.state.value],
        "last_secured_at": status.last_secured_at,
        "next_due_at": status.next_due_at,
        "open": sum(status.open_findings.values()),
        "breaches": status.breaches_by_custodian,
        "by_others": status.open_by_others,
        "reasons": [REASONS[r] for r in status.reasons if r in REASONS],
        "in_scope": status.in_scope,
        "url": reverse("compliance_custodian", args=[custodian.slug]),
    }


def organisation_row(summary: Any) -> dict[str, Any]:
    return {
        "code": summary.code,
        "name": summary.name,
        "custodians": summary.custodians,
        "light": summary.light,
        "light_label": LIGHTS[summary.light],
        "light_text": LIGHT_TEXT[summary.light],
        "green": summary.lights["green"],
        "orange": summary.lights["orange"],
        "red": summary.lights["red"],
        "breaches": summary.breaches,
        "by_others": summary.by_others,
        "findings_url": reverse("findings") + "?" + urlencode({"organisation": summary.code, "status": "open"}),
    }


def agreement_words(agreement: dict[str, Any]) -> dict[str, Any]:
    return {
        "frequency": FREQUENCIES.get(agreement["frequency"], agreement["frequency"]),
        "period_days": agreement["period_days"],
        "secured_by": SECURED_BY.get(agreement["secured_by"], agreement["secured_by"]),
        "secretary": agreement["secretary"],
        "channels": ", ".join(agreement["channels"]) if agreement["channels"] else _("alle kanalen"),
        "valid_from": agreement["valid_from"],
        "recorded_by": agreement["recorded_by"],
        "default": agreement["default"],
    }


def by_type_rows(slug: str, by_type: dict[str, Counter]) -> list[dict[str, Any]]:
    base = reverse("findings")
    return [
        {
            "label": FindingType(type_).label,
            "custodian": counts.get("custodian", 0),
            "other": counts.get("other", 0),
            "unknown": counts.get("unknown", 0),
            "url": base + "?" + urlencode({"custodian": slug, "type": type_, "status": "open"}),
        }
        for type_, counts in sorted(by_type.items())
    ]


def _by(finding: Finding) -> str:
    if finding.type == rules.OVERDUE:
        return "custodian"
    return (finding.details or {}).get("by") or ""


def finding_row(finding: Finding, *, may_handle: bool) -> dict[str, Any]:
    by = _by(finding)
    custodian = finding.custodian
    return {
        "id": finding.pk,
        "label": FindingType(finding.type).label if finding.type in FindingType.values else finding.type,
        "custodian": custodian.name,
        "slug": custodian.slug,
        "organisation": custodian.organisation.code if custodian.organisation_id else "",
        "by": BY.get(by, "–") if by else "–",
        "status": STATUSES.get(finding.status, finding.status),
        "status_code": finding.status,
        "note": finding.status_note,
        "status_by": finding.status_by,
        "status_at": finding.status_at,
        "detected_at": finding.detected_at,
        "url": reverse("finding", args=[finding.pk]),
        "may_handle": may_handle,
    }


def detail_rows(finding: Finding) -> list[tuple[Any, Any]]:
    """A finding's details in words; `actor` only for acts (a participant key, never message text)."""
    details = finding.details or {}
    rows: list[tuple[Any, Any]] = []
    if "by" in details or finding.type == rules.OVERDUE:
        rows.append((_("Gedaan door"), BY.get(_by(finding), "–")))
    if details.get("actor"):
        rows.append((_("Vermeld als"), details["actor"]))
    if details.get("by_basis"):
        rows.append((_("Vastgesteld uit"), BASIS.get(details["by_basis"], "–")))
    for key, label in DETAIL_LABELS.items():
        value = details.get(key)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, bool):
            value = _("ja") if value else _("nee")
        elif key in ("from", "to") and isinstance(value, str):
            value = f"{value[:10]} {value[11:16]}"
        rows.append((label, value))
    return rows


def step_row(step: FindingStep) -> dict[str, Any]:
    return {
        "source": STATUSES.get(step.source, step.source),
        "target": STATUSES.get(step.target, step.target),
        "by": step.by,
        "at": step.at,
        "note": step.note,
    }


def allowed_steps(status: str) -> list[tuple[str, Any]]:
    try:
        targets = TRANSITIONS[FindingStatus(status)]
    except ValueError:
        return []
    return [(value, label) for value, label in STEPS.items() if FindingStatus(value) in targets]


def finding_label(type_: str) -> Any:
    return FindingType(type_).label if type_ in FindingType.values else type_


REMINDER_KINDS = {"upcoming": _("Binnenkort veiligstellen"), "overdue": _("Te laat")}
REMINDER_ROLES = {"custodian": _("Functionaris"), "secretary": _("Secretariaat"), "doc-direkt": _("Doc-Direkt")}
