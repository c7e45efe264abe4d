"""Accessibility as a test (WCAG 2.1 AA), in headless Chromium, on every page (tests/web/pages.py):

- axe-core (vendored from npm by `make vendor`, never served by the app) with the rules tagged wcag2a,
  wcag2aa, wcag21a and wcag21aa finds ZERO violations, in Dutch and in English;
- at 320 CSS pixels wide nothing scrolls sideways (WCAG 1.4.10 reflow: document scrollWidth <= innerWidth);
- no Content-Security-Policy violation on any page (no inline script or style sneaks in);
- login and upload work with the keyboard alone (Tab, Enter, typing; no mouse).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from chatarchief.access import otp
from chatarchief.archive.models import Attachment, Custodian
from tests.web.pages import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_USER, Visit, all_visits, client_for, load_demo
from tests.web.test_browser import SCREENSHOTS
from tests.web.world import World, build

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("nl", "en")
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}

# pages whose look is kept in docs/screenshots/ (Dutch, desktop and 320 px wide)
SCREENSHOT_PAGES = {
    "login": "login-page",
    "demo:home": "home",
    "demo:custodian": "custodian",
    "demo:delivery": "receipt",
    "demo:upload": "upload-form",
    "demo:conversation": "conversation-page",
    "api:docs": "api-docs",
}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
      summary: (n.failureSummary || "").slice(0, 240)}))}));
}"""

OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > width + 1);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          culprits: wide.slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
            + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""))};
}"""


@pytest.fixture
def site(transactional_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The authorization matrix's world plus the demo archive; one image attachment has no file name
    (as Signal's often have none), so its link must get a name some other way."""
    assert AXE.exists(), f"{AXE} is missing: `make vendor` (part of `make install`) fetches axe-core from npm"
    world = build(tmp_path)
    list(load_demo(actor="test"))
    Attachment.objects.filter(pk=world.archives["own"].attachment.pk).update(filename="", mime_type="image/jpeg")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares this thread
    return world


def _context(browser: Any, base_url: str, client: Any, language: str) -> Any:
    context = browser.new_context(viewport=WIDE, locale="nl-NL" if language == "nl" else "en-GB")
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if settings.SESSION_COOKIE_NAME in client.cookies:
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        )
    context.add_cookies(cookies)
    context.add_init_script(path=str(AXE))
    return context


def _check_page(page: Any, where: str, language: str, screenshot: str | None = None) -> list[str]:
    """axe at full width, then the reflow check at 320 px; a list of readable failures."""
    failures = []
    if screenshot:
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"), full_page=True)
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        failures.append(f"{where}: <html lang={lang!r}>, expected {language!r}")
    for violation in page.evaluate(RUN_AXE, TAGS):
        failures.append(
            f"{where}: axe {violation['id']} ({violation['impact']}): {violation['help']}\n    "
            + "\n    ".join(json.dumps(n, ensure_ascii=False) for n in violation["nodes"])
        )
    page.set_viewport_size(NARROW)
    page.wait_for_timeout(50)
    overflow = page.evaluate(OVERFLOW)
    if overflow["scrollWidth"] > overflow["innerWidth"]:
        failures.append(
            f"{where}: scrolls sideways at 320 px ({overflow['scrollWidth']} > {overflow['innerWidth']}), widest: {overflow['culprits']}"
        )
    if screenshot:
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}-320.png"), full_page=True)
    for violation in page.evaluate(RUN_AXE, TAGS):  # narrow layouts hide and move things: check again
        failures.append(f"{where} at 320 px: axe {violation['id']}: {violation['help']} {violation['nodes'][:1]}")
    return failures


def _visit(browser: Any, base_url: str, world: World, visit: Visit, language: str) -> list[str]:
    client = client_for(world, visit.session)
    context = _context(browser, base_url, client, language)
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    where = f"[{language}] {visit.label}"
    try:
        response = page.goto(base_url + visit.path)
        assert response is not None
        if response.status != visit.expect:
            return [f"{where}: HTTP {response.status}, expected {visit.expect}"]
        if not response.headers.get("content-type", "").startswith("text/html"):
            return [
                f"{where}: answers {response.headers.get('content-type')}; a page must be HTML, else list it in NOT_PAGES"
            ]
        screenshot = SCREENSHOT_PAGES.get(visit.name) if language == "nl" else None
        failures = _check_page(page, where, language, screenshot)
        failures += [f"{where}: CSP violation: {text}" for text in csp]
        return failures
    finally:
        context.close()


def test_every_page_passes_axe_and_reflows(site: World, live_server: Any, browser: Any) -> None:
    visits = all_visits(site)
    assert len(visits) >= 15, [v.label for v in visits]  # the page list really is built
    failures: list[str] = []
    for language in LANGUAGES:
        for visit in visits:
            failures += _visit(browser, live_server.url, site, visit, language)
    assert not failures, f"{len(failures)} accessibility failures:\n" + "\n".join(failures)


def test_the_server_error_page_passes_axe(site: World, live_server: Any, browser: Any) -> None:
    with override_settings(ROOT_URLCONF="tests.web.urls_boom"):
        failures = _visit(browser, live_server.url, site, Visit("error:500", "/boom/", "reviewer", expect=500), "nl")
    assert not failures, "\n".join(failures)


