"""Benchmark: server time of the pages people use every day, on a long chat and many custodians.

Builds: one custodian with one generated Android WhatsApp chat of N messages (default 1,000,000;
tests/generators, ingested through the real pipeline, which also records its findings: about 3% of
the messages are deletions and edits), and C other custodians (default 3,000) for the home page.
Then times, in this process through Django's test client (the whole request: middleware, views,
templates, audit writes), the conversation page at the newest page, the oldest page, the middle,
a message deep link, a date jump; the custodian page (plain and filtered); the home page; the audit
trail. "cold" is the first view after the ingest as a fresh web process sees it (its own memory
empty; the shared `calendars` store holds what the ingest built), "warm" the median of 5 more.
`--no-store` empties the shared store too: the worst case, a calendar evicted or never built.

Targets (issue 21): conversation page < 200 ms at any position of a 1,000,000-message chat, custodian
page < 200 ms with 1 M messages and 30,000 findings, home page < 300 ms with 3,000 custodians.

Run: `.venv/bin/python bench/bench_pages.py [N] [C]` (SQLite in a temporary directory), or with
`DATABASE_URL=postgres://…/<an empty database>` for PostgreSQL. Not a test.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NO_STORE = "--no-store" in sys.argv
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if len(ARGS) > 0 else 1_000_000
C = int(ARGS[1]) if len(ARGS) > 1 else 3_000
DATA = ROOT / "bench" / "data"
WORK = Path(tempfile.mkdtemp(prefix="chatarchief-bench-pages-"))
os.environ["CHATARCHIEF_DATA_DIR"] = str(WORK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")


def timed(
    client: Any, url: str, params: dict[str, Any] | None = None, follow: bool = False
) -> tuple[float, float, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, params or {}, secure=True, follow=follow)
    elapsed, used = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (url, params, response.status_code)
    return elapsed, used, response


def measure(client: Any, label: str, url: str, params: dict[str, Any] | None = None, follow: bool = False) -> None:
    cold, _cpu, response = timed(client, url, params, follow)
    runs = [timed(client, url, params, follow) for _ in range(5)]
    warm = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    size = len(response.content) / 1024
    print(f"| {label} | {cold:,.0f} ms | {warm:,.0f} ms | {cpu:,.0f} ms | {size:,.0f} kB |", flush=True)


def main() -> None:
    from tests.generators.whatsapp import write_android_export

    DATA.mkdir(parents=True, exist_ok=True)
    source = DATA / f"WhatsApp-chat met Benchmark {N}.txt"
    if not source.exists():
        write_android_export(source, N, seed=7)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from tests.web.world import pass_second_factor

    from chatarchief.access.constants import Role
    from chatarchief.access.services import grant
    from chatarchief.archive.models import Conversation, Custodian, Message
    from chatarchief.archive.services import registry, timeline
    from chatarchief.compliance.models import Finding
    from chatarchief.intake.pipeline import ingest

    custodian = Custodian.objects.filter(slug="bench").first()
    if custodian is None:  # a PostgreSQL database of an earlier run is used as it is (its ingest took minutes)
        custodian = registry.add_custodian("bench", name="Benchmark", actor="bench", organisation="BENCH")
        start = time.perf_counter()
        outcome = ingest(source, custodian, actor="bench")
        assert outcome.status == "ingested", outcome.as_dict()
        print(f"ingest (not the subject here): {time.perf_counter() - start:.1f} s")
        Custodian.objects.bulk_create(
            Custodian(slug=f"extra-{i:05d}", name=f"Functionaris {i:05d}", organisation=custodian.organisation)
            for i in range(C - 1)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does soon after a big load: plans need statistics
    conversation = Conversation.objects.get(custodian=custodian)
    findings = Finding.objects.filter(custodian=custodian).count()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(
        f"database: {connection.vendor} {'.'.join(map(str, connection.Database.version_info if hasattr(connection.Database, 'version_info') else ()))}"
    )
    print(f"input: {source.name}: {N:,} messages in one conversation, {findings:,} findings; {C:,} custodians")

    get_user_model().objects.filter(username__startswith="bench-").delete()
    user = get_user_model().objects.create_user("bench-reviewer")
    grant(user, Role.REVIEWER, organisation=custodian.organisation)
    auditor = get_user_model().objects.create_user("bench-auditor")
    grant(auditor, Role.AUDITOR, organisation=custodian.organisation)
    clients = {}
    for name, who in (("reviewer", user), ("auditor", auditor)):
        client = Client()
        client.force_login(who)
        pass_second_factor(client, who, recent_auth=True)
        clients[name] = client
    client = clients["reviewer"]

    url = reverse("conversation", args=[conversation.pk])
    cal = timeline.calendar(conversation, custodian.zone)
    middle = timeline.ids_at(conversation, cal, cal.total // 2, cal.total // 2 + 1)[0]
    late = Message.objects.get(pk=timeline.ids_at(conversation, cal, cal.total - 300, cal.total - 299)[0])
    day = cal.days[len(cal.days) // 3].date.isoformat()
    from django.core.cache import caches

    caches["default"].clear()  # a fresh web process: nothing in its own memory
    timeline._recent.clear()
    if NO_STORE:
        caches["calendars"].clear()  # the worst case: the first view builds the calendar
    print(f"shared calendar store: {'emptied (--no-store)' if NO_STORE else 'as the ingest left it'}")
    print()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| page | cold | warm (median of 5) | CPU of this process, warm | HTML |")
    print("|---|---:|---:|---:|---:|")
    measure(client, "conversation, newest page (opens here)", url)
    measure(client, "conversation, page 1 (oldest)", url, {"page": 1})
    measure(client, f"conversation, page {cal.pages // 2} (middle)", url, {"page": cal.pages // 2})
    measure(client, "conversation, a message in the middle (`?message=`)", url, {"message": middle})
    measure(client, "conversation, a message 300 from the end", url, {"message": late.pk})
    measure(client, "conversation, jump to a date (redirect + page)", url, {"date": day}, follow=True)
    custodian_url = reverse("custodian", args=[custodian.slug])
    measure(client, "custodian page (findings page 1, open first)", custodian_url)
    measure(client, "custodian page, findings page 300", custodian_url, {"page": 300})
    measure(
        client,
        "custodian page, filtered (closed, a period)",
        custodian_url,
        {"state": "closed", "date_from": "2021-06-01", "date_to": "2021-12-31"},
    )
    measure(client, f"home, {C:,} custodians (page 1 of {-(-C // 50)})", reverse("home"))
    measure(client, "home, last page", reverse("home"), {"page": -(-C // 50)})
    measure(
        clients["auditor"],
        "audit trail (chain verified on every view)",
        reverse("custodian_audit", args=[custodian.slug]),
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
