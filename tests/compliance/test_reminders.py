"""Reminders: N days before due and once overdue, to the custodian and whoever secures for them,
never twice for the same due date (a unique key in the database), logged, previewed (issue 17 item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Delivery, DeliveryStatus
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.compliance import reminders, tasks
from chatarchief.compliance.models import Agreement, Finding, ReminderSent
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def anna():
    custodian = registry.add_custodian("anna", name="Anna de Vries", actor="t", organisation="BZK")
    user = get_user_model().objects.create_user("anna", email="anna@example.org")
    custodian.user = user
    custodian.save()
    secretary = get_user_model().objects.create_user("piet", email="piet@example.org")
    grant(secretary, Role.OPERATOR, custodian=custodian)
    Agreement.objects.create(
        custodian=custodian, frequency="monthly", secured_by="secretary", secretary="piet",
        valid_from=dt.date(2025, 1, 1), recorded_by="t", recorded_at=dt.datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    Delivery.objects.create(
        custodian=custodian, file_name="x.zip", sha256="0" * 64, status=DeliveryStatus.INGESTED,
        exported_at=dt.datetime(2025, 3, 1, 10, tzinfo=UTC),
    )  # fmt: skip
    return custodian


def test_upcoming_then_overdue_never_twice(anna):
    before = dt.datetime(2025, 3, 20, 8, tzinfo=UTC)  # due 1 April: too early
    assert reminders.evaluate(before) == [] and not mail.outbox
    soon = dt.datetime(2025, 3, 27, 8, tzinfo=UTC)  # within 7 days
    sent = reminders.evaluate(soon)
    assert sorted((r.kind, r.role, r.recipient) for r in sent) == [
        ("upcoming", "custodian", "anna@example.org"),
        ("upcoming", "secretary", "piet@example.org"),
    ]
    assert len(mail.outbox) == 2 and "Anna de Vries" in mail.outbox[0].subject
    assert reminders.evaluate(soon + dt.timedelta(days=1)) == []  # the same due date: not again
    assert len(mail.outbox) == 2
    late = reminders.evaluate(dt.datetime(2025, 4, 3, 8, tzinfo=UTC))
    assert {r.kind for r in late} == {"overdue"} and len(mail.outbox) == 4
    assert reminders.evaluate(dt.datetime(2025, 4, 10, 8, tzinfo=UTC)) == []
    assert AuditEvent.objects.filter(action="reminder.sent").count() == 4


def test_the_database_refuses_a_second_row_for_the_same_key(anna):
    reminders.evaluate(dt.datetime(2025, 3, 27, 8, tzinfo=UTC))
    row = ReminderSent.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(
            key=row.key, custodian=anna, kind=row.kind, due_at=row.due_at, role=row.role, recipient="x", subject="x"
        )


def test_a_new_delivery_moves_the_due_date_and_gets_its_own_reminders(anna):
    reminders.evaluate(dt.datetime(2025, 3, 27, 8, tzinfo=UTC))
    Delivery.objects.create(
        custodian=anna, file_name="y.zip", sha256="1" * 64, status=DeliveryStatus.INGESTED,
        exported_at=dt.datetime(2025, 3, 28, 10, tzinfo=UTC),
    )  # fmt: skip
    assert reminders.evaluate(dt.datetime(2025, 4, 2, 8, tzinfo=UTC)) == []  # due 28 April now
    assert len(reminders.evaluate(dt.datetime(2025, 4, 23, 8, tzinfo=UTC))) == 2


def test_the_task_is_scheduled_daily_and_runs(anna):
    assert (
        settings.PERIODIC_TASKS["compliance.evaluate_reminders"]["task"]
        == "chatarchief.compliance.tasks.evaluate_reminders"
    )
    result = tasks.evaluate_reminders.enqueue()
    assert result.return_value == 2  # overdue now (due 1 April 2025), to Anna and Piet
    gaps = sorted(
        (f.details["from"][:10], f.details["to"] is None) for f in Finding.objects.filter(type="delivery_overdue")
    )
    assert gaps == [("2024-12-31", False), ("2025-03-01", True)]  # from the agreement's start; the open gap


def test_the_preview_shows_what_will_go_out(anna):
    reviewer = get_user_model().objects.create_user("lezer")
    grant(reviewer, Role.REVIEWER, organisation=anna.organisation)
    web = Client()
    web.force_login(reviewer)
    pass_second_factor(web, reviewer)
    page = web.get(reverse("reminders_preview")).content.decode()
    assert "piet@example.org" in page and "Anna de Vries" in page
    assert not ReminderSent.objects.exists() and not mail.outbox  # a preview sends nothing
