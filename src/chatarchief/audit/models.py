"""Append-only, hash-chained audit log: every user-facing action and every read of message content."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)  # set once by record._record: it is hashed
    actor = models.CharField(max_length=200)  # "web:jan", "cli:root", "api:mdm-bzk", "system"
    action = models.CharField(max_length=64, db_index=True)  # delivery.ingested, content.read, ...
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    custodian_slug = models.CharField(max_length=64, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
