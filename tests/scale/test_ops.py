"""Operations: health and readiness probes, Prometheus metrics (loopback open, else a bearer token),
JSON logs."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.test import Client

from chatarchief.archive.services import registry
from chatarchief.intake import queue
from chatarchief.web.logs import JsonFormatter
from tests.scale.exports import export

pytestmark = pytest.mark.django_db


def test_probes_answer_without_login():
    client = Client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "blob_store": "ok"}


def test_metrics_on_loopback_and_with_the_token_only(settings, tmp_path):
    registry.add_organisation("BZK", "Binnenlandse Zaken", actor="test")
    custodian = registry.add_custodian("minister-bzk", name="Minister", actor="test", organisation="BZK")
    registry.add_custodian("nooit", name="Nooit aangeleverd", actor="test", organisation="BZK")
    recent = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=2)
    queue.submit(export(tmp_path, "WhatsApp Chat - Overleg.txt", 10, start=recent), custodian, actor="test")
    body = Client().get("/metrics").content.decode()
    assert 'chatarchief_deliveries{status="ingested"} 1.0' in body
    assert "chatarchief_queue_length 0.0" in body and "chatarchief_failed_deliveries 0.0" in body
    assert "chatarchief_overdue_custodians 1.0" in body  # the one that never delivered
    assert "chatarchief_ingest_messages_per_second" in body

    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/metrics").status_code == 403  # no token configured: refused
    settings.METRICS_TOKEN = "s3cret-token"
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403  # proxied: not loopback


def test_json_logs_one_object_a_line():
    record = logging.makeLogRecord(
        {"name": "chatarchief.intake", "levelname": "WARNING", "msg": "delivery %s", "args": (7,)}
    )
    record.delivery = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "delivery 7" and line["level"] == "WARNING" and line["delivery"] == 7


def test_statistics_are_refreshed_after_a_big_load_only(django_assert_num_queries):
    from chatarchief.archive.services.load import ANALYZE_AFTER, refresh_statistics

    with django_assert_num_queries(0):
        assert refresh_statistics(ANALYZE_AFTER - 1) is False
    assert refresh_statistics(ANALYZE_AFTER) is True
