"""Issue 21: finding one's way in a long chat (pages, a date, a message, a search), the findings of a
custodian (all of them, filtered, paginated, in words), the paginated home page and the auditor's trail."""

from __future__ import annotations

import datetime as dt
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
from chatarchief.audit.models import AuditEvent
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.intake.pipeline import ingest
from chatarchief.search import services as search
from tests.generators.whatsapp import Spec, write_android_export, write_export
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db

N = 1000


def _client(role: str, org: str, **scope: Any) -> Client:
    user = get_user_model().objects.create_user(f"nav-{role}")
    grant(user, role, **scope)
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user, recent_auth=True)
    return client


@pytest.fixture
def long_chat(tmp_path: Path) -> dict[str, Any]:
    custodian = registry.add_custodian("nav", name="Functionaris Nav", actor="test", organisation="NAV")
    path = write_android_export(tmp_path / "WhatsApp-chat met Lang.txt", N)
    outcome = ingest(path, custodian, actor="test", file_name="WhatsApp-chat met Lang.txt")
    assert outcome.status == "ingested", outcome.error
    search.index_delivery(outcome.delivery.pk)  # not wired into ingest yet (docs/search.md)
    conversation = Conversation.objects.get(custodian=custodian)
    reviewer = _client(Role.REVIEWER, "NAV", organisation=custodian.organisation)
    from chatarchief.audit import anchor

    anchor.anchor_now()  # what the commit of these steps does outside a test's transaction
    return {"custodian": custodian, "conversation": conversation, "client": reviewer}


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="m-(\d+)"', html)]


def _ordered() -> list[int]:
    return list(Message.objects.order_by(*timeline.ORDER).values_list("id", flat=True))


