"""The search page and the Woo pages through the Django test client: highlighted hits with a count
and deep links, nothing private; a coordinator walks a request from creation to the package."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chatarchief.access.services import grant
from chatarchief.archive.models import Message, Organisation
from chatarchief.audit.models import AuditEvent
from chatarchief.woo.models import Document, WooRequest
from tests.web.world import pass_second_factor
from tests.woo import world as w

pytestmark = pytest.mark.django_db(transaction=True)


def _client(client, user):
    client.force_login(user)
    pass_second_factor(client, user, recent_auth=True)
    return client


def test_search_page_highlights_counts_links_and_hides_private(world, client):
    w.label_private(world)
    user = get_user_model().objects.create_user("reviewer")
    grant(user, "reviewer", organisation=Organisation.objects.get(code="BZK"))
    _client(client, user)
    response = client.get(reverse("search"), {"q": "stikstofbrief", "sort": "time"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<mark>stikstofbrief</mark>" in page or "<mark>Stikstofbrief</mark>" in page
    visible = Message.objects.filter(body__icontains="stikstofbrief", conversation__custodian__organisation__code="BZK")
    visible = visible.exclude(conversation=world.private)
    assert f"{visible.count()} berichten gevonden" in page
    one = visible.first()
    assert f"/conversations/{one.conversation_id}/?message={one.pk}#m-{one.pk}" in page
    assert "Schat" not in page and "Thuis" not in page  # private: not shown
    assert "Financiën kijkt" not in page  # another organisation
    assert AuditEvent.objects.filter(action="search.run", actor="web:reviewer").exists()
    # a malformed query is an error on the field, in Dutch
    bad = client.get(reverse("search"), {"q": '"open'}).content.decode()
    assert "aanhalingsteken" in bad.lower()


def test_a_coordinator_walks_a_request_to_the_package(world, client):
    w.label_private(world)
    coordinator = get_user_model().objects.create_user("coordinator")
    grant(coordinator, "woo_coordinator", organisation=Organisation.objects.get(code="BZK"))
    _client(client, coordinator)
    response = client.post(
        reverse("woo_create"),
        {
            "reference": "WOO-WEB-1",
            "subject": "Stikstof",
            "requester": "Jan Verzoeker",
            "received": "2024-04-01",
            "period_from": "2024-03-01",
            "period_to": "2024-03-31",
            "custodians": ["minister-a", "sg-b", "dg-c"],
            "grouping": "day",
        },
    )
    assert response.status_code == 302, response.content.decode()
    request = WooRequest.objects.get(reference="WOO-WEB-1")
    detail = client.get(reverse("woo_detail", args=[request.pk])).content.decode()
    assert "Jan Verzoeker" in detail and "29 april 2024" in detail  # requester for coordinators; deadline
    assert "verstreken" in detail.lower()  # the deadline (2024) has passed: warned
    client.post(reverse("woo_search", args=[request.pk]), {"query": "stikstofbrief"})
    documents = list(Document.objects.filter(request=request).order_by("number"))
    assert len(documents) == 3
    crisis = next(d for d in documents if d.title == "Crisisteam" and d.day.day == 4)
    page = client.get(reverse("woo_document", args=[request.pk, crisis.number])).content.decode()
    assert w.PHONE in page and "Voorstel" in page  # the phone number is suggested, not applied
    assert not crisis.redactions.exists()
    client.post(
        reverse("woo_redact", args=[request.pk, crisis.number]),
        {"kind": "phrase", "text": w.SECRET, "ground": "5.1.2e"},
    )
    message = Message.objects.filter(body__contains=w.PHONE).first()
    start = message.body.index(w.PHONE)
    client.post(
        reverse("woo_redact", args=[request.pk, crisis.number]),
        {"kind": "span", "message": message.pk, "start": start, "end": start + len(w.PHONE), "ground": "5.1.2e"},
    )
    assert crisis.redactions.count() == 2
    # a sender's name, chosen from the document's senders; one who is not in it is refused
    bob = "Bob Secretaris"  # WhatsApp: the key is the name as the phone showed it
    assert Message.objects.filter(sender_key=bob).exists()
    assert f'value="{bob}"' in client.get(reverse("woo_document", args=[request.pk, crisis.number])).content.decode()
    client.post(
        reverse("woo_redact", args=[request.pk, crisis.number]),
        {"kind": "sender", "sender": "Niemand", "ground": "5.1.2e"},
    )
    assert crisis.redactions.count() == 2
    client.post(
        reverse("woo_redact", args=[request.pk, crisis.number]), {"kind": "sender", "sender": bob, "ground": "5.1.2e"}
    )
    assert crisis.redactions.filter(kind="sender", sender=bob).count() == 1
    for d in documents:
        decision = {"decision": "deels", "grounds": ["5.1.2e"]} if d == crisis else {"decision": "openbaar"}
        client.post(reverse("woo_assess", args=[request.pk, d.number]), decision)
    export = client.post(reverse("woo_export", args=[request.pk]))
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert {"inventarislijst.csv", "inventarislijst.xlsx", "manifest.json", "zoekslag.json"} <= set(names)
    assert len([n for n in names if n.startswith("documenten/")]) == 3
    reads = AuditEvent.objects.filter(action="content.read", actor="web:coordinator", details__request="WOO-WEB-1")
    assert {e.details["what"] for e in reads} >= {"woo.search", f"woo.document:{crisis.number}", "woo.export"}

    # another coordinator of the same organisation, not assigned: the request does not exist for them
    other = get_user_model().objects.create_user("other")
    grant(other, "woo_coordinator", organisation=Organisation.objects.get(code="BZK"))
    client.logout()
    _client(client, other)
    assert client.get(reverse("woo_detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("woo_document", args=[request.pk, crisis.number])).status_code == 404
    assert "WOO-WEB-1" not in client.get(reverse("woo_list")).content.decode()
