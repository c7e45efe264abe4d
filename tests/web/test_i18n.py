"""Dutch first, English through the language switch, and a complete English catalogue.

The interface's source strings are Dutch ({% translate %}, gettext_lazy); the English lives in
src/chatarchief/locale/en/LC_MESSAGES/django.po and its compiled django.mo (committed, so a fresh
machine needs no gettext). Whoever adds or changes a translatable string must refresh the catalogue,
fill in the English and compile it, or the catalogue tests below fail:

    cd src/chatarchief
    CHATARCHIEF_DATA_DIR=/tmp/ca-i18n ../../.venv/bin/python -m django makemessages -l en \\
        --settings=chatarchief.web.settings -i "core/*"
    # fill in every new msgstr in locale/en/LC_MESSAGES/django.po, drop any "#, fuzzy"
    ../../.venv/bin/python -m django compilemessages --settings=chatarchief.web.settings
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Organisation
from chatarchief.demo import load_demo

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
DUTCH = ("Functionarissen", "Gesprekken", "Aanleveringen", "Uitloggen")
ENGLISH = ("Custodians", "Conversations", "Deliveries", "Log out")


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """LocaleMiddleware activates a language per request; keep it from leaking into later tests."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def reviewer(db: Any, client: Client) -> Client:
    """A TOTP-verified records manager of BZK, with the demo archive (custodian minister-bzk, a WhatsApp chat)."""
    list(load_demo(actor="test"))
    user = get_user_model().objects.create_user("lezer-i18n")
    grant(user, Role.REVIEWER, organisation=Organisation.objects.get(code="BZK"))
    client.force_login(user)
    return client


def _pages(client: Client, **headers: str) -> str:
    """The home page and minister-bzk's page, joined; both must render."""
    html = []
    for url in (reverse("home"), reverse("custodian", args=["minister-bzk"])):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        html.append(response.content.decode())
    return "\n".join(html)


def _assert_dutch(html: str) -> None:
    assert '<html lang="nl">' in html
    for word in DUTCH:
        assert word in html
    for word in ENGLISH:
        assert word not in html


def _assert_english(html: str) -> None:
    assert '<html lang="en">' in html
    for word in ENGLISH:
        assert word in html
    for word in DUTCH:
        assert word not in html
    assert "Minister (bewindspersoon)" in html  # a model choice label (gettext_lazy) follows the request too


def test_dutch_by_default(reviewer: Client) -> None:
    html = _pages(reviewer)
    _assert_dutch(html)
    assert "Bewindspersoon" in html
    assert 'value="en"' in html  # the switch offers English


def test_language_switch_to_english_and_back(reviewer: Client) -> None:
    response = reviewer.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert reviewer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = _pages(reviewer)
    _assert_english(html)
    assert 'value="nl"' in html  # ...and back to Dutch

    reviewer.post(reverse("set_language"), {"language": "nl", "next": reverse("home")})
    _assert_dutch(_pages(reviewer))


def test_switch_works_before_login(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    html = client.get(reverse("login")).content.decode()
    assert "Log in" in html and "Inloggen" not in html


def test_accept_language_header(reviewer: Client) -> None:
    _assert_english(_pages(reviewer, accept_language="en"))
    _assert_english(_pages(reviewer, accept_language="en-GB,en;q=0.9"))
    _assert_dutch(_pages(reviewer, accept_language="nl-NL,nl;q=0.9,en;q=0.5"))


def test_language_cookie(reviewer: Client) -> None:
    reviewer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _assert_english(_pages(reviewer))


# The catalogue -------------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """A tiny .po reader (no new dependency): entries with their msgid(s), msgstr(s) and flags.

    Obsolete entries (`#~`) are skipped; the header (empty msgid) is included.
    """
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    seen = False

    def flush() -> None:
        nonlocal entry, target, seen
        if seen:
            entries.append(entry)
        entry, target, seen = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            if seen and entry.msgstr:  # flags open a new entry even without a blank line
                flush()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"string without a keyword: {raw!r}"
            text = ast.literal_eval(line)
            if target[0] == "msgid":
                entry.msgid += text
            elif target[0] == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            else:
                entry.msgstr[target[1]] += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword == "msgid":
                if seen and entry.msgstr:
                    flush()
                entry.msgid, target, seen = text, ("msgid", 0), True
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = text, ("msgid_plural", 0)
            elif keyword == "msgstr":
                entry.msgstr[0], target = text, ("msgstr", 0)
            elif keyword.startswith("msgstr["):
                index = int(keyword[len("msgstr[") : -1])
                entry.msgstr[index], target = text, ("msgstr", index)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    flush()
    return entries


@pytest.fixture(scope="module")
def messages() -> list[Entry]:
    entries = [e for e in read_po(CATALOGUE / "django.po") if e.msgid]
    assert len(entries) > 100, "the English catalogue looks truncated"
    return entries


def test_every_string_has_english(messages: list[Entry]) -> None:
    """A new Dutch string without English fails here: re-run makemessages, translate, compilemessages."""
    untranslated = [e.msgid for e in messages if not all(e.msgstr.values()) or not e.msgstr]
    assert not untranslated, f"untranslated in django.po: {untranslated}"
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy (unchecked) in django.po: {fuzzy}"
    plurals = [e.msgid for e in messages if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not plurals, f"English needs exactly two plural forms: {plurals}"


def test_placeholders_are_kept(messages: list[Entry]) -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")
    for entry in messages:
        wanted = sorted(placeholder.findall(entry.msgid))
        for text in entry.msgstr.values():
            assert sorted(placeholder.findall(text)) == wanted, entry.msgid


def test_compiled_catalogue_matches(messages: list[Entry]) -> None:
    """django.mo is committed; it must hold what django.po says (i.e. compilemessages was run)."""
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in messages:
        if entry.msgid_plural is None:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid
        else:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr[0], entry.msgid
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr[1], entry.msgid


def test_blocktranslate_plural_in_english() -> None:
    from django.template import engines

    template = engines["django"].from_string(
        "{% load i18n %}{% blocktranslate count n=k %}{{ n }} versie{% plural %}{{ n }} versies{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert template.render({"k": 1}) == "1 version"
        assert template.render({"k": 3}) == "3 versions"
    with translation.override("nl"):
        assert template.render({"k": 3}) == "3 versies"
