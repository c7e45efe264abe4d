"""The compliance dashboard with thousands of custodians: time to judge and render the page.

    .venv/bin/python bench/bench_dashboard.py [--custodians 3000] [--runs 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard .venv/bin/python bench/bench_dashboard.py

Generates (seeded) organisations, custodians with a year of deliveries (every 2 to 6 weeks), an
agreement for half of them, roster scopes, and findings of every kind by the custodian and by others;
then renders the dashboard (view and template, as an admin who sees everyone) `--runs` times and
prints the median and the slowest, with the machine and the input. A fresh SQLite database in a
temporary folder unless DATABASE_URL is set (that database is emptied first).
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["CHATARCHIEF_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-dashboard-data-")
atexit.register(shutil.rmtree, os.environ["CHATARCHIEF_DATA_DIR"], True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.dashboard_timing import dashboard_timings  # noqa: E402
from chatarchief.archive.models import Custodian, Delivery, DeliveryStatus, Organisation  # noqa: E402
from chatarchief.compliance.models import Agreement, CustodianScope, Finding  # noqa: E402

TYPES = ["message_deleted", "message_edited", "view_once", "disappearing_enabled", "message_missing", "sms_used"]


def populate(count: int, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    organisations = [Organisation.objects.create(code=f"ORG{i:02d}", name=f"Ministerie {i}") for i in range(12)]
    custodians = Custodian.objects.bulk_create(
        Custodian(
            slug=f"f-{i:05d}",
            name=f"Functionaris {i}",
            organisation=organisations[i % len(organisations)],
            category="sleutelfunctionaris" if i % 10 else "bewindspersoon",
        )
        for i in range(count)
    )
    if connection.vendor == "sqlite":  # bulk_create on SQLite may not set the ids
        custodians = list(Custodian.objects.order_by("id"))
    deliveries, findings, agreements, scopes = [], [], [], []
    for c in custodians:
        moment = now - dt.timedelta(days=365)
        while moment < now - dt.timedelta(days=rng.randint(0, 40)):
            moment += dt.timedelta(days=rng.randint(14, 42), hours=rng.randint(0, 23))
            deliveries.append(
                Delivery(
                    custodian=c,
                    file_name="export.zip",
                    sha256=f"{rng.getrandbits(256):064x}",
                    status=DeliveryStatus.INGESTED,
                    exported_at=min(moment, now),
                    counts={"messages": rng.randint(10, 500)},
                )
            )
        if c.pk % 2:
            agreements.append(
                Agreement(
                    custodian=c,
                    frequency="weekly" if c.pk % 6 == 1 else "monthly",
                    secured_by="doc-direkt",
                    valid_from=(now - dt.timedelta(days=300)).date(),
                    recorded_by="bench",
                    recorded_at=now,
                )
            )
        scopes.append(CustodianScope(custodian=c, term_start=(now - dt.timedelta(days=400)).date()))
        for n in range(rng.randint(0, 8)):
            findings.append(
                Finding(
                    custodian=c,
                    type=rng.choice(TYPES),
                    subject=f"bench:{n}",
                    details={"by": rng.choice(["custodian", "other", "other", "unknown"])},
                    status=rng.choice(["open", "open", "open", "explained", "closed"]),
                )
            )
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    Agreement.objects.bulk_create(agreements, batch_size=2000)
    CustodianScope.objects.bulk_create(scopes, batch_size=2000)
    Finding.objects.bulk_create(findings, batch_size=2000)
    return {
        "custodians": count,
        "deliveries": len(deliveries),
        "findings": len(findings),
        "agreements": len(agreements),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--custodians", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    sizes = populate(args.custodians)
    print(f"input: {sizes} (generated in {time.perf_counter() - started:.1f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the bulk load, as autovacuum would
    timings = dashboard_timings(args.runs)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, {connection.vendor}"
    )
    print(
        f"dashboard ({args.custodians} custodians, {args.runs} runs): "
        f"median {statistics.median(timings):.0f} ms, slowest {max(timings):.0f} ms, fastest {min(timings):.0f} ms"
    )


if __name__ == "__main__":
    main()
