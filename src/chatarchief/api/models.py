"""Service accounts: machine clients of the integration API, scoped to one organisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceAccount(models.Model):
    """A token holder (an MDM system, a secretariat's tool). Only a SHA-256 of the token is kept;
    `token_prefix` is its public first part, for lookup and for recognising it in logs."""

    name = models.SlugField(_("naam"), max_length=64, unique=True)
    organisation = models.ForeignKey("archive.Organisation", on_delete=models.PROTECT, related_name="service_accounts")
    operations = models.JSONField(_("toegestane handelingen"), default=list)
    token_prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    is_service_account = True  # a principal of chatarchief.access.services

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def actor(self) -> str:
        return f"api:{self.name}"
