"""Signal, SMS and Telegram into the same archive: same identity rules, findings and read-outs."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from chatarchief.archive.models import Blob, Message
from chatarchief.archive.services import readout, registry
from chatarchief.compliance import readout as compliance_readout
from chatarchief.compliance.services import status
from chatarchief.intake.pipeline import ingest
from tests.paths import PEER, SHARED_CORPUS, SHARED_FIXTURES

pytestmark = pytest.mark.django_db

V2 = SHARED_FIXTURES / "signal-v2" / "SignalBackups"
V2_KEY = "ISUB S8TL K9WT K5NS KTBN 71SG 1A8G 24RC T9I1 1E1M CBMY PMY2 NSAU KLNZ DKVH 6RT1"
ANDROID = SHARED_FIXTURES / "signal-android"
ANDROID_PASSPHRASE = "12345 12345 12345 12345 12345 12345"


@pytest.fixture
def custodian():
    return registry.add_custodian("test-gebruiker", name="Test Gebruiker", actor="test", organisation="BZK")


def _types(custodian) -> Counter:
    return Counter(f["type"] for f in compliance_readout.findings(status(custodian)) if f["type"] != "delivery_overdue")


@SHARED_CORPUS
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
    found = {f["type"]: f["details"] for f in compliance_readout.findings(status(custodian))}
    assert found["message_deleted"]["by"] == "other" and found["message_deleted"]["content_preserved"] is True
    assert "message_missing" in found


@SHARED_CORPUS
def test_signal_v2_wrong_key_fails_cleanly_then_the_right_key_works(custodian):
    wrong = ingest(V2 / "signal-backup-2024-11-08-10-00-00", custodian, actor="t", secret="a" * 64)
    assert wrong.status == "failed" and wrong.delivery.error_code == "signal_v2.bad_key"
    assert "a" * 64 not in wrong.delivery.error_message
    assert Message.objects.count() == 0
    right = ingest(V2 / "signal-backup-2024-11-08-10-00-00", custodian, actor="t", secret=V2_KEY)
    assert right.status == "ingested" and right.counts["new"] == 25


@SHARED_CORPUS
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


@SHARED_CORPUS
def test_signal_android_v0_and_v1_are_the_same_account(custodian):
    ingest(ANDROID / "signal-2019-01-01-12-00-00_v0.backup", custodian, actor="t", secret=ANDROID_PASSPHRASE)
    again = ingest(ANDROID / "signal-2024-06-01-12-00-00.backup", custodian, actor="t", secret=ANDROID_PASSPHRASE)
    assert again.status == "ingested"
    assert again.counts["new"] == 0


@SHARED_CORPUS
def test_signal_android_wrong_passphrase(custodian):
    outcome = ingest(ANDROID / "signal-2024-06-01-12-00-00.backup", custodian, actor="t", secret="1" * 30)
    assert outcome.status == "failed" and outcome.delivery.error_code == "signal.bad_passphrase"
    assert Message.objects.count() == 0


@SHARED_CORPUS
def test_signal_desktop_profile(custodian):
    outcome = ingest(PEER / "signal-export" / "tests" / "data", custodian, actor="t")
    assert outcome.status == "ingested", outcome.as_dict()
    assert outcome.delivery.format == "signal_desktop"
    messages = list(readout.iter_messages(custodian))
    assert len(messages) == 3
    shas = {a["sha256"] for m in messages for a in m["attachments"]}
    assert len(shas) == 2 and all(Blob.objects.filter(sha256=s).exists() for s in shas)


@SHARED_CORPUS
def test_sms_use_is_a_finding_once_per_conversation_per_delivery(custodian):
    path = PEER / "sms-backup-restore-parser" / "tests" / "fixtures" / "mixed.xml"
    first = ingest(path, custodian, actor="t")
    assert first.status == "ingested", first.as_dict()
    conversations = len(first.conversations)
    assert conversations >= 1
    assert _types(custodian)["sms_used"] == conversations
    assert ingest(path, custodian, actor="t").status == "duplicate"
    assert _types(custodian)["sms_used"] == conversations


@SHARED_CORPUS
def test_telegram_export(custodian):
    outcome = ingest(PEER / "chat-miner" / "test" / "telegram" / "test_single_export.json", custodian, actor="t")
    assert outcome.status == "ingested", outcome.as_dict()
    messages = list(readout.iter_messages(custodian))
    assert messages and {m["channel"] for m in messages} == {"telegram"}
    assert outcome.counts["new"] == len(messages)


# --- the same journeys on generated input (a clone without ../shared runs these) ----------------------


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    from tests.generators.signal_v2_backup import write_week

    return write_week(tmp_path_factory.mktemp("v2") / "SignalBackups")


def test_generated_signal_v2_week_later_flags_the_deletion_and_the_disappeared_message(custodian, week):
    from tests.generators import signal_v2_backup as gen

    first = ingest(week / gen.SNAPSHOT_A, custodian, actor="t", secret=gen.RECOVERY_KEY)
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
    second = ingest(week / gen.SNAPSHOT_B, custodian, actor="t", secret=gen.RECOVERY_KEY)
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
    assert deleted["body"] == gen.DELETED_TEXT and [v["kind"] for v in deleted["versions"]] == ["text", "deleted"]
    missing = next(m for m in messages if m["state"] == "missing")
    assert missing["body"] == gen.EXPIRING_TEXT
    edited = next(m for m in messages if m["edited"])
    assert [v["body"] for v in edited["versions"]] == [text for _sent, text in gen.EDIT_REVISIONS] + [gen.EDITED_TEXT]
    photo = next(m for m in messages if m["attachments"])
    sha = photo["attachments"][0]["sha256"]
    assert sha == hashlib.sha256(gen.PHOTO.data).hexdigest() and Blob.objects.filter(sha256=sha).exists()
    found = {f["type"]: f["details"] for f in compliance_readout.findings(status(custodian))}
    assert found["message_deleted"]["by"] == "other" and found["message_deleted"]["content_preserved"] is True
    assert "message_missing" in found


def test_generated_signal_v2_wrong_key_fails_cleanly_then_the_right_key_works(custodian, week):
    from tests.generators import signal_v2_backup as gen

    wrong = ingest(week / gen.SNAPSHOT_A, custodian, actor="t", secret="a" * 64)
    assert wrong.status == "failed" and wrong.delivery.error_code == "signal_v2.bad_key"
    assert "a" * 64 not in wrong.delivery.error_message and Message.objects.count() == 0
    right = ingest(week / gen.SNAPSHOT_A, custodian, actor="t", secret=gen.RECOVERY_KEY)
    assert right.status == "ingested" and right.counts["new"] == 25


def test_generated_signal_android_backup(custodian, tmp_path):
    from tests.generators.signal_android import PASSPHRASE, write_small_backup

    path = write_small_backup(tmp_path / "signal-2024-06-01-12-00-00.backup")
    outcome = ingest(path, custodian, actor="t", secret=PASSPHRASE)
    assert outcome.status == "ingested", outcome.as_dict()
    messages = list(readout.iter_messages(custodian))
    kinds = Counter(m["kind"] for m in messages)
    assert kinds["deleted"] == 1 and kinds["view_once"] == 1
    assert len(messages) == 7  # eight rows, the edited pair is one message
    assert len(next(m for m in messages if m["edited"])["versions"]) == 2
    assert _types(custodian)["disappearing_enabled"] == 1
    assert _types(custodian)["message_deleted"] == 1


def test_generated_signal_android_v0_and_v1_are_the_same_account(custodian, tmp_path):
    from tests.generators.signal_android import PASSPHRASE, write_small_backup

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old = write_small_backup(tmp_path / "a" / "signal-2019-01-01-12-00-00.backup", version=0)
    new = write_small_backup(tmp_path / "b" / "signal-2024-06-01-12-00-00.backup", version=1, seed=9)
    assert ingest(old, custodian, actor="t", secret=PASSPHRASE).status == "ingested"
    again = ingest(new, custodian, actor="t", secret=PASSPHRASE)
    assert again.status == "ingested" and again.counts["new"] == 0


def test_generated_signal_android_wrong_passphrase(custodian, tmp_path):
    from tests.generators.signal_android import write_small_backup

    path = write_small_backup(tmp_path / "signal-2024-06-01-12-00-00.backup")
    outcome = ingest(path, custodian, actor="t", secret="1" * 30)
    assert outcome.status == "failed" and outcome.delivery.error_code == "signal.bad_passphrase"
    assert Message.objects.count() == 0


def test_generated_signal_desktop_profile(custodian, tmp_path):
    from tests.generators.signal_desktop_profile import write_phone_only_profile

    outcome = ingest(write_phone_only_profile(tmp_path / "Signal"), custodian, actor="t")
    assert outcome.status == "ingested", outcome.as_dict()
    assert outcome.delivery.format == "signal_desktop"
    messages = list(readout.iter_messages(custodian))
    assert len(messages) == 3
    shas = {a["sha256"] for m in messages for a in m["attachments"]}
    assert len(shas) == 2 and all(Blob.objects.filter(sha256=s).exists() for s in shas)


def test_generated_sms_use_is_a_finding_once_per_conversation_per_delivery(custodian, tmp_path):
    from tests.generators.sms import mms, sms, write_smses

    text = {"seq": "0", "ct": "text/plain", "text": "Een MMS."}
    path = write_smses(
        tmp_path / "sms-20240601.xml",
        [
            sms("+15551234567", 1700000000000, "Hoe gaat het?"),
            mms("+15551234567", 1700000060000, parts=[text]),
            sms("+15551234567", 1700000120000, "Goed!", kind=2),
            sms("+15559990001", 1700000180000, "Concept", kind=3),
        ],
    )
    first = ingest(path, custodian, actor="t")
    assert first.status == "ingested", first.as_dict()
    conversations = len(first.conversations)
    assert conversations == 2
    assert _types(custodian)["sms_used"] == conversations
    assert ingest(path, custodian, actor="t").status == "duplicate"
    assert _types(custodian)["sms_used"] == conversations


def test_generated_telegram_export(custodian, tmp_path):
    from tests.generators.telegram import minimal_export, write_json

    outcome = ingest(write_json(tmp_path / "result.json", minimal_export()), custodian, actor="t")
    assert outcome.status == "ingested", outcome.as_dict()
    messages = list(readout.iter_messages(custodian))
    assert messages and {m["channel"] for m in messages} == {"telegram"}
    assert outcome.counts["new"] == len(messages) == 2
