"""The request as a case: create, find (only for its coordinators), extend, close, assign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.archive.models import Conversation, Custodian, Message
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.preservation import holds
from chatarchief.preservation.models import LegalHold
from chatarchief.woo.constants import Grouping, RequestStatus
from chatarchief.woo.models import Document, WooRequest


class WooError(ChatarchiefError):
    """A Woo action that cannot be done as asked (Dutch and English message)."""


def _not_found(request_id: Any) -> WooError:
    return WooError(
        "woo.not_found",
        nl=f"Woo-verzoek {request_id} bestaat niet of u bent er niet aan toegewezen.",
        en=f"Woo request {request_id} does not exist or you are not assigned to it.",
    )


def _date(value: dt.date | str, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise WooError(
            "woo.bad_date",
            nl=f"{what}: geen geldige datum {value!r} (JJJJ-MM-DD).",
            en=f"{what}: not a valid date {value!r} (YYYY-MM-DD).",
        ) from None


def create_request(
    principal: Any,
    actor: str,
    *,
    reference: str,
    subject: str,
    received: dt.date | str,
    period_from: dt.date | str,
    period_to: dt.date | str,
    custodians: Iterable[str],
    requester: str = "",
    four_eyes: bool = False,
    grouping: str = Grouping.DAY,
) -> WooRequest:
    """A new request; its creator (a user) becomes its first coordinator. Every custodian must lie
    within the creator's woo_coordinator scope (`access.services.woo_scope`)."""
    reference, subject = reference.strip(), subject.strip()
    if not reference or not subject:
        raise WooError("woo.missing", nl="Geef een kenmerk en een onderwerp.", en="Give a reference and a subject.")
    received_on = _date(received, "ontvangen")
    start, end = _date(period_from, "periode vanaf"), _date(period_to, "periode tot")
    if end < start:
        raise WooError(
            "woo.bad_period", nl="De periode eindigt vóór het begin.", en="The period ends before it starts."
        )
    if grouping not in Grouping.values:
        raise WooError("woo.bad_grouping", nl=f"Onbekende indeling {grouping!r}.", en=f"Unknown grouping {grouping!r}.")
    slugs = list(dict.fromkeys(s.strip() for s in custodians if s.strip()))
    if not slugs:
        raise WooError("woo.no_custodians", nl="Noem ten minste één functionaris.", en="Name at least one custodian.")
    scope = access.woo_scope(principal)
    found = {c.slug: c for c in scope.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise WooError(
            "woo.unknown_custodian",
            nl=f"Onbekende functionaris of buiten uw bereik: {', '.join(missing)}.",
            en=f"Unknown custodian or outside your scope: {', '.join(missing)}.",
        )
    if WooRequest.objects.filter(reference=reference).exists():
        raise WooError(
            "woo.duplicate_reference",
            nl=f"Er is al een Woo-verzoek met kenmerk {reference!r}.",
            en=f"There already is a Woo request with reference {reference!r}.",
        )
    with transaction.atomic():
        request = WooRequest.objects.create(
            reference=reference,
            subject=subject,
            requester=requester.strip(),
            received=received_on,
            period_from=start,
            period_to=end,
            grouping=grouping,
            four_eyes=four_eyes,
            created_by=actor,
        )
        request.custodians.set(found.values())
        if getattr(principal, "pk", None) and not isinstance(principal, access.SystemPrincipal):
            request.coordinators.add(principal)
        log.woo_request_created(actor, request, custodians=slugs)
        for custodian in found.values():  # nothing in scope may be destroyed or excluded while it is open
            holds.add(
                actor=actor,
                reason=_hold_reason(request),
                custodian=custodian,
                period_from=request.period_from,
                period_to=request.period_to,
            )
    return request


def _hold_reason(request: WooRequest) -> str:
    """The legal hold a request puts on each custodian in scope names the request (and is found by it)."""
    return f"Woo-verzoek {request.reference}: {request.subject}"[:1000]


def requests_for(principal: Any) -> QuerySet[WooRequest]:
    """The requests `principal` works on: all for the system actor, else those it is assigned to
    (and still holds the role for: checked per request by `get_request`)."""
    if isinstance(principal, access.SystemPrincipal):
        return WooRequest.objects.all()
    if not getattr(principal, "pk", None):
        return WooRequest.objects.none()
    ids = [r.pk for r in WooRequest.objects.filter(coordinators=principal) if access.woo_request_allowed(principal, r)]
    return WooRequest.objects.filter(pk__in=ids)


def get_request(principal: Any, request_id: Any) -> WooRequest:
    """The request if `principal` may work on it; otherwise the same error as a missing one."""
    try:
        request = WooRequest.objects.get(pk=int(request_id))
    except (ValueError, TypeError, WooRequest.DoesNotExist):
        raise _not_found(request_id) from None
    if not access.woo_request_allowed(principal, request):
        raise _not_found(request_id)
    return request


def get_document(request: WooRequest, number: Any) -> Document:
    try:
        return request.documents.get(number=int(number))
    except (ValueError, TypeError, Document.DoesNotExist):
        raise WooError(
            "woo.no_document",
            nl=f"Woo-verzoek {request.reference} heeft geen document {number}.",
            en=f"Woo request {request.reference} has no document {number}.",
        ) from None


def _open(request: WooRequest) -> None:
    if request.status == RequestStatus.CLOSED:
        raise WooError(
            "woo.closed",
            nl=f"Woo-verzoek {request.reference} is afgesloten.",
            en=f"Woo request {request.reference} is closed.",
        )


def extend(principal: Any, actor: str, request: WooRequest) -> WooRequest:
    """Extend the deadline by two weeks (once)."""
    access.require_woo_request(principal, request)
    _open(request)
    if not request.extended:
        request.extended = True
        request.save(update_fields=["extended"])
        log.woo_request_changed(actor, request, change="extended", deadline=request.deadline)
    return request


def close(principal: Any, actor: str, request: WooRequest) -> WooRequest:
    access.require_woo_request(principal, request)
    if request.status != RequestStatus.CLOSED:
        request.status = RequestStatus.CLOSED
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at"])
        log.woo_request_changed(actor, request, change="closed")
        for hold in LegalHold.objects.filter(reason=_hold_reason(request), removed_at__isnull=True):
            holds.remove(hold.pk, actor=actor)  # the request's own holds; a litigation hold stays
    return request


def assign(principal: Any, actor: str, request: WooRequest, user: Any) -> None:
    """Add a coordinator (who must hold the woo_coordinator role over the request's custodians)."""
    access.require_woo_request(principal, request)
    request.coordinators.add(user)
    if not access.woo_request_allowed(user, request):
        request.coordinators.remove(user)
        raise WooError(
            "woo.not_coordinator",
            nl=f"{user} is geen Woo-coördinator voor alle functionarissen van dit verzoek.",
            en=f"{user} is not a Woo coordinator for every custodian of this request.",
        )
    log.woo_request_changed(actor, request, change="assigned", user=user.get_username())


def deadline_state(request: WooRequest, today: dt.date | None = None) -> str:
    """overdue, due_soon (within a week) or ok: what the pages warn about."""
    today = today or timezone.localdate()
    if request.status == RequestStatus.CLOSED:
        return "ok"
    if today > request.deadline:
        return "overdue"
    if (request.deadline - today).days <= 7:
        return "due_soon"
    return "ok"


def period_ms(request: WooRequest, zone: Any) -> tuple[int, int]:
    """The request's period as [start, end) milliseconds in a time zone."""
    start = dt.datetime.combine(request.period_from, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(request.period_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def active_requests_for(custodian: Custodian | int, conversation: Conversation | int | None = None) -> list[WooRequest]:
    """Open Woo requests whose scope covers this custodian (and, given a conversation, whose period
    holds a message of it, or one of whose documents holds it): what must block destruction or
    exclusion of that content (for the preservation/review integration)."""
    custodian_id = int(getattr(custodian, "pk", custodian))
    requests = list(
        WooRequest.objects.filter(status=RequestStatus.OPEN, custodians__pk=custodian_id).distinct().order_by("pk")
    )
    if conversation is None or not requests:
        return requests
    conversation_obj = (
        conversation if isinstance(conversation, Conversation) else Conversation.objects.get(pk=int(conversation))
    )
    zone = Custodian.objects.get(pk=custodian_id).zone
    found = []
    for request in requests:
        low, high = period_ms(request, zone)
        in_period = Message.objects.filter(
            Q(conversation_id=conversation_obj.pk) & Q(sent_at_ms__gte=low) & Q(sent_at_ms__lt=high)
        ).exists()
        in_document = any(conversation_obj.pk in d.conversation_ids for d in request.documents.only("conversation_ids"))
        if in_period or in_document:
            found.append(request)
    return found
