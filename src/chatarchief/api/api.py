"""The integration API, `/api/v1`: service accounts deliver exports and read status and compliance.

401: no or an unknown token. 403: the token lacks the operation (checked before anything is looked
up, so nothing leaks). 404: the object does not exist or belongs to another organisation. 413: the
upload is too large. 429: too many requests for this token. Every answer to an account is audited
with actor `api:<name>`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, NinjaAPI
from ninja import Path as PathParam
from ninja.errors import AuthenticationError, Throttled
from ninja.files import UploadedFile
from ninja.responses import Status
from ninja.security import HttpBearer

from chatarchief.access import services as access
from chatarchief.api.accounts import authenticate, custodians_for_service_account, has_operation
from chatarchief.api.constants import OPERATION_ACTIONS, Operation
from chatarchief.api.models import ServiceAccount
from chatarchief.api.ratelimit import TokenRateThrottle
from chatarchief.api.schemas import ComplianceOut, CustodianOut, DeliveryOut, ProblemOut, ReceiptOut
from chatarchief.archive.models import Custodian, Delivery
from chatarchief.archive.services import registry
from chatarchief.audit import log
from chatarchief.compliance import readout as compliance_readout
from chatarchief.compliance import services as compliance
from chatarchief.intake import receipts
from chatarchief.intake.queue import submit_uploaded


class Problem(Exception):
    """An answer other than success, with a stable code and a Dutch and English message."""

    def __init__(self, status: int, code: str, nl: str, en: str) -> None:
        super().__init__(code)
        self.status, self.code, self.nl, self.en = status, code, nl, en


def _lang(request: HttpRequest) -> str:
    return "en" if request.headers.get("Accept-Language", "").lower().startswith("en") else "nl"


def max_upload_size() -> int:
    return int(getattr(settings, "API_MAX_UPLOAD_SIZE", settings.MAX_UPLOAD_SIZE))


def _too_large() -> Problem:
    limit = max_upload_size()
    return Problem(
        413,
        "api.too_large",
        f"Het bestand is groter dan de toegestane {limit} bytes.",
        f"The file is larger than the allowed {limit} bytes.",
    )


class ServiceToken(HttpBearer):
    """`Authorization: Bearer ca_<prefix>_<secret>`; an oversized upload is refused before it is read."""

    def authenticate(self, request: HttpRequest, token: str) -> ServiceAccount | None:
        account = authenticate(token)
        if account is not None and request.method == "POST":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > max_upload_size():
                raise _too_large()
        return account


api = NinjaAPI(
    title="chatarchief API",
    version="1.0.0",
    description="Koppelvlak voor het aanleveren van chatexports en het lezen van status en naleving. "
    "Integration API to deliver chat exports and read delivery status and compliance.",
    auth=ServiceToken(),
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)

ERRORS: dict[int, Any] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 429: ProblemOut}


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    body = {"code": exc.code, "detail": exc.en if _lang(request) == "en" else exc.nl}
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _problem(
        request, Problem(401, "api.unauthenticated", "Geen of een onbekend token.", "Missing or unknown token.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="chatarchief"'
    return response


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _problem(
        request,
        Problem(
            429,
            "api.rate_limited",
            "Te veel verzoeken; probeer het later opnieuw.",
            "Too many requests; try again later.",
        ),
    )
    response["Retry-After"] = str(getattr(request, "rate_limit_retry_after", 60))
    return response


def _account(request: HttpRequest) -> ServiceAccount:
    account = request.auth  # type: ignore[attr-defined]
    assert isinstance(account, ServiceAccount)
    return account


def _require(account: ServiceAccount, operation: Operation) -> None:
    if not has_operation(account, operation):
        log.api_denied(account.actor, operation.value, "operation")
        raise Problem(
            403,
            "api.forbidden",
            f"Dit serviceaccount mag '{operation.value}' niet uitvoeren.",
            f"This service account may not perform '{operation.value}'.",
        )


def _not_found(nl: str, en: str) -> Problem:
    return Problem(404, "api.not_found", f"{nl} niet gevonden.", f"{en} not found.")


def _custodian(account: ServiceAccount, operation: Operation, slug: str) -> Custodian:
    """The custodian in the account's scope, or 404 (out of scope looks exactly like not existing)."""
    custodian = access.custodian_by_slug(account, OPERATION_ACTIONS[operation], slug)
    if custodian is None:
        if Custodian.objects.filter(slug=slug).exists():
            log.api_denied(account.actor, operation.value, "scope", custodian=slug)
        raise _not_found("Functionaris", "Custodian")
    return custodian


