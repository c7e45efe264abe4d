"""What the archive holds: who, what was handed in, and every message ever seen (never overwritten)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)  # e.g. BZK, FIN, JENV
    name = models.CharField(_("naam"), max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class CustodianCategory(models.TextChoices):
    BEWINDSPERSOON = "bewindspersoon", _("Bewindspersoon")
    SLEUTELFUNCTIONARIS = "sleutelfunctionaris", _("Sleutelfunctionaris")


class Custodian(models.Model):
    """An official whose business chats are secured (the archive's 'custodian' of the records)."""

    slug = models.SlugField(_("kenmerk"), max_length=64, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    function = models.CharField(_("functie"), max_length=200, blank=True)
    category = models.CharField(
        _("categorie"), max_length=32, choices=CustodianCategory.choices, default=CustodianCategory.SLEUTELFUNCTIONARIS
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="custodians", null=True)
    phone_numbers = models.JSONField(_("zakelijke telefoonnummers"), default=list, blank=True)
    time_zone = models.CharField(_("tijdzone"), max_length=64, default="Europe/Amsterdam")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="custodian"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone_name(self) -> str:
        """The custodian's time zone, or the installation's when none is set."""
        return self.time_zone or settings.TIME_ZONE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)


class Blob(models.Model):
    """A content-addressed file in the blob store (originals and media). Write-once."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)


class BlobNameKey(models.Model):
    """The secret that names blobs in the store (one row, see services/blob_names.py), wrapped by a
    master key like a blob's data key: `key_id` says which."""

    key_id = models.CharField(max_length=255)
    wrapped = models.BinaryField()
    legacy_names = models.BooleanField(default=False)  # the store may still hold blobs under plain SHA-256 names
    created_at = models.DateTimeField(auto_now_add=True)


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Ontvangen")  # deliveries from before the queue (see QUEUED)
    QUEUED = "queued", _("In de wachtrij")  # kept, waiting for a worker
    RUNNING = "running", _("Wordt verwerkt")
    INGESTED = "ingested", _("Verwerkt")
    DUPLICATE = "duplicate", _("Dubbel aangeleverd")
    FAILED = "failed", _("Mislukt")


class Delivery(models.Model):
    """One file (or folder) handed in for a custodian: who, for whom, when, what, and what came of it."""

    custodian = models.ForeignKey(Custodian, on_delete=models.PROTECT, related_name="deliveries")
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    delivered_by_label = models.CharField(max_length=200, blank=True)  # "cli:root", "web:jan", "api:mdm"
    received_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(null=True, blank=True)  # the moment the custodian secured the chats
    exported_at_source = models.CharField(max_length=16, blank=True)  # given, newest_message, backup, received
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(default=0)
    # The original as handed in; None once an exclusion (review app) destroyed it or replaced it by
    # `derived_original` (the original without the excluded part). `sha256` and `file_name` stay.
    original = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    derived_original = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    error_message_en = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    defects = models.JSONField(default=list, blank=True)
    # The background ingest (intake/queue.py): what the worker needs, and who is working on it.
    requested_exported_at = models.DateTimeField(null=True, blank=True)  # as given at upload
    secret_blob = models.CharField(max_length=64, blank=True)  # passphrase kept encrypted until processed
    attempts = models.IntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)  # "host:pid" of the worker running it
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["custodian", "status", "exported_at"]),
            models.Index(fields=["status", "received_at"], name="delivery_queue"),
        ]
        constraints = [
            # the same original is ingested once per custodian; a second copy is a duplicate
            models.UniqueConstraint(
                fields=["custodian", "sha256"], condition=models.Q(status="ingested"), name="delivery_ingested_once"
            )
        ]


class PeriodicRun(models.Model):
    """One run of a periodic job (settings.PERIODIC_TASKS) on one day: the unique row makes sure two
    workers start it once."""

    name = models.CharField(max_length=100)
    day = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="periodic_run_once")]


