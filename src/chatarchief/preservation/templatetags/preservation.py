"""`{% load preservation %}{% audit_trail object %}`: the audit events of one object, newest first, as
a section the page that shows the object includes (that page has checked access already)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from chatarchief.audit.models import AuditEvent

register = template.Library()

ACTIONS = {
    "preservation.fixity_checked": _("Integriteitscontrole uitgevoerd"),
    "preservation.hold_added": _("Juridische bewaarplicht opgelegd"),
    "preservation.hold_removed": _("Juridische bewaarplicht opgeheven"),
    "preservation.hold_refused": _("Geweigerd wegens juridische bewaarplicht"),
    "preservation.retention_category_set": _("Selectielijstcategorie vastgelegd"),
    "preservation.retention_overridden": _("Eigen bewaartermijn voor gesprek"),
    "preservation.term_ended": _("Einde ambtstermijn vastgelegd"),
    "preservation.disposition_proposed": _("Vernietigingslijst voorgesteld"),
    "preservation.disposition_approved": _("Vernietigingslijst goedgekeurd"),
    "preservation.disposition_executed": _("Vernietigingslijst uitgevoerd"),
    "preservation.transfer_packaged": _("Overdrachtspakket gemaakt"),
    "preservation.backup_made": _("Back-up gemaakt"),
    "preservation.restored": _("Hersteld uit back-up"),
    "audit.exported": _("Audittrail geëxporteerd"),
}


@register.filter
def preservation_action(code: str) -> Any:
    """An audit action of preservation in words; "" for another app's (the template falls back to the
    web app's `action_label`)."""
    return ACTIONS.get(code, "")


DETAILS = {
    "reason": _("reden"),
    "role": _("rol"),
    "status": _("status"),
    "items": _("gesprekken op de lijst"),
    "held": _("onder bewaarplicht"),
    "checked": _("gecontroleerd"),
    "failures": _("mislukt"),
    "conversation": _("gesprek"),
    "period_from": _("vanaf"),
    "period_to": _("tot en met"),
    "refused": _("geweigerd"),
    "conversations": _("gesprekken"),
    "messages": _("berichten"),
    "removed_files": _("verwijderde bestanden"),
    "code": _("categorie"),
    "ended_on": _("einde ambtstermijn"),
    "events": _("gebeurtenissen"),
    "files": _("bestanden"),
    "folder": _("map"),
    "start": _("vanaf"),
    "end": _("tot en met"),
    "file": _("bestand"),
    "objects": _("informatieobjecten"),
    "period_years": _("jaren"),
}
REFUSED = {"exclusion": _("uitsluiting"), "disposition": _("vernietiging")}


def _value(key: str, value: Any) -> Any:
    from chatarchief.access.constants import Role
    from chatarchief.preservation.models import DispositionStatus

    if key == "role" and value in Role.values:
        return Role(value).label
    if key == "status" and value in DispositionStatus.values:
        return DispositionStatus(value).label
    if key == "refused":
        return REFUSED.get(value, value)
    return value


@register.filter
def preservation_details(event: Any) -> list[tuple[Any, Any]] | None:
    """The details of a preservation event in words (codes, hashes and id lists left out); None for
    another app's event (the template falls back to the web app's `audit_details`)."""
    if event.action not in ACTIONS:
        return None
    return [
        (DETAILS[key], _value(key, value))
        for key, value in (event.details or {}).items()
        if key in DETAILS and value not in ("", None, [], {})
    ]


@register.inclusion_tag("preservation/partials/audit_trail.html")
def audit_trail(obj: Any, limit: int = 50) -> dict[str, Any]:
    events = AuditEvent.objects.filter(object_type=type(obj).__name__, object_id=str(obj.pk)).order_by("-id")
    table_id = f"audit-{type(obj).__name__.lower()}-{obj.pk}"  # unique when a page shows several objects
    return {"events": list(events[:limit]), "object": obj, "table_id": table_id}
