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


class RetentionAction(models.TextChoices):
    BEWAREN = "bewaren", _("Bewaren (overbrengen)")
    VERNIETIGEN = "vernietigen", _("Vernietigen")


class RetentionTrigger(models.TextChoices):
    END_OF_TERM = "end_of_term", _("Einde ambtstermijn")
    LAST_MESSAGE = "last_message", _("Laatste bericht in het gesprek")


class RetentionCategory(models.Model):
    """An entry of the selection list (selectielijst): what to do with the records and when."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    description = models.CharField(_("omschrijving"), max_length=500)
    action = models.CharField(_("waardering"), max_length=16, choices=RetentionAction.choices)
    period_years = models.PositiveIntegerField(_("bewaartermijn (jaren)"), null=True, blank=True)
    trigger = models.CharField(
        _("start termijn"), max_length=16, choices=RetentionTrigger.choices, default=RetentionTrigger.END_OF_TERM
    )
    # the default category of every custodian of this category (archive.CustodianCategory); blank: none
    custodian_category = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class CustodianTerm(models.Model):
    """When a custodian's term of office ended (the trigger of end-of-term retention periods)."""

    custodian = models.OneToOneField("archive.Custodian", on_delete=models.CASCADE, related_name="term")
    ended_on = models.DateField(_("einde ambtstermijn"))


class ConversationRetention(models.Model):
    """A conversation's own category, instead of its custodian's."""

    conversation = models.OneToOneField("archive.Conversation", on_delete=models.CASCADE, related_name="retention")
    category = models.ForeignKey(RetentionCategory, on_delete=models.PROTECT, related_name="+")
    set_by = models.CharField(max_length=200)
    set_at = models.DateTimeField(auto_now_add=True)


class DispositionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Voorgesteld")
    APPROVED = "approved", _("Goedgekeurd")
    EXECUTED = "executed", _("Uitgevoerd")


class DispositionList(models.Model):
    """A destruction list (vernietigingslijst): proposed, approved by a records manager and a second
    role, then executed. Its items keep the tombstones of what was destroyed."""

    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=DispositionStatus.choices, default=DispositionStatus.PROPOSED)
    proposed_by = models.CharField(max_length=200)
    proposed_at = models.DateTimeField(auto_now_add=True)
    manager_approved_by = models.CharField(max_length=200, blank=True)
    manager_approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.CharField(max_length=200, blank=True)
    second_role = models.CharField(max_length=32, blank=True)
    second_approved_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.CharField(max_length=200, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]


class DispositionItem(models.Model):
    """One conversation on a destruction list; after execution, its tombstone: ids, channel, period,
    count, category, the approvals (on the list), time. No text, no title, no names."""

    disposition = models.ForeignKey(DispositionList, on_delete=models.CASCADE, related_name="items")
    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        "archive.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation_ref = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    category_code = models.CharField(max_length=32)
    expired_on = models.DateField()
    message_count = models.IntegerField(default=0)
    period_from = models.DateTimeField(null=True, blank=True)
    period_to = models.DateTimeField(null=True, blank=True)
    destroyed_originals = models.IntegerField(default=0)
    derived_originals = models.IntegerField(default=0)
    removed_media = models.IntegerField(default=0)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
