"""One status per custodian for the CLI, the web page and the API, and GET requests write nothing:
an open cadence gap is shown as of now without being written (issue 15, items 1 and 2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.api.accounts import add_service_account
from chatarchief.archive.models import Delivery
from chatarchief.archive.services import registry
from chatarchief.cli import main
from chatarchief.compliance.models import Finding
from chatarchief.compliance.services import refresh_cadence, status
from chatarchief.intake.pipeline import ingest
from tests.api.conftest import bearer
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db

CHAT = "02-01-2026 09:00 - Anna: Goedemorgen\n02-01-2026 09:01 - Anna: Dit bericht is verwijderd\n"


@pytest.fixture
def custodian(tmp_path: Path):
    """Secured 20 days ago (no gap then); since then 40 days passed (an open gap nobody wrote)."""
    registry.add_organisation("BZK", "BZK", actor="test")
    custodian = registry.add_custodian("anna", name="Anna", actor="test", organisation="BZK")
    path = tmp_path / "WhatsApp-chat met Anna.txt"
    path.write_text(CHAT, encoding="utf-8")
    ingest(path, custodian, actor="test", exported_at=timezone.now() - dt.timedelta(days=20))
    assert not Finding.objects.filter(type="delivery_overdue").exists()
    Delivery.objects.filter(custodian=custodian).update(exported_at=timezone.now() - dt.timedelta(days=40))
    return custodian


def _snapshot() -> list[tuple]:
    return list(Finding.objects.order_by("id").values_list("id", "type", "details", "delivery_id", "retracted_at"))


def test_status_shows_the_open_gap_as_of_now_without_writing(custodian):
    before = _snapshot()
    current = status(custodian)
    assert current.overdue is True
    gap = next(f for f in current.findings if f.type == "delivery_overdue")
    assert gap.pk is None and gap.details["to"] is None and gap.details["days"] == pytest.approx(40, abs=0.2)
    assert {f.type for f in current.findings} == {"message_deleted", "delivery_overdue"}
    assert _snapshot() == before


def test_the_custodian_page_and_the_api_write_nothing(custodian):
    before = _snapshot()
    reviewer = get_user_model().objects.create_user("lezer")
    grant(reviewer, Role.REVIEWER, organisation=custodian.organisation)
    web = Client()
    web.force_login(reviewer)
    pass_second_factor(web, reviewer)
    page = web.get(reverse("custodian", args=["anna"]))
    assert page.status_code == 200 and "Aanlevering te laat" in page.content.decode()

    token = add_service_account("mdm", "BZK", ["read_compliance"], actor="test")[1]
    body = Client().get("/api/v1/custodians/anna/compliance", **bearer(token)).json()
    assert body["overdue"] is True
    gap = next(f for f in body["open_findings"] if f["type"] == "delivery_overdue")
    assert gap["id"] is None and gap["details"]["to"] is None
    assert _snapshot() == before


def test_the_three_shells_show_the_same_findings(custodian, capsys):
    refresh_cadence(custodian)  # what the CLI does first (and a scheduled task): the open gap gets an id
    assert main(["findings", "--custodian", "anna"]) == 0
    cli = json.loads(capsys.readouterr().out)
    token = add_service_account("mdm", "BZK", ["read_compliance"], actor="test")[1]
    api = Client().get("/api/v1/custodians/anna/compliance", **bearer(token)).json()["open_findings"]
    stored = status(custodian).findings
    assert sorted(f["id"] for f in cli) == sorted(f["id"] for f in api) == sorted(f.pk for f in stored)
    assert all(f["id"] is not None for f in cli)
