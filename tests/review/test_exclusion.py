"""Acceptance (issue 16): after excluding a private chat and a private message in a business chat
and ingesting the next month's export, no excluded text, media file or original remains anywhere,
on SQLite and PostgreSQL; tombstones, derived originals and the audit trail remain; `messages` no
longer lists them; the scenario in another order gives the same archive."""

from __future__ import annotations

import io
import json
import logging
import zipfile

import pytest

from chatarchief.archive.models import Conversation, Delivery, Message
from chatarchief.archive.services import blobs
from chatarchief.archive.services.readout import iter_messages
from chatarchief.audit.log import verify
from chatarchief.audit.models import AuditEvent
from chatarchief.core.formats import whatsapp
from chatarchief.core.model import ParseOptions
from chatarchief.review.decisions import confirm, decide
from chatarchief.review.models import OriginalChange, Tombstone
from chatarchief.search import services as search
from tests.review import scenario
from tests.review.helpers import (
    custodian_with_reviewers,
    import_scenario_contacts,
    ingest_month,
    leaks_in_blobs,
    leaks_in_database,
)

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = (*scenario.TEXT_MARKERS, "PRIVEWENS")
BYTES = (*scenario.MEDIA_MARKERS, *(t.encode() for t in scenario.MARKERS))


def _conversation(custodian, title):
    return Conversation.objects.get(custodian=custodian, title=title)


def _exclude_both(custodian, first, second):
    spouse = _conversation(custodian, scenario.SPOUSE)
    colleague = _conversation(custodian, scenario.COLLEAGUE)
    private_ids = list(
        Message.objects.filter(conversation=colleague, body__in=[scenario.WISH, "taart"]).values_list("id", flat=True)
    )
    assert len(private_ids) == 2
    chat = decide(first, label="private", reason="Echtgenoot", actor="test:anna", conversation_id=spouse.pk)
    wish = decide(first, label="private", reason="Verjaardagswens", actor="test:anna", message_ids=private_ids)
    assert chat.status == wish.status == "awaiting_confirmation"
    results = [confirm(second, chat, actor="test:bram").as_dict(), confirm(second, wish, actor="test:bram").as_dict()]
    return chat, wish, results


def _archive_state(custodian):
    """What the archive holds, independent of ids and order of work."""
    rows = []
    for message in Message.objects.filter(conversation__custodian=custodian).select_related("conversation"):
        files = sorted((a.filename, a.blob_id or "") for a in message.attachments.all())
        rows.append(
            (
                message.conversation.title,
                message.sender_key,
                message.sent_at_ms,
                message.kind,
                message.body,
                tuple(files),
            )
        )
    return sorted(rows)


def test_exclusion_leaves_nothing_but_tombstones_derived_originals_and_audit(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    custodian, first, second = custodian_with_reviewers()
    import_scenario_contacts(custodian, tmp_path)
    january = ingest_month(custodian, tmp_path, 1)
    search.index_custodian(custodian.pk)
    assert search.search([custodian.pk], "PRIVEWENS").total == 1  # it was there

    chat, wish, results = _exclude_both(custodian, first, second)
    assert results[0] == {"excluded_messages": 4, "destroyed_originals": 1, "derived_originals": 0, "removed_media": 1}
    assert results[1] == {"excluded_messages": 2, "destroyed_originals": 0, "derived_originals": 1, "removed_media": 1}

    february = ingest_month(custodian, tmp_path, 2)
    by_title = {o.conversations[0]["title"] if o.conversations else scenario.SPOUSE: o for o in february}
    assert february[0].counts["excluded"] == 5 and february[0].conversations == []
    assert by_title[scenario.COLLEAGUE].counts["excluded"] == 2
    assert "excluded" not in by_title[scenario.STAFF].counts  # present only when there were some
    search.index_custodian(custodian.pk)

    # nothing excluded remains: any table (audit and search included), any blob (decrypted), the logs
    assert leaks_in_database(WORDS) == []
    assert leaks_in_blobs(BYTES) == []
    assert not [r for r in caplog.records if any(w.casefold() in r.getMessage().casefold() for w in WORDS)]
    assert search.search([custodian.pk], "PRIVEWENS OR PRIVETEKST OR kusjes").total == 0
    listed = json.dumps(list(iter_messages(custodian)), ensure_ascii=False)
    assert all(w not in listed for w in WORDS) and scenario.BUSINESS in listed

    # what remains: tombstones without text or names, derived originals that parse, the audit trail
    tombstones = list(Tombstone.objects.order_by("id"))
    assert [(t.scope, t.message_count, t.label) for t in tombstones] == [
        ("conversation", 4, "private"),
        ("messages", 2, "private"),
    ]
    assert all(t.decided_by_name == "anna-eva" and t.confirmed_by_name == "bram-eva" for t in tombstones)
    named = {table for table, _ in leaks_in_database(("Mark ❤", "Mark \u2764"))}
    # the contact itself, and the file name a delivery (and its audit events) keep; no conversation, no message
    assert {"review_contact", "archive_delivery"} <= named <= {"review_contact", "archive_delivery", "audit_auditevent"}
    changes = {c.delivery_id: c for c in OriginalChange.objects.all()}
    destroyed = [c for c in changes.values() if c.kind == "destroyed"]
    derived = [c for c in changes.values() if c.kind == "derived"]
    assert len(destroyed) == 2 and len(derived) == 2  # January and February, each at exclusion or ingest
    for change in derived:
        delivery = Delivery.objects.get(pk=change.delivery_id)
        assert delivery.original_id is None and delivery.derived_original_id == change.derived_sha256
        assert change.original_sha256 == delivery.sha256 and change.removed_lines and change.removed_files == 1
        data = blobs.read_verified(change.derived_sha256)
        path = tmp_path / f"derived-{delivery.pk}.zip"
        path.write_bytes(data)
        parsed = whatsapp.parse(str(path), ParseOptions(time_zone="Europe/Amsterdam"))
        bodies = [m.body for m in parsed.conversations[0].messages]
        assert scenario.BUSINESS in bodies and scenario.WISH not in bodies
        assert "IMG-20250114-WA0003.jpg" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
    for change in destroyed:
        delivery = Delivery.objects.get(pk=change.delivery_id)
        assert delivery.original_id is None and delivery.derived_original_id is None
        assert delivery.sha256 == change.original_sha256 and delivery.file_name.startswith("WhatsApp")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("review.exclusion_executed") == 2 and actions.count("review.excluded_at_ingest") == 2
    assert verify()[0]
    assert january  # January's receipts were stored before the exclusion


def test_the_scenario_in_another_order_gives_the_same_archive(tmp_path):
    one, a1, a2 = custodian_with_reviewers("AAA", "eva-a")
    import_scenario_contacts(one, tmp_path / "a")
    ingest_month(one, tmp_path / "a", 1)
    _exclude_both(one, a1, a2)
    ingest_month(one, tmp_path / "a", 2)

    two, b1, b2 = custodian_with_reviewers("BBB", "eva-b")
    import_scenario_contacts(two, tmp_path / "b")
    ingest_month(two, tmp_path / "b", 2)  # February first, then January, then the decisions
    ingest_month(two, tmp_path / "b", 1)
    _exclude_both(two, b1, b2)

    assert _archive_state(one) == _archive_state(two)
    assert len(_archive_state(one)) == 10  # 2 + 3 + 3 business messages and two E2E notices
    assert leaks_in_database(WORDS) == []
    assert leaks_in_blobs(BYTES) == []
