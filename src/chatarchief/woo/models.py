"""A Woo request as a case: the request, its search record (zoekslag), its documents (one chat, one
day, all holders), their assessments and redactions. See docs/woo.md."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chatarchief.woo.constants import Decision, Grouping, RedactionKind, RequestStatus

DEADLINE_WEEKS = 4
EXTENSION_WEEKS = 2


class WooRequest(models.Model):
    reference = models.CharField(_("kenmerk"), max_length=100, unique=True)
    subject = models.TextField(_("onderwerp"))
    requester = models.CharField(_("verzoeker"), max_length=300, blank=True)  # personal data: coordinators only
    received = models.DateField(_("ontvangen op"))
    extended = models.BooleanField(_("verdaagd"), default=False)
    period_from = models.DateField(_("periode vanaf"))
    period_to = models.DateField(_("periode tot en met"))
    custodians = models.ManyToManyField("archive.Custodian", related_name="+", verbose_name=_("functionarissen"))
    coordinators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    grouping = models.CharField(max_length=16, choices=Grouping.choices, default=Grouping.DAY)
    four_eyes = models.BooleanField(_("vier ogen bij beoordeling"), default=False)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self) -> dt.date:
        """The legal deadline: four weeks after receipt, two more when extended (Woo art. 4.4)."""
        weeks = DEADLINE_WEEKS + (EXTENSION_WEEKS if self.extended else 0)
        return self.received + dt.timedelta(weeks=weeks)


class SearchRecord(models.Model):
    """One query run for the request (the zoekslag): kept and exported with the package."""

    request = models.ForeignKey(WooRequest, on_delete=models.CASCADE, related_name="searches")
    query = models.TextField()
    filters = models.JSONField(default=dict, blank=True)
    hits = models.IntegerField()
    documents = models.IntegerField(default=0)  # documents the hits fell in
    new_documents = models.IntegerField(default=0)
    run_by = models.CharField(max_length=200)
    run_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_at", "id"]


class Document(models.Model):
    """One document: a chat (the same chat of every holder) over one day (or week, or the period) in
    the first holder's time zone. Its messages are read from the archive when shown or exported."""

    request = models.ForeignKey(WooRequest, on_delete=models.CASCADE, related_name="documents")
    number = models.IntegerField()
    chat = models.CharField(max_length=64)  # the chat's key within the request (lowest conversation id)
    day = models.DateField(null=True, blank=True)  # first day of the document's span
    day_to = models.DateField(null=True, blank=True)  # last day (inclusive)
    title = models.CharField(max_length=500)
    conversation_ids = models.JSONField(default=list)  # every holder's conversation of this chat
    holders = models.JSONField(default=list)  # custodian slugs, in scope order
    time_zone = models.CharField(max_length=64)
    hit_message_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="woo_document_number"),
            models.UniqueConstraint(fields=["request", "chat", "day"], name="woo_document_once"),
        ]


class Assessment(models.Model):
    """A decision on a document; the latest one counts. With four eyes it needs a second person."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assessments")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    grounds = models.JSONField(default=list, blank=True)  # canonical codes, e.g. ["5.1.2e"]
    note = models.TextField(blank=True)
    assessor = models.CharField(max_length=200)
    assessed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.CharField(max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessed_at", "id"]


class Redaction(models.Model):
    """A part of a document blacked out, with its ground (only ever made by a person)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="redactions")
    kind = models.CharField(max_length=16, choices=RedactionKind.choices)
    ground = models.CharField(max_length=16)
    text = models.TextField(blank=True)  # phrase
    message = models.BigIntegerField(null=True, blank=True)  # span, message, media
    start = models.IntegerField(null=True, blank=True)
    end = models.IntegerField(null=True, blank=True)
    sender = models.CharField(max_length=200, blank=True)  # sender key
    attachment = models.IntegerField(null=True, blank=True)
    box = models.JSONField(null=True, blank=True)  # [x0, y0, x1, y1] or None: the whole attachment
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Export(models.Model):
    """A publication package written for the request."""

    request = models.ForeignKey(WooRequest, on_delete=models.CASCADE, related_name="exports")
    folder = models.CharField(max_length=1000)
    documents = models.IntegerField()
    pdfs = models.IntegerField()
    manifest_sha256 = models.CharField(max_length=64)
    exported_by = models.CharField(max_length=200)
    exported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-exported_at", "-id"]
