"""Preservation: fixity runs and legal holds (issue 19)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FixityRun(models.Model):
    """One `chatarchief verify` (or its scheduled task): what was re-hashed and what failed."""

    started_at = models.DateTimeField(_("gestart"))
    finished_at = models.DateTimeField(_("klaar"), null=True, blank=True)
    actor = models.CharField(max_length=200)
    sample_percent = models.FloatField(null=True, blank=True)  # None: every blob
    checked = models.IntegerField(default=0)
    bytes_checked = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    failures = models.JSONField(default=list, blank=True)  # [{"sha256", "kind", "delivery_id", "message_id"}]

    class Meta:
        ordering = ["-started_at", "-id"]

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and not self.failures


class LegalHold(models.Model):
    """A Woo request or litigation: nothing of the custodian or conversation (in the period, when one
    is given) may be destroyed or excluded until the hold is removed."""

    custodian = models.ForeignKey(
        "archive.Custodian", null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds"
    )
    conversation = models.ForeignKey(  # SET_NULL: a lifted hold never keeps a conversation from going
        "archive.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="legal_holds"
    )
    conversation_ref = models.BigIntegerField(null=True, blank=True)  # the held conversation's id, kept
    period_from = models.DateField(_("vanaf"), null=True, blank=True)
    period_to = models.DateField(_("tot en met"), null=True, blank=True)
    reason = models.TextField(_("reden"))
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.CharField(max_length=200, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(custodian__isnull=False) | models.Q(conversation__isnull=False),
                name="legal_hold_has_subject",
            )
        ]

    @property
    def active(self) -> bool:
        return self.removed_at is None
