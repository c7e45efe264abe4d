"""Issue 21's journeys in a real browser: the oldest message of a 20,000-message chat in at most three
actions, a finding opened on its message, a search stepped through, a conversation printed to PDF,
the keyboard shortcut to the next finding."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Conversation, Message
from chatarchief.archive.services import registry, timeline
from chatarchief.compliance.models import Finding
from chatarchief.intake.pipeline import ingest
from chatarchief.search import services as search
from tests.generators.whatsapp import write_android_export
from tests.web.test_accessibility import _context
from tests.web.test_browser import SCREENSHOTS
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.browser

N = 20_000


@pytest.fixture
def chat(transactional_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares this thread
    custodian = registry.add_custodian("lang", name="Functionaris Lang", actor="test", organisation="LANG")
    path = write_android_export(tmp_path / "WhatsApp-chat met Lang overleg.txt", N, seed=3)
    outcome = ingest(path, custodian, actor="test")
    assert outcome.status == "ingested", outcome.error
    search.index_delivery(outcome.delivery.pk)  # not wired into ingest yet (docs/search.md)
    user = get_user_model().objects.create_user("journey-reviewer")
    grant(user, Role.REVIEWER, organisation=custodian.organisation)
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user, recent_auth=True)
    conversation = Conversation.objects.get(custodian=custodian)
    return {"custodian": custodian, "conversation": conversation, "client": client}


def _open(browser: Any, live_server: Any, chat: dict[str, Any], language: str = "nl") -> tuple[Any, Any]:
    context = _context(browser, live_server.url, chat["client"], language)
    return context, context.new_page()


def _in_view(page: Any, selector: str) -> bool:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; }"
    )


def test_the_oldest_message_of_a_long_chat_in_three_actions(
    chat: dict[str, Any], live_server: Any, browser: Any
) -> None:
    oldest = Message.objects.filter(conversation=chat["conversation"]).order_by(*timeline.ORDER).first()
    assert oldest is not None
    context, page = _open(browser, live_server, chat)
    page.goto(live_server.url + reverse("custodian", args=[chat["custodian"].slug]))
    page.get_by_role("link", name=chat["conversation"].title, exact=True).click()  # action 1: open the chat
    assert page.locator(".ca-pagination__status").first.inner_text().startswith("Pagina 100 van 100")
    assert _in_view(page, "#end"), "the chat opens scrolled to its newest messages"
    page.locator(".ca-histogram summary").click()  # for the screenshot only, not a step of the journey
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "conversation-long.png"))
    page.set_viewport_size({"width": 320, "height": 640})
    page.evaluate("document.getElementById('end').scrollIntoView({block: 'end'})")
    page.screenshot(path=str(SCREENSHOTS / "conversation-long-320.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Eerste").first.click()  # action 2: the first page
    assert page.locator(f"#m-{oldest.pk}").is_visible()
    assert "Pagina 1 van 100" in page.locator(".ca-pagination__status").first.inner_text()
    context.close()


def test_a_finding_opens_on_its_message_highlighted(chat: dict[str, Any], live_server: Any, browser: Any) -> None:
    context, page = _open(browser, live_server, chat)
    page.goto(live_server.url + reverse("custodian", args=[chat["custodian"].slug]))
    page.evaluate("document.getElementById('findings-filter').nextElementSibling.scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / "custodian-findings.png"))
    link = page.get_by_role("link", name="Naar het bericht").nth(3)
    href = link.get_attribute("href")
    assert href is not None
    message_id = int(re.search(r"message=(\d+)", href).group(1))
    finding = Finding.objects.get(custodian=chat["custodian"], message_id=message_id)
    link.click()
    target = page.locator(f"#m-{message_id}")
    assert "ca-msg--target" in (target.get_attribute("class") or "")
    assert target.get_attribute("aria-current") == "true"
    assert _in_view(page, f"#m-{message_id}"), "the page is scrolled to the message"
    assert page.url.endswith(f"#m-{message_id}") and finding.conversation_id == chat["conversation"].pk
    context.close()


def test_search_in_a_chat_and_step_through_hits(chat: dict[str, Any], live_server: Any, browser: Any) -> None:
    context, page = _open(browser, live_server, chat)
    page.goto(live_server.url + reverse("conversation", args=[chat["conversation"].pk]))
    page.get_by_role("searchbox", name="Zoeken in dit gesprek").fill("kamerbrief")
    page.get_by_role("searchbox", name="Zoeken in dit gesprek").press("Enter")
    status = page.locator(".ca-chat-search [role=status]")
    assert re.match(r"Treffer 1 van \d+", status.inner_text())
    first = page.locator(".ca-msg--target")
    assert first.locator("mark").count() >= 1 and _in_view(page, ".ca-msg--target")
    first_id = first.get_attribute("id")
    page.screenshot(path=str(SCREENSHOTS / "conversation-search.png"))
    page.get_by_role("link", name="Oudere treffer").click()
    assert page.locator(".ca-chat-search [role=status]").inner_text().startswith("Treffer 2 van")
    second = page.locator(".ca-msg--target")
    assert second.get_attribute("id") != first_id and second.locator("mark").count() >= 1
    page.locator(".ca-chat").focus()
    page.keyboard.press("k")  # the shortcut for the newer hit
    page.wait_for_url(re.compile(r"hit=1"))
    assert page.locator(".ca-msg--target").get_attribute("id") == first_id
    context.close()


def test_the_next_finding_by_keyboard(chat: dict[str, Any], live_server: Any, browser: Any) -> None:
    context, page = _open(browser, live_server, chat)
    page.goto(live_server.url + reverse("conversation", args=[chat["conversation"].pk]))
    page.locator(".ca-chat").focus()
    page.keyboard.press("n")
    focused = page.evaluate("document.activeElement.className")
    assert "ca-msg--finding" in focused
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") != first
    page.keyboard.press("p")
    assert page.evaluate("document.activeElement.id") == first
    context.close()


def test_a_conversation_page_prints_to_pdf(chat: dict[str, Any], live_server: Any, browser: Any) -> None:
    context, page = _open(browser, live_server, chat)
    page.goto(live_server.url + reverse("conversation", args=[chat["conversation"].pk]) + "?page=3")
    page.emulate_media(media="print")
    for hidden in (".ca-nav", ".ca-footer", ".ca-chat-tools", ".ca-histogram", ".ca-pagination"):
        assert page.locator(hidden).evaluate_all("els => els.every(e => !e.offsetParent)"), hidden
    assert page.locator(".ca-chat .ca-msg").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 3, "200 messages take several pages"
    context.close()
