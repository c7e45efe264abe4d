"""Planner statistics stay current without autovacuum (CI's PostgreSQL runs with it off): the
worker's housekeeping analyses a statistics table once enough of it changed (`load.analyze_stale`)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from chatarchief.archive.services import registry
from chatarchief.archive.services.load import STATISTICS_TABLES, analyze_stale
from chatarchief.intake.pipeline import ingest
from chatarchief.intake.worker import housekeeping
from tests.scale.exports import export


def _changed(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.django_db(transaction=True)
def test_stale_statistics_are_refreshed_once_enough_rows_changed(tmp_path):
    custodian = registry.add_custodian("statistiek", name="Statistiek", actor="test")
    outcome = ingest(export(tmp_path, "WhatsApp-chat met Overleg.txt", 120), custodian, actor="test")
    assert outcome.status == "ingested"
    if connection.vendor != "postgresql":
        assert analyze_stale(min_rows=1, fraction=0.0) == []  # SQLite: PRAGMA optimize after big loads
        return
    # below the thresholds nothing is analysed: 120 new messages are not 50,000
    assert "archive_message" not in analyze_stale()
    deadline = time.monotonic() + 10  # the load's counts reach pg_stat within a second or so
    while _changed("archive_message") < 120 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _changed("archive_message") >= 120
    analysed = analyze_stale(min_rows=100, fraction=0.05)
    assert "archive_message" in analysed
    assert set(analysed) <= set(STATISTICS_TABLES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'archive_message'")
        assert cursor.fetchone()[0]
    deadline = time.monotonic() + 10
    while _changed("archive_message") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "archive_message" not in analyze_stale(min_rows=100, fraction=0.05)  # fresh now
    housekeeping()  # the worker's loop calls it every 30 s; it must run cleanly with nothing stale


@pytest.mark.django_db(transaction=True)
def test_dead_word_counts_are_vacuumed_once_they_pile_up(tmp_path):
    """Every indexing run rewrites its custodian's word counts (`search_termcount`, upserts): with
    autovacuum off the dead row versions pile up. Housekeeping vacuums the table once they exceed the
    thresholds (`load.vacuum_stale`), never inside a transaction, and not when there is nothing to do."""
    from django.db import transaction

    from chatarchief.archive.services.load import VACUUM_TABLES, vacuum_stale
    from chatarchief.search import services

    custodian = registry.add_custodian("woorden", name="Woorden", actor="test")
    outcome = ingest(export(tmp_path, "WhatsApp-chat met Woorden.txt", 200), custodian, actor="test")
    assert outcome.status == "ingested"
    if connection.vendor != "postgresql":
        assert vacuum_stale(min_rows=0, fraction=0.0) == []  # SQLite's FTS5 keeps no such table
        return
    for _ in range(3):  # re-indexing the custodian rewrites each of its word counts
        services.remove_conversation(outcome.delivery.coverage.first().conversation_id)
        services.index_custodian(custodian.pk)

    def dead() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'search_termcount'")
            return int(cursor.fetchone()[0])

    deadline = time.monotonic() + 10
    while dead() < 100 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert dead() >= 100
    assert vacuum_stale() == []  # far below the default thresholds
    with transaction.atomic():
        assert vacuum_stale(min_rows=1, fraction=0.0) == []  # VACUUM cannot run in a transaction
    assert vacuum_stale(min_rows=1, fraction=0.0) == list(VACUUM_TABLES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'search_termcount'")
        assert cursor.fetchone()[0]
