"""Woo requests in the web app: list, create, detail (deadline, search, search record, documents,
export), a document (messages with hits, assessment, redactions with suggestions). A few lines each
around `woo.services`; access through `access.services` (only the request's coordinators)."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chatarchief.access import services as access
from chatarchief.core.errors import ChatarchiefError
from chatarchief.woo import services
from chatarchief.woo.constants import Decision
from chatarchief.woo.forms import AssessForm, QueryForm, RedactForm, RequestForm
from chatarchief.woo.models import Redaction, WooRequest
from chatarchief.woo.services.cases import deadline_state


def _actor(request: HttpRequest) -> str:
    return f"web:{getattr(request.user, 'username', 'anonymous')}"


def _lang() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


def _request(http: HttpRequest, pk: int) -> WooRequest:
    try:
        return services.get_request(http.user, pk)
    except ChatarchiefError:
        raise Http404 from None


def woo_list(request: HttpRequest) -> HttpResponse:
    may_create = access.woo_scope(request.user).exists()
    requests = services.requests_for(request.user).order_by("-received", "-id")
    if not may_create and not requests:
        raise PermissionDenied
    rows = [{"request": r, "state": deadline_state(r)} for r in requests]
    return render(request, "woo/list.html", {"rows": rows, "may_create": may_create})


def woo_create(request: HttpRequest) -> HttpResponse:
    scope = access.woo_scope(request.user).order_by("name")
    if not scope.exists():
        raise PermissionDenied
    form = RequestForm(request.POST or None, custodians=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_request(
                request.user,
                _actor(request),
                reference=data["reference"],
                subject=data["subject"],
                requester=data["requester"],
                received=data["received"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                custodians=data["custodians"],
                grouping=data["grouping"],
                four_eyes=data["four_eyes"],
            )
        except ChatarchiefError as error:
            form.add_error(None, error.message(_lang()))
        else:
            flash.success(request, _("Woo-verzoek %(ref)s aangemaakt.") % {"ref": created.reference})
            return redirect("woo_detail", pk=created.pk)
    return render(request, "woo/create.html", {"form": form})


def woo_detail(request: HttpRequest, pk: int) -> HttpResponse:
    woo = _request(request, pk)
    documents = []
    for document in woo.documents.order_by("number"):
        assessment = services.current_assessment(document)
        documents.append({"document": document, "assessment": assessment})
    return render(
        request,
        "woo/detail.html",
        {
            "woo": woo,
            "state": deadline_state(woo),
            "custodians": woo.custodians.order_by("name"),
            "searches": woo.searches.order_by("-run_at", "-id"),
            "documents": documents,
            "unassessed": services.unassessed(woo),
            "query_form": QueryForm(),
            "exports": woo.exports.all()[:10],
        },
    )


@require_POST
def woo_search(request: HttpRequest, pk: int) -> HttpResponse:
    woo = _request(request, pk)
    form = QueryForm(request.POST)
    if form.is_valid():
        try:
            result = services.run_search(request.user, _actor(request), woo, form.cleaned_data["query"])
        except ChatarchiefError as error:
            flash.error(request, error.message(_lang()))
        else:
            flash.success(
                request,
                _("%(hits)d treffers in %(documents)d documenten.")
                % {"hits": result["hits"], "documents": len(result["documents"])},
            )
    return redirect("woo_detail", pk=woo.pk)


@require_POST
def woo_extend(request: HttpRequest, pk: int) -> HttpResponse:
    woo = _request(request, pk)
    try:
        services.extend(request.user, _actor(request), woo)
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    return redirect("woo_detail", pk=woo.pk)


def _document(request: HttpRequest, pk: int, number: int) -> tuple[WooRequest, Any]:
    woo = _request(request, pk)
    try:
        return woo, services.get_document(woo, number)
    except ChatarchiefError:
        raise Http404 from None


def woo_document(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    woo, document = _document(request, pk, number)
    pairs = services.document_view(request.user, _actor(request), document)
    zone = document.time_zone
    tz = ZoneInfo(zone)
    hits = set(document.hit_message_ids)
    suggestions = services.suggestions(document, names=False)
    by_message: dict[int, list[dict[str, Any]]] = {}
    for s in suggestions:
        by_message.setdefault(s["message_id"], []).append(s)
    from chatarchief.archive.models import Attachment

    attachments: dict[int, list[Any]] = {}
    for a in Attachment.objects.filter(message_id__in=[pair[0].pk for pair in pairs]).order_by("position", "pk"):
        attachments.setdefault(a.message_id, []).append(a)
    senders = sorted(
        {(m.sender_key, m.sender_name or m.sender_key) for m, _holder in pairs if m.kind not in ("system", "call")},
        key=lambda s: s[1],
    )
    rows = [
        {
            "message": m,
            "attachments": list(enumerate(attachments.get(m.pk, []))),
            "holder": slug,
            "time": dt.datetime.fromtimestamp(m.sent_at_ms / 1000, tz=tz).strftime("%H:%M"),
            "hit": m.pk in hits,
            "suggestions": by_message.get(m.pk, []),
        }
        for m, slug in pairs
    ]
    assessment = services.current_assessment(document)
    initial = (
        {"decision": assessment.decision, "grounds": assessment.grounds, "note": assessment.note} if assessment else {}
    )
    return render(
        request,
        "woo/document.html",
        {
            "woo": woo,
            "document": document,
            "rows": rows,
            "assessment": assessment,
            "assess_form": AssessForm(initial=initial),
            "redact_form": RedactForm(),
            "senders": senders,
            "redactions": document.redactions.all(),
            "can_confirm": bool(
                woo.four_eyes and assessment and not assessment.confirmed_by and assessment.assessor != _actor(request)
            ),
        },
    )


@require_POST
def woo_assess(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    woo, document = _document(request, pk, number)
    form = AssessForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Kies een beoordeling en geldige weigeringsgronden."))
    else:
        try:
            services.assess(
                request.user,
                _actor(request),
                document,
                decision=form.cleaned_data["decision"],
                grounds=form.cleaned_data["grounds"],
                note=form.cleaned_data["note"],
            )
        except ChatarchiefError as error:
            flash.error(request, error.message(_lang()))
        else:
            flash.success(request, _("Beoordeling vastgelegd."))
    return redirect("woo_document", pk=woo.pk, number=document.number)


@require_POST
def woo_confirm(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    woo, document = _document(request, pk, number)
    try:
        services.confirm_assessment(request.user, _actor(request), document)
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    else:
        flash.success(request, _("Beoordeling bevestigd."))
    return redirect("woo_document", pk=woo.pk, number=document.number)


@require_POST
def woo_redact(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Add a redaction: a phrase (form), a suggestion accepted by a person (span), a whole message."""
    woo, document = _document(request, pk, number)
    kind = request.POST.get("kind", "phrase")
    try:
        if kind == "phrase":
            form = RedactForm(request.POST)
            if not form.is_valid():
                raise ChatarchiefError(
                    "woo.bad_form", nl="Geef een tekst en een grond.", en="Give a text and a ground."
                )
            services.add_redaction(
                request.user,
                _actor(request),
                document,
                kind="phrase",
                text=form.cleaned_data["text"],
                ground=form.cleaned_data["ground"],
            )
        elif kind == "sender":
            services.add_redaction(
                request.user,
                _actor(request),
                document,
                kind="sender",
                ground=request.POST.get("ground", ""),
                sender=request.POST.get("sender", ""),
            )
        elif kind == "media":
            services.add_redaction(
                request.user,
                _actor(request),
                document,
                kind="media",
                ground=request.POST.get("ground", ""),
                message=int(request.POST.get("message", "0") or 0),
                attachment=int(request.POST["attachment"]) if request.POST.get("attachment", "").isdigit() else 0,
            )
        elif kind in ("span", "message"):
            services.add_redaction(
                request.user,
                _actor(request),
                document,
                kind=kind,
                ground=request.POST.get("ground", ""),
                message=int(request.POST.get("message", "0") or 0),
                start=int(request.POST["start"]) if request.POST.get("start", "").isdigit() else None,
                end=int(request.POST["end"]) if request.POST.get("end", "").isdigit() else None,
            )
        else:
            raise Http404
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    else:
        flash.success(request, _("Lakking toegevoegd."))
    return redirect("woo_document", pk=woo.pk, number=document.number)


@require_POST
def woo_unredact(request: HttpRequest, pk: int, number: int, redaction: int) -> HttpResponse:
    woo, document = _document(request, pk, number)
    found = Redaction.objects.filter(document=document, pk=redaction).first()
    if found is None:
        raise Http404
    try:
        services.remove_redaction(request.user, _actor(request), found)
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    return redirect("woo_document", pk=woo.pk, number=document.number)


@require_POST
def woo_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the package (same service as `woo export`) and hand it over as one zip."""
    woo = _request(request, pk)
    with tempfile.TemporaryDirectory(prefix="woo-") as tmp:
        out = Path(tmp) / "pakket"
        try:
            services.export_package(request.user, _actor(request), woo, out)
        except ChatarchiefError as error:
            flash.error(request, error.message(_lang()))
            return redirect("woo_detail", pk=woo.pk)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(out).as_posix())
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in woo.reference)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="woo-{name}.zip"'
    return response


DECISIONS = dict(Decision.choices)
