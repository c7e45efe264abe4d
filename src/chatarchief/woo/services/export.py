"""The publication package: one redacted PDF per document (none for "niet openbaar"), the inventory
list (XLSX and CSV, the platform's columns), the search record and a manifest with every file's
SHA-256. Written in a staging folder beside `out` and renamed into place: whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections import defaultdict, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.audit import log
from chatarchief.core.packaging.chat_pdf import render_redacted_pdf
from chatarchief.core.packaging.document import (
    MediaRedaction,
    MessageRedaction,
    PhraseRedaction,
    Redaction,
    SenderRedaction,
    TextRedaction,
)
from chatarchief.core.packaging.inventory import (
    Beoordeling,
    InventoryRow,
    sha256_file,
    write_atomic,
    write_inventory,
    write_manifest,
)
from chatarchief.woo.constants import Decision, RedactionKind
from chatarchief.woo.models import Document, Export, WooRequest
from chatarchief.woo.services.assessing import current_assessment, unassessed
from chatarchief.woo.services.cases import WooError
from chatarchief.woo.services.documents import chat_document

SEARCH_RECORD = "zoekslag"


def redactions_of(document: Document) -> list[Redaction]:
    found: list[Redaction] = []
    for row in document.redactions.all():
        kind = RedactionKind(row.kind)
        if kind == RedactionKind.PHRASE:
            found.append(PhraseRedaction(row.text, row.ground))
        elif kind == RedactionKind.SPAN:
            found.append(TextRedaction(str(row.message), row.start or 0, row.end or 0, row.ground))
        elif kind == RedactionKind.MESSAGE:
            found.append(MessageRedaction(str(row.message), row.ground))
        elif kind == RedactionKind.SENDER:
            found.append(SenderRedaction(row.sender, row.ground))
        else:
            box = tuple(row.box) if row.box else None
            found.append(MediaRedaction(str(row.message), row.attachment or 0, row.ground, box))  # type: ignore[arg-type]
    return found


def _rendered(jobs: list[tuple[Document, list[Redaction]]], workers: int) -> Iterator[tuple[Document, bytes, list]]:
    """(document, PDF bytes, its (message, holder) pairs) in order; in `workers` processes when > 1,
    at most two documents per process waiting at a time (memory stays bounded)."""
    if workers <= 1:
        for document, redactions in jobs:
            doc, pairs = chat_document(document)
            yield document, render_redacted_pdf(doc, redactions), pairs
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: deque = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for document, redactions in jobs:
            doc, pairs = chat_document(document)
            # the child runs core only (no Django): render_redacted_pdf and the core dataclasses
            pending.append((document, pool.submit(render_redacted_pdf, doc, redactions), pairs))
            while len(pending) >= 2 * workers:
                done, future, done_pairs = pending.popleft()
                yield done, future.result(), done_pairs
        while pending:
            done, future, done_pairs = pending.popleft()
            yield done, future.result(), done_pairs


def _check_folder(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise WooError(
            "woo.out_not_empty",
            nl=f"{out} bestaat al en is geen lege map.",
            en=f"{out} already exists and is not an empty folder.",
        )


def _inventory_row(
    request: WooRequest, document: Document, decision: str, grounds: list[str], note: str
) -> InventoryRow:
    return InventoryRow(
        id=str(document.number),
        document=f"{document.title} ({document.day.isoformat()})" if document.day else document.title,
        datum=document.day,
        beoordeling=Beoordeling.from_decision(decision),
        grounds=tuple(grounds),
        matter=request.reference,
        toelichting=note,
        zaaknummer=request.reference,
    )


def _search_record(request: WooRequest) -> tuple[bytes, bytes]:
    rows = [
        {
            "query": r.query,
            "filters": r.filters,
            "hits": r.hits,
            "documents": r.documents,
            "run_at": r.run_at.isoformat(timespec="seconds"),
            "run_by": r.run_by,
        }
        for r in request.searches.order_by("run_at", "pk")
    ]
    as_json = json.dumps({"request": request.reference, "searches": rows}, ensure_ascii=False, indent=2).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Zoekvraag", "Filters", "Treffers", "Documenten", "Tijdstip", "Door"])
    for r in rows:
        writer.writerow(
            [
                r["query"],
                json.dumps(r["filters"], ensure_ascii=False),
                r["hits"],
                r["documents"],
                r["run_at"],
                r["run_by"],
            ]
        )
    return as_json + b"\n", buffer.getvalue().encode("utf-8")


def export_package(
    principal: Any, actor: str, request: WooRequest, out: str | os.PathLike[str], *, workers: int = 1
) -> dict[str, Any]:
    """Write the package to `out` (new or an empty folder). Refuses, naming them, while documents are
    unassessed (with four eyes: unconfirmed), and when an assessment and the redactions disagree.
    `workers` > 1 renders the PDFs in that many processes (a command-line export on a machine with
    CPUs to spare; the documents are read from the database here, the processes only render)."""
    access.require_woo_request(principal, request)
    out = Path(out)
    _check_folder(out)
    documents = list(request.documents.order_by("number"))
    if not documents:
        raise WooError(
            "woo.no_documents", nl="Dit verzoek heeft nog geen documenten.", en="This request has no documents yet."
        )
    missing = unassessed(request)
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        raise WooError(
            "woo.unassessed",
            nl=f"Nog niet (definitief) beoordeeld: document {numbers}.",
            en=f"Not (finally) assessed yet: document {numbers}.",
        )
    plan = []
    for document in documents:
        assessment = current_assessment(document)
        assert assessment is not None
        redactions = redactions_of(document)
        if assessment.decision == Decision.DEELS and not redactions:
            raise WooError(
                "woo.deels_without_redaction",
                nl=f"Document {document.number} is deels openbaar maar heeft geen lakking.",
                en=f"Document {document.number} is partly public but has no redaction.",
            )
        if assessment.decision in (Decision.OPENBAAR, Decision.REEDS) and redactions:
            raise WooError(
                "woo.public_with_redaction",
                nl=f"Document {document.number} is openbaar maar heeft lakkingen: beoordeel het als deels openbaar.",
                en=f"Document {document.number} is public but has redactions: assess it as partly public.",
            )
        grounds = list(assessment.grounds)
        for r in document.redactions.all():
            if r.ground not in grounds:
                grounds.append(r.ground)
        plan.append((document, assessment, redactions, grounds))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".woo-export-", dir=out.parent))
    read: dict[str, list[int]] = defaultdict(list)
    pdfs = 0
    try:
        rows = []
        (staging / "documenten").mkdir()
        jobs = []
        for document, assessment, redactions, grounds in plan:
            if assessment.decision != Decision.NIET:
                jobs.append((document, redactions))
            rows.append(_inventory_row(request, document, assessment.decision, grounds, assessment.note))
        for document, data, pairs in _rendered(jobs, workers):
            write_atomic(staging / "documenten" / f"{document.number}.pdf", data)
            pdfs += 1
            for message, slug in pairs:
                read[slug].append(message.pk)
        write_inventory(rows, staging)
        record_json, record_csv = _search_record(request)
        write_atomic(staging / f"{SEARCH_RECORD}.json", record_json)
        write_atomic(staging / f"{SEARCH_RECORD}.csv", record_csv)
        manifest = write_manifest(
            staging,
            "manifest.json",
            metadata={
                "request": request.reference,
                "subject": request.subject,
                "documents": len(documents),
                "pdfs": pdfs,
                "exported_at": timezone.now().isoformat(timespec="seconds"),
            },
        )
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = sum(1 for p in out.rglob("*") if p.is_file())
    export = Export.objects.create(
        request=request,
        folder=str(out),
        documents=len(documents),
        pdfs=pdfs,
        manifest_sha256=sha256_file(out / manifest.name),
        exported_by=actor,
    )
    log.woo_exported(actor, export, files=files)
    for slug, ids in sorted(read.items()):
        log.woo_content_read(actor, request, slug, what="woo.export", message_ids=ids)
    return {"folder": str(out), "documents": len(documents), "pdfs": pdfs, "files": files}


__all__ = ["export_package", "redactions_of"]
