import datetime as dt
import hashlib
import re

import pytest
from lxml import etree

from chatarchief.core.packaging.mdto import (
    GEEN_BEPERKING,
    LIJST_EVENTS,
    NS,
    XSD_SHA256,
    Begrip,
    Bestand,
    Checksum,
    DekkingInTijd,
    Event,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
    aggregatieniveau,
    beperking,
    bestand_xml,
    chat_event,
    informatieobject_xml,
    validate_mdto,
    waardering,
    xsd_bytes,
)
from tests.paths import REPO_ROOT

SHARED_MDTO = REPO_ROOT.parent / "shared" / "standards" / "mdto"
needs_shared = pytest.mark.skipif(not SHARED_MDTO.is_dir(), reason="../shared/standards/mdto is absent")
BZK = Verwijzing(
    "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
    Identificatie("https://organisaties.overheid.nl/7/Binnenlandse_Zaken", "Register van Overheidsorganisaties"),
)
EVENTS = LIJST_EVENTS


def conversation() -> Informatieobject:
    return Informatieobject(
        identificatie=(Identificatie("conv-17", "chatarchief"),),
        naam='Crisisteam <BZK> & "partners"',
        waardering=waardering("B"),
        archiefvormer=(BZK,),
        beperking_gebruik=(
            beperking(
                "Beperkt openbaar",
                "Bevat persoonsgegevens van derden (Woo 5.1.2e)",
                Termijn(looptijd="P20Y", einddatum=dt.date(2046, 1, 1)),
            ),
        ),
        aggregatieniveau=aggregatieniveau("Dossier"),
        omschrijving=("WhatsApp-groep",),
        dekking_in_tijd=(DekkingInTijd(Begrip("Looptijd", EVENTS), dt.date(2025, 1, 2), dt.date(2025, 3, 4)),),
        taal=("nl",),
        events=(
            chat_event("ontvangst", dt.datetime(2025, 3, 5, 10, 0, 7, 123, tzinfo=dt.UTC), BZK, "3 leveringen"),
            chat_event("uitsluiting", dt.date(2025, 3, 6), resultaat="12 privéberichten uitgesloten"),
            Event(Begrip("Lakking", EVENTS), dt.date(2025, 4, 1)),
        ),
        bewaartermijn=Termijn(Begrip("Einde ambtstermijn", EVENTS), dt.date(2026, 1, 1), "P10Y", dt.date(2036, 1, 1)),
        informatiecategorie=Begrip("Berichten bewindspersoon", "Selectielijst BZK", "1.1"),
        is_onderdeel_van=(Verwijzing("Archief minister", Identificatie("arch-1", "chatarchief")),),
        heeft_representatie=(Verwijzing("crisisteam.pdf"),),
    )


def test_informatieobject_validates_and_keeps_hostile_text_as_text():
    data = informatieobject_xml(conversation())
    assert validate_mdto(data) == []
    root = etree.fromstring(data)
    assert root.findtext(f"{{{NS}}}informatieobject/{{{NS}}}naam") == 'Crisisteam <BZK> & "partners"'
    assert root.get("version") is None
    assert "MDTO-XML1.0.1.xsd" in root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert b"<eventTijd>2025-03-05T10:00:07+00:00</eventTijd>" in data
    labels = [e.findtext(f"{{{NS}}}eventType/{{{NS}}}begripLabel") for e in root.iter(f"{{{NS}}}event")]
    assert labels == ["Ontvangst", "Uitsluiting", "Lakking"]


def test_minimal_informatieobject_and_bestand_validate():
    minimal = Informatieobject((Identificatie("x", "y"),), "n", waardering("V"), (BZK,), (GEEN_BEPERKING,))
    assert validate_mdto(informatieobject_xml(minimal)) == []
    bestand = Bestand(
        (Identificatie("data/a/b.pdf", "Plaats"),),
        "b.pdf",
        1234,
        Begrip("Acrobat PDF/A - Portable Document Format 3b", "PRONOM-register", "fmt/480"),
        (Checksum("ab" * 32, dt.datetime(2025, 3, 5, 12, 0, tzinfo=dt.UTC)),),
        minimal.verwijzing(),
    )
    assert validate_mdto(bestand_xml(bestand)) == []


def test_schema_errors_are_reported_with_lines():
    data = informatieobject_xml(conversation())
    assert validate_mdto(data.replace(b"<MDTO ", b'<MDTO version="1.0.1" ', 1))  # 1.0.1 has no version attribute
    broken = re.sub(rb"<waardering>.*?</waardering>", b"", data, flags=re.S)
    errors = validate_mdto(broken)
    assert errors and errors[0].startswith("line ")
    assert validate_mdto(b"<MDTO") and validate_mdto(
        b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"
    )


def test_vendored_schema_is_the_published_one():
    assert hashlib.sha256(xsd_bytes()).hexdigest() == XSD_SHA256


@needs_shared
def test_vendored_schema_equals_the_shared_copy_and_its_stated_hash():
    assert xsd_bytes() == (SHARED_MDTO / "MDTO-XML1.0.1.xsd").read_bytes()
    assert XSD_SHA256 in (SHARED_MDTO.parent / "README.md").read_text()


@needs_shared
@pytest.mark.parametrize(
    "example", ["archiefstuk-informatieobject", "dossier-informatieobject", "serie-informatieobject", "bestand"]
)
def test_official_examples_validate(example):
    assert validate_mdto((SHARED_MDTO / f"voorbeeld-{example}.xml").read_bytes()) == []
