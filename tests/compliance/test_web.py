"""The compliance pages: dashboard -> custodian -> findings -> a finding marked explained; bulk steps;
auditors see the dashboard and findings but take no step and read no message content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.compliance.models import Finding
from chatarchief.intake.pipeline import ingest
from tests.generators.whatsapp import Spec, write_export
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db
SECRET = "Geheime inhoud die nooit op een nalevingspagina mag staan"


@pytest.fixture
def anna(tmp_path: Path):
    custodian = registry.add_custodian("anna", name="Anna de Vries", actor="test", organisation="BZK")
    t = dt.datetime(2026, 1, 5, 9, 0)
    specs = [
        Spec("Anna de Vries", t, SECRET),
        Spec("Bram", t + dt.timedelta(minutes=1), "Prima"),
        Spec("Anna de Vries", t + dt.timedelta(minutes=2), kind="deleted_self"),
        Spec("Bram", t + dt.timedelta(minutes=3), kind="deleted"),
    ]
    path = write_export(tmp_path / "WhatsApp-chat met Team.txt", specs, platform="android", locale="nl")
    assert ingest(path, custodian, actor="test", exported_at=timezone.now() - dt.timedelta(days=3)).status == "ingested"
    return custodian


def _client(role: str, organisation) -> tuple[Client, object]:
    user = get_user_model().objects.create_user(f"u-{role}")
    grant(user, role, organisation=organisation)
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client, user


def test_drill_down_to_a_finding_and_explain_it(anna):
    web, _ = _client(Role.REVIEWER, anna.organisation)
    page = web.get(reverse("compliance_dashboard")).content.decode()
    assert "Anna de Vries" in page and "<svg" in page and "Rood" in page  # an own deletion: red
    custodian_page = web.get(reverse("compliance_custodian", args=["anna"])).content.decode()
    assert "Bericht verwijderd" in custodian_page and reverse("custodian", args=["anna"]) in custodian_page
    listed = web.get(reverse("findings"), {"custodian": "anna", "type": "message_deleted", "by": "custodian"})
    rows = listed.context["rows"]
    assert [r["by"] for r in rows] == ["De functionaris zelf"]
    own = Finding.objects.get(custodian=anna, type="message_deleted", details__by="custodian")
    detail = web.get(reverse("finding", args=[own.pk])).content.decode()
    assert "De functionaris zelf" in detail and SECRET not in detail
    answer = web.post(reverse("finding", args=[own.pk]), {"target": "explained", "note": "Dubbel verstuurd"})
    assert answer.status_code == 302
    own.refresh_from_db()
    assert (own.status, own.status_note, own.status_by) == ("explained", "Dubbel verstuurd", "web:u-reviewer")
    assert AuditEvent.objects.filter(action="finding.stepped", actor="web:u-reviewer").exists()
    assert "Toegelicht" in web.get(reverse("finding", args=[own.pk])).content.decode()
    light = web.get(reverse("compliance_custodian", args=["anna"])).context["row"]["light"]
    assert light == "orange"  # Bram's deletion is still open: by others


def test_bulk_step_names_every_refusal(anna):
    web, _ = _client(Role.REVIEWER, anna.organisation)
    ids = list(Finding.objects.filter(custodian=anna, type="message_deleted").values_list("pk", flat=True))
    answer = web.post(
        reverse("findings_bulk"), {"ids": [*map(str, ids), "999999"], "target": "explained", "note": "Besproken"}
    )
    assert answer.status_code == 302
    assert set(Finding.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"explained"}
    shown = [str(m) for m in web.get(reverse("findings")).context["messages"]]
    assert any("999999" in m for m in shown) and any("2 bevinding" in m for m in shown)


def test_auditor_sees_but_takes_no_step_and_reads_no_content(anna):
    web, _ = _client(Role.AUDITOR, anna.organisation)
    finding = Finding.objects.filter(custodian=anna, type="message_deleted").first()
    for url in (
        reverse("compliance_dashboard"),
        reverse("compliance_custodian", args=["anna"]),
        reverse("findings"),
        reverse("finding", args=[finding.pk]),
    ):
        page = web.get(url)
        assert page.status_code == 200, url
        assert SECRET not in page.content.decode()
    assert web.get(reverse("finding", args=[finding.pk])).context["form"] is None
    assert web.post(reverse("finding", args=[finding.pk]), {"target": "explained", "note": "x"}).status_code == 403
    web.post(reverse("findings_bulk"), {"ids": [finding.pk], "target": "explained", "note": "x"})
    finding.refresh_from_db()
    assert finding.status == "open"


def test_findings_filters_and_pagination(anna):
    web, _ = _client(Role.ADMIN, anna.organisation)
    for n in range(60):
        Finding.objects.create(custodian=anna, type="view_once", subject=f"extra:{n}", details={"by": "other"})
    first = web.get(reverse("findings"), {"type": "view_once"})
    assert first.context["total"] == 60 and len(first.context["rows"]) == 50
    assert len(web.get(reverse("findings"), {"type": "view_once", "page": 2}).context["rows"]) == 10
    assert web.get(reverse("findings"), {"custodian": "niemand"}).context["total"] == 0
    assert web.get(reverse("findings"), {"organisation": "BZK", "by": "other"}).context["total"] == 61
    assert web.get(reverse("findings"), {"status": "explained"}).context["total"] == 0


def test_the_report_page_downloads_the_report(anna):
    web, _ = _client(Role.AUDITOR, anna.organisation)
    assert web.get(reverse("compliance_report")).status_code == 200
    answer = web.get(
        reverse("compliance_report"),
        {"organisation": "BZK", "start": "2026-01-01", "end": "2026-12-31", "output_format": "csv"},
    )
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    text = answer.content.decode()
    assert "anna" in text and SECRET not in text


def test_the_dashboard_shows_the_last_fixity_check(anna):
    """The preservation app's last fixity run on the dashboard: not yet run, then intact, then a
    missing blob named with a link to its findings."""
    from chatarchief.archive.models import Delivery
    from chatarchief.archive.services import blobs
    from chatarchief.preservation import services as preservation

    web, _ = _client(Role.AUDITOR, anna.organisation)
    assert "nog niet uitgevoerd" in web.get(reverse("compliance_dashboard")).content.decode()
    run = preservation.verify(actor="test")
    page = " ".join(web.get(reverse("compliance_dashboard")).content.decode().split())
    assert f"{run.checked} bestand" in page and "alle ongeschonden" in page
    assert blobs.store().remove(Delivery.objects.get(custodian=anna).original_id)  # gone from the store
    preservation.verify(actor="test")
    page = " ".join(web.get(reverse("compliance_dashboard")).content.decode().split())
    assert "1 beschadigd of verdwenen" in page and "type=fixity_failure" in page
