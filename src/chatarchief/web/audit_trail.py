"""The auditor's audit trail of one custodian's archive: filters (who, what, which object, when),
pagination, a CSV export of the same selection, the result of the hash chain's check on top, and every
action and object in words with a link where there is a page for it."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chatarchief.access.constants import Action
from chatarchief.archive.models import Conversation, Custodian, Delivery, Message
from chatarchief.audit import anchor, log
from chatarchief.audit.models import AuditEvent
from chatarchief.web import access
from chatarchief.web.templatetags.ca_words import ACTIONS, OBJECTS

PER_PAGE = 50


class AuditFilter(forms.Form):
    actor = forms.CharField(
        label=gettext_lazy("Wie (gebruikersnaam of een deel ervan)"), required=False, max_length=200
    )
    action = forms.ChoiceField(label=gettext_lazy("Handeling"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("Soort object"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Nummer van het object"), required=False, max_length=64)
    date_from = forms.DateField(
        label=gettext_lazy("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data, auto_id="id_audit_%s")
        self.fields["action"].choices = [("", _("Alle handelingen")), *sorted(ACTIONS.items(), key=lambda i: str(i[1]))]
        self.fields["object_type"].choices = [
            ("", _("Alle soorten")),
            *sorted(OBJECTS.items(), key=lambda i: str(i[1])),
        ]


def _filtered(custodian: Custodian, form: AuditFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(custodian_slug=custodian.slug)
    if not form.is_valid():
        return events
    data, zone = form.cleaned_data, custodian.zone
    if data.get("actor"):
        events = events.filter(actor__icontains=data["actor"])
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
    if data.get("object_id"):
        events = events.filter(object_id=data["object_id"].strip())
    if data.get("date_from"):
        events = events.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time(), tzinfo=zone))
    if data.get("date_to"):
        end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        events = events.filter(at__lt=end)
    return events


def _objects(events: list[AuditEvent], can_read: bool) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(type, id) -> (name in words, link or None) for the objects of a page, a query per kind."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    named: dict[tuple[str, str], tuple[str, str | None]] = {}
    for pk, name in Delivery.objects.filter(pk__in=wanted.get("Delivery", ())).values_list("pk", "file_name"):
        named[("Delivery", str(pk))] = (name, reverse("delivery", args=[pk]))
    for pk, title in Conversation.objects.filter(pk__in=wanted.get("Conversation", ())).values_list("pk", "title"):
        named[("Conversation", str(pk))] = (title, reverse("conversation", args=[pk]) if can_read else None)
    for pk, cid in Message.objects.filter(pk__in=wanted.get("Message", ())).values_list("pk", "conversation_id"):
        link = reverse("conversation", args=[cid]) + f"?message={pk}#m-{pk}" if can_read else None
        named[("Message", str(pk))] = ("", link)
    for pk, slug, name in Custodian.objects.filter(pk__in=wanted.get("Custodian", ())).values_list(
        "pk", "slug", "name"
    ):
        named[("Custodian", str(pk))] = (name, reverse("custodian", args=[slug]))
    return named


@require_GET
def custodian_audit(request: HttpRequest, slug: str) -> HttpResponse:
    custodian = access.custodian_or_403(request.user, slug, Action.VIEW_AUDIT_TRAIL)
    form = AuditFilter(request.GET or None)
    events = _filtered(custodian, form).order_by("-id")
    if request.GET.get("export") == "csv":
        return _csv(request, custodian, form, events)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    names = _objects(shown, access.can_read_content(request.user, custodian))
    rows = [{"event": e, "object": names.get((e.object_type, e.object_id))} for e in shown]
    chain = _chain()
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "csv"
    return render(
        request,
        "audit_trail.html",
        {
            "custodian": custodian,
            "rows": rows,
            "page": page,
            "form": form,
            "chain": chain,
            "csv_url": f"?{query.urlencode()}",
        },
    )


VERIFY_SECONDS = 300


def _chain() -> dict[str, Any]:
    """The hash chain's check over the whole log and its anchors (`audit.anchor.verify_all`), at most VERIFY_SECONDS old: it
    reads every event, so a busy trail is not re-hashed on every view. The page says when it ran."""
    result = cache.get("ca-audit-verify")
    if result is None:
        report = anchor.verify_all()  # the chain in the database, and against the signed anchor log
        result = {
            "intact": report.intact,
            "checked": report.events,
            "broken": report.broken_id,
            "problem_nl": report.problem_nl,
            "problem_en": report.problem,
            "at": timezone.now(),
        }
        cache.set("ca-audit-verify", result, VERIFY_SECONDS if report.intact else 30)
    english = (get_language() or "nl").startswith("en")
    return {**result, "problem": result["problem_en"] if english else result["problem_nl"]}


def _csv(request: HttpRequest, custodian: Custodian, form: AuditFilter, events: QuerySet[AuditEvent]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audittrail-{custodian.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["id", "at", "actor", "action", "action_words", "object_type", "object_id", "details", "hash"])
    count = 0
    for event in events.iterator(chunk_size=2000):
        writer.writerow(
            [
                event.pk,
                event.at.astimezone(custodian.zone).isoformat(),
                event.actor,
                event.action,
                str(ACTIONS.get(event.action, event.action)),
                event.object_type,
                event.object_id,
                json.dumps(event.details, ensure_ascii=False, sort_keys=True),
                event.hash,
            ]
        )
        count += 1
    filters = {k: str(v) for k, v in (form.cleaned_data.items() if form.is_valid() else []) if v}
    log.audit_trail_exported(access.actor(request.user), custodian.slug, events=count, filters=filters)
    return response
