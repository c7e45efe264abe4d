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
