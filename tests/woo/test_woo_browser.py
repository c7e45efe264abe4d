"""A Woo request in the browser (issue 18): a coordinator creates it, searches, opens a document,
accepts a suggested redaction, redacts a name, assesses every document and downloads the package;
the redacted PDF in it holds neither the name nor the phone number."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from chatarchief.access import otp
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Organisation
from chatarchief.woo.models import Document, WooRequest
from tests.web.test_browser import ARGS, CHROMIUM, SCREENSHOTS
from tests.woo import world as w

pytestmark = pytest.mark.browser

PASSWORD = "coordinator-wachtwoord-2026"
KEY = "00112233445566778899aabbccddeeff00112236"


@pytest.fixture
def coordinator(transactional_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    world = w.build(tmp_path / "exports")
    w.label_private(world)
    user = get_user_model().objects.create_user("carla", password=PASSWORD)
    grant(user, Role.WOO_COORDINATOR, organisation=Organisation.objects.get(code="BZK"))
    otp.provision(user, KEY, actor="test")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return user


def test_a_request_from_creation_to_the_package(coordinator: Any, live_server: Any) -> None:
    from pdfminer.high_level import extract_text
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(
            viewport={"width": 1100, "height": 900}, locale="nl-NL", accept_downloads=True
        ).new_page()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "carla")
        page.fill("#id_password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#otp-form")
        page.fill("#otp-form input[name=token]", otp.current_code(KEY))
        page.click("#otp-form button[type=submit]")
        page.wait_for_selector("h1:has-text('Functionarissen')")

        page.click("nav >> text=Woo")
        page.wait_for_selector("h1:has-text('Woo-verzoeken')")
        page.click("text=Nieuw Woo-verzoek")
        page.fill("#id_reference", "WOO-BROWSER-1")
        page.fill("#id_subject", "Stikstofbrief")
        page.fill("#id_requester", "Jan Verzoeker")
        page.fill("#id_received", "2024-04-01")
        page.fill("#id_period_from", "2024-03-01")
        page.fill("#id_period_to", "2024-03-31")
        for slug in ("minister-a", "sg-b", "dg-c"):
            page.check(f"input[name=custodians][value='{slug}']")
        page.click("button:has-text('Verzoek aanmaken')")
        page.wait_for_selector("h1:has-text('Woo-verzoek WOO-BROWSER-1')")
        page.wait_for_selector("text=De beslistermijn is verstreken")

        page.fill("#id_query", "stikstofbrief")
        page.click("button:has-text('Zoeken en documenten toevoegen')")
        page.wait_for_selector("text=3 documenten")
        page.screenshot(path=str(SCREENSHOTS / "woo-request.png"), full_page=True)
        request = WooRequest.objects.get(reference="WOO-BROWSER-1")
        crisis = Document.objects.get(request=request, title="Crisisteam", day__day=4)

        page.click(f"#woo-documents a:text-is('{crisis.number}')")
        page.wait_for_selector(f"h1:has-text('Document {crisis.number}')")
        # the phone number is suggested; a person accepts it
        page.click(f"form:has(q:text-is('{w.PHONE}')) button:has-text('Lakken')")
        page.wait_for_selector("text=Lakking toegevoegd.")
        page.fill("#id_text", w.SECRET)
        page.select_option("#id_ground", "5.1.2e")
        page.click("button:has-text('Tekst lakken')")
        page.wait_for_selector("text=Lakking toegevoegd.")
        page.select_option("#id_decision", "deels")
        page.check("input[name=grounds][value='5.1.2e']")
        page.click("button:has-text('Beoordeling vastleggen')")
        page.wait_for_selector("text=Beoordeling vastgelegd.")
        page.screenshot(path=str(SCREENSHOTS / "woo-document.png"), full_page=True)
        for other in Document.objects.filter(request=request).exclude(pk=crisis.pk):
            page.goto(f"{live_server.url}/woo/{request.pk}/documenten/{other.number}/")
            page.select_option("#id_decision", "openbaar")
            page.click("button:has-text('Beoordeling vastleggen')")
            page.wait_for_selector("text=Beoordeling vastgelegd.")

        page.goto(f"{live_server.url}/woo/{request.pk}/")
        with page.expect_download() as download_info:
            page.click("button:has-text('Publicatiepakket downloaden')")
        data = Path(download_info.value.path()).read_bytes()
        browser.close()

    package = zipfile.ZipFile(io.BytesIO(data))
    assert {"inventarislijst.csv", "inventarislijst.xlsx", "manifest.json", "zoekslag.json"} <= set(package.namelist())
    pdf = package.read(f"documenten/{crisis.number}.pdf")
    text = extract_text(io.BytesIO(pdf))
    assert "5.1.2e" in text and "stikstofbrief" in text.lower()
    for secret in (w.SECRET, w.PHONE, "Geheimzinnig"):
        assert secret not in text and secret.encode() not in pdf
    inventory = package.read("inventarislijst.csv").decode("utf-8")
    assert f"{crisis.number},WOO-BROWSER-1" in inventory and "Deels openbaar" in inventory
