"""A transfer package: sidecar layout of the SIP draft, every MDTO file valid, a valid BagIt bag."""

import datetime as dt
import json

import bagit
import pytest

from chatarchief.core.packaging.chat_pdf import render_chat_pdf
from chatarchief.core.packaging.mdto import GEEN_BEPERKING, Identificatie, Informatieobject, Verwijzing, waardering
from chatarchief.core.packaging.mdto import aggregatieniveau as level
from chatarchief.core.packaging.pdf import PdfVariant
from chatarchief.core.packaging.sip import (
    FORBIDDEN,
    SLIP_NAME,
    PackingSlip,
    SipError,
    SipFile,
    SipObject,
    build_sip,
    clean_name,
)
from chatarchief.core.packaging.sip_reader import read_sip, validate_sip
from chatarchief.core.packaging.sip_slip import read_packing_slip
from tests.core.packaging.samples import MP4, OPUS, jpeg, png, secret_document
from tests.paths import REPO_ROOT

NOW = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
SHARED_MDTO = REPO_ROOT.parent / "shared" / "standards" / "mdto"
BZK = Verwijzing(
    "Ministerie van BZK", Identificatie("https://organisaties.overheid.nl/7", "Register van Overheidsorganisaties")
)
SLIP = PackingSlip(
    identificatie="OVB-2026-001",
    naam="Chatberichten minister R. de Vries 2025",
    archiefvormer="Ministerie van BZK",
    contactpersoon="DIV BZK",
    contact_email="div@minbzk.example",
    locatie_doelsysteem="e-depot NA / BZK",
    collectie=Verwijzing("Archief BZK", Identificatie("2.04.999", "Nationaal Archief")),
)


def _object(kenmerk: str, naam: str, aggregation: str) -> Informatieobject:
    return Informatieobject(
        identificatie=(Identificatie(kenmerk, "chatarchief"),),
        naam=naam,
        waardering=waardering("B"),
        archiefvormer=(BZK,),
        beperking_gebruik=(GEEN_BEPERKING,),
        aggregatieniveau=level(aggregation),
    )


def _conversation(kenmerk: str, title: str, tmp_path) -> SipObject:
    original = tmp_path / f"{kenmerk}.txt"
    original.write_text("04-03-2025 10:00 - Jan: hoi\n", encoding="utf-8")
    return SipObject(
        _object(kenmerk, title, "Dossier"),
        name=title,
        files=[
            SipFile("WhatsApp-chat met Crisisteam.txt", path=original),
            SipFile("gesprek.json", data=json.dumps({"messages": [{"body": "hoi"}]}).encode()),
            SipFile("gesprek.pdf", data=render_chat_pdf(secret_document(), variant=PdfVariant.PDFA_3B)),
            SipFile("IMG 0001 <foto>.jpg", data=jpeg()),
            SipFile("kaart.png", data=png()),
            SipFile("VID-1.mp4", data=MP4),
            SipFile("PTT-1.opus", data=OPUS),
        ],
    )


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("sip")
    top = SipObject(
        _object("archief-1", "Archief chatberichten minister R. de Vries", "Archief"),
        name="archief minister de Vries",
        children=[
            _conversation("c1", 'Crisisteam: BZK/JenV #1 & "co"?', tmp_path),
            _conversation("c2", 'Crisisteam: BZK/JenV #1 & "co"?', tmp_path),  # same title: names must differ
        ],
    )
    out = tmp_path / "overdracht"
    summary = build_sip(out, top, SLIP, now=NOW)
    return out, summary


def test_package_validates_as_bag_against_the_xsd_and_by_the_draft(package):
    out, summary = package
    assert validate_sip(out) == []
    assert bagit.Bag(str(out)).is_valid()
    assert (summary.informatieobjecten, summary.bestanden) == (3, 14)


def test_sidecar_layout_and_names(package):
    out, _ = package
    data = out / "data"
    (top,) = [p for p in data.iterdir()]
    assert top.name == "archief_minister_de_Vries"
    assert (top / "archief_minister_de_Vries.MDTO.xml").is_file()
    conversations = sorted(p for p in top.iterdir() if p.is_dir())
    assert [c.name for c in conversations] == ["Crisisteam__BZK_JenV__1____co", "Crisisteam__BZK_JenV__1____co-2"]
    for conversation in conversations:
        assert (conversation / f"{conversation.name}.MDTO.xml").is_file()
        payload = [p for p in conversation.iterdir() if not p.name.endswith(".MDTO.xml")]
        assert len(payload) == 7
        for file in payload:
            assert (conversation / f"{file.name}.bestand.MDTO.xml").is_file()
    names = [p.name for p in data.rglob("*")]
    assert not [n for n in names if FORBIDDEN.search(n)]
    assert len({n.casefold() for n in names}) == len(names)
    assert {"IMG_0001__foto_.jpg", "IMG_0001__foto_-2.jpg"} <= set(names)


def test_reader_that_knows_only_the_draft_walks_the_tree(package):
    out, _ = package
    reading = read_sip(out)
    assert reading.problems == []
    (top,) = reading.objects
    assert top.naam == "Archief chatberichten minister R. de Vries" and top.aggregatieniveau == "Archief"
    assert top.onderdeel_van == [("2.04.999", "Nationaal Archief")]  # the target collection of the pakbon
    assert [c.naam for c in top.children] == ['Crisisteam: BZK/JenV #1 & "co"?'] * 2
    formats = {f.naam.rsplit(".", 1)[-1]: f.format_code for f in top.children[0].files}
    assert formats == {"txt": "x-fmt/111", "json": "fmt/817", "pdf": "fmt/480", "jpg": "fmt/43",
                       "png": "fmt/11", "mp4": "fmt/199", "opus": "fmt/946"}  # fmt: skip
    for file in top.children[1].files:
        assert file.representatie_van == ("c2", "chatarchief") and file.checksum[0] == "SHA256"


