"""The conversation calendars (archive.services.timeline) live in the shared `calendars` cache (a table
of the archive's database when there is no Redis): the ingest that changes a conversation builds its
calendar, so the first page view after a delivery does not; `forget` (an exclusion) makes it stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chatarchief.archive.models import Conversation
from chatarchief.archive.services import registry, timeline
from chatarchief.intake.pipeline import ingest
from tests.generators.whatsapp import Spec, write_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = timeline._build
    monkeypatch.setattr(timeline, "_build", lambda pk, zone: calls.append(pk) or real(pk, zone))
    return calls


def test_an_ingest_builds_the_calendar_in_the_shared_store_and_forget_makes_it_stale(tmp_path: Path, built) -> None:
    custodian = registry.add_custodian("kal", name="Functionaris Kal", actor="test", organisation="KAL")
    at = dt.datetime(2026, 1, 5, 9, 0)
    specs = [Spec("Anna", at + dt.timedelta(days=d, minutes=m), f"bericht {d}-{m}") for d in range(3) for m in range(4)]
    assert (
        ingest(write_export(tmp_path / "WhatsApp-chat met Anna.txt", specs), custodian, actor="test").status
        == "ingested"
    )
    assert len(built) == 1  # by the ingest
    conversation = Conversation.objects.get(custodian=custodian)
    timeline._recent.clear()  # another process: only the shared store
    assert timeline.calendar(conversation, custodian.zone).total == 12 + 1  # and the opening notice
    assert len(built) == 1  # the first view after the delivery read it
    timeline.forget([conversation.pk])
    assert timeline.calendar(conversation, custodian.zone).total == 13
    assert len(built) == 2  # rebuilt after forget


def test_a_later_delivery_replaces_the_conversations_calendar_in_the_store(tmp_path: Path) -> None:
    """One calendar a conversation in the store: the next delivery's calendar replaces the previous one."""
    from django.core.cache import caches

    store = caches["calendars"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    custodian = registry.add_custodian("kal2", name="Functionaris Kal", actor="test", organisation="KAL")
    at = dt.datetime(2026, 1, 5, 9, 0)
    first = [Spec("Anna", at + dt.timedelta(minutes=m), f"bericht {m}") for m in range(5)]
    later = first + [Spec("Anna", at + dt.timedelta(days=1, minutes=m), f"later {m}") for m in range(3)]
    assert (
        ingest(write_export(tmp_path / "a" / "WhatsApp-chat met Anna.txt", first), custodian, actor="t").status
        == "ingested"
    )
    conversation = Conversation.objects.get(custodian=custodian)
    pointer = f"ca-calendar-latest-{conversation.pk}-{custodian.zone.key.replace('/', '.')}"
    old_key = store.get(pointer)
    assert old_key and store.get(old_key)[1] == 6
    assert (
        ingest(write_export(tmp_path / "b" / "WhatsApp-chat met Anna.txt", later), custodian, actor="t").status
        == "ingested"
    )
    new_key = store.get(pointer)
    assert new_key != old_key and store.get(new_key)[1] == 9 and store.get(old_key) is None


def test_the_ingest_stores_the_conversations_count_from_its_calendar(tmp_path: Path) -> None:
    """The custodian page's message counts come from the calendars the ingest built (their totals),
    not from a second count of the conversation's messages; they are the counts all the same."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chatarchief.archive.models import Delivery, Message

    custodian = registry.add_custodian("kal3", name="Functionaris Kal", actor="test", organisation="KAL")
    at = dt.datetime(2026, 2, 2, 9, 0)
    specs = [Spec("Anna", at + dt.timedelta(days=d % 3, minutes=d), f"bericht {d}") for d in range(7)]
    outcome = ingest(write_export(tmp_path / "WhatsApp-chat met Anna.txt", specs), custodian, actor="t")
    conversation = Conversation.objects.get(custodian=custodian)
    actual = Message.objects.filter(conversation=conversation).count()
    caches["calendars"].clear()
    timeline._recent.clear()
    with CaptureQueriesContext(connection) as queries:
        timeline.warm_delivery(Delivery.objects.get(pk=outcome.delivery.pk).pk)
    assert not any('COUNT("archive_message"' in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        assert timeline.message_counts({conversation.pk: conversation.created_at}) == {conversation.pk: actual}
    assert not any('COUNT("archive_message"' in q["sql"] for q in queries.captured_queries)  # stored
