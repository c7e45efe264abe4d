"""Crash safety and concurrency by constraint (issue 20), with real processes: a worker killed with
SIGKILL at several points of an ingest (fault injection, intake/faults.py) and two workers racing
for the same original and for one chat. On SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.scale.exports import export
from tests.scale.instance import Instance

MESSAGES = 60  # and the export's opening notice: 61 in the archive
MEDIA = 6  # every tenth message is a photo


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    built = Instance(tmp_path_factory.mktemp("instance"))
    yield built
    built.drop()


def _queue(instance: Instance, slug: str, *paths) -> None:
    instance.cli("ingest", "--queue", "--custodian", slug, *map(str, paths))


@pytest.mark.parametrize("point", ["claimed", "parsed", "media", "loading", "loaded"])
def test_a_worker_killed_during_an_ingest_leaves_nothing_half_written_and_the_delivery_is_retried(
    instance, tmp_path, point
):
    slug = f"crash-{point}"
    instance.add_custodian(slug)
    _queue(instance, slug, export(tmp_path, "WhatsApp Chat - Overleg.zip", MESSAGES, media_every=10))

    killed = instance.cli("worker", "--burst", fault=point, check=False)
    assert killed.returncode == -9, killed.stderr[-2000:]
    [(pk, status, attempts, sha256)] = instance.deliveries(slug)
    assert (status, attempts) == ("running", 1)
    assert instance.messages(slug) == 0  # the load is one transaction: all of it or nothing
    assert instance.sql("SELECT COUNT(*) FROM archive_coverage WHERE delivery_id = ?", pk) == [(0,)]
    assert instance.blob_kept(sha256)  # the original was kept before anything was parsed

    instance.cli("worker", "--burst")  # sees the dead worker's delivery, queues it again, runs it
    [(_, status, attempts, _)] = instance.deliveries(slug)
    assert (status, attempts) == ("ingested", 2)
    assert instance.messages(slug) == MESSAGES + 1


def test_a_worker_killed_after_the_commit_leaves_the_delivery_done(instance, tmp_path):
    instance.add_custodian("crash-committed")
    _queue(instance, "crash-committed", export(tmp_path, "WhatsApp Chat - Overleg.zip", MESSAGES, media_every=10))
    assert instance.cli("worker", "--burst", fault="committed", check=False).returncode == -9
    assert [row[1] for row in instance.deliveries("crash-committed")] == ["ingested"]
    instance.cli("worker", "--burst")
    assert [row[1:3] for row in instance.deliveries("crash-committed")] == [("ingested", 1)]
    assert instance.messages("crash-committed") == MESSAGES + 1


def test_a_delivery_that_keeps_killing_its_worker_fails_with_its_original_kept_and_gc_removes_its_media(
    instance, tmp_path
):
    slug = "crash-always"
    instance.add_custodian(slug)
    other_photos = dt.datetime(2026, 2, 1, 9, 0)  # media no other test's archive holds
    _queue(
        instance, slug, export(tmp_path, "WhatsApp Chat - Overleg.zip", MESSAGES, media_every=10, start=other_photos)
    )
    for attempt in (1, 2, 3):
        assert instance.cli("worker", "--burst", fault="media", check=False).returncode == -9
        assert instance.deliveries(slug)[0][1:3] == ("running", attempt)
    instance.cli("worker", "--burst")
    [(pk, status, attempts, sha256)] = instance.deliveries(slug)
    assert (status, attempts) == ("failed", 3)
    assert instance.sql("SELECT error_code FROM archive_delivery WHERE id = ?", pk) == [("ingest.interrupted",)]
    assert instance.messages(slug) == 0 and instance.blob_kept(sha256)

    unreferenced = instance.sql(
        "SELECT COUNT(*) FROM archive_blob b WHERE NOT EXISTS (SELECT 1 FROM archive_attachment a WHERE a.blob_id = b.sha256)"
        " AND NOT EXISTS (SELECT 1 FROM archive_delivery d WHERE d.original_id = b.sha256)"
    )[0][0]
    assert unreferenced == MEDIA  # the photos kept before the crash
    assert json.loads(instance.cli("gc", "--json").stdout)["removed"] == []  # younger than the grace period
    collected = json.loads(instance.cli("gc", "--grace-hours", "0", "--json").stdout)
    assert len(collected["removed"]) == MEDIA and sha256 not in collected["removed"]
    assert instance.blob_kept(sha256)
    assert instance.sql("SELECT COUNT(*) FROM archive_attachment WHERE blob_id IS NOT NULL")[0][0] > 0
    assert json.loads(instance.cli("gc", "--grace-hours", "0", "--json").stdout)["removed"] == []
    events = instance.sql("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'blobs.collected'")[0][0]
    assert events == 1


def test_two_workers_racing_end_with_one_copy_of_every_message(instance, tmp_path):
    """The same original twice, and two exports of one chat, handed to two workers at once (each
    pausing after parsing, so both loads meet): one delivery of the original `ingested`, the other
    `duplicate`; every message stored once."""
    instance.add_custodian("race-same")
    instance.add_custodian("race-chat")
    same = export(tmp_path / "same", "WhatsApp Chat - Overleg.txt", 200)
    _queue(instance, "race-same", same, same)
    shorter = export(tmp_path / "short", "WhatsApp Chat - Overleg.txt", 150)
    longer = export(tmp_path / "long", "WhatsApp Chat - Overleg.txt", 200)
    _queue(instance, "race-chat", shorter, longer)
    assert [row[1] for row in instance.deliveries("race-same")] == ["queued", "queued"]

    workers = [instance.start("worker", "--burst", fault="media:sleep=2") for _ in range(2)]
    for worker in workers:
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err[-3000:]

    assert sorted(row[1] for row in instance.deliveries("race-same")) == ["duplicate", "ingested"]
    assert instance.messages("race-same") == 201
    assert [row[1] for row in instance.deliveries("race-chat")] == ["ingested", "ingested"]
    assert instance.messages("race-chat") == 201
    duplicates = instance.sql(
        "SELECT COUNT(*) FROM (SELECT conversation_id, sender_key, digest, occurrence, sent_at_ms FROM archive_message"
        " GROUP BY conversation_id, sender_key, digest, occurrence, sent_at_ms HAVING COUNT(*) > 1) AS twice"
    )[0][0]
    assert duplicates == 0