@api.post(
    "/deliveries",
    response={201: ReceiptOut, 413: ProblemOut, **ERRORS},
    operation_id="deliver",
    summary="Hand in an export for a custodian (operation: deliver)",
)
def deliver(
    request: HttpRequest,
    file: File[UploadedFile],
    custodian: Form[str],
    exported_at: Form[dt.datetime | None] = None,
    passphrase: Form[str | None] = None,
) -> Status:
    """Receives the export, keeps the original and answers at once: `status` is `queued` (a worker
    parses and reconciles it; follow `status_url` until it is `ingested`, `duplicate` or `failed`,
    then `error` holds the code and message), or `duplicate` when the archive holds the same original.
    An `exported_at` without an offset is read in the custodian's time zone."""
    account = _account(request)
    _require(account, Operation.DELIVER)
    target = _custodian(account, Operation.DELIVER, custodian)
    if file.size is not None and file.size > max_upload_size():
        raise _too_large()
    outcome = submit_uploaded(
        file,
        target,
        actor=account.actor,
        file_name=file.name,
        exported_at=exported_at,
        secret=passphrase or None,
    )
    outcome.delivery.refresh_from_db()  # the receipt shows what is stored (UTC), as GET does
    receipt = outcome.as_dict(_lang(request))
    receipt["status_url"] = request.build_absolute_uri(f"/api/v1/deliveries/{outcome.delivery.pk}")
    return Status(201, receipt)


@api.get(
    "/deliveries/{pk}",
    response={200: DeliveryOut, **ERRORS},
    operation_id="get_delivery",
    summary="Status and receipt of a delivery (operation: read_status)",
)
def get_delivery(
    request: HttpRequest, pk: int = PathParam(..., description="the delivery's id (`delivery_id` in its receipt)")
) -> dict[str, Any]:
    account = _account(request)
    _require(account, Operation.READ_STATUS)
    delivery = Delivery.objects.select_related("custodian").filter(pk=pk).first()
    if delivery is None or not access.allowed(account, OPERATION_ACTIONS[Operation.READ_STATUS], delivery.custodian):
        if delivery is not None:
            log.api_denied(account.actor, Operation.READ_STATUS.value, "scope", delivery=pk)
        raise _not_found("Aanlevering", "Delivery")
    log.api_read(account.actor, "delivery", delivery.custodian.slug, obj=delivery)
    return {
        "id": delivery.pk,
        "custodian": delivery.custodian.slug,
        "received_at": delivery.received_at,
        "delivered_by": delivery.delivered_by_label,
        "size": delivery.size,
        "receipt": receipts.receipt(delivery, _lang(request))
        | {"status_url": request.build_absolute_uri(f"/api/v1/deliveries/{delivery.pk}")},
    }


@api.get(
    "/custodians",
    response={200: list[CustodianOut], **ERRORS},
    operation_id="list_custodians",
    summary="Custodians of the account's organisation (metadata only; any operation)",
)
def list_custodians(request: HttpRequest) -> list[dict[str, Any]]:
    account = _account(request)
    ids: set[int] = set()
    for operation in account.operations:
        ids.update(custodians_for_service_account(account, OPERATION_ACTIONS[operation]).values_list("pk", flat=True))
    rows = [
        registry.custodian_summary(c)
        for c in Custodian.objects.filter(pk__in=ids).select_related("organisation").order_by("slug")
    ]
    log.api_read(account.actor, "custodians", count=len(rows))
    return rows


@api.get(
    "/custodians/{slug}/compliance",
    response={200: ComplianceOut, **ERRORS},
    operation_id="get_compliance",
    summary="Open findings and cadence of a custodian, no message content (operation: read_compliance)",
)
def get_compliance(request: HttpRequest, slug: str) -> dict[str, Any]:
    account = _account(request)
    _require(account, Operation.READ_COMPLIANCE)
    custodian = _custodian(account, Operation.READ_COMPLIANCE, slug)
    current = compliance.status(custodian)
    findings = compliance_readout.open_findings(current)
    log.api_read(account.actor, "compliance", custodian.slug, obj=custodian, findings=len(findings))
    return {
        "custodian": custodian.slug,
        "cadence_days": current.cadence_days,
        "last_secured_at": current.last_secured_at,
        "overdue": current.overdue,
        "open_findings": findings,
    }
