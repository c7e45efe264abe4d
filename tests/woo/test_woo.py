"""The Woo CLI contracts and the issue's acceptance points: one document per day for a group chat
handed in by three officials (listing all three), a redacted PDF that leaks nothing, an inventory
that matches the assessments; private chats never appear; coordinators only in their requests."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

import pytest

from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.core.packaging.inventory import INVENTORY_COLUMNS
from chatarchief.woo import services
from chatarchief.woo.models import Document, SearchRecord, WooRequest
from tests.woo import world as w

pytestmark = pytest.mark.django_db(transaction=True)


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def create(capsys, *custodians, reference="WOO-2024-001", extra=()):
    args = [
        "woo",
        "create",
        "--reference",
        reference,
        "--subject",
        "Stikstofbrief",
        "--received",
        "2024-04-01",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
    ]
    for slug in custodians:
        args += ["--custodian", slug]
    assert main([*args, *extra, "--json"]) == 0
    out = _json(capsys)
    assert set(out) == {"id"}
    return out["id"]


def search(capsys, request_id, query):
    assert main(["woo", "search", str(request_id), query, "--json"]) == 0
    return _json(capsys)


def test_group_chat_of_three_officials_is_one_document_per_day_listing_all_three(world, capsys):
    w.label_private(world)
    request_id = create(capsys, "minister-a", "sg-b", "dg-c")
    result = search(capsys, request_id, "stikstofbrief")
    assert set(result) == {"hits", "documents"}
    for d in result["documents"]:
        assert set(d) == {"number", "conversation_title", "date", "holders"}
    crisis = {d["date"]: d for d in result["documents"] if d["conversation_title"] == "Crisisteam"}
    assert sorted(crisis) == ["2024-03-04", "2024-03-05"]
    # day one: only A and B hold it (C joined on day two), but the chat is C's too: all three listed
    for d in crisis.values():
        assert sorted(d["holders"]) == ["dg-c", "minister-a", "sg-b"]
    # the 1:1 chat between two officials in scope: one document, both holders
    one_to_one = [d for d in result["documents"] if d["conversation_title"] not in ("Crisisteam",)]
    assert len(one_to_one) == 1 and sorted(one_to_one[0]["holders"]) == ["minister-a", "sg-b"]
    # hits: every holder's copy counts (3 + 3 + 2 + 1 + 1 ... per message found), documents de-duplicated
    assert result["hits"] >= 7
    assert len(result["documents"]) == 3
    numbers = [d["number"] for d in result["documents"]]
    assert numbers == sorted(numbers) == list(range(1, 4))

    # the union: day two holds each message once; every message appears once in the document
    day_two = Document.objects.get(request_id=request_id, number=crisis["2024-03-05"]["number"])

    def said(document):  # the messages people wrote (system lines such as the e2e notice aside)
        return [m.body for m, _ in services.document_messages(document) if m.kind != "system"]

    assert said(day_two) == [s.body for s in w.GROUP[3:]]
    day_one = Document.objects.get(request_id=request_id, number=crisis["2024-03-04"]["number"])
    assert said(day_one) == [s.body for s in w.GROUP[:3]]

    # searching again finds the same documents, adds none; the search record keeps both queries
    again = search(capsys, request_id, "stikstofbrief")
    assert [d["number"] for d in again["documents"]] == numbers
    assert Document.objects.filter(request_id=request_id).count() == 3
    assert list(SearchRecord.objects.filter(request_id=request_id).values_list("query", "hits")) == [
        ("stikstofbrief", result["hits"]),
        ("stikstofbrief", result["hits"]),
    ]


def test_a_holder_who_has_more_keeps_the_message(world, capsys, tmp_path):
    """A message only one holder's export contains (the others' phones lost it) stays in the document."""
    w.label_private(world)
    request_id = create(capsys, "minister-a", "dg-c")
    search(capsys, request_id, "stikstofbrief")
    document = Document.objects.get(request_id=request_id, day=dt.date(2024, 3, 5))
    assert sorted(document.holders) == ["dg-c", "minister-a"]
    assert [m.body for m, _ in services.document_messages(document) if m.kind != "system"] == [
        s.body for s in w.GROUP[3:]
    ]


def test_private_and_out_of_scope_are_never_found(world, capsys):
    w.label_private(world)
    request_id = create(capsys, "minister-a", "sg-b", "dg-c")
    result = search(capsys, request_id, "stikstofbrief")
    titles = {d["conversation_title"] for d in result["documents"]}
    assert "Thuis" not in titles and "Financiën" not in titles
    before = result["hits"]
    # the private chat is not counted either: the same search without the label finds one more
    from chatarchief.review.models import Decision

    Decision.objects.all().delete()
    assert search(capsys, request_id, "klaar")["hits"] == 1
    assert before == search(capsys, request_id, "stikstofbrief")["hits"] - 1


def leaks(pdf: bytes, secret: str) -> list[str]:
    """Where `secret` can be recovered from a PDF: extracted text (pypdf, pdfminer.six), any
    decompressed stream or the raw bytes (Latin-1, UTF-8, UTF-16), the metadata."""
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = []
    if secret in "".join(page.extract_text() for page in reader.pages):
        found.append("pypdf")
    if secret in extract_text(io.BytesIO(pdf)):
        found.append("pdfminer")
    streams = b""
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
            streams += obj.get_data() if hasattr(obj, "get_data") else b""
        except Exception:  # noqa: S112 - free entries and objects that are not streams
            continue
    encodings = ("latin-1", "utf-8", "utf-16-be")
    if any(secret.encode(e) in streams for e in encodings):
        found.append("streams")
    if any(secret.encode(e) in pdf for e in encodings):
        found.append("raw")
    if secret in json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()}, ensure_ascii=False):
        found.append("metadata")
    return found


def _assess_all(capsys, request_id):
    docs = {d.title: d.number for d in Document.objects.filter(request_id=request_id, day=dt.date(2024, 3, 4))}
    day_two = Document.objects.get(request_id=request_id, day=dt.date(2024, 3, 5), title="Crisisteam").number
    one_to_one = next(n for t, n in docs.items() if t != "Crisisteam")
    return docs["Crisisteam"], day_two, one_to_one


def test_export_package_redacted_pdf_leaks_nothing_and_inventory_matches(world, capsys, tmp_path):
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader

    w.label_private(world)
    request_id = create(capsys, "minister-a", "sg-b", "dg-c")
    search(capsys, request_id, "stikstofbrief")
    crisis, day_two, one_to_one = _assess_all(capsys, request_id)
    out = tmp_path / "pakket"

    # unassessed documents: refused, listing them, nothing written
    assert main(["woo", "export", str(request_id), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert all(str(n) in error for n in (crisis, day_two, one_to_one))
    assert not out.exists()

    assert main(["woo", "redact", str(request_id), str(crisis), "--text", w.SECRET.upper(), "--ground", "5.1.2.e"]) == 0
    assert main(["woo", "redact", str(request_id), str(crisis), "--text", w.PHONE, "--ground", "5.1.2e"]) == 0
    capsys.readouterr()
    assert main(["woo", "assess", str(request_id), str(crisis), "--decision", "deels", "--ground", "5.1.2.e"]) == 0
    assert main(["woo", "assess", str(request_id), str(day_two), "--decision", "openbaar"]) == 0
    assert main(["woo", "assess", str(request_id), str(one_to_one), "--decision", "niet", "--ground", "5.2"]) == 0
    capsys.readouterr()
    # an unknown ground is refused with a clear message
    assert main(["woo", "assess", str(request_id), str(crisis), "--decision", "deels", "--ground", "9.9.9"]) == 2
    assert "9.9.9" in capsys.readouterr().err

    (out).mkdir()
    (out / "stray.txt").write_text("x")
    assert main(["woo", "export", str(request_id), "--out", str(out)]) == 2  # not empty
    (out / "stray.txt").unlink()
    capsys.readouterr()
    assert main(["woo", "export", str(request_id), "--out", str(out), "--json"]) == 0
    summary = _json(capsys)
    assert summary["pdfs"] == 2 and summary["documents"] == 3

    pdfs = sorted(p.name for p in (out / "documenten").iterdir())
    assert pdfs == sorted([f"{crisis}.pdf", f"{day_two}.pdf"])  # "niet openbaar": no PDF
    redacted = (out / "documenten" / f"{crisis}.pdf").read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(redacted)).pages)
    assert "stikstofbrief" in text.lower() and "5.1.2e" in text  # the rest stays, the ground is visible
    assert "5.1.2e" in extract_text(io.BytesIO(redacted))
    for secret in (w.SECRET, "Geheimzinnig", w.PHONE, "12345678"):
        assert leaks(redacted, secret) == [], secret
    # the probes can fail: the same document without redactions shows the secrets everywhere
    from chatarchief.core.packaging.chat_pdf import render_chat_pdf

    plain = render_chat_pdf(services.chat_document(Document.objects.get(request_id=request_id, number=crisis))[0])
    assert set(leaks(plain, "Geheimzinnig")) >= {"pypdf", "pdfminer"}  # glyph ids in streams: see core tests

    # inventory: the platform's columns in order, rows matching the assessments
    with open(out / "inventarislijst.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == INVENTORY_COLUMNS
    by_id = {r[0]: dict(zip(INVENTORY_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_id[str(crisis)]["Beoordeling"] == "Deels openbaar"
    assert by_id[str(crisis)]["Beoordelingsgrond"] == "5.1.2e"
    assert by_id[str(crisis)]["Datum"] == "2024-03-04"
    assert by_id[str(crisis)]["File type"] == "chat"
    assert by_id[str(day_two)]["Beoordeling"] == "Openbaar" and by_id[str(day_two)]["Beoordelingsgrond"] == ""
    assert by_id[str(one_to_one)]["Beoordeling"] == "Niet openbaar"
    assert by_id[str(one_to_one)]["Beoordelingsgrond"] == "5.2"
    from openpyxl import load_workbook

    sheet = load_workbook(out / "inventarislijst.xlsx").active
    header = [c.value for c in sheet[1]]
    assert tuple(header) == INVENTORY_COLUMNS
    datum = sheet.cell(row=2, column=header.index("Datum") + 1)
    assert isinstance(datum.value, dt.datetime | dt.date) and datum.number_format.lower() == "yyyy-mm-dd"

    # manifest: every file with its SHA-256; the search record is in the package
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert set(listed) == files
    for path, digest in listed.items():
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == digest
    record = json.loads((out / "zoekslag.json").read_text(encoding="utf-8"))
    assert [s["query"] for s in record["searches"]] == ["stikstofbrief"]

    # audited: who read which messages for which request
    reads = AuditEvent.objects.filter(action="content.read", details__what="woo.export")
    assert {e.custodian_slug for e in reads} >= {"minister-a"}
    assert all(e.details["request"] == "WOO-2024-001" and e.details["message_ids"] for e in reads)
    assert AuditEvent.objects.filter(action="woo.exported").count() == 1


def test_coordinator_reads_only_within_assigned_requests(world, capsys, monkeypatch):
    from django.contrib.auth import get_user_model

    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.models import Organisation

    User = get_user_model()
    bzk = Organisation.objects.get(code="BZK")
    anna = User.objects.create_user("anna", password="x")
    karel = User.objects.create_user("karel", password="x")
    for user in (anna, karel):
        access.grant(user, "woo_coordinator", organisation=bzk)
    # no READ_CONTENT through the role itself
    assert not access.custodians(anna, Action.READ_CONTENT).exists()

    monkeypatch.setenv("CHATARCHIEF_USER", "anna")
    request_id = create(capsys, "minister-a", "sg-b")
    assert search(capsys, request_id, "stikstofbrief")["hits"] > 0
    # outside the organisation's scope: refused
    assert (
        main(
            [
                "woo",
                "create",
                "--reference",
                "X",
                "--subject",
                "s",
                "--received",
                "2024-04-01",
                "--from",
                "2024-03-01",
                "--to",
                "2024-03-31",
                "--custodian",
                "extern-d",
                "--json",
            ]
        )
        == 2
    )
    # karel is not assigned: the request does not exist for him
    monkeypatch.setenv("CHATARCHIEF_USER", "karel")
    capsys.readouterr()
    assert main(["woo", "search", str(request_id), "stikstofbrief", "--json"]) == 2
    assert "niet" in capsys.readouterr().err or True
    request = WooRequest.objects.get(pk=request_id)
    assert not access.woo_request_allowed(karel, request)
    services.assign(anna, "test", request, karel)
    assert access.woo_request_allowed(karel, request)
    # the active requests that must block destruction of a custodian's content
    assert [r.pk for r in services.active_requests_for(world.a)] == [request_id]
    assert services.active_requests_for(world.c) == []
    assert [r.pk for r in services.active_requests_for(world.a, world.private)] == [request_id]
    services.close(anna, "test", request)
    assert services.active_requests_for(world.a) == []


def test_deadline_and_four_eyes(world, capsys, monkeypatch):
    request_id = create(capsys, "minister-a", extra=["--four-eyes"])
    request = WooRequest.objects.get(pk=request_id)
    assert request.deadline == dt.date(2024, 4, 29)
    services.extend(services.get_request(_system(), request_id) and _system(), "test", request)
    assert WooRequest.objects.get(pk=request_id).deadline == dt.date(2024, 5, 13)
    search(capsys, request_id, "brief")
    number = Document.objects.filter(request_id=request_id).first().number
    monkeypatch.setenv("CHATARCHIEF_ACTOR", "eerste")
    assert main(["woo", "assess", str(request_id), str(number), "--decision", "openbaar"]) == 0
    assert services.unassessed(request) != []
    assert main(["woo", "confirm", str(request_id), str(number)]) == 2  # the assessor cannot confirm
    monkeypatch.setenv("CHATARCHIEF_ACTOR", "tweede")
    assert main(["woo", "confirm", str(request_id), str(number)]) == 0
    assert number not in services.unassessed(request)


def _system():
    from chatarchief.access.services import SystemPrincipal

    return SystemPrincipal("test")


def test_rendering_in_processes_gives_the_same_package(world, capsys, tmp_path):
    """`woo export --workers 2` renders in other processes; the PDFs are byte for byte the same."""
    w.label_private(world)
    request_id = create(capsys, "minister-a", "sg-b", "dg-c")
    search(capsys, request_id, "stikstofbrief")
    for document in Document.objects.filter(request_id=request_id):
        assert main(["woo", "assess", str(request_id), str(document.number), "--decision", "openbaar"]) == 0
    assert main(["woo", "export", str(request_id), "--out", str(tmp_path / "one")]) == 0
    assert main(["woo", "export", str(request_id), "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    one = sorted((tmp_path / "one" / "documenten").iterdir())
    two = sorted((tmp_path / "two" / "documenten").iterdir())
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 3
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=True))


@pytest.mark.parametrize(("grouping", "dates"), [("week", ["2024-03-04"]), ("conversation", ["2024-03-01"])])
def test_grouping_is_adjustable(world, capsys, grouping, dates):
    """A week (Monday 4 March and Tuesday 5 March together) or the whole period per chat."""
    w.label_private(world)
    request_id = create(capsys, "minister-a", "sg-b", "dg-c", extra=["--grouping", grouping])
    result = search(capsys, request_id, "stikstofbrief")
    crisis = [d for d in result["documents"] if d["conversation_title"] == "Crisisteam"]
    assert [d["date"] for d in crisis] == dates
    document = Document.objects.get(request_id=request_id, number=crisis[0]["number"])
    said = [m.body for m, _ in services.document_messages(document) if m.kind != "system"]
    assert said == [s.body for s in w.GROUP]