# Keyboard only: Tab to move, typing and Enter (Space for the file chooser, as a keyboard user does) -----

FOCUS_VISIBLE = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"; }"""

ANNOUNCEMENTS = """document.addEventListener("DOMContentLoaded", () => {
  const region = document.querySelector("[data-ca-progress] [role=status]");
  if (!region) return;
  new MutationObserver(() => {
    const said = JSON.parse(sessionStorage.getItem("announced") || "[]");
    said.push(region.textContent);
    sessionStorage.setItem("announced", JSON.stringify(said));
  }).observe(region, {childList: true, characterData: true, subtree: true});
});"""


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the element is focused (a focus indicator must show), or fail."""
    for _press in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_VISIBLE), f"{selector} has focus but no visible focus indicator"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with Tab within {limit} presses on {page.url}")


def _keyboard_login(page: Any, base_url: str) -> None:
    page.goto(base_url + "/login/")
    _tab_to(page, "#id_username")
    page.keyboard.type(DEMO_USER)
    _tab_to(page, "#id_password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#otp-form")
    _tab_to(page, "#id_token")
    page.keyboard.type(otp.current_code(DEMO_TOTP_KEY))
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Functionarissen')")


def test_login_and_upload_with_the_keyboard_alone(site: World, live_server: Any, browser: Any, tmp_path: Path) -> None:
    export = tmp_path / "WhatsApp-chat met Toetsenbord.txt"
    export.write_text(
        "05-03-2026 09:00 - Anna de Vries: Kan dit ook zonder muis?\n05-03-2026 09:01 - Minister: Ja, met Tab en Enter.\n",
        encoding="utf-8",
    )
    context = browser.new_context(viewport=WIDE, locale="nl-NL")
    context.add_init_script(ANNOUNCEMENTS)
    page = context.new_page()
    _keyboard_login(page, live_server.url)

    _tab_to(page, "nav a[href='/upload/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#upload-form")
    assert page.locator("#upload-progress progress").is_hidden()  # no empty bar before anything is sent
    _tab_to(page, "#upload-submit")  # sent empty first: the errors come back and the focus goes to the first
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_custodian_error")
    assert page.evaluate("document.activeElement.id") == "id_custodian"
    assert page.get_attribute("#id_custodian", "aria-describedby") == "id_custodian_error"
    _tab_to(page, "#id_custodian")
    page.keyboard.type("Minister")  # a closed select chooses by typing, as with a keyboard
    assert page.eval_on_selector("#id_custodian", "s => s.selectedOptions[0].text") == "Minister van BZK"
    _tab_to(page, "#id_files")
    with page.expect_file_chooser(timeout=10_000) as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(export))
    _tab_to(page, "#id_passphrase + button")  # the show/hide toggle of the secret field
    page.keyboard.press("Enter")
    assert page.get_attribute("#id_passphrase", "type") == "text"
    assert page.inner_text("#id_passphrase + button") == "Verberg"
    page.keyboard.press("Enter")
    assert page.get_attribute("#id_passphrase", "type") == "password"
    _tab_to(page, "#upload-submit")
    page.keyboard.press("Enter")
    page.wait_for_url("**/deliveries/*/", timeout=30_000)
    assert page.locator(".ca-status--ingested").count() == 1
    announced = page.evaluate("JSON.parse(sessionStorage.getItem('announced') || '[]')")
    assert any("Uploaden" in text for text in announced), announced  # the live region spoke
    assert Custodian.objects.get(slug="minister-bzk").deliveries.filter(file_name=export.name).exists()
    context.close()


def test_a_receipt_prints_without_menus_or_buttons(site: World, live_server: Any, browser: Any) -> None:
    """print.css: no skip link, menu, account tools, footer or buttons; full width; the page's address on it."""
    demo = Custodian.objects.get(slug="minister-bzk")
    delivery = demo.deliveries.order_by("-pk").first()
    assert delivery is not None
    visit = Visit("demo:delivery", f"/deliveries/{delivery.pk}/", "demo")
    context = _context(browser, live_server.url, client_for(site, visit.session), "nl")
    page = context.new_page()
    page.goto(live_server.url + visit.path)
    page.emulate_media(media="print")
    for hidden in (".ca-nav", ".ca-tools", ".ca-footer", ".nl-skip-link", "button"):
        assert page.locator(hidden).evaluate_all("els => els.every(e => !e.offsetParent)"), hidden
    assert page.locator(".ca-print-source").is_visible()
    assert visit.path in page.locator(".ca-print-source").inner_text()
    assert page.locator("#receipt").is_visible() and delivery.sha256 in page.locator("#receipt").inner_text()
    main, body = page.locator("main .ca-width").bounding_box(), page.locator("body").bounding_box()
    assert main is not None and body is not None and main["width"] >= body["width"] - 1  # the paper's full width
    pdf = page.pdf(format="A4")  # Chromium's "print to PDF"
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1  # the receipt fits on one A4 page
    context.close()
