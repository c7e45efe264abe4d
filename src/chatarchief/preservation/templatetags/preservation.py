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


@register.inclusion_tag("preservation/partials/audit_trail.html")
def audit_trail(obj: Any, limit: int = 50) -> dict[str, Any]:
    events = AuditEvent.objects.filter(object_type=type(obj).__name__, object_id=str(obj.pk)).order_by("-id")
    return {"events": list(events[:limit]), "object": obj}
