"""Transfer (issue 19): `chatarchief transfer package` writes a BagIt bag that validates, in the MDTO
SIP draft's sidecar layout, business conversations only; every MDTO file validates against the XSD
(the vendored one, and the one in ../shared/standards); a reader that knows only the draft walks it."""

from __future__ import annotations

import json

import bagit
import pytest
from lxml import etree

from chatarchief.archive.models import Conversation
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.core.packaging.mdto import safe_parser, validate_mdto
from chatarchief.core.packaging.sip_reader import read_sip, validate_sip
from chatarchief.review.decisions import confirm, decide
from tests.paths import REPO_ROOT, SHARED_CORPUS
from tests.review import scenario
from tests.review.helpers import custodian_with_reviewers, ingest_month

pytestmark = pytest.mark.django_db
SHARED_XSD = REPO_ROOT.parent / "shared" / "standards" / "mdto" / "MDTO-XML1.0.1.xsd"


@pytest.fixture
def bag(tmp_path, capsys):
    custodian, first, second = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    spouse = Conversation.objects.get(custodian=custodian, title=scenario.SPOUSE)
    confirm(
        second, decide(first, label="private", reason="Echtgenoot", actor="t:a", conversation_id=spouse.pk), actor="t:b"
    )
    out = tmp_path / "overdracht"
    assert main(["transfer", "package", "--custodian", custodian.slug, "--out", str(out), "--json"]) == 0
    return out, json.loads(capsys.readouterr().out)


def _mdto_files(out):
    return sorted(p for p in (out / "data").rglob("*") if p.name.endswith(".MDTO.xml"))


def test_the_bag_validates_and_holds_business_conversations_only(bag):
    out, result = bag
    assert bagit.Bag(str(out)).is_valid()
    assert validate_sip(out) == []
    assert result["conversations"] == 2
    reading = read_sip(out)
    (top,) = reading.objects
    assert top.aggregatieniveau == "Archief"
    names = sorted(child.naam for child in top.children)
    assert names == sorted(["Aanleveringen van " + scenario.SELF, scenario.COLLEAGUE, scenario.STAFF])
    conversations = [c for c in top.children if c.aggregatieniveau == "Dossier"]
    for conversation in conversations:
        formats = {f.naam.rsplit(".", 1)[-1]: f.format_code for f in conversation.files}
        assert formats["pdf"] == "fmt/480" and formats["json"] == "fmt/817"  # PDF/A-3b, JSON
    payload = [p.read_bytes() for p in (out / "data").rglob("*") if p.is_file()]
    assert any(scenario.BUSINESS.encode() in data for data in payload)
    for marker in (b"PRIVETEKST", scenario.PRIVATE_MEDIA):  # the excluded chat is in no file, original or media
        assert not any(marker in data for data in payload), marker
    assert AuditEvent.objects.filter(action="preservation.transfer_packaged").count() == 1


def test_every_mdto_file_validates_against_the_vendored_xsd(bag):
    out, _ = bag
    files = _mdto_files(out)
    assert len(files) >= 10
    for path in files:
        assert validate_mdto(path.read_bytes()) == [], path


@SHARED_CORPUS
def test_every_mdto_file_validates_against_the_shared_xsd(bag):
    out, _ = bag
    schema = etree.XMLSchema(etree.parse(str(SHARED_XSD), parser=safe_parser()))
    for path in _mdto_files(out):
        assert schema.validate(etree.fromstring(path.read_bytes(), parser=safe_parser())), (path, schema.error_log)


def test_a_period_without_messages_is_refused_and_nothing_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHATARCHIEF_LANG", "en")
    custodian, _, _ = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    out = tmp_path / "leeg"
    code = main(["transfer", "package", "--custodian", custodian.slug, "--from", "1990-01-01", "--to", "1990-12-31",
                 "--out", str(out)])  # fmt: skip
    assert code == 2 and "No business conversations" in capsys.readouterr().err
    assert not out.exists()
