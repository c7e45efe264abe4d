"""The building blocks of docs/web.md (partials and the ca_ui / ca_words tags): what they render, and
a gallery page holding every one of them that passes axe and the 320 px reflow check in a browser
(so blocks no page uses yet are checked before a page does)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from tests.web.test_accessibility import AXE, NARROW, OVERFLOW, RUN_AXE, TAGS, WIDE
from tests.web.test_browser import SCREENSHOTS

GALLERY = """{% extends "base.html" %}{% load i18n ca_ui ca_words %}
{% block title %}Galerij{% endblock %}
{% block breadcrumbs %}{% include "partials/breadcrumbs.html" with url="/custodians/x/" label="Minister" %}{% endblock %}
{% block content %}
<h1 class="nl-heading nl-heading--level-1">Galerij</h1>
{% include "partials/filter_form.html" with form=filter id="gallery-filter" legend="Bevindingen filteren" %}
{% datatable id="things" caption="Dingen" %}
  <thead class="utrecht-table__header"><tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="col">Soort</th>
  <th class="utrecht-table__header-cell" scope="col">Status</th><th class="utrecht-table__header-cell" scope="col">Licht</th>
  <th class="utrecht-table__header-cell" scope="col">Een lange kolom met veel tekst erin</th></tr></thead>
  <tbody class="utrecht-table__body">{% for tone, light in tones %}<tr class="utrecht-table__row"><td class="utrecht-table__cell">{{ tone }}</td>
  <td class="utrecht-table__cell">{% include "partials/status.html" with tone=tone text="Verwerkt" %}</td>
  <td class="utrecht-table__cell">{% include "partials/traffic_light.html" with light=light text="Op tijd aangeleverd" %}</td>
  <td class="utrecht-table__cell">be42d36b88d388ef637bd7bacf761e93658aa9522141493ac23e451d2bbdc587</td></tr>{% endfor %}</tbody>
{% enddatatable %}
{% pagination page label="Dingen" %}
{% include "partials/details.html" with id="facts" items=facts %}
{% for type in alert_types %}{% include "partials/alert.html" with type=type message="Er is iets te melden." heading="Let op" %}{% endfor %}
<form class="ca-form" method="post" action="/">
  {% include "partials/form_field.html" with field=form.name %}
  {% include "partials/secret_field.html" with field=form.secret %}
  {% include "partials/form_field.html" with field=form.agree %}
  {% include "partials/progress.html" with id="gallery-progress" working="Bezig" busy="Verwerken" %}
  <div class="utrecht-button-group ca-actions"><button class="utrecht-button utrecht-button--primary-action" type="submit">Versturen</button></div>
