"""Web views: a few lines each around the same service functions the CLI calls."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chatarchief.access.constants import Action
from chatarchief.archive.models import Attachment, Conversation, Delivery, Message
from chatarchief.archive.services import blobs, readout
from chatarchief.audit import log
from chatarchief.compliance import readout as compliance_readout
from chatarchief.compliance import services as compliance
from chatarchief.compliance.models import FindingType
from chatarchief.intake import receipts
from chatarchief.intake.filenames import download_name
from chatarchief.intake.queue import submit_uploaded
from chatarchief.web import access
from chatarchief.web.forms import UploadForm

PAGE_SIZE = 200


def home(request: HttpRequest) -> HttpResponse:
    custodians = (
        access.custodians_for(request.user)
        .select_related("organisation")
        .annotate(
            delivery_count=Count("deliveries", filter=Q(deliveries__status="ingested"), distinct=True),
            last_secured=Max("deliveries__exported_at", filter=Q(deliveries__status="ingested")),
            open_findings=Count("findings", filter=Q(findings__retracted_at__isnull=True), distinct=True),
        )
        .order_by("name")
    )
    return render(request, "home.html", {"custodians": custodians})


def custodian_detail(request: HttpRequest, slug: str) -> HttpResponse:
    custodian = access.custodian_or_403(request.user, slug)
    current = compliance.status(custodian)  # a GET writes nothing: an open cadence gap is shown as of now
    conversations = (
        Conversation.objects.filter(custodian=custodian)
        .annotate(message_count=Count("messages"), last_ms=Max("messages__sent_at_ms"))
        .order_by("title")
    )
    zone = custodian.zone
    newest_first = sorted(current.findings, key=lambda f: (f.detected_at or current.at, f.pk or 0), reverse=True)
    findings = [_shown_finding(compliance_readout.finding_dict(f, zone)) for f in newest_first[:200]]
    deliveries = custodian.deliveries.select_related("delivered_by").order_by("-received_at")[:100]
    return render(
        request,
        "custodian.html",
        {
            "custodian": custodian,
            "conversations": conversations,
            "deliveries": deliveries,
            "findings": findings,
            "can_read": access.can_read_content(request.user, custodian),
            "can_deliver": access.can_deliver(request.user, custodian),
            "can_audit": access.can_view_audit_trail(request.user, custodian),
        },
    )


def _shown_finding(row: dict) -> dict:
    """A finding as the page shows it: its label, a readable time, the details that say something."""
    when = row["message_sent_at"] or (row["details"] or {}).get("from")
    row["label"] = FindingType(row["type"]).label
    row["when"] = f"{when[:10]} {when[11:16]}" if when else ""
    row["shown_details"] = [(k, v) for k, v in (row["details"] or {}).items() if v not in ("", None, [], {})]
    return row


def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation.objects.select_related("custodian"), pk=pk)
    if not access.can_read_content(request.user, conversation.custodian):
        raise Http404
    query = Message.objects.filter(conversation=conversation).order_by("sent_at_ms", "sort_index", "id")
    paginator = Paginator(query, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    ids = [m.pk for m in page.object_list]
    rows = {row["id"]: row for row in _rows(conversation, ids)}
    log.content_read(
        access.actor(request.user),
        "conversation.view",
        conversation,
        conversation.custodian.slug,
        page=page.number,
        messages=len(ids),
    )
    return render(
        request,
        "conversation.html",
        {
            "conversation": conversation,
            "page": page,
            "rows": [rows[i] for i in ids if i in rows],
            "participants": conversation.participants.order_by("name"),
        },
    )


def _rows(conversation: Conversation, ids: list[int]) -> list[dict]:
    from collections import defaultdict

    zone = conversation.custodian.zone
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(message_id__in=ids):
        attachments[attachment.message_id].append(attachment)
    rows = []
    for message in Message.objects.filter(pk__in=ids).prefetch_related("versions"):
        rows.append(
            {
                "id": message.pk,
                "message": message,
                "sent_at": readout.iso(message.sent_at_ms, zone),
                "versions": list(message.versions.all()),
                "attachments": attachments.get(message.pk, []),
            }
        )
    return rows


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
