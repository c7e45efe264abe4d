"""The receipt PDF of a delivery: who, what, when, file and SHA-256, counts, what changed since the
previous delivery of the same chats, in Dutch or English; signed, and `chatarchief receipt verify`
(issue 17 item 7)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text

from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.core.compliance import signing
from chatarchief.intake.pipeline import ingest
from tests.generators.whatsapp import Spec, write_export

pytestmark = pytest.mark.django_db
T = dt.datetime(2025, 3, 3, 9, 0)
BASE = [
    Spec("Anna de Vries", T, "Goedemorgen"),
    Spec("Bram", T + dt.timedelta(minutes=1), "Dag Anna"),
    Spec("Anna de Vries", T + dt.timedelta(minutes=2), "De nota komt vandaag"),
]


@pytest.fixture
def second(tmp_path: Path, settings):
    settings.RECEIPT_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    (tmp_path / "key.pem").write_bytes(signing.generate_private_key_pem())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    anna = registry.add_custodian("anna", name="Anna de Vries", actor="test", organisation="BZK")
    first = write_export(tmp_path / "a" / "WhatsApp-chat met Bram.txt", BASE, platform="android", locale="nl")
    assert ingest(first, anna, actor="test", exported_at=dt.datetime(2025, 3, 4, tzinfo=dt.UTC)).status == "ingested"
    later = [
        *BASE[:2],
        Spec("Anna de Vries", BASE[2].at, kind="deleted_self"),
        Spec("Bram", T + dt.timedelta(days=2), "Ok"),
    ]
    path = write_export(tmp_path / "b" / "WhatsApp-chat met Bram.txt", later, platform="android", locale="nl")
    outcome = ingest(path, anna, actor="test", exported_at=dt.datetime(2025, 3, 10, tzinfo=dt.UTC))
    assert outcome.status == "ingested"
    return outcome.delivery


def test_the_receipt_says_what_changed_and_verifies(second, tmp_path, capsys):
    out = tmp_path / "bon.pdf"
    assert main(["receipt", "make", str(second.pk), "--out", str(out)]) == 0
    text = extract_text(io.BytesIO(out.read_bytes()))
    assert "Ontvangstbevestiging" in text and second.sha256 in text.replace("\n", "")
    assert "Anna de Vries" in text and "WhatsApp-chat met Bram.txt" in text
    assert "sinds de vorige aanlevering van 4 maart 2025" in text
    assert "1 door de functionaris" in text  # her own deletion, told apart from others
    assert "De nota komt vandaag" not in text  # no message content
    capsys.readouterr()
    assert main(["receipt", "verify", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert AuditEvent.objects.filter(action="receipt.made", object_id=str(second.pk)).exists()

    english = tmp_path / "receipt.pdf"
    assert main(["receipt", "make", str(second.pk), "--out", str(english), "--lang", "en"]) == 0
    assert "since the previous delivery of 4 March 2025" in extract_text(io.BytesIO(english.read_bytes()))


def test_a_changed_pdf_or_signature_is_caught(second, tmp_path, capsys):
    out = tmp_path / "bon.pdf"
    main(["receipt", "make", str(second.pk), "--out", str(out)])
    signature = Path(str(out) + ".sig")
    good = out.read_bytes()
    out.write_bytes(good + b"\n% extra")
    capsys.readouterr()
    assert main(["receipt", "verify", str(out)]) == 1
    assert "gewijzigd na het ondertekenen" in capsys.readouterr().err
    out.write_bytes(good)
    fields = json.loads(signature.read_text())
    fields["signed_at"] = "2020-01-01T00:00:00+00:00"
    signature.write_text(json.dumps(fields))
    assert main(["receipt", "verify", str(out)]) == 1
    assert "vals" in capsys.readouterr().err


def test_the_same_receipt_twice_is_the_same_pdf(second):
    from chatarchief.compliance import receipt

    assert receipt.receipt_pdf(second) == receipt.receipt_pdf(second)  # a later signature verifies it too
