"""Signal, SMS and Telegram into the same archive: same identity rules, findings and read-outs."""

from __future__ import annotations

from collections import Counter

import pytest

from chatarchief.archive.models import Blob, Message
from chatarchief.archive.services import readout, registry
from chatarchief.archive.services.ingest import ingest
from tests.paths import PEER, SHARED_CORPUS, SHARED_FIXTURES

pytestmark = [pytest.mark.django_db, SHARED_CORPUS]

V2 = SHARED_FIXTURES / "signal-v2" / "SignalBackups"
V2_KEY = "ISUB S8TL K9WT K5NS KTBN 71SG 1A8G 24RC T9I1 1E1M CBMY PMY2 NSAU KLNZ DKVH 6RT1"
ANDROID = SHARED_FIXTURES / "signal-android"
ANDROID_PASSPHRASE = "12345 12345 12345 12345 12345 12345"


@pytest.fixture
def custodian():
    return registry.add_custodian("test-gebruiker", name="Test Gebruiker", actor="test", organisation="BZK")


def _types(custodian) -> Counter:
    return Counter(f["type"] for f in readout.findings(custodian) if f["type"] != "delivery_overdue")


def test_signal_v2_week_later_flags_the_deletion_and_the_disappeared_message(custodian):
    first = ingest(V2 / "signal-backup-2024-11-08-10-00-00", custodian, actor="t", secret=V2_KEY)
    assert first.status == "ingested", first.as_dict()
    assert first.delivery.format == "signal_v2"
    assert first.counts["new"] == first.counts["messages"] == 25
    assert {c["title"] for c in first.conversations} == {"Bram de Boer", "Werkgroep Archief"}
    assert _types(custodian) == {
        "view_once": 1,
        "message_edited": 1,
        "disappearing_enabled": 1,
        "disappearing_disabled": 1,
    }

    second = ingest(V2 / "signal-backup-2024-11-15-10-00-00", custodian, actor="t", secret=V2_KEY)
    assert second.status == "ingested", second.as_dict()
    assert second.counts == {
        "messages": 24,
        "new": 0,
        "unchanged": 23,
        "enriched": 0,
        "deleted": 1,
        "edited": 0,
        "missing": 1,
    }
    messages = list(readout.iter_messages(custodian))
    assert len(messages) == 25
    deleted = next(m for m in messages if m["state"] == "deleted")
    assert deleted["body"] == "Ter info: de offerte van de verhuizer is € 12.400, nog niet doorsturen."
    assert [v["kind"] for v in deleted["versions"]] == ["text", "deleted"]
    missing = next(m for m in messages if m["state"] == "missing")
    assert missing["body"].startswith("Deze verdwijnt over een week")
    edited = next(m for m in messages if m["edited"])
    assert [v["body"] for v in edited["versions"]] == [
        "Eerste bijeenkomst: dinsdag 12 november om 10:00.",
        "Eerste bijeenkomst: woensdag 13 november om 10:00.",
        "Eerste bijeenkomst: woensdag 13 november om 11:00 in zaal 2.",
    ]
    photo = next(m for m in messages if m["attachments"])
    assert photo["attachments"][0]["sha256"] == "0b6c5c534d9103ccbec61c1cebd2127b447fcbaa471440eabce7b9d6ae13f650"
    assert Blob.objects.filter(sha256=photo["attachments"][0]["sha256"]).exists()
    found = {f["type"]: f["details"] for f in readout.findings(custodian)}
    assert found["message_deleted"] == {"by": "other", "content_preserved": True}
    assert "message_missing" in found


def test_signal_v2_wrong_key_fails_cleanly_then_the_right_key_works(custodian):
    wrong = ingest(V2 / "signal-backup-2024-11-08-10-00-00", custodian, actor="t", secret="a" * 64)
    assert wrong.status == "failed" and wrong.delivery.error_code == "signal_v2.bad_key"
    assert "a" * 64 not in wrong.delivery.error_message
    assert Message.objects.count() == 0
    right = ingest(V2 / "signal-backup-2024-11-08-10-00-00", custodian, actor="t", secret=V2_KEY)
    assert right.status == "ingested" and right.counts["new"] == 25


def test_signal_android_backup(custodian):
    outcome = ingest(ANDROID / "signal-2024-06-01-12-00-00.backup", custodian, actor="t", secret=ANDROID_PASSPHRASE)
    assert outcome.status == "ingested", outcome.as_dict()
    messages = list(readout.iter_messages(custodian))
    kinds = Counter(m["kind"] for m in messages)
    assert kinds["deleted"] == 1 and kinds["view_once"] == 1
    assert len(messages) == 7  # eight rows, the edited pair is one message
    edited = next(m for m in messages if m["edited"])
    assert len(edited["versions"]) == 2
    assert _types(custodian)["disappearing_enabled"] == 1
    assert _types(custodian)["message_deleted"] == 1


def test_signal_android_v0_and_v1_are_the_same_account(custodian):
    ingest(ANDROID / "signal-2019-01-01-12-00-00_v0.backup", custodian, actor="t", secret=ANDROID_PASSPHRASE)
    again = ingest(ANDROID / "signal-2024-06-01-12-00-00.backup", custodian, actor="t", secret=ANDROID_PASSPHRASE)
    assert again.status == "ingested"
    assert again.counts["new"] == 0


def test_signal_android_wrong_passphrase(custodian):
    outcome = ingest(ANDROID / "signal-2024-06-01-12-00-00.backup", custodian, actor="t", secret="1" * 30)
    assert outcome.status == "failed" and outcome.delivery.error_code == "signal.bad_passphrase"
    assert Message.objects.count() == 0


def test_signal_desktop_profile(custodian):
    outcome = ingest(PEER / "signal-export" / "tests" / "data", custodian, actor="t")
    assert outcome.status == "ingested", outcome.as_dict()
    assert outcome.delivery.format == "signal_desktop"
    messages = list(readout.iter_messages(custodian))
    assert len(messages) == 3
    shas = {a["sha256"] for m in messages for a in m["attachments"]}
    assert len(shas) == 2 and all(Blob.objects.filter(sha256=s).exists() for s in shas)


def test_sms_use_is_a_finding_once_per_conversation_per_delivery(custodian):
    path = PEER / "sms-backup-restore-parser" / "tests" / "fixtures" / "mixed.xml"
    first = ingest(path, custodian, actor="t")
    assert first.status == "ingested", first.as_dict()
    conversations = len(first.conversations)
    assert conversations >= 1
    assert _types(custodian)["sms_used"] == conversations
    assert ingest(path, custodian, actor="t").status == "duplicate"
    assert _types(custodian)["sms_used"] == conversations


def test_telegram_export(custodian):
    outcome = ingest(PEER / "chat-miner" / "test" / "telegram" / "test_single_export.json", custodian, actor="t")
    assert outcome.status == "ingested", outcome.as_dict()
    messages = list(readout.iter_messages(custodian))
    assert messages and {m["channel"] for m in messages} == {"telegram"}
    assert outcome.counts["new"] == len(messages)
