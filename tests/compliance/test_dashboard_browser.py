"""The dashboard in the browser (issue 17): from the dashboard down to the custodian, their findings,
one finding, marked explained. Screenshots of the dashboard, a finding, the report page, and the
first pages of a receipt PDF and an ADR report PDF (pdftoppm) for docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from chatarchief.access import otp
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.services import registry
from chatarchief.compliance import receipt, report
from chatarchief.compliance.models import Finding
from chatarchief.intake.pipeline import ingest
from tests.generators.whatsapp import Spec, write_export
from tests.web.test_browser import ARGS, CHROMIUM, SCREENSHOTS

pytestmark = pytest.mark.browser

PASSWORD = "nalevings-wachtwoord-2026"
KEY = "00112233445566778899aabbccddeeff00112239"


@pytest.fixture
def world(transactional_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    anna = registry.add_custodian("anna", name="Anna de Vries", actor="test", organisation="BZK", function="Minister")
    bert = registry.add_custodian("bert", name="Bert Smit", actor="test", organisation="BZK", function="Directeur")
    t = dt.datetime(2026, 1, 5, 9, 0)
    specs = [
        Spec("Anna de Vries", t, "Goedemorgen"),
        Spec("Bram", t + dt.timedelta(minutes=1), "Dag"),
        Spec("Anna de Vries", t + dt.timedelta(minutes=2), kind="deleted_self"),
        Spec("Bram", t + dt.timedelta(minutes=3), kind="deleted"),
        Spec("Anna de Vries", t + dt.timedelta(minutes=4), "Tot morgen", kind="edited"),
    ]
    path = write_export(tmp_path / "WhatsApp-chat met Bram.txt", specs, platform="android", locale="nl")
    for days in (95, 60, 20):
        assert ingest(
            path, anna, actor="web:secretariaat", exported_at=timezone.now() - dt.timedelta(days=days)
        ).status in (
            "ingested",
            "duplicate",
        )
    (tmp_path / "b").mkdir()
    other = write_export(tmp_path / "b" / "WhatsApp-chat met Carla.txt", specs[:2], platform="android", locale="nl")
    ingest(other, bert, actor="test", exported_at=timezone.now() - dt.timedelta(days=3))
    user = get_user_model().objects.create_user("ib", password=PASSWORD)
    grant(user, Role.REVIEWER, organisation=anna.organisation)
    otp.provision(user, KEY, actor="test")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return anna


def test_drill_down_from_the_dashboard_to_a_finding_marked_explained(
    world: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL").new_page()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "ib")
        page.fill("#id_password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#otp-form")
        page.fill("#otp-form input[name=token]", otp.current_code(KEY))
        page.click("#otp-form button[type=submit]")
        page.wait_for_selector("h1:has-text('Functionarissen')")

        page.click("nav >> text=Naleving")
        page.wait_for_selector("h1:has-text('Naleving')")
        assert page.locator("figure.ca-chart svg[role=img]").count() == 1
        page.screenshot(path=str(SCREENSHOTS / "compliance-dashboard.png"), full_page=True)

        page.click("#custodians a:has-text('Anna de Vries')")
        page.wait_for_selector("h1:has-text('Naleving: Anna de Vries')")
        page.screenshot(path=str(SCREENSHOTS / "compliance-custodian.png"), full_page=True)
        page.click("#by-type a:has-text('Bericht verwijderd')")
        page.wait_for_selector("h1:has-text('Bevindingen')")
        page.click("#findings tr:has-text('De functionaris zelf') a")
        page.wait_for_selector("#step-form")
        page.select_option("#id_target", "explained")
        page.fill("#id_note", "Dubbel verstuurd; de tekst staat in het archief")
        page.click("#step-form button[type=submit]")
        page.wait_for_selector("#finding-status:has-text('Toegelicht')")
        page.screenshot(path=str(SCREENSHOTS / "compliance-finding.png"), full_page=True)

        page.goto(live_server.url + "/naleving/rapport/")
        page.wait_for_selector("#report-form")
        page.screenshot(path=str(SCREENSHOTS / "compliance-report-page.png"), full_page=True)
        browser.close()

    own = Finding.objects.get(custodian=world, type="message_deleted", details__by="custodian")
    assert own.status == "explained" and own.status_by == "web:ib"
    # the PDFs as pictures (first page): a receipt and the ADR report
    if shutil.which("pdftoppm"):
        delivery = world.deliveries.filter(status="ingested").order_by("-exported_at").first()
        pdfs = {
            "receipt-pdf": receipt.receipt_pdf(delivery),
            "compliance-report-pdf": report.to_pdf(
                report.compliance_report(
                    [world], "BZK", (timezone.now() - dt.timedelta(days=120)).date(), timezone.localdate()
                )
            ),
        }
        for name, data in pdfs.items():
            source = tmp_path / f"{name}.pdf"
            source.write_bytes(data)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(source),
                    str(SCREENSHOTS / name),
                ],
                check=True,
            )
            assert (SCREENSHOTS / f"{name}.png").exists()
