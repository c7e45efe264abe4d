"""The main journey in headless Chromium: upload an export, see the receipt, read the conversation."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from chatarchief.demo import DEMO_PASSWORD, DEMO_USER
from chatarchief.demo.totp import DEMO_TOTP_KEY
from tests.web.test_browser import SCREENSHOTS, _login, _page

pytestmark = pytest.mark.browser

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7d1f3e30000000049454e44ae426082"
)


def _export(folder: Path) -> Path:
    text = (
        "[05-03-2026 09:00:00] Overleg: \u200eBerichten en gesprekken worden end-to-end versleuteld.\n"
        "[05-03-2026 09:01:10] Anna de Vries: Goedemorgen, de Kamerbrief gaat vandaag uit.\n"
        "[05-03-2026 09:02:00] Minister van BZK: Prima. <script>alert('xss')</script> blijft tekst.\n"
        "\u200e[05-03-2026 09:03:30] Anna de Vries: \u200e<bijgevoegd: 00000004-PHOTO-2026-03-05-09-03-30.png>\n"
        "[05-03-2026 09:04:00] Anna de Vries: \u200eDit bericht is verwijderd.\n"
        "[05-03-2026 09:05:00] Minister van BZK: Dank, tot straks.\n"
    )
    path = folder / "WhatsApp Chat - Overleg.zip"
    with zipfile.ZipFile(path, "w") as archive_file:
        archive_file.writestr("_chat.txt", text)
        archive_file.writestr("00000004-PHOTO-2026-03-05-09-03-30.png", PNG)
    return path


def test_upload_then_read_the_conversation(
    archive: dict[str, Any], live_server: Any, browser: Any, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, violations = _page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _login(page, live_server.url, DEMO_USER, DEMO_PASSWORD, DEMO_TOTP_KEY)

    page.goto(live_server.url + "/upload/")
    page.select_option("#id_custodian", label="Minister van BZK")
    page.set_input_files("#id_files", str(_export(tmp_path)))
    page.screenshot(path=str(SCREENSHOTS / "upload.png"))
    page.click("#upload-submit")
    page.wait_for_url("**/deliveries/*/", timeout=30_000)
    assert page.locator(".ca-status--ingested").count() == 1
    assert "WhatsApp Chat - Overleg.zip" in page.content()

    page.click(".ca-receipt a:has-text('Overleg')")
    page.wait_for_selector(".ca-chat")
    bubbles = page.locator(".ca-bubble")
    assert bubbles.count() == 5
    assert page.locator("text=<script>alert('xss')</script> blijft tekst.").count() == 1  # shown as text
    assert dialogs == []  # and never executed
    assert page.locator(".ca-state--deleted").count() == 1  # a tombstone seen first: marked, no content
    image = page.locator("img.ca-media")
    assert image.count() == 1
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1  # media shown inline
    assert page.locator(".ca-channel--whatsapp").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "conversation-upload.png"), full_page=True)
    assert violations == []


def test_demo_conversation_reads_like_the_chat(archive: dict[str, Any], live_server: Any, browser: Any) -> None:
    """The demo chat after two monthly exports: the deletion keeps the original, the edit is marked."""
    page, violations = _page(browser)
    _login(page, live_server.url, DEMO_USER, DEMO_PASSWORD, DEMO_TOTP_KEY)
    page.goto(live_server.url + archive["conversation_url"])
    page.wait_for_selector(".ca-chat")
    deleted = page.locator(".ca-state--deleted")
    assert deleted.count() == 1
    assert "Het Kamerdebat is verplaatst naar donderdag 15:00." in deleted.inner_text()
    assert page.locator(".ca-flag--edited").count() == 1
    assert page.locator(".ca-system").count() >= 3
    page.screenshot(path=str(SCREENSHOTS / "conversation.png"), full_page=True)
    assert violations == []
