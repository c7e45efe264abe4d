"""Web views: a few lines each around the same service functions the CLI calls."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chatarchief.access.constants import Action
from chatarchief.archive.models import Attachment, Conversation, Delivery, Message
from chatarchief.archive.services import blobs, timeline
from chatarchief.audit import log
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.search.query import parse as parse_query
from chatarchief.intake import receipts
from chatarchief.intake.filenames import download_name
from chatarchief.intake.queue import submit_uploaded
from chatarchief.search import services as search
from chatarchief.search.models import SearchEntry
from chatarchief.web import access, chat
from chatarchief.web import findings as findings_view
from chatarchief.web.forms import UploadForm

CONVERSATIONS_PER_PAGE = 50
DELIVERIES_PER_PAGE = 20
CUSTODIANS_PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The custodians one may see, a page at a time; the counts of that page only, one grouped query
    each (no joins that multiply deliveries by findings)."""
    page = Paginator(
        access.custodians_for(request.user).select_related("organisation").order_by("name", "id"), CUSTODIANS_PER_PAGE
    ).get_page(request.GET.get("page"))
    custodians = list(page.object_list)
    ids = [c.pk for c in custodians]
    deliveries = {
        row["custodian_id"]: row
        for row in Delivery.objects.filter(custodian_id__in=ids, status="ingested")
        .values("custodian_id")
        .annotate(n=Count("id"), last=Max("exported_at"))
    }
    open_findings = dict(
        Finding.objects.filter(findings_view.open_q(), custodian_id__in=ids)
        .values("custodian_id")
        .annotate(n=Count("id"))
        .values_list("custodian_id", "n")
    )
    for custodian in custodians:
        row = deliveries.get(custodian.pk, {})
        custodian.delivery_count = row.get("n", 0)
        custodian.last_secured = row.get("last")
        custodian.open_findings = open_findings.get(custodian.pk, 0)
    return render(request, "home.html", {"custodians": custodians, "page": page})


