"""In Chromium: a batch of three files (one not a chat export) ends on three receipts, each in
words, the failed one with its reason; the receipts print (print stylesheet, one page each). A
server-side error first keeps the chosen files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatarchief.demo import DEMO_PASSWORD, DEMO_USER
from chatarchief.demo.totp import DEMO_TOTP_KEY
from tests.scale.exports import export
from tests.web.test_browser import SCREENSHOTS, _login, _page, archive, browser  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_three_files_three_receipts(archive: dict[str, Any], live_server: Any, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    page, violations = _page(browser)
    _login(page, live_server.url, DEMO_USER, DEMO_PASSWORD, DEMO_TOTP_KEY)
    first = export(tmp_path / "a", "WhatsApp Chat - Batch.txt", 20)
    second = export(tmp_path / "b", "WhatsApp Chat - Batch.txt", 25)
    broken = tmp_path / "kapot.txt"
    broken.write_bytes(b"geen chat\n" * 5)

    page.goto(live_server.url + "/upload/")
    page.set_input_files("#id_files", [str(first), str(second), str(broken)])
    page.click("#upload-submit")  # no custodian chosen: the form comes back with its errors ...
    page.wait_for_selector(".ca-error-summary")
    assert page.eval_on_selector("#id_files", "input => input.files.length") == 3  # ... and the files stay chosen
    page.select_option("#id_custodian", label="Minister van BZK")
    page.click("#upload-submit")
    page.wait_for_url("**/deliveries/*/?batch=*", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.ca-poll').length === 0", timeout=60_000)
    receipts = page.locator(".ca-receipt")
    assert receipts.count() == 3
    text = page.locator("main").inner_text()
    assert "3 bestanden aangeleverd" in text and "kapot.txt" in text
    assert page.locator(".ca-status--failed").count() == 1
    assert page.locator(".ca-status--ingested").count() == 2
    assert page.locator("[aria-live=polite]").count() == 3
    if SCREENSHOTS.exists():
        page.screenshot(path=str(SCREENSHOTS / "receipts-batch.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("nav.ca-nav, .ca-nav").first.is_hidden()
    assert page.evaluate("getComputedStyle(document.querySelectorAll('.ca-receipt')[1]).breakBefore") == "page"
    assert violations == []
