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
    # the workflow (core.compliance.workflow): open -> explained -> closed, or accepted_risk; the last
    # step's note, who and when (every step is a FindingStep and an audit event). db_default: the
    # ingest pipeline inserts findings in raw SQL (compliance/findings.py) and leaves these out.
    status = models.CharField(max_length=16, default="open", db_default="open", db_index=True)
    status_note = models.TextField(blank=True, default="", db_default="")
    status_by = models.CharField(max_length=200, blank=True, default="", db_default="")
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["detected_at", "id"]
        constraints = [models.UniqueConstraint(fields=["custodian", "type", "subject"], name="finding_once")]


class FindingStep(models.Model):
    """One step in a finding's workflow (the history; the finding keeps the last step)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="steps")
    source = models.CharField(max_length=16)
    target = models.CharField(max_length=16)
    by = models.CharField(max_length=200)
    at = models.DateTimeField()
    note = models.TextField()

    class Meta:
        ordering = ["at", "id"]


class Agreement(models.Model):
    """One version of a custodian's agreement (afspraak); a new version never changes an old one."""

    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="agreements")
    frequency = models.CharField(max_length=16)  # monthly | weekly
    secured_by = models.CharField(max_length=16)  # self | secretary | doc-direkt
    secretary = models.CharField(max_length=150, blank=True, default="")  # the operator's username
    channels = models.JSONField(default=list, blank=True)  # empty: every channel
    valid_from = models.DateField()
    recorded_by = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["valid_from", "recorded_at", "id"]


class Phase(models.Model):
    """A rollout phase or the pilot: its custodians are in scope from `starts_on` (empty: not yet)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")
    starts_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]


class CustodianScope(models.Model):
    """What the roster says about a custodian beyond the archive's own record: term, phase, scale."""

    custodian = models.OneToOneField("archive.Custodian", on_delete=models.CASCADE, related_name="scope")
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)  # inclusive
    phase = models.CharField(max_length=32, blank=True, default="")
    salary_scale = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ReminderSent(models.Model):
    """A reminder that went out; `key` (core.compliance.reminders.reminder_key) is never sent twice."""

    key = models.CharField(max_length=300, unique=True)
    custodian = models.ForeignKey("archive.Custodian", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    role = models.CharField(max_length=16)
    recipient = models.CharField(max_length=254)  # the address it went to
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "id"]


class StatusSnapshot(models.Model):
    """A custodian's cadence as last judged (compliance/snapshot.py): what the dashboard reads so that
    thousands of custodians need no judging per request. The timing state and the light are worked
    out from these columns at read time (so time passing is seen); refreshed at every ingest, agreement,
    roster import and finding step, and daily (evaluate_reminders)."""

    custodian = models.OneToOneField("archive.Custodian", on_delete=models.CASCADE, related_name="status_snapshot")
    computed_at = models.DateTimeField()
    clock_start = models.DateTimeField(null=True, blank=True)  # None: nothing to judge (not in scope)
    term_end = models.DateTimeField(null=True, blank=True)  # end of the term's last day
    last_secured_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    due_soon_days = models.IntegerField(default=7)
    secured_since_clock = models.BooleanField(default=False)
    open_counts = models.JSONField(default=list, blank=True)  # [[type, by, count], ...] of open findings
    # the same, summed for the dashboard's SQL (the open gap is not in these: the state says it)
    due_soon_from = models.DateTimeField(null=True, blank=True)  # next_due_at minus the due-soon window
    breaches = models.IntegerField(default=0)
    by_others = models.IntegerField(default=0)
    open_total = models.IntegerField(default=0)