def test_a_chat_opens_at_its_newest_full_page_and_every_page_is_its_slice(long_chat: dict[str, Any]) -> None:
    client, conversation = long_chat["client"], long_chat["conversation"]
    url = reverse("conversation", args=[conversation.pk])
    ordered = _ordered()
    assert len(ordered) == N
    pages = -(-N // timeline.PAGE_SIZE)
    newest = client.get(url)
    assert newest.status_code == 200
    html = newest.content.decode()
    assert _ids(html) == ordered[-timeline.PAGE_SIZE :], "the first view is the newest full page"
    assert f"Pagina {pages} van {pages}" in html
    seen: list[int] = []
    for number in range(1, pages + 1):
        page = client.get(url, {"page": number}).content.decode()
        assert f"Pagina {number} van {pages}" in page
        seen += _ids(page)
    assert seen == ordered, "the pages together hold every message once, in order"
    first = client.get(url, {"page": 1}).content.decode()
    assert _ids(first)[0] == ordered[0], "the oldest message is one click away (Eerste)"
    assert 'href="?page=1"' in html


def test_a_message_link_lands_on_its_page_highlighted(long_chat: dict[str, Any]) -> None:
    client, conversation = long_chat["client"], long_chat["conversation"]
    ordered = _ordered()
    for index in (0, 137, 450, N - 1):
        target = ordered[index]
        html = client.get(reverse("conversation", args=[conversation.pk]), {"message": target}).content.decode()
        assert target in _ids(html)
        assert re.search(rf'ca-msg--target[^"]*" id="m-{target}" aria-current="true"', html)
        expected_page = (-(-N // 200)) - (N - 1 - index) // 200
        assert f"Pagina {expected_page} van" in html


def test_a_date_jump_goes_to_the_page_of_that_day_without_script(long_chat: dict[str, Any]) -> None:
    client, conversation = long_chat["client"], long_chat["conversation"]
    url = reverse("conversation", args=[conversation.pk])
    cal = timeline.calendar(conversation, long_chat["custodian"].zone)
    day = cal.days[len(cal.days) // 2]
    response = client.get(url, {"date": day.date.isoformat()})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#d-{day.date.isoformat()}")
    html = client.get(response["Location"].split("#")[0]).content.decode()
    assert f'id="d-{day.date.isoformat()}"' in html, "the page holds the day's separator"
    first_of_day = Message.objects.filter(conversation=conversation, sent_at_ms__gte=day.start_ms).order_by(
        *timeline.ORDER
    )[0]
    assert first_of_day.pk in _ids(html)
    bad = client.get(url, {"date": "morgen"})
    assert bad.status_code == 200 and "Dat is geen datum" in bad.content.decode()


def test_the_histogram_links_days_and_marks_deletions(tmp_path: Path) -> None:
    custodian = registry.add_custodian("histo", name="Functionaris Histo", actor="test", organisation="HIS")
    at = dt.datetime(2025, 10, 27, 12, 37)
    specs = [
        Spec("Anna", at, "eerste"),
        Spec("Bob", at + dt.timedelta(days=1), kind="deleted"),
        Spec("Anna", at + dt.timedelta(days=1, minutes=1), "derde"),
    ]
    path = write_export(tmp_path / "WhatsApp-chat met Histo.txt", specs)
    assert ingest(path, custodian, actor="test").status == "ingested"
    conversation = Conversation.objects.get(custodian=custodian)
    client = _client(Role.REVIEWER, "HIS", organisation=custodian.organisation)
    html = client.get(reverse("conversation", args=[conversation.pk])).content.decode()
    assert 'href="?date=2025-10-27"' in html and 'href="?date=2025-10-28"' in html
    assert "1 verwijderd" in html
    assert "nooit gearchiveerd" in html and "bewaart het origineel" not in html, "no contradicting texts"
    assert re.search(r"<time[^>]*>12:37</time>", html), "minutes from the source, no fake seconds"
    assert "12:37:00" not in re.sub(r'datetime="[^"]*"', "", html)


def test_search_in_the_chat_steps_through_hits(long_chat: dict[str, Any]) -> None:
    client, conversation = long_chat["client"], long_chat["conversation"]
    url = reverse("conversation", args=[conversation.pk])
    word = "kamerbrief"
    hits = [
        m.pk
        for m in Message.objects.filter(conversation=conversation).order_by("-sent_at_ms", "-sort_index", "-id")
        if m.body and word in m.body.lower()
    ]
    assert len(hits) >= 2, "the seeded export has the word in several messages"
    response = client.get(url, {"q": word})
    assert response.status_code == 302 and "hit=1" in response["Location"]
    first = client.get(url, {"q": word, "hit": 1}).content.decode()
    assert "Treffer 1 van" in first and "<mark>" in first
    target = int(re.search(r'ca-msg--target[^"]*" id="m-(\d+)"', first).group(1))
    older = re.search(r'href="(\?q=[^"]+hit=2#m-(\d+))"', first.replace("&amp;", "&"))
    assert older, "a link to the next (older) hit, straight to its message"
    second = client.get(url + older.group(1).split("#")[0]).content.decode()
    assert "Treffer 2 van" in second and "Nieuwere treffer" in second
    assert int(older.group(2)) in _ids(second) and int(older.group(2)) != target


def test_the_custodian_page_counts_and_pages_all_findings_in_words(long_chat: dict[str, Any]) -> None:
    custodian, conversation = long_chat["custodian"], long_chat["conversation"]
    messages = list(Message.objects.filter(conversation=conversation).order_by("id")[:130])
    for i, message in enumerate(messages):
        Finding.objects.create(
            type=FindingType.MESSAGE_DELETED,
            custodian=custodian,
            conversation=conversation,
            message=message,
            subject=f"test:{message.pk}",
            details={"by": "custodian" if i % 2 else "other", "content_preserved": True},
            retracted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if i < 100 else None,
        )
    Finding.objects.create(
        type=FindingType.DISAPPEARING_ENABLED,
        custodian=custodian,
        conversation=conversation,
        subject="timer",
        details={"timer_seconds": 604800, "by": "+31612345678"},
    )
    total = Finding.objects.filter(custodian=custodian).count()
    open_count = Finding.objects.filter(custodian=custodian, retracted_at__isnull=True).count()
    client = long_chat["client"]
    url = reverse("custodian", args=[custodian.slug])
    html = client.get(url).content.decode()
    assert f"{total} bevindingen, waarvan {open_count} open" in html
    assert "7 dagen" in html and "door de functionaris" in html and "door een ander" in html
    assert "timer_seconds" not in html and "content_preserved" not in html
    first_rows = re.findall(r"ca-finding--(open|closed)", html)
    pages = -(-total // 50)
    shown_open = min(open_count, len(first_rows))
    assert first_rows[:shown_open] == ["open"] * shown_open and len(first_rows) == 50, "open findings first"
    assert f"Pagina 1 van {pages}" in html
    seen = 0
    for number in range(1, pages + 1):
        seen += len(re.findall(r"ca-finding--", client.get(url, {"page": number}).content.decode()))
    assert seen == total, "no silent cap: every finding is on some page"
    closed = client.get(url, {"state": "closed"}).content.decode()
    assert set(re.findall(r"ca-finding--(open|closed)", closed)) == {"closed"}
    message = messages[99]  # the newest closed one: first on the page of closed findings
    link = f"{reverse('conversation', args=[conversation.pk])}?message={message.pk}#m-{message.pk}"
    assert link in closed
    typed = client.get(url, {"type": FindingType.DISAPPEARING_ENABLED}).content.decode()
    assert len(re.findall(r"ca-finding--", typed)) >= 1 and "Bericht verwijderd" not in typed.split("<tbody")[1]


def test_a_custodian_who_never_delivered_is_not_shown_as_compliant(long_chat: dict[str, Any]) -> None:
    never = registry.add_custodian("nooit", name="Nooit Aangeleverd", actor="test", organisation="NAV")
    html = long_chat["client"].get(reverse("custodian", args=[never.slug])).content.decode()
    assert "Nog nooit aangeleverd" in html
    assert "Geen bevindingen." not in html


def test_home_is_paginated_with_counts_of_its_own_page(long_chat: dict[str, Any]) -> None:
    for i in range(60):
        registry.add_custodian(f"extra-{i:02d}", name=f"Extra {i:02d}", actor="test", organisation="NAV")
    client = long_chat["client"]
    html = client.get(reverse("home")).content.decode()
    assert "Pagina 1 van 2" in html and "61 functionarissen" in html
    second = client.get(reverse("home"), {"page": 2}).content.decode()
    assert "Functionaris Nav" not in html or "Functionaris Nav" not in second


def test_the_audit_trail_filters_pages_exports_and_checks_the_chain(long_chat: dict[str, Any]) -> None:
    custodian = long_chat["custodian"]
    auditor = _client(Role.AUDITOR, "NAV", organisation=custodian.organisation)
    for page in (1, 2, 3):
        long_chat["client"].get(reverse("conversation", args=[long_chat["conversation"].pk]), {"page": page})
    url = reverse("custodian_audit", args=[custodian.slug])
    from django.core.cache import cache

    cache.clear()  # the chain's check is cached for a few minutes
    html = auditor.get(url).content.decode()
    assert "De keten van het logboek is intact" in html
    assert "Inhoud bekeken</td>" in html and ">content.read<" not in html
    expected = AuditEvent.objects.filter(custodian_slug=custodian.slug, action="content.read").count()
    assert expected >= 3
    reads = auditor.get(url, {"action": "content.read"}).content.decode()
    assert f"{expected} gebeurtenissen." in reads and "Aanlevering verwerkt</td>" not in reads
    export = auditor.get(url, {"action": "content.read", "export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().strip().splitlines()
    assert lines[0].startswith("id,at,actor,action") and len(lines) - 1 == expected
    assert AuditEvent.objects.filter(action="audit.exported", custodian_slug=custodian.slug).exists()


def test_malformed_navigation_parameters_never_fail(long_chat: dict[str, Any]) -> None:
    client, conversation = long_chat["client"], long_chat["conversation"]
    url = reverse("conversation", args=[conversation.pk])
    for params in (
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"message": "abc"},
        {"message": "999999999"},
        {"date": "2021-02-30"},
        {"date": "1900-01-01"},
        {"date": "2999-01-01"},
        {"month": "x"},
        {"q": '"niet afgesloten'},
        {"q": "kamerbrief", "hit": "zz"},
        {"q": "kamerbrief", "hit": "100000"},
    ):
        response = client.get(url, params)
        assert response.status_code in (200, 302), (params, response.status_code)
    custodian_url = reverse("custodian", args=[long_chat["custodian"].slug])
    for params in ({"page": "x"}, {"type": "nonsense"}, {"conversation": "x"}, {"date_from": "gisteren"}):
        assert client.get(custodian_url, params).status_code == 200, params


def test_the_audit_trail_says_when_the_chain_is_broken(long_chat: dict[str, Any]) -> None:
    from django.core.cache import cache

    custodian = long_chat["custodian"]
    auditor = _client(Role.AUDITOR, "NAV", organisation=custodian.organisation)
    victim = AuditEvent.objects.filter(custodian_slug=custodian.slug).order_by("id").first()
    assert victim is not None
    from django.db import connection

    from chatarchief.audit import triggers

    triggers.remove(connection)  # an attacker with database access gets past the append-only triggers
    try:
        AuditEvent.objects.filter(pk=victim.pk).update(details={"file": "iets anders"})  # tampering
    finally:
        triggers.install(connection)
    cache.clear()
    html = auditor.get(reverse("custodian_audit", args=[custodian.slug])).content.decode()
    assert f"verbroken bij gebeurtenis {victim.pk}" in html and "is intact" not in html


def test_the_audit_trail_says_when_the_newest_events_are_gone(long_chat: dict[str, Any]) -> None:
    """Deleting the newest events leaves a chain that is intact in itself: the signed anchors notice."""
    from django.core.cache import cache
    from django.db import connection

    from chatarchief.audit import triggers

    custodian = long_chat["custodian"]
    auditor = _client(Role.AUDITOR, "NAV", organisation=custodian.organisation)
    from chatarchief.audit import anchor

    anchor.anchor_now()  # as the last commit did: the newest event is anchored
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest is not None
    triggers.remove(connection)
    try:
        AuditEvent.objects.filter(pk=newest.pk).delete()
    finally:
        triggers.install(connection)
    cache.clear()
    html = auditor.get(reverse("custodian_audit", args=[custodian.slug])).content.decode()
    assert "klopt niet met zijn ankers" in html and "is intact" not in html


def test_the_custodians_own_messages_are_on_the_right(tmp_path: Path) -> None:
    """A one-to-one WhatsApp chat is named after the other party: the other sender is the custodian."""
    custodian = registry.add_custodian("rechts", name="Functionaris Rechts", actor="test", organisation="RE")
    at = dt.datetime(2025, 3, 1, 9, 0)
    specs = [Spec("Anna de Vries", at, "vraag"), Spec("Minister", at + dt.timedelta(minutes=1), "antwoord")]
    path = write_export(tmp_path / "WhatsApp-chat met Anna de Vries.txt", specs)
    assert ingest(path, custodian, actor="test").status == "ingested"
    conversation = Conversation.objects.get(custodian=custodian)
    client = _client(Role.REVIEWER, "RE", organisation=custodian.organisation)
    html = client.get(reverse("conversation", args=[conversation.pk])).content.decode()
    mine = Message.objects.get(conversation=conversation, body="antwoord")
    theirs = Message.objects.get(conversation=conversation, body="vraag")
    assert re.search(rf'ca-msg--out[^"]*" id="m-{mine.pk}"', html)
    assert not re.search(rf'ca-msg--out[^"]*" id="m-{theirs.pk}"', html)


def test_paging_with_a_search_keeps_the_page_and_the_marks(long_chat: dict[str, Any]) -> None:
    client, conversation = long_chat["client"], long_chat["conversation"]
    url = reverse("conversation", args=[conversation.pk])
    response = client.get(url, {"q": "kamerbrief", "page": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pagina 2 van" in html and "<mark>" in html
    assert _ids(html) == _ordered()[200:400]


def test_a_view_once_image_and_versions_speak_words(long_chat: dict[str, Any]) -> None:
    from chatarchief.archive.models import Attachment, Blob

    conversation = long_chat["conversation"]
    newest = Message.objects.filter(conversation=conversation).order_by(*timeline.ORDER).last()
    assert newest is not None
    Message.objects.filter(pk=newest.pk).update(kind="view_once", body=None)
    blob = Blob.objects.create(sha256="a" * 64, size=3)
    Attachment.objects.create(message=newest, blob=blob, mime_type="image/jpeg", filename="")
    html = long_chat["client"].get(reverse("conversation", args=[conversation.pk])).content.decode()
    item = html[html.index(f'id="m-{newest.pk}"') :]
    item = item[: item.index("</li>")]
    assert 'alt="Eenmalig te bekijken afbeelding"' in item
    assert "Eenmalig te bekijken: de app geeft de inhoud niet mee" in item
    assert "view_once" not in re.sub(r'class="[^"]*"', "", item)


def test_warming_a_delivery_builds_the_calendar_before_the_first_view(
    long_chat: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    conversation = long_chat["conversation"]
    cache.clear()
    timeline._recent.clear()
    assert timeline.warm_delivery(conversation.coverage.get().delivery_id) == 1
    timeline._recent.clear()  # another process: only the shared cache has it
    built: list[Any] = []
    original = timeline._build
    monkeypatch.setattr(timeline, "_build", lambda *a: built.append(a) or original(*a))
    cal = timeline.calendar(conversation, long_chat["custodian"].zone)
    assert built == [] and cal.total == N
