"""Message bodies, file names, chat titles and participant names are hostile: they are escaped on every
page and never executed. A WhatsApp export whose title, senders, bodies and attachment names carry
XSS / HTML / bidi-override / template-syntax payloads is ingested and rendered through every page."""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Attachment, Conversation, Participant
from chatarchief.archive.services import registry
from chatarchief.intake.pipeline import ingest
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db

RLO = "\u202e"
SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
JS_LINK = "javascript:alert(document.cookie)"
TEMPLATE = "{{ 7|add:35 }} {% debug %}"
IFRAME = "'><iframe srcdoc='<script>alert(3)</script>'></iframe>"
SVG = "<svg/onload=alert(2)>"
BODY_PAYLOADS = [SCRIPT, IMG, JS_LINK, TEMPLATE, IFRAME, SVG, f"factuur{RLO}fdp.exe"]
# names cannot hold "/" (file names) or ": " (WhatsApp sender separator)
TITLE = f"{IMG}{RLO}{{{{ 7|add:35 }}}}"
SENDER_1 = "<script>alert(5)<\\script>"
SENDER_2 = f"{RLO}Piet<img src=x onerror=alert(6)>"  # the parser drops bidi controls from names
ATTACHMENT = f'"><img src=x onerror=alert(7)>{RLO}gpj.exe'
RAW_NEVER = ["<script>alert", "<img src=x", "<iframe", "<svg", RLO]  # as text (escaped) they are harmless


def _export_lines() -> list[str]:
    lines = [
        "02-01-2026 09:00 - Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of beluisteren, zelfs WhatsApp niet. Tik voor meer informatie."
    ]
    for minute, body in enumerate(BODY_PAYLOADS, start=1):
        sender = SENDER_1 if minute % 2 else SENDER_2
        lines.append(f"02-01-2026 09:{minute:02d} - {sender}: {body}")
    lines.append(f"02-01-2026 09:30 - {SENDER_1}: {ATTACHMENT} (bestand bijgevoegd)")
    lines.append(f"02-01-2026 09:31 - {SENDER_2}: {JS_LINK}")
    return lines


class _Tags(HTMLParser):
    """Collects what a browser would execute: script tags, event handlers, style attributes, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline <script> {attrs}")
        if tag in {"iframe", "object", "embed", "frame"}:
            self.problems.append(f"<{tag}>")
        if tag == "img" and not (values.get("src") or "").startswith(("/attachments/", "/static/")):
            self.problems.append(f"<img> with foreign src {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in {name} on <{tag}>")


def _check(html: str, where: str) -> None:
    for raw in RAW_NEVER:
        assert raw not in html, f"{where}: raw {raw!r} in the page"
    parser = _Tags()
    parser.feed(html)
    assert not parser.problems, f"{where}: {parser.problems}"


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, Any]:
    registry.add_organisation("BZK", "BZK", actor="test")
    custodian = registry.add_custodian(
        "vijandig",
        name=f"Minister {SCRIPT}",
        actor="test",
        organisation="BZK",
        function=f"{IMG}{RLO}",
    )
    text = "\n".join(_export_lines()) + "\n"
    txt = tmp_path / "export.txt"
    txt.write_text(text, encoding="utf-8")
    first = ingest(txt, custodian, actor="test", file_name=f"WhatsApp-chat met {TITLE}.txt")
    assert first.status == "ingested", first.error
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("WhatsApp-chat met Tweede.txt", text)
        bundle.writestr(ATTACHMENT, b"MZ not really an executable")
    second = ingest(archive, custodian, actor="test", file_name=f"WhatsApp-chat met {TITLE}.zip")
    assert second.status == "ingested", second.error
    User = get_user_model()
    reviewer = User.objects.create_user("lezer")
    grant(reviewer, Role.REVIEWER, organisation=custodian.organisation)
    grant(reviewer, Role.OPERATOR, organisation=custodian.organisation)
    auditor = User.objects.create_user("auditor")
    grant(auditor, Role.AUDITOR, organisation=custodian.organisation)
    admin = User.objects.create_user("beheerder")
    grant(admin, Role.ADMIN, organisation=custodian.organisation)
    return {
        "admin": admin,
        "custodian": custodian,
        "deliveries": [first.delivery, second.delivery],
        "reviewer": reviewer,
        "auditor": auditor,
    }


def test_the_payloads_really_are_in_the_archive(hostile: dict[str, Any]) -> None:
    titles = set(Conversation.objects.values_list("title", flat=True))
    assert TITLE in titles
    names = set(Participant.objects.values_list("name", flat=True))
    assert {SENDER_1, SENDER_2.lstrip(RLO)} <= names, names
    files = set(Attachment.objects.values_list("filename", flat=True))
    assert ATTACHMENT in files, files
    assert Attachment.objects.filter(filename=ATTACHMENT).exclude(blob_id=None).exists()


@pytest.mark.parametrize("role", ["reviewer", "auditor", "admin"])
def test_every_page_escapes_hostile_text(client: Any, hostile: dict[str, Any], role: str) -> None:
    user = hostile[role]
    client.force_login(user)
    pass_second_factor(client, user)
    custodian = hostile["custodian"]
    pages = [
        reverse("home"),
        reverse("custodian", kwargs={"slug": custodian.slug}),
        reverse("upload"),
        reverse("custodian_audit", kwargs={"slug": custodian.slug}),
        reverse("users"),
    ]
    pages += [reverse("delivery", kwargs={"pk": d.pk}) for d in hostile["deliveries"]]
    pages += [reverse("conversation", kwargs={"pk": c.pk}) for c in Conversation.objects.filter(custodian=custodian)]
    rendered = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code in (403, 404)
            continue
        html = response.content.decode()
        _check(html, f"{url} as {role}")
        rendered += 1
    assert rendered >= {"reviewer": 6, "auditor": 5, "admin": 5}[role]


def test_the_conversation_shows_the_payloads_as_text(client: Any, hostile: dict[str, Any]) -> None:
    client.force_login(hostile["reviewer"])
    conversation = Conversation.objects.get(custodian=hostile["custodian"], title=TITLE)
    html = client.get(reverse("conversation", kwargs={"pk": conversation.pk})).content.decode()
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7|add:35 }} {% debug %}" in html  # data is never template source
    assert "⟦U+202E⟧" in html  # bidi overrides shown, not obeyed
    assert JS_LINK in html and 'href="javascript' not in html.lower()


def test_download_names_lose_bidi_overrides(client: Any, hostile: dict[str, Any]) -> None:
    client.force_login(hostile["reviewer"])
    attachment = Attachment.objects.filter(filename=ATTACHMENT).exclude(blob_id=None).first()
    response = client.get(reverse("attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert RLO not in disposition and "%E2%80%AE" not in disposition.upper()
    assert disposition.startswith("attachment")  # not an image: never shown inline
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
