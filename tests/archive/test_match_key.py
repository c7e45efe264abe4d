"""The loader builds each archived message's match key in SQL; it must equal `identity.match_key`."""

from __future__ import annotations

import datetime as dt

import pytest

from chatarchief.archive.models import Blob, Conversation, Delivery, Message
from chatarchief.archive.services import registry
from chatarchief.archive.services.load import DatabaseArchive
from chatarchief.core.identity import SEPARATOR, match_key

CASES = [
    ("Anne de Vries", 1_700_000_012_345, "0123456789abcdef", 0),
    ("+31612345678", 1_700_000_059_999, "media?image", 3),
    (f"Bob{SEPARATOR}7", 1_700_000_060_000, "deleted", 1),  # a sender holding the separator
    ("Zoë 🙂", -1, "e2e_notice:", 0),  # before 1970: Python floors, so must the SQL
    ("", -60_001, "view_once", 12),
]


@pytest.mark.django_db
def test_the_database_builds_the_same_match_keys_as_python():
    custodian = registry.add_custodian("sleutel", name="Sleutel", actor="test")
    conversation = Conversation.objects.create(custodian=custodian, channel="whatsapp", key="k", title="K")
    blob = Blob.objects.create(sha256="0" * 64, size=0)
    delivery = Delivery.objects.create(custodian=custodian, file_name="x.txt", sha256="0" * 64, original=blob)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    made = {}
    for n, (sender, sent_at_ms, digest, occurrence) in enumerate(CASES):
        message = Message.objects.create(
            conversation=conversation,
            sender_key=sender,
            digest=digest,
            occurrence=occurrence,
            sent_at_ms=sent_at_ms,
            sort_index=n,
            first_delivery=delivery,
            first_seen_at=now,
        )
        made[message.pk] = match_key(sender, sent_at_ms // 60_000, digest, occurrence)
    archive = DatabaseArchive(conversation.pk, now, 60_000)
    assert {i: k for k, i in archive.keyed().items()} == made
    assert [(r.id, r.minute) for r in archive.refs()] == [(i, int(k.split(SEPARATOR)[0])) for i, k in made.items()]
