"""Operations endpoints: `/healthz` (the process answers), `/readyz` (it can reach the database, the
blob store and its migrations are applied) and `/metrics` (Prometheus). No login: `/healthz` and
`/readyz` say nothing about the archive's content; `/metrics` answers on loopback, and elsewhere only
with `Authorization: Bearer $CHATARCHIEF_METRICS_TOKEN` (no token configured: refused)."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        from django.db.migrations.executor import MigrationExecutor

        pending = MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        checks["database"] = "ok" if not pending else "migrations pending"
    except Exception as error:  # noqa: BLE001 - any failure means: not ready
        logger.warning("readyz: database: %s", error)
        checks["database"] = "unreachable"
    try:
        from chatarchief.archive.services import blobs

        next(iter(blobs.store().stored()), None)
        checks["blob_store"] = "ok"
    except Exception as error:  # noqa: BLE001
        logger.warning("readyz: blob store: %s", error)
        checks["blob_store"] = "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _loopback(request: HttpRequest) -> bool:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _authorised(request: HttpRequest) -> bool:
    if _loopback(request) and not request.META.get("HTTP_X_FORWARDED_FOR"):
        return True
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def collect() -> dict[str, object]:
    """The figures /metrics reports (also used by the load test)."""
    from chatarchief.archive.models import Custodian, Delivery

    by_status = dict.fromkeys(("queued", "running", "ingested", "duplicate", "failed"), 0)
    for status, count in Delivery.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"):
        key = "queued" if status == "received" else status
        by_status[key] = by_status.get(key, 0) + count
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    recent = Delivery.objects.filter(status="ingested", finished_at__gte=hour_ago).values_list("counts", flat=True)
    cutoff = timezone.now() - dt.timedelta(days=settings.CADENCE_DAYS)
    last = Custodian.objects.annotate(last=Max("deliveries__exported_at", filter=Q(deliveries__status="ingested")))
    overdue = last.filter(Q(last__isnull=True) | Q(last__lt=cutoff)).count()
    return {
        "deliveries": by_status,
        "messages_ingested_last_hour": sum(int((c or {}).get("messages", 0)) for c in recent),
        "new_messages_last_hour": sum(int((c or {}).get("new", 0)) for c in recent),
        "overdue_custodians": overdue,
    }


@login_not_required
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    from prometheus_client import CollectorRegistry, Gauge, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    figures = collect()
    registry = CollectorRegistry()
    deliveries = Gauge("chatarchief_deliveries", "Deliveries by status", ["status"], registry=registry)
    for status, count in figures["deliveries"].items():  # type: ignore[attr-defined]
        deliveries.labels(status=status).set(count)
    Gauge("chatarchief_queue_length", "Deliveries waiting for a worker", registry=registry).set(
        figures["deliveries"]["queued"]  # type: ignore[index]
    )
    Gauge("chatarchief_failed_deliveries", "Deliveries that failed", registry=registry).set(
        figures["deliveries"]["failed"]  # type: ignore[index]
    )
    Gauge(
        "chatarchief_ingest_messages_per_second",
        "Messages ingested per second, averaged over the last hour",
        registry=registry,
    ).set(int(figures["messages_ingested_last_hour"]) / 3600)  # type: ignore[call-overload]
    Gauge(
        "chatarchief_overdue_custodians",
        "Custodians without an ingested delivery within the cadence",
        registry=registry,
    ).set(figures["overdue_custodians"])  # type: ignore[arg-type]
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
