"""Role grants: who has which role, scoped to an organisation and/or a custodian."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatarchief.access.constants import Role


class RoleGrant(models.Model):
    """A user holds `role` within `organisation` (all its custodians) or for one `custodian`.

    custodian: the user's own archive (custodian set). operator: the custodians set per grant.
    reviewer / auditor: an organisation. woo_coordinator: content only within Woo requests (a later
    phase adds the request scope; until then no content). admin: everything but content.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    organisation = models.ForeignKey("archive.Organisation", null=True, blank=True, on_delete=models.CASCADE)
    custodian = models.ForeignKey("archive.Custodian", null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organisation", "custodian"], name="grant_once"),
        ]
