"""A stand-up in the browser (issue 16): open the agenda, decide a conversation, decide one message,
confirm an exclusion as a second reviewer; a reviewer cannot confirm their own decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from chatarchief.access import otp
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Message
from chatarchief.review.models import Decision, Tombstone
from tests.review import scenario
from tests.review.helpers import custodian_with_reviewers, import_scenario_contacts, ingest_month
from tests.web.test_browser import ARGS, CHROMIUM, SCREENSHOTS

pytestmark = pytest.mark.browser

PASSWORD = "beoordelaar-wachtwoord-2026"
KEYS = {"anna": "00112233445566778899aabbccddeeff00112234", "bram": "00112233445566778899aabbccddeeff00112235"}


@pytest.fixture
def standup(transactional_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    custodian, _, _ = custodian_with_reviewers()
    import_scenario_contacts(custodian, tmp_path)
    ingest_month(custodian, tmp_path, 1)
    for name, key in KEYS.items():
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        grant(user, Role.REVIEWER, organisation=custodian.organisation)
        otp.provision(user, key, actor="test")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return custodian


def _login(browser: Any, base: str, name: str) -> Any:
    page = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL").new_page()
    page.goto(base + "/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#otp-form")
    page.fill("#otp-form input[name=token]", otp.current_code(KEYS[name]))
    page.click("#otp-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Functionarissen')")
    return page


def test_a_standup_decides_and_a_second_reviewer_confirms(standup: Any, live_server: Any) -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        anna = _login(browser, live_server.url, "anna")
        anna.click("nav >> text=Beoordelen")
        anna.wait_for_selector("h1:has-text('Agenda van de stand-up')")
        anna.fill("#attendees", "anna, bram")
        anna.click("text=Stand-up openen")
        anna.wait_for_selector("#standup-open")
        anna.screenshot(path=str(SCREENSHOTS / "review-agenda.png"), full_page=True)
        anna.click(f"#agenda-items a:has-text('{scenario.SELF}') >> nth=0")
        anna.wait_for_selector("h1:has-text('Beoordelen')")
        anna.screenshot(path=str(SCREENSHOTS / "review-queue.png"), full_page=True)

        # decide the spouse's conversation with the keyboard: j to the item, x select, p private
        headings = anna.locator("[data-review-item] h2").all_inner_texts()
        position = next(n for n, text in enumerate(headings) if text.startswith("Gesprek") and scenario.SPOUSE in text)
        for _ in range(position + 1):
            anna.keyboard.press("j")
        anna.keyboard.press("x")
        anna.keyboard.press("p")
        anna.fill("#reason", "Echtgenoot: privé")
        anna.click("button:has-text('Besluiten')")
        anna.wait_for_selector("text=1 besluit(en) vastgelegd.")
        anna.wait_for_selector("[data-review-item]:has-text('Bericht in')")
        # decide one message: the birthday wish in the business chat
        anna.check("[data-review-item]:has-text('Bericht in') [data-review-select]")
        anna.check("#label-private")
        anna.fill("#reason", "Verjaardagswens")
        anna.click("button:has-text('Besluiten')")
        anna.wait_for_selector("text=1 besluit(en) vastgelegd.")
        decisions = list(Decision.objects.order_by("id"))
        assert [(bool(d.message_ids), d.label, d.standup_id is not None) for d in decisions] == [
            (False, "private", True),
            (True, "private", True),
        ]
        # anna cannot confirm her own decision: no button, and a forged request is refused
        anna.goto(f"{live_server.url}/custodians/{standup.slug}/besluiten/")
        assert anna.locator("button:has-text('bevestigen')").count() == 0
        assert anna.locator("text=Uw eigen besluit").count() == 2

        bram = _login(browser, live_server.url, "bram")
        bram.goto(f"{live_server.url}/custodians/{standup.slug}/besluiten/")
        bram.click(f"button:has-text('Besluit {decisions[0].pk} bevestigen')")
        bram.wait_for_selector("text=Uitgesloten: 4 berichten, 1 originelen vernietigd")
        bram.screenshot(path=str(SCREENSHOTS / "review-decisions.png"), full_page=True)
        browser.close()
    assert Tombstone.objects.count() == 1
    assert not Message.objects.filter(body__contains="PRIVETEKST").exists()
    assert Decision.objects.get(pk=decisions[1].pk).status == "awaiting_confirmation"