</form>
{% endblock %}"""


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Requests in other languages (LocaleMiddleware) must not leave their language active for later tests."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label="Soort", choices=[("", "Alle"), ("a", "Verwijderd")], required=False)
    since = forms.DateField(label="Vanaf", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    open_only = forms.BooleanField(label="Alleen open", required=False)


class ExampleForm(forms.Form):
    name = forms.CharField(label="Naam", help_text="Zoals in het register.")
    secret = forms.CharField(label="Herstelsleutel", required=False, widget=forms.PasswordInput)
    agree = forms.BooleanField(label="Ik ga akkoord")


def render(source: str, context: dict[str, Any], path: str = "/things/?kind=a&page=3") -> str:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return engines["django"].from_string(source).render(context, request)


def gallery() -> str:
    return render(
        GALLERY,
        {
            "filter": FilterForm({"kind": "a"}),
            "form": ExampleForm({"name": ""}),  # bound and invalid: errors show
            "page": Paginator(range(100), 10).get_page(3),
            "facts": [("Bestand", "chat.txt"), ("Ontvangen", dt.date(2026, 3, 5)), ("Leeg", "")],
            "tones": [("ok", "green"), ("warning", "orange"), ("error", "red"), ("info", "green"), ("neutral", "red")],
            "alert_types": ["info", "ok", "warning", "error"],
        },
    )


def test_pagination_keeps_the_other_parameters_and_says_where_you_are() -> None:
    html = gallery()
    assert "Pagina 3 van 10" in html
    for number, name in ((1, "Eerste"), (2, "Vorige"), (4, "Volgende"), (10, "Laatste")):
        assert re.search(rf'href="\?kind=a&amp;page={number}"[^>]*>{name}<', html), name
    one = render("{% load ca_ui %}{% pagination page %}", {"page": Paginator(range(3), 10).get_page(1)})
    assert one.strip() == ""  # nothing for a single page
    first = render("{% load ca_ui %}{% pagination page %}", {"page": Paginator(range(30), 10).get_page(1)})
    assert '<span class="ca-pagination__off">Vorige</span>' in first and 'rel="next"' in first


def test_pagination_links_for_keyset_pages() -> None:
    html = render("{% load ca_ui %}{% pagination_links label='Berichten' previous='?before=9' next='?after=20' %}", {})
    assert 'href="?before=9"' in html and 'href="?after=20"' in html and "Pagina " not in html


def test_form_fields_have_the_ids_aria_describedby_names() -> None:
    html = gallery()
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_helptext"' in html and 'id="id_name_error"' in html and 'aria-invalid="true"' in html
    assert re.search(r'<input type="text" name="name"[^>]*class="utrecht-textbox utrecht-textbox--html-input"', html)
    assert re.search(r'<select name="kind"[^>]*class="utrecht-select utrecht-select--html-select"', html)
    assert re.search(r'<input type="checkbox"[^>]*class="utrecht-checkbox utrecht-checkbox--html-input"', html)
    assert "(niet verplicht)" in html  # optional fields say so
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for target in described.split():
            assert f'id="{target}"' in html, f"aria-describedby points at a missing id: {target}"


def test_secret_field_is_a_password_field_with_a_hidden_toggle() -> None:
    html = gallery()
    assert re.search(r'<input type="password" name="secret"', html)
    assert re.search(r'<button [^>]*type="button" hidden aria-controls="id_secret"', html)


def test_table_region_is_named_by_its_caption() -> None:
    html = gallery()
    assert 'role="region" aria-labelledby="things-caption" tabindex="0"' in html
    assert '<caption class="utrecht-table__caption" id="things-caption">Dingen</caption>' in html
    with pytest.raises(Exception, match="caption"):
        engines["django"].from_string("{% load ca_ui %}{% datatable id='x' %}{% enddatatable %}")


def test_status_light_and_alert_never_rely_on_colour_alone() -> None:
    html = gallery()
    assert html.count('class="ca-status__shape" aria-hidden="true"') == 5
    assert '<span class="ca-visually-hidden">Oranje: </span>Op tijd aangeleverd' in html
    assert html.count('role="alert"') == 1 and html.count('role="status"') >= 3  # errors at once, others politely


def test_progress_shows_nothing_before_it_starts() -> None:
    html = gallery()
    assert re.search(r'<progress class="ca-progress__bar" max="100" value="0" hidden', html)
    assert re.search(
        r'<p class="ca-progress__status" id="gallery-progress-status" role="status" aria-live="polite"></p>', html
    )


def test_words_for_codes() -> None:
    source = "{% load ca_words %}{{ 'new'|count_label }}|{{ 'signal_v2'|format_label }}|{{ 'content.read'|action_label }}|{{ 'web:jan'|actor_label }}|{{ 'made_up'|count_label }}"
    with translation.override("nl"):
        assert render(source, {}) == "nieuw in het archief|Signal-back-up|Inhoud bekeken|jan (website)|made_up"
    with translation.override("en"):
        assert render(source, {}) == "new in the archive|Signal backup|Content viewed|jan (website)|made_up"


def _serve(html: str) -> Any:
    return lambda route, _request: route.fulfill(body=html, content_type="text/html")


@pytest.mark.browser
def test_the_gallery_passes_axe_and_reflows(live_server: Any, browser: Any) -> None:
    failures = []
    for language in ("nl", "en"):
        with translation.override(language):
            html = gallery()
        context = browser.new_context(viewport=WIDE)
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.route(live_server.url + "/__gallery__/", _serve(html))
        page.goto(live_server.url + "/__gallery__/")
        page.wait_for_selector(".ca-secret__toggle:not([hidden])")  # app.js ran
        if language == "nl":
            page.screenshot(path=str(SCREENSHOTS / "building-blocks.png"), full_page=True)
        failures += [f"[{language}] {v['id']}: {v['help']} {v['nodes'][:2]}" for v in page.evaluate(RUN_AXE, TAGS)]
        page.set_viewport_size(NARROW)
        overflow = page.evaluate(OVERFLOW)
        if overflow["scrollWidth"] > overflow["innerWidth"]:
            failures.append(f"[{language}] scrolls sideways at 320 px: {overflow}")
        failures += [
            f"[{language}] 320 px {v['id']}: {v['help']} {v['nodes'][:2]}" for v in page.evaluate(RUN_AXE, TAGS)
        ]
        context.close()
    assert not failures, "\n".join(failures)