def test_packing_slip_is_a_tag_file_with_the_drafts_items(package):
    out, summary = package
    slip = read_packing_slip((out / SLIP_NAME).read_bytes())
    assert slip["identificatie"] == "OVB-2026-001" and slip["archiefvormer"] == "Ministerie van BZK"
    assert slip["aantalInformatieobjecten"] == "3" and slip["aantalBestanden"] == "14"
    assert slip["aantalBestandenZonderMdto"] == "14"
    assert int(slip["omvangInhoud"]) == summary.content_bytes > 0
    assert slip["hashcode"] == summary.payload_manifest_sha256 and slip["hashcode@algoritme"] == "SHA-256"
    assert slip["contactpersoon@email"] == "div@minbzk.example" and slip["mdtoVersie"] == "1.0.1"
    assert SLIP_NAME in bagit.Bag(str(out)).tagfile_entries()


def test_tampering_is_found(package, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(package[0], copy)
    victim = next((copy / "data").rglob("gesprek.json"))
    victim.write_bytes(victim.read_bytes().replace(b"hoi", b"hai"))
    stray = next((copy / "data").rglob("kaart.png.bestand.MDTO.xml"))
    stray.unlink()
    sidecar = next((copy / "data").rglob("gesprek.pdf.bestand.MDTO.xml"))
    sidecar.write_bytes(sidecar.read_bytes().replace(b"<MDTO ", b'<MDTO version="1.0.1" ', 1))
    problems = validate_sip(copy)
    assert any("gesprek.pdf.bestand.MDTO.xml: line" in p and "version" in p for p in problems)
    assert any(p.startswith("bagit:") for p in problems)
    assert any("gesprek.json: checksum does not match" in p for p in problems)
    assert any("kaart.png: file without kaart.png.bestand.MDTO.xml" in p for p in problems)


def test_refuses_a_non_empty_target_and_leaves_nothing_on_failure(tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    top = SipObject(_object("a", "A", "Archief"), name="a")
    with pytest.raises(SipError) as info:
        build_sip(busy, top, SLIP, now=NOW)
    assert info.value.code == "transfer.target_not_empty"
    assert [p.name for p in busy.iterdir()] == ["x"]
    missing = SipObject(_object("a", "A", "Archief"), name="a", files=[SipFile("weg.txt", path=tmp_path / "nope")])
    with pytest.raises(SipError, match="missing"):
        build_sip(tmp_path / "new", missing, SLIP, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]  # no target, no staging folder left


def test_clean_name_limits_bytes_and_characters():
    long = "é" * 300 + ".json"
    cleaned = clean_name(long)
    assert cleaned.endswith(".json") and len((cleaned + ".bestand.MDTO.xml").encode()) <= 255
    assert clean_name(" ../..\\x ") == "x" and clean_name("***") == "naamloos"
    assert clean_name("a\tb\nc") == "a_b_c"


def test_a_payload_file_never_passes_for_a_sidecar(tmp_path):
    top = SipObject(_object("a", "A", "Archief"), name="a", files=[SipFile("x.MDTO.xml", data=b"<x/>")])
    build_sip(tmp_path / "out", top, SLIP, now=NOW)
    assert validate_sip(tmp_path / "out") == []
    assert [f.naam for f in read_sip(tmp_path / "out").objects[0].files] == ["x.MDTO_.xml"]


@pytest.mark.skipif(not SHARED_MDTO.is_dir(), reason="../shared/standards/mdto is absent")
def test_reader_walks_a_package_made_of_the_official_examples(tmp_path):
    """The reader is not tied to what build_sip writes: the Nationaal Archief's own examples, laid out
    as the draft says (serie > dossier > archiefstuk > bestand), read with only the stand-in file's
    size and checksum wrong."""
    serie = tmp_path / "serie"
    dossier = serie / "dossier"
    stuk = dossier / "archiefstuk"
    stuk.mkdir(parents=True)
    (serie / "serie.MDTO.xml").write_bytes((SHARED_MDTO / "voorbeeld-serie-informatieobject.xml").read_bytes())
    (dossier / "dossier.MDTO.xml").write_bytes((SHARED_MDTO / "voorbeeld-dossier-informatieobject.xml").read_bytes())
    (stuk / "archiefstuk.MDTO.xml").write_bytes(
        (SHARED_MDTO / "voorbeeld-archiefstuk-informatieobject.xml").read_bytes()
    )
    (stuk / "DC-2015_1753-1.PDF").write_bytes(b"%PDF-1.3 stand-in")
    (stuk / "DC-2015_1753-1.PDF.bestand.MDTO.xml").write_bytes((SHARED_MDTO / "voorbeeld-bestand.xml").read_bytes())
    reading = read_sip(tmp_path)
    assert [node.aggregatieniveau for node in reading.walk()] == ["Serie", "Dossier", "Archiefstuk"]
    (file,) = reading.walk()[2].files
    assert file.format_code == "fmt/17" and file.representatie_van == ("DC-2015/1753", "Archief Deltacommissaris")
    assert reading.problems == [
        "serie/dossier/archiefstuk/DC-2015_1753-1.PDF: omvang 57727859 but the file has 17 bytes",
        "serie/dossier/archiefstuk/DC-2015_1753-1.PDF: checksum does not match the file",
    ]
