"""Browser journeys (Playwright + Debian chromium): password + TOTP login, lock-out, and an auditor's
view of a custodian (findings and deliveries, never message content). Screenshots go to docs/screenshots/."""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from chatarchief.access import otp
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Conversation, Organisation
from chatarchief.demo import DEMO_PASSWORD, DEMO_USER, load_demo
from chatarchief.demo.totp import DEMO_TOTP_KEY

pytestmark = pytest.mark.browser

# The journeys take screenshots on every run; they replace the committed ones in docs/screenshots/ only
# when asked (`make screenshots`), so a test run leaves the checkout clean.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("CHATARCHIEF_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "chatarchief-screenshots"
)
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AUDITOR_KEY = "00112233445566778899aabbccddeeff00112233"
PASSWORD = "auditor-wachtwoord-2026"
SECRET_BODY = "Het Kamerdebat is verplaatst"  # a message body of the demo chat


@pytest.fixture
def browser() -> Any:
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: `make test` installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def archive(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    list(load_demo(actor="test"))
    auditor = get_user_model().objects.create_user("adr-auditor", password=PASSWORD)
    grant(auditor, Role.AUDITOR, organisation=Organisation.objects.get(code="BZK"))
    otp.provision(auditor, AUDITOR_KEY, actor="test")
    get_user_model().objects.create_user("slot", password=PASSWORD)
    newcomer = get_user_model().objects.create_user("nieuw", password=PASSWORD)
    grant(newcomer, Role.AUDITOR, organisation=Organisation.objects.get(code="BZK"))
    conversation = Conversation.objects.get(custodian__slug="minister-bzk")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares this thread
    return {"conversation_url": f"/conversations/{conversation.pk}/"}


def _page(browser: Any) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="nl-NL")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return page, violations


def _login(page: Any, base: str, username: str, password: str, key: str, *, screenshot: str | None = None) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if screenshot:
        page.screenshot(path=str(SCREENSHOTS / screenshot))
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#otp-form")
    page.fill("#otp-form input[name=token]", otp.current_code(key))
    page.click("#otp-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Functionarissen')")


def test_login_with_password_and_totp(archive: dict[str, Any], live_server: Any, browser: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, violations = _page(browser)
    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    _login(page, live_server.url, DEMO_USER, DEMO_PASSWORD, DEMO_TOTP_KEY, screenshot="login.png")
    assert page.locator("text=Minister van BZK").count() >= 1
    page.click("text=Minister van BZK")
    page.click("#conversations a")
    assert page.locator(f"text={SECRET_BODY}").count() >= 1  # a reviewer reads content
    assert violations == []


def test_lockout_after_repeated_failures(archive: dict[str, Any], live_server: Any, browser: Any) -> None:
    page, _ = _page(browser)
    for _attempt in range(5):
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "slot")
        page.fill("#id_password", "verkeerd-wachtwoord")
        page.click("#login-form button[type=submit]")
    assert page.locator("#locked-out").is_visible()
    assert "geblokkeerd" in page.locator("#locked-out").inner_text()
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "slot")
    page.fill("#id_password", PASSWORD)  # even the right password
    page.click("#login-form button[type=submit]")
    assert page.locator("#locked-out").is_visible()


def test_auditor_sees_findings_and_deliveries_but_no_content(
    archive: dict[str, Any], live_server: Any, browser: Any
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, violations = _page(browser)
    _login(page, live_server.url, "adr-auditor", PASSWORD, AUDITOR_KEY)
    page.click("text=Minister van BZK")
    page.wait_for_selector("#findings")
    assert page.locator("#findings tbody tr").count() >= 2  # the deletion and the disappearing-messages timer
    assert page.locator("#deliveries tbody tr").count() == 2
    assert page.locator("#conversations a").count() == 0  # titles as metadata, no link into content
    assert SECRET_BODY not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "auditor.png"))
    response = page.goto(live_server.url + archive["conversation_url"])
    assert response.status in (403, 404)
    assert SECRET_BODY not in page.content()
    assert violations == []


def test_enrolment_with_qr_code_and_secret(archive: dict[str, Any], live_server: Any, browser: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, violations = _page(browser)
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "nieuw")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#otp-qr svg")
    assert page.locator("#otp-qr svg").bounding_box()["width"] >= 100  # big enough to scan
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    page.screenshot(path=str(SCREENSHOTS / "otp-setup.png"))
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.fill("#otp-form input[name=token]", otp.current_code(key))
    page.click("#otp-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Functionarissen')")
    assert violations == []