def custodian_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A custodian: state of delivery, findings (all, filtered, paginated, open first), conversations,
    deliveries. Counts come from cheap aggregates and the cached per-conversation counts."""
    custodian = access.custodian_or_403(request.user, slug)
    found = findings_view.listing(custodian, request.GET, request.GET.get("page"))
    conversations = Paginator(
        Conversation.objects.filter(custodian=custodian)
        .order_by("title", "id")
        .values("pk", "title", "channel", "created_at"),
        CONVERSATIONS_PER_PAGE,
    ).get_page(request.GET.get("gpage"))
    counts = timeline.message_counts({c["pk"]: c["created_at"] for c in conversations.object_list})
    for row in conversations.object_list:
        row["message_count"] = counts.get(row["pk"], 0)
    deliveries = Paginator(
        custodian.deliveries.select_related("delivered_by").order_by("-received_at", "-id"), DELIVERIES_PER_PAGE
    ).get_page(request.GET.get("apage"))
    last = custodian.deliveries.filter(status="ingested").aggregate(last=Max("exported_at"))["last"]
    return render(
        request,
        "custodian.html",
        {
            "custodian": custodian,
            "conversations": conversations,
            "deliveries": deliveries,
            "found": found,
            "never_delivered": last is None,
            "last_secured": last,
            "can_read": access.can_read_content(request.user, custodian),
            "can_deliver": access.can_deliver(request.user, custodian),
            "can_audit": access.can_view_audit_trail(request.user, custodian),
        },
    )


def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One page of a conversation: the newest messages, page n, the page of a date, of a message
    (`?message=ID`, highlighted) or of the n-th hit of a search in the chat (`?q=…&hit=n`)."""
    conversation = get_object_or_404(Conversation.objects.select_related("custodian"), pk=pk)
    custodian = conversation.custodian
    if not access.can_read_content(request.user, custodian):
        raise Http404
    zone = custodian.zone
    cal = timeline.calendar(conversation, zone)
    found = _search_in_chat(request, conversation)
    paging = "page" in request.GET  # paging through a chat with a search keeps the marks, not the hit's page
    place = _place(request, conversation, cal, None if paging else found.get("message_id"))
    if place.anchor.startswith("d-") or (found.get("message_id") and not paging and "hit" not in request.GET):
        # a date or a new search: to the page, scrolled to the day or the first hit, without script
        keep = (
            {"q": found["q"], "hit": found["number"]}
            if found.get("message_id")
            else {"page": place.number, "month": place.anchor[2:9]}
        )
        return redirect(f"{request.path}?{urlencode(keep)}#{place.anchor}")
    tree = found.get("tree")
    shown = chat.rows(conversation, place.ids, zone, chat.self_keys(conversation, custodian), place.target, tree)
    log.content_read(
        access.actor(request.user),
        "conversation.view",
        conversation,
        custodian.slug,
        page=place.number,
        messages=len(place.ids),
        **({"hit": found["number"]} if found.get("number") else {}),
    )
    month = _month(request.GET.get("month")) or (shown[0]["moment"].date().replace(day=1) if shown else None)
    keep = {"q": found["q"]} if found.get("q") else {}
    return render(
        request,
        "conversation.html",
        {
            "conversation": conversation,
            "custodian": custodian,
            "rows": shown,
            "place": place,
            "total": cal.total,
            "pages": cal.pages,
            "links": _page_links(place.number, cal.pages, keep),
            "histogram": chat.histogram(cal, month),
            "search": found,
            "date_value": request.GET.get("date", ""),
            "participants": conversation.participants.order_by("name"),
        },
    )


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _month(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


def _place(request: HttpRequest, conversation: Conversation, cal: timeline.Calendar, hit: int | None) -> chat.Place:
    """Which page to show, and what to highlight or scroll to."""
    wanted = _int(request.GET.get("message")) or hit
    if wanted:
        message = Message.objects.filter(pk=wanted, conversation=conversation).first()
        if message is not None:
            number = cal.page_of(timeline.position(conversation, cal, message))
            return chat.Place(number, _ids(conversation, cal, number), message.pk, f"m-{message.pk}")
    notes = []
    if request.GET.get("date"):
        try:
            day = cal.day_of(dt.date.fromisoformat(request.GET["date"]))
        except ValueError:
            day, notes = None, [_("Dat is geen datum: gebruik de datumkiezer of dag-maand-jaar.")]
        if day is not None:
            number = cal.page_of(day.before)
            return chat.Place(number, [], None, f"d-{day.date.isoformat()}")
        if not notes:
            notes = [_("Er zijn geen berichten op of na die datum; dit zijn de nieuwste.")]
    number = min(max(1, _int(request.GET.get("page"), cal.pages)), cal.pages)
    return chat.Place(number, _ids(conversation, cal, number), None, "", notes)


def _ids(conversation: Conversation, cal: timeline.Calendar, number: int) -> list[int]:
    if number >= cal.pages:
        return timeline.newest_ids(conversation)
    return timeline.ids_at(conversation, cal, *cal.span(number))


def _page_links(number: int, pages: int, keep: dict[str, str]) -> dict[str, str | None]:
    def url(n: int) -> str:
        return "?" + urlencode({**keep, "page": n})

    return {
        "first": url(1) if number > 1 else None,
        "previous": url(number - 1) if number > 1 else None,
        "next": url(number + 1) if number < pages else None,
        "last": url(pages) if number < pages else None,
    }


def _search_in_chat(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The n-th hit (newest first) of `?q=` in this conversation, through the search app, with the
    links to the hits before and after it (each straight to its message)."""
    q = (request.GET.get("q") or "").strip()[:200]
    if not q:
        return {"q": ""}
    number = max(1, _int(request.GET.get("hit"), 1))
    try:
        tree = parse_query(q)

        def around(n: int) -> search.SearchResult:
            first = max(1, n - 1)
            return search.search(
                [conversation.custodian_id], tree, conversation=conversation.pk, limit=3, offset=first - 1
            )

        result = around(number)
        if result.total and number > result.total:
            number = result.total
            result = around(number)
    except ChatarchiefError as error:
        return {"q": q, "error": error.message(get_language() or "nl")}
    if not result.total and not SearchEntry.objects.filter(conversation_id=conversation.pk).exists():
        return {"q": q, "error": _("Dit gesprek staat nog niet in de zoekindex; probeer het later opnieuw.")}
    first = max(1, number - 1)
    by_number = {first + i: hit for i, hit in enumerate(result.hits)}
    hit = by_number.get(number)

    def link(n: int) -> str | None:
        other = by_number.get(n)
        return "?" + urlencode({"q": q, "hit": n}) + f"#m-{other.message_id}" if other else None

    return {
        "q": q,
        "tree": tree,
        "total": result.total,
        "number": number if hit else 0,
        "message_id": hit.message_id if hit else None,
        "snippet": mark_safe(hit.snippet) if hit else "",  # noqa: S308 - escaped HTML with <mark> (search app)
        "newer": link(number - 1),
        "older": link(number + 1),
    }


def attachment_content(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("message__conversation__custodian"), pk=pk)
    custodian = attachment.message.conversation.custodian
    if not access.can_read_content(request.user, custodian) or not attachment.blob_id:
        raise Http404
    log.content_read(
        access.actor(request.user), "attachment.view", attachment, custodian.slug, sha256=attachment.blob_id
    )
    handle = blobs.store().open(attachment.blob_id)
    inline = (attachment.mime_type or "").split(";")[0] in {"image/jpeg", "image/png", "image/gif", "image/webp"}
    response = FileResponse(
        handle,
        content_type=attachment.mime_type or "application/octet-stream",
        as_attachment=not inline,
        filename=download_name(attachment.filename or attachment.blob_id),
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    custodians = access.custodians_for(request.user, Action.DELIVER).order_by("name")
    if not custodians.exists():
        raise PermissionDenied
    chosen = request.GET.get("custodian", "")
    initial = {"custodian": int(chosen)} if chosen.isdigit() and custodians.filter(pk=int(chosen)).exists() else {}
    if not initial and chosen:  # a slug works too (links from elsewhere)
        initial = {"custodian": custodians.filter(slug=chosen).values_list("pk", flat=True).first()}
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, custodians=custodians)
    else:
        form = UploadForm(initial=initial, custodians=custodians)
    if request.method == "POST" and form.is_valid():
        custodian = form.cleaned_data["custodian"]
        if not access.can_deliver(request.user, custodian):
            raise Http404
        outcomes = [_ingest_upload(request, uploaded, custodian, form) for uploaded in form.cleaned_data["files"]]
        ids = [outcome.delivery.pk for outcome in outcomes]
        receipt = (
            reverse("delivery", args=[ids[0]])
            if len(ids) == 1
            else reverse("delivery", args=[ids[0]]) + "?batch=" + ",".join(map(str, ids))
        )
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = receipt
            return response
        return redirect(receipt)
    return render(request, "upload.html", {"form": form, "max_size": settings.MAX_UPLOAD_SIZE})


def _ingest_upload(request: HttpRequest, uploaded, custodian, form):  # type: ignore[no-untyped-def]
    outcome = submit_uploaded(
        uploaded,
        custodian,
        actor=access.actor(request.user),
        user=request.user,
        file_name=uploaded.name,
        exported_at=form.cleaned_data.get("exported_at"),
        secret=form.cleaned_data.get("passphrase") or None,
    )
    if outcome.error:
        flash.error(request, outcome.error.message(get_language() or "nl"))
    return outcome


BATCH_LIMIT = 100


def _delivery_batch(request: HttpRequest, first: int) -> HttpResponse:
    """The receipts of one upload of several files (`/deliveries/<first>/?batch=<id>,<id>,...`),
    each following its delivery until it is done. Deliveries the user may not see are left out."""
    given = [int(part) for part in request.GET.get("batch", "").split(",") if part.strip().isdigit()]
    wanted = [first, *given][:BATCH_LIMIT]
    found = Delivery.objects.select_related("custodian", "delivered_by", "duplicate_of").in_bulk(wanted)
    deliveries = [
        found[pk] for pk in dict.fromkeys(wanted) if pk in found and access.can_view(request.user, found[pk].custodian)
    ]
    if not deliveries:
        raise Http404
    language = "en" if (get_language() or "nl").startswith("en") else "nl"
    receipts_shown = [_receipt_context(delivery, language) for delivery in deliveries]
    return render(
        request,
        "delivery_batch.html",
        {"receipts": receipts_shown, "tally": _tally(deliveries), "title": _("Ontvangstbewijzen")},
    )


def _tally(deliveries: list[Delivery]) -> list[tuple[str, int]]:
    """How many deliveries of a batch are in each state, in words."""
    from collections import Counter

    from chatarchief.archive.models import DeliveryStatus

    counted = Counter(d.status for d in deliveries)
    return [(DeliveryStatus(status).label, n) for status, n in counted.items()]


def _receipt_context(delivery: Delivery, language: str) -> dict:
    error = receipts.receipt(delivery, language)["error"] if delivery.status == "failed" else None
    return {
        "delivery": delivery,
        "conversations": delivery.coverage.select_related("conversation").order_by("conversation__title"),
        "findings": _delivery_findings(delivery),
        "error": error["message"] if error else "",
    }


def _delivery_findings(delivery: Delivery) -> list:
    """The findings this delivery raised, each with a link to its message."""
    from chatarchief.compliance.models import Finding

    rows = []
    for finding in Finding.objects.filter(delivery=delivery).order_by("id")[:200]:
        url = ""
        if finding.conversation_id and finding.message_id:
            url = (
                reverse("conversation", args=[finding.conversation_id])
                + f"?message={finding.message_id}#m-{finding.message_id}"
            )
        elif finding.conversation_id:
            url = reverse("conversation", args=[finding.conversation_id])
        rows.append({"label": FindingType(finding.type).label, "url": url, "finding": finding})
    return rows


def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("custodian", "delivered_by"), pk=pk)
    if not access.can_view(request.user, delivery.custodian):
        raise Http404
    if request.GET.get("batch") and not request.htmx:
        return _delivery_batch(request, pk)
    if request.htmx and request.GET.get("since") == delivery.status:
        return HttpResponse(status=204)  # unchanged: htmx swaps nothing, the live region stays quiet
    template = "partials/delivery_receipt.html" if request.htmx else "delivery.html"
    context = _receipt_context(delivery, "en" if (get_language() or "nl").startswith("en") else "nl")
    return render(request, template, context | {"title": _("Ontvangstbewijs")})
