"""Benchmark: a Woo publication package for 10,000 messages, end to end through the woo app.

Three officials each hand in the same generated group chat (WhatsApp, Dutch chatter with phone
numbers and names, N messages over N/100 days) through the real ingest (indexed at ingest); a Woo
request covers them; one search (`woo.services.run_search`) finds a word on every day, so every day
becomes one document listing all three holders; each document gets a redaction of a sender's name
(every occurrence) and, where the day has one, of a phone number, and "deels openbaar". Timed:
`woo.services.export_package` (reading the documents' messages from the archive, the union across
holders, the redacted PDFs, inventory, search record, manifest, audit events). Every PDF is then
checked for the redacted strings.

Target (issue): >= 200 messages/s. Run: `.venv/bin/python bench/bench_woo_export.py [N]` (SQLite in
a temporary folder; `--database postgres://USER@HOST:PORT/NAME` drops and creates NAME). Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="chatarchief-bench-woo-"))
os.environ["CHATARCHIEF_DATA_DIR"] = str(WORK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")

PER_DAY = 100
MEMBERS = ("Anne Minister", "Bob Secretaris", "Carla Directeur")
OTHERS = ("Pieter Geheimzinnig", "Dirk Burger")
PHONE = "06 12345678"
WORDS = (
    "overleg begroting kamerbrief minister stikstof coördinatie gemeente crisis vergadering planning "
    "besluit nota advies wetsvoorstel debat persbericht agenda afspraak morgen vandaag akkoord"
).split()


def specs(n: int, rng: random.Random) -> list:
    from tests.generators.whatsapp import Spec

    start = dt.datetime(2024, 1, 1, 8, 0)
    out = []
    for i in range(n):
        day, slot = divmod(i, PER_DAY)
        at = start + dt.timedelta(days=day, minutes=5 * slot)
        words = rng.choices(WORDS, k=rng.randint(4, 18))
        if slot == 0:
            words.append("dagstart")  # one hit per day: every day a document
        if rng.random() < 0.05:
            words += ["bel", OTHERS[0], "op", PHONE]
        out.append(Spec(rng.choice(MEMBERS + OTHERS[1:]), at, " ".join(words).capitalize()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--database", help="postgres://USER@HOST:PORT/NAME (dropped and created anew)")
    parser.add_argument("--workers", type=int, default=1, help="render the PDFs in N processes")
    args = parser.parse_args()
    if args.database:
        import psycopg

        name = args.database.rsplit("/", 1)[1]
        with psycopg.connect(args.database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.database
    import django

    django.setup()
    from django.core.management import call_command
    from tests.generators.whatsapp import write_export

    from chatarchief.access.services import SystemPrincipal
    from chatarchief.archive.services import registry
    from chatarchief.intake.pipeline import ingest
    from chatarchief.woo import services

    call_command("migrate", verbosity=0)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"load at the start: {os.getloadavg()}")
    registry.add_organisation("BZK", "Binnenlandse Zaken", actor="bench")
    rng = random.Random(18)
    chat = specs(args.n, rng)
    start = time.perf_counter()
    for i, member in enumerate(MEMBERS):
        custodian = registry.add_custodian(f"lid-{i}", name=member, actor="bench", organisation="BZK")
        path = WORK / f"export-{i}" / "WhatsApp-chat met Crisisteam.txt"
        path.parent.mkdir()
        write_export(path, chat, title="Crisisteam")
        assert ingest(path, custodian, actor="bench").status == "ingested"
    print(f"ingested (and indexed) the chat three times, {3 * args.n:,} messages: {time.perf_counter() - start:.1f} s")
    system = SystemPrincipal("bench")
    days = (args.n + PER_DAY - 1) // PER_DAY
    request = services.create_request(
        system,
        "cli:bench",
        reference="WOO-BENCH",
        subject="bench",
        received="2024-12-01",
        period_from="2024-01-01",
        period_to=(dt.date(2024, 1, 1) + dt.timedelta(days=days)).isoformat(),
        custodians=[f"lid-{i}" for i in range(3)],
    )
    start = time.perf_counter()
    result = services.run_search(system, "cli:bench", request, "dagstart")
    print(
        f"search: {result['hits']:,} hits (3 holders) -> {len(result['documents'])} documents "
        f"in {time.perf_counter() - start:.1f} s; holders {result['documents'][0]['holders']}"
    )
    for document in request.documents.all():
        try:  # the phone number, where the day has it (5 % of the messages)
            services.add_redaction(system, "cli:bench", document, kind="phrase", text=PHONE, ground="5.1.2e")
        except services.WooError:
            pass
        services.add_redaction(system, "cli:bench", document, kind="sender", sender=OTHERS[1], ground="5.1.2e")
        services.assess(system, "cli:bench", document, decision="deels", grounds=["5.1.2e"])
    messages = sum(len(services.document_messages(d)) for d in request.documents.all())
    out = WORK / "pakket"
    wall, cpu = time.perf_counter(), time.process_time()
    summary = services.export_package(system, "cli:bench", request, out, workers=args.workers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"export: {messages:,} messages (the union of 3 holders' copies) in {summary['pdfs']} PDFs, "
        f"{size / 1e6:.1f} MB: {wall:.1f} s wall ({messages / wall:,.0f} messages/s), "
        f"{cpu:.1f} s CPU in the main process ({messages / cpu:,.0f} messages per CPU-second; "
        f"{args.workers} rendering process(es))"
    )
    from pypdf import PdfReader

    leaked = 0
    for pdf in (out / "documenten").iterdir():
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        leaked += PHONE in text or OTHERS[1] in text or PHONE.encode() in pdf.read_bytes()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"leak check: {leaked} PDFs with a redacted string; peak memory {peak:.0f} MiB; load {os.getloadavg()}")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
