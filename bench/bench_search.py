"""Benchmark: full-text search over 1,000,000 generated Dutch chat messages, SQLite or PostgreSQL.

Messages are generated straight into the archive tables in bulk (a Zipf-like vocabulary, four
custodians, 2,000 conversations of Zipf-like sizes, 2 % with an attachment), then indexed with
`search.services.index_custodian` (timed: the cost of indexing a million messages), then queried:
p50/p95 of a rare term, a common term sorted by time, a very common term, a phrase and a common term
within one conversation, each returning the first page (50 hits) AND the total.

Targets (issue: search): p95 <= 50 ms on SQLite, <= 20 ms on PostgreSQL.
Run: `.venv/bin/python bench/bench_search.py [N]` (SQLite in a temporary folder), or
`.venv/bin/python bench/bench_search.py [N] --database postgres://USER@HOST:PORT/NAME` (the database
NAME is dropped and created anew: give it a name of its own). Not a test.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEEP = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--keep=")), None)
WORK = Path(KEEP) if KEEP else Path(tempfile.mkdtemp(prefix="chatarchief-bench-search-"))
WORK.mkdir(parents=True, exist_ok=True)
os.environ["CHATARCHIEF_DATA_DIR"] = str(WORK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")

CUSTODIANS, CONVERSATIONS, ROUNDS = 4, 2_000, 5
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
SPAN_MS = 2 * 365 * 86_400_000
NAMES = ("Anne de Vries", "Bob Jansen", "Carol Smit", "Dirk Bakker", "Eva Peters", "Frank Visser", "+31612345678")


def fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def conversation_sizes(total: int, rng: random.Random) -> list[int]:
    weights = [1 / r**0.9 for r in range(1, CONVERSATIONS + 1)]
    rng.shuffle(weights)
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def generate(total: int) -> tuple[list, list[int]]:
    """The archive rows, in bulk: organisation, custodians, conversations, one delivery, messages."""
    from django.db import connection, transaction
    from tests.search.corpus import Corpus

    from chatarchief.archive.models import Blob, Conversation, Custodian, Delivery, Organisation

    rng = random.Random(11)
    corpus = Corpus(seed=7)
    organisation = Organisation.objects.create(code="BENCH", name="Benchmark")
    custodians = [
        Custodian.objects.create(slug=f"bench-{i}", name=f"Benchmark {i}", organisation=organisation)
        for i in range(CUSTODIANS)
    ]
    blob = Blob.objects.create(sha256="0" * 64, size=0)
    deliveries = [
        Delivery.objects.create(custodian=c, file_name="bench", sha256="0" * 64, original=blob, status="ingested")
        for c in custodians
    ]
    conversations = Conversation.objects.bulk_create(
        Conversation(custodian=custodians[i % CUSTODIANS], channel="whatsapp", key=f"c{i}", title=f"Groep {i}")
        for i in range(CONVERSATIONS)
    )
    delivery_of = {d.custodian_id: d.pk for d in deliveries}
    sizes = conversation_sizes(total, rng)
    now = dt.datetime.now(dt.UTC)
    message_id, messages, files = 0, [], []
    for conversation, size in zip(conversations, sizes, strict=True):
        delivery_id = delivery_of[conversation.custodian_id]
        senders = rng.sample(NAMES, rng.randint(2, 5))
        times = sorted(rng.randrange(SPAN_MS) for _ in range(size))
        for index, offset in enumerate(times):
            message_id += 1
            sender = rng.choice(senders)
            body = corpus.message()
            messages.append(
                (message_id, conversation.pk, sender, f"{message_id:x}", 0, sender,
                 int(START.timestamp() * 1000) + offset, 60_000, index, delivery_id, now, body)
            )  # fmt: skip
            if rng.random() < 0.02:
                files.append((message_id, 0, f"notitie-{corpus.words(1)[0]}-{index}.pdf", "application/pdf"))
    columns = (
        "id, conversation_id, sender_key, digest, occurrence, sender_name, sent_at_ms, precision_ms, sort_index,"
        " first_delivery_id, first_seen_at, body"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY archive_message ({columns}) FROM STDIN") as copy:
                for row in messages:
                    copy.write_row(row)
            with cursor.cursor.copy(
                "COPY archive_attachment (message_id, position, filename, mime_type, media_type, omitted) FROM STDIN"
            ) as copy:
                for row in files:
                    copy.write_row((*row, "document", False))
            cursor.execute("SELECT setval(pg_get_serial_sequence('archive_message', 'id'), %s)", [message_id])
            cursor.execute("ANALYZE")
        else:
            raw = connection.connection
            raw.executemany(f"INSERT INTO archive_message ({columns}) VALUES ({', '.join('?' * 12)})", messages)
            raw.executemany(
                "INSERT INTO archive_attachment (message_id, position, filename, mime_type, media_type, omitted,"
                " blob_id, size) VALUES (?, ?, ?, ?, 'document', 0, NULL, NULL)",
                files,
            )
    largest = [c.pk for _, c in sorted(zip(sizes, conversations, strict=True), key=lambda p: -p[0])]
    return custodians, largest


def timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000, result


def measure(label: str, cases: list[tuple[str, dict]], custodians) -> dict:
    from chatarchief.search import services

    samples, totals = [], []
    for query, options in cases:  # warm-up: first touch of each query's pages
        services.search(custodians, query, **options)
    for _ in range(ROUNDS):
        for query, options in cases:
            ms, result = timed(lambda q=query, o=options: services.search(custodians, q, **o))
            samples.append(ms)
            totals.append(result.total)
    samples.sort()
    p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)]
    row = {
        "label": label,
        "p50": statistics.median(samples),
        "p95": p95,
        "max": samples[-1],
        "hits": (min(totals), max(totals)),
        "n": len(samples),
    }
    print(
        f"{label:42} p50 {row['p50']:7.1f} ms  p95 {p95:7.1f} ms  max {samples[-1]:7.1f} ms  "
        f"totals {min(totals):,}-{max(totals):,}  ({len(samples)} searches)"
    )
    return row


def cases(largest: list[int]) -> dict[str, list[tuple[str, dict]]]:
    from tests.search.corpus import COMMON, Corpus

    corpus = Corpus(seed=7)
    tail = corpus.vocabulary[len(COMMON) :]
    rare = [tail[i] for i in range(20_000, 20_010)]
    common = [w for w in COMMON[120:200] if len(w) > 5][:10]
    return {
        "rare term (tail rank ~20,000)": [(w, {}) for w in rare],
        "common term, sorted by time": [(w, {"sort": "time"}) for w in common],
        "very common term (de, en, van, het, een)": [(w, {}) for w in ("de", "en", "van", "het", "een")],
        "phrase": [(f'"{p}"', {}) for p in ('minister van financiën', 'de coördinatie van de crisis',
                                              'woo verzoek over de begroting', 'de minister', 'graag morgen')],
        "common term in one conversation": [(w, {"conversation": largest[i % 3]}) for i, w in enumerate(common)],
        "common term, sorted by relevance": [(w, {"sort": "relevance"}) for w in common[:5]],
        "rare term AND common term": [(f"{r} {c}", {}) for r, c in zip(rare, common, strict=False)],
        "prefix (5 letters)": [(w[:5] + "*", {}) for w in common[:5]],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--database", help="postgres://USER@HOST:PORT/NAME (dropped and created anew)")
    parser.add_argument("--keep", help="a folder to keep the SQLite database in, and to reuse it from")
    parser.add_argument("--reuse", action="store_true", help="with --database: search the database as it is")
    args = parser.parse_args()
    reuse = (bool(args.keep) and (WORK / "db.sqlite3").exists()) or (bool(args.database) and args.reuse)
    if args.database:
        if not reuse:
            fresh_postgres(args.database)
        os.environ["DATABASE_URL"] = args.database
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from chatarchief.archive.models import Custodian
    from chatarchief.search import services

    if reuse:
        search_only(args)
        return
    call_command("migrate", verbosity=0)
    engine = f"PostgreSQL {connection.cursor().connection.info.server_version}" if args.database else "SQLite (WAL)"
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}, load {os.getloadavg()}"
    )
    print(f"input: {args.n:,} generated messages, {CUSTODIANS} custodians, {CONVERSATIONS:,} conversations; {engine}")
    seconds, (custodians, largest) = timed(lambda: generate(args.n))
    print(f"generated and bulk-loaded the archive rows in {seconds / 1000:.1f} s")
    start, cpu = time.perf_counter(), time.process_time()
    indexed = sum(services.index_custodian(c.pk) for c in custodians)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"indexing: {indexed:,} messages in {took:.1f} s ({indexed / took:,.0f} messages/s), "
        f"{cpu:.1f} s CPU in this process; load {os.getloadavg()}"
    )
    report_sizes(connection)
    visible = Custodian.objects.filter(slug__startswith="bench-")
    for label, group in cases(largest).items():
        measure(label, group, visible)
    print(f"load at the end: {os.getloadavg()}")
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


def report_sizes(connection) -> None:
    """Sizes, and on PostgreSQL the VACUUM ANALYZE that autovacuum runs after a load of this size."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            start = time.perf_counter()
            cursor.execute("VACUUM ANALYZE search_document")
            cursor.execute("VACUUM ANALYZE search_searchentry")
            print(
                f"VACUUM ANALYZE of the index tables (as autovacuum after a bulk load): {time.perf_counter() - start:.1f} s"
            )
            cursor.execute(
                "SELECT pg_size_pretty(pg_relation_size('search_document')),"
                " pg_size_pretty(pg_relation_size('search_document_gin')),"
                " pg_size_pretty(pg_total_relation_size('search_document') + pg_total_relation_size('search_searchentry')),"
                " current_setting('shared_buffers')"
            )
            heap, gin, total, buffers = cursor.fetchone()
            print(
                f"tsvector table {heap}, its GIN index {gin}; with entries, indexes, TOAST {total}; shared_buffers {buffers}"
            )
        else:
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'")
            size = cursor.fetchone()[0] or 0
            print(f"search tables and indexes in the SQLite file: {size / 1e6:,.0f} MB")


def search_only(args) -> None:
    from django.db import connection
    from django.db.models import Count

    from chatarchief.archive.models import Custodian
    from chatarchief.search.models import SearchEntry

    print(f"reusing {args.database or WORK}; load {os.getloadavg()}")
    report_sizes(connection)
    sizes = SearchEntry.objects.values("conversation_id").annotate(n=Count("id")).order_by("-n", "conversation_id")
    largest = [row["conversation_id"] for row in sizes[:3]]
    visible = Custodian.objects.filter(slug__startswith="bench-")
    for label, group in cases(largest).items():
        measure(label, group, visible)


if __name__ == "__main__":
    main()
