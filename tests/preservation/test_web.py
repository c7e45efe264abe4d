"""Preservation pages (issue 19): legal holds, destruction lists approved by a records manager and an
admin in the browser's forms, and the per-object audit trail section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.preservation import disposition, holds, retention
from chatarchief.preservation.models import DispositionList
from tests.review.helpers import custodian_with_reviewers, ingest_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path, django_user_model):
    custodian, manager, second_reviewer = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    admin = django_user_model.objects.create_user("carla-admin")
    grant(admin, Role.ADMIN, organisation=custodian.organisation)
    official = django_user_model.objects.create_user("eva-self")
    grant(official, Role.CUSTODIAN, custodian=custodian)
    return custodian, manager, admin, official


def test_the_holds_page_lists_holds_for_records_managers_only(world, client):
    custodian, manager, _, official = world
    holds.add(actor="test", custodian=custodian, reason="Woo-verzoek 2026-17")
    client.force_login(manager)
    page = client.get(reverse("hold_list")).content.decode()
    assert "Woo-verzoek 2026-17" in page and "Geldt" in page
    client.force_login(official)
    assert client.get(reverse("hold_list")).status_code == 403


def test_a_hold_is_added_and_lifted_on_the_page(world, client):
    custodian, manager, _, _ = world
    conversation = custodian.conversations.order_by("id").first()
    client.force_login(manager)
    bad = client.post(reverse("hold_add"), {"custodian": custodian.slug, "conversation": 999999, "reason": "x"})
    assert bad.status_code == 400 and "hoort niet bij deze functionaris" in bad.content.decode()
    response = client.post(
        reverse("hold_add"),
        {
            "custodian": custodian.slug,
            "conversation": conversation.pk,
            "period_from": "2025-01-01",
            "reason": "Zaak 12",
        },
    )
    assert response.status_code == 302
    (hold,) = holds.active()
    assert hold.conversation_id == conversation.pk and hold.period_from == dt.date(2025, 1, 1)
    assert f"Bewaarplicht {hold.pk} opheffen" in client.get(reverse("hold_list")).content.decode()
    assert client.post(reverse("hold_remove"), {"hold": hold.pk}).status_code == 302
    assert holds.active() == []


def test_a_destruction_list_is_approved_by_two_roles_on_the_page(world, client):
    custodian, manager, admin, _ = world
    retention.add_category(actor="test", code="2.1", description="Chats", action="vernietigen", period_years=1,
                           trigger="last_message", custodian_category="sleutelfunctionaris")  # fmt: skip
    record, _ = disposition.propose(actor="test", as_of=dt.date(2099, 1, 1))
    url = reverse("disposition_list")
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert f"Lijst {record.pk} goedkeuren" in page
    assert client.post(reverse("disposition_approve"), {"list": record.pk}).status_code == 302
    page = client.get(url).content.decode()
    assert f"Lijst {record.pk} goedkeuren" not in page  # not twice by the same person
    assert "Vernietigingslijst goedgekeurd" in page  # the list's own audit trail, in words
    assert "rol: Informatiebeheerder" in page and "status: Voorgesteld" in page
    client.force_login(admin)
    client.post(reverse("disposition_approve"), {"list": record.pk})
    record.refresh_from_db()
    assert record.status == "approved"
    assert (record.manager_approved_by, record.second_approved_by) == (manager.username, admin.username)
    assert DispositionList.objects.count() == 1


def test_the_audit_trail_section_of_an_object(world):
    custodian, *_ = world
    hold = holds.add(actor="cli:jan", custodian=custodian, reason="Rechtszaak")
    holds.remove(hold.pk, actor="cli:piet")
    html = Template("{% load preservation %}{% audit_trail hold %}").render(Context({"hold": hold}))
    assert "Juridische bewaarplicht opgelegd" in html and "Juridische bewaarplicht opgeheven" in html
    assert html.index("opgeheven") < html.index("opgelegd")  # newest first
    assert "jan (opdrachtregel)" in html
