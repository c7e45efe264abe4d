"""Findings: what the archive noticed that the instruction forbids or that needs a human to look."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingType(models.TextChoices):
    MESSAGE_DELETED = "message_deleted", _("Bericht verwijderd")
    MESSAGE_MISSING = "message_missing", _("Bericht ontbreekt in latere export")
    MESSAGE_EDITED = "message_edited", _("Bericht bewerkt")
    VIEW_ONCE = "view_once", _("Eenmalig bekijken gebruikt")
    DISAPPEARING_ENABLED = "disappearing_enabled", _("Verdwijnende berichten aangezet")
    DISAPPEARING_DISABLED = "disappearing_disabled", _("Verdwijnende berichten uitgezet")
    DELIVERY_OVERDUE = "delivery_overdue", _("Aanlevering te laat")
    SMS_USED = "sms_used", _("Sms gebruikt")
    # phase 2: a private or party contact on the business phone (review), a blob that fails its
    # SHA-256 or is gone (preservation's fixity check)
    PRIVATE_CONTACT = "private_contact", _("Privé- of partijcontact op de zakelijke telefoon")
    FIXITY_FAILURE = "fixity_failure", _("Bestand beschadigd of verdwenen (integriteitscontrole)")


class Finding(models.Model):
    type = models.CharField(max_length=32, choices=FindingType.choices)
    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="findings")
    conversation = models.ForeignKey(
        "archive.Conversation", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    message = models.ForeignKey(
        "archive.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    delivery = models.ForeignKey(
        "archive.Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    detected_at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict, blank=True)
    # One finding per subject: re-ingesting never adds a second one (see services/findings.py).
    subject = models.CharField(max_length=200)
    retracted_at = models.DateTimeField(
        null=True, blank=True
    )  # a cadence gap closed by a later-ingested older delivery

    class Meta:
        ordering = ["detected_at", "id"]
        constraints = [models.UniqueConstraint(fields=["custodian", "type", "subject"], name="finding_once")]
