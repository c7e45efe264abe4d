"""The dashboard's stored judgement agrees with judging afresh, also as time passes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus
from chatarchief.archive.services import registry
from chatarchief.compliance import rules, snapshot
from chatarchief.compliance.models import Agreement, CustodianScope, Finding, Phase

pytestmark = pytest.mark.django_db


def _secured(custodian, days_ago: float) -> None:
    Delivery.objects.create(
        custodian=custodian,
        file_name="x.zip",
        sha256=hashlib.sha256(f"{custodian.pk}{days_ago}".encode()).hexdigest(),
        status=DeliveryStatus.INGESTED,
        exported_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_stored_and_fresh_agree_now_and_later():
    now = timezone.now()
    people = {n: registry.add_custodian(n, name=n, actor="t", organisation="BZK") for n in
              ["groen", "bijna", "laat", "eigen", "anderen", "wekelijks", "later", "klaar", "nooit"]}  # fmt: skip
    _secured(people["groen"], 3)
    _secured(people["bijna"], 27)
    _secured(people["laat"], 40)
    _secured(people["eigen"], 3)
    Finding.objects.create(custodian=people["eigen"], type="message_edited", subject="e", details={"by": "custodian"})
    _secured(people["anderen"], 3)
    Finding.objects.create(custodian=people["anderen"], type="view_once", subject="o", details={"by": "other"})
    _secured(people["wekelijks"], 6)
    Agreement.objects.create(
        custodian=people["wekelijks"], frequency="weekly", secured_by="self",
        valid_from=(now - dt.timedelta(days=60)).date(), recorded_by="t", recorded_at=now,
    )  # fmt: skip
    Phase.objects.create(code="fase-3", starts_on=(now + dt.timedelta(days=10)).date())
    CustodianScope.objects.create(custodian=people["later"], term_start=dt.date(2024, 1, 1), phase="fase-3")
    CustodianScope.objects.create(
        custodian=people["klaar"], term_start=dt.date(2024, 1, 1), term_end=(now + dt.timedelta(days=20)).date()
    )
    _secured(people["klaar"], 25)
    CustodianScope.objects.create(custodian=people["nooit"], term_start=(now - dt.timedelta(days=5)).date())
    everyone = list(people.values())
    snapshot.refresh(everyone, now)
    for offset in (0, 5, 12, 45, 80):  # days later, nothing new delivered
        later = now + dt.timedelta(days=offset)
        fresh = {j.custodian.slug: (j.status.state, j.status.light) for j in rules.statuses(everyone, later)}
        stored = {j.custodian.slug: (j.status.state, j.status.light) for j in snapshot.judged(everyone, later)}
        assert stored == fresh, offset
        in_sql = {
            s.custodian.slug: snapshot.LIGHT_OF_RANK[s.rank] for s in snapshot.ranked(Custodian.objects.all(), later)
        }
        assert in_sql == {slug: light.value for slug, (_state, light) in fresh.items()}, offset
    assert {j.custodian.slug: j.status.light.value for j in snapshot.judged(everyone, now)} == {
        "groen": "green", "bijna": "orange", "laat": "red", "eigen": "red", "anderen": "orange",
        "wekelijks": "red", "later": "green", "klaar": "red", "nooit": "orange",  # past gaps: own breaches
    }  # fmt: skip


def test_the_months_count_in_sql():
    from chatarchief.compliance import dashboard

    anna = registry.add_custodian("anna", name="Anna", actor="t", organisation="BZK")
    _secured(anna, 40)
    _secured(anna, 400)  # older than 12 months: not in the chart
    Finding.objects.create(custodian=anna, type="message_deleted", subject="d", details={"by": "custodian"})
    Finding.objects.create(custodian=anna, type="view_once", subject="v", details={"by": "other"})
    now = timezone.now()
    buckets = dashboard.months(Custodian.objects.all(), now)
    assert len(buckets) == 12 and sum(b.secured for b in buckets) == 1
    assert (buckets[-1].by_custodian, buckets[-1].by_others) == (1, 1)  # found now: this month
    secured = timezone.localtime(now - dt.timedelta(days=40))
    assert next(b for b in buckets if (b.year, b.month) == (secured.year, secured.month)).secured == 1
    assert sum(b.secured for b in dashboard.months(Custodian.objects.filter(slug="niemand"), now)) == 0
