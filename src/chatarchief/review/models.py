"""What the review app keeps: contacts and their history, decisions, proposals, stand-up sessions,
and what remains of an exclusion (tombstones, identity fingerprints, changed originals).

Nothing here holds excluded content: a tombstone has ids, a period, counts, the label and the rules,
never text or the name of a private contact; a fingerprint is a keyed hash of a message's identity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chatarchief.review.constants import DecisionStatus, LabelChoice, OriginalChangeKind, ProposalStatus


class Contact(models.Model):
    """A person a custodian (or everyone of an organisation) has contact with, and what those
    contacts are: business, private or party. The category's history is in `ContactMark`."""

    custodian = models.ForeignKey(
        "archive.Custodian", null=True, blank=True, on_delete=models.PROTECT, related_name="review_contacts"
    )
    organisation = models.ForeignKey(
        "archive.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="review_contacts"
    )
    name = models.CharField(_("naam"), max_length=300)
    name_key = models.CharField(max_length=300, db_index=True)  # folded name: the import's identity
    phones = models.JSONField(default=list, blank=True)
    signal_ids = models.JSONField(default=list, blank=True)
    telegram_ids = models.JSONField(default=list, blank=True)
    category = models.CharField(_("categorie"), max_length=16, choices=LabelChoice.choices)
    note = models.TextField(blank=True)
    marked_by = models.CharField(max_length=200)
    marked_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]


class ContactMark(models.Model):
    """One marking of a contact (the history: every category it had, who set it, when and why)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="marks")
    category = models.CharField(max_length=16, choices=LabelChoice.choices)
    marked_by = models.CharField(max_length=200)
    marked_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=500, blank=True)  # the file it came from, or "web"

    class Meta:
        ordering = ["marked_at", "id"]


class StandupSession(models.Model):
    """A weekly stand-up of an organisation's records managers: when, who attended, what they decided."""

    organisation = models.ForeignKey("archive.Organisation", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("datum"))
    attendees = models.JSONField(default=list, blank=True)  # user names
    opened_by = models.CharField(max_length=200)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class Decision(models.Model):
    """A reviewer's label for a conversation or for selected messages of one conversation.

    Business is final at once. Private or party waits for a second reviewer; once confirmed the
    exclusion runs (`review.exclusion.execute`) and the status is `excluded`. The ids stay as
    numbers after the conversation and messages are gone."""

    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        "archive.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation_ref = models.BigIntegerField()  # the conversation's id, kept after it is gone
    message_ids = models.JSONField(default=list, blank=True)  # empty: the whole conversation
    label = models.CharField(max_length=16, choices=LabelChoice.choices)
    reason = models.TextField()
    rules = models.JSONField(default=list, blank=True)  # [{rule, version, label, reason}] when decided
    status = models.CharField(max_length=32, choices=DecisionStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200)
    decided_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by_name = models.CharField(max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    standup = models.ForeignKey(
        StandupSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    result = models.JSONField(default=dict, blank=True)  # the exclusion's counts

    class Meta:
        ordering = ["-decided_at", "-id"]

    @property
    def scope(self) -> str:
        return "messages" if self.message_ids else "conversation"


class Proposal(models.Model):
    """A custodian's proposed label for their own conversation or messages; a reviewer decides."""

    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        "archive.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation_ref = models.BigIntegerField()
    message_ids = models.JSONField(default=list, blank=True)
    label = models.CharField(max_length=16, choices=LabelChoice.choices)
    reason = models.TextField(blank=True)
    proposed_by = models.CharField(max_length=200)
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["proposed_at", "id"]


class Tombstone(models.Model):
    """What remains of an excluded part: ids, period, count, label, rules, decision, both reviewers
    and time. No text, no title of a private conversation, no sender names."""

    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="tombstones")
    conversation_ref = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    scope = models.CharField(max_length=16)  # conversation | messages | ingest
    message_refs = models.JSONField(default=list, blank=True)  # ids of excluded messages in a business chat
    period_from = models.DateTimeField(null=True, blank=True)
    period_to = models.DateTimeField(null=True, blank=True)
    message_count = models.IntegerField()
    label = models.CharField(max_length=16, choices=LabelChoice.choices)
    rules = models.JSONField(default=list, blank=True)
    decided_by_name = models.CharField(max_length=200)
    confirmed_by_name = models.CharField(max_length=200)
    decided_at = models.DateTimeField()
    excluded_at = models.DateTimeField()
    delivery_id_at_ingest = models.BigIntegerField(null=True, blank=True)  # scope ingest: the delivery

    class Meta:
        ordering = ["-excluded_at", "-id"]


class ExcludedConversation(models.Model):
    """A conversation decided private or party: its identity (keyed hash of channel and key), so
    that later exports of it are excluded at ingest."""

    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    conversation_ref = models.BigIntegerField()
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["custodian", "fingerprint"], name="excluded_conversation_once")]


class ExcludedMessage(models.Model):
    """An excluded message of a business conversation: keyed hashes of its identity (match key, and
    the source's id where it has one), so that it never comes back at ingest. Never its content."""

    custodian = models.ForeignKey("archive.Custodian", on_delete=models.PROTECT, related_name="+")
    conversation_fingerprint = models.CharField(max_length=64, db_index=True)
    fingerprint = models.CharField(max_length=64)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["custodian", "conversation_fingerprint", "fingerprint"], name="excluded_message_once"
            )
        ]


class OriginalChange(models.Model):
    """An original that held excluded content: destroyed, or replaced by a derived original (the
    original without the excluded part). The original's SHA-256 and file name stay on the Delivery."""

    delivery = models.ForeignKey("archive.Delivery", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=OriginalChangeKind.choices)
    original_sha256 = models.CharField(max_length=64, db_index=True)
    original_size = models.BigIntegerField()
    derived_sha256 = models.CharField(max_length=64, blank=True)
    derived_size = models.BigIntegerField(null=True, blank=True)
    method = models.CharField(max_length=32, blank=True)  # whatsapp_text, whatsapp_zip, normalised
    removed_lines = models.JSONField(default=list, blank=True)  # [[first, last], ...] 1-based, inclusive
    removed_files = models.IntegerField(default=0)  # media files left out of a zip
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class SuggestionModelStore(models.Model):
    """The suggestion model trained on decisions (skops bytes, see core.rules.suggest)."""

    organisation = models.ForeignKey("archive.Organisation", on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField()
    decisions = models.IntegerField(default=0)
    trained_at = models.DateTimeField(auto_now=True)
    trained_by = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="suggestion_model_per_organisation")]