class Conversation(models.Model):
    custodian = models.ForeignKey(Custodian, on_delete=models.PROTECT, related_name="conversations")
    channel = models.CharField(max_length=16)
    key = models.CharField(max_length=300)
    title = models.CharField(max_length=500)
    is_group = models.BooleanField(null=True)
    native_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["custodian", "channel", "key"], name="conversation_identity")]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    key = models.CharField(max_length=200)
    name = models.CharField(max_length=300)
    phone = models.CharField(max_length=64, blank=True)
    is_self = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "key"], name="participant_identity")]


class Coverage(models.Model):
    """The span of a conversation one delivery showed: the ground for 'missing' findings."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="coverage")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="coverage")
    exported_at = models.DateTimeField()
    first_ms = models.BigIntegerField()
    last_ms = models.BigIntegerField()
    message_count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "conversation"], name="coverage_once")]


class MessageState(models.TextChoices):
    CURRENT = "current", _("Aanwezig")
    DELETED = "deleted", _("Verwijderd")
    MISSING = "missing", _("Ontbreekt")


class Message(models.Model):
    """A message as archived: stored once, whatever number of exports showed it."""

    # indexed by message_timeline (conversation first); no separate FK indexes: bulk loads stay fast
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="messages", db_index=False)
    # identity (see core/identity.py)
    sender_key = models.CharField(max_length=200)
    digest = models.CharField(max_length=48)
    occurrence = models.IntegerField(default=0)
    native_id = models.CharField(max_length=200, null=True, blank=True)
    # content: the fullest ever seen
    sender_name = models.CharField(max_length=300, blank=True, default="", db_default="")  # "" = sender_key
    sent_at_ms = models.BigIntegerField()
    precision_ms = models.IntegerField(default=60_000)
    sent_at_raw = models.CharField(max_length=64, blank=True, default="", db_default="")  # "" = see source_line
    kind = models.CharField(max_length=16, default="text", db_default="text")
    body = models.TextField(null=True, blank=True)
    # Columns most messages leave at their database default (bulk inserts name only the others).
    event = models.CharField(max_length=32, blank=True, default="", db_default="")
    details = models.JSONField(null=True, blank=True)
    edited = models.BooleanField(default=False, db_default=False)
    outgoing = models.BooleanField(null=True)
    expires_in_ms = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=MessageState.choices, default=MessageState.CURRENT, db_default=MessageState.CURRENT
    )
    deleted_by = models.CharField(max_length=16, blank=True, default="", db_default="")
    sort_index = models.IntegerField(default=0)  # running order within the first export that showed it
    first_delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="+", db_index=False)
    first_seen_at = models.DateTimeField()
    # The evidence: the original file is kept byte for byte; this is the message's line in the
    # first delivery's original (0 where the source has no lines).
    source_line = models.IntegerField(default=0, db_default=0)

    class Meta:
        indexes = [
            models.Index(fields=["conversation", "sent_at_ms", "sort_index"], name="message_timeline"),
        ]

    @property
    def minute(self) -> int:
        """The identity key's minute (see core/identity.py)."""
        return self.sent_at_ms // 60_000


class MessageVersion(models.Model):
    """A form a message took in one export (original, tombstone, edit, revision). Only stored once a
    message has more than one form; a message with one form is its own single version."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="versions")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField()
    kind = models.CharField(max_length=16)
    body = models.TextField(null=True, blank=True)
    digest = models.CharField(max_length=48)
    edited = models.BooleanField(default=False)
    deleted_by = models.CharField(max_length=16, blank=True)
    revision = models.IntegerField(null=True, blank=True)  # position in the source's own edit history

    class Meta:
        ordering = ["exported_at", "id"]
        constraints = [models.UniqueConstraint(fields=["message", "digest", "kind"], name="version_once")]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    position = models.IntegerField(default=0)
    blob = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=500, blank=True)
    mime_type = models.CharField(max_length=200, blank=True)
    media_type = models.CharField(max_length=32, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    omitted = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]


class Absence(models.Model):
    """An archived message that a delivery covering its time did not show."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="absences")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "delivery"], name="absence_once")]
