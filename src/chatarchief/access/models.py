"""Role grants: who has which role, scoped to an organisation and/or a custodian."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chatarchief.access.constants import GrantSource, Role


class RoleGrant(models.Model):
    """A user holds `role` within `organisation` (all its custodians) or for one `custodian`.

    custodian: the user's own archive (custodian set). operator: the custodians set per grant (or an
    organisation). reviewer / auditor / woo_coordinator: an organisation. woo_coordinator: content
    only within Woo requests (not built yet, so no content at all). admin: an organisation, or
    everywhere when neither organisation nor custodian is set; never content.
    `source` says where the grant came from: OIDC grants are replaced at every single sign-on.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    organisation = models.ForeignKey("archive.Organisation", null=True, blank=True, on_delete=models.CASCADE)
    custodian = models.ForeignKey("archive.Custodian", null=True, blank=True, on_delete=models.CASCADE)
    source = models.CharField(max_length=8, choices=GrantSource.choices, default=GrantSource.LOCAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organisation", "custodian"], name="grant_once"),
        ]

    def __str__(self) -> str:
        where = self.custodian or self.organisation or "*"
        return f"{self.user} {self.role} {where}"


class ExternalIdentity(models.Model):
    """The single sign-on identity (issuer + subject) a local user stands for; never matched by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once")]

    def __str__(self) -> str:
        return f"{self.user} = {self.issuer} {self.subject}"
