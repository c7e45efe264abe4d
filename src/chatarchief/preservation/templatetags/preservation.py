"""`{% load preservation %}{% audit_trail object %}`: the audit events of one object, newest first, as
a section the page that shows the object includes (that page has checked access already)."""

from __future__ import annotations

from typing import Any

from django import template

from chatarchief.audit.models import AuditEvent

register = template.Library()


@register.inclusion_tag("preservation/partials/audit_trail.html")
def audit_trail(obj: Any, limit: int = 50) -> dict[str, Any]:
    events = AuditEvent.objects.filter(object_type=type(obj).__name__, object_id=str(obj.pk)).order_by("-id")
    return {"events": list(events[:limit]), "object": obj}
