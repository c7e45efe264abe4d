"""MDTO 1.0.1 metadata (Nationaal Archief) for an `informatieobject` or a `bestand`, written with lxml.

The dataclasses follow the schema's names (Dutch, as MDTO writes them); `informatieobject_xml` and
`bestand_xml` write the elements in the order the XSD's sequences demand, and `validate_mdto` checks
a file against the official schema shipped in ``schemas/`` (unmodified; its SHA-256 is checked on
load). MDTO 1.0.1 has no ``version`` attribute: the version is stated by the ``xsi:schemaLocation``
naming ``MDTO-XML1.0.1.xsd``, as the official examples do.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from importlib import resources

from lxml import etree

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
XSD_NAME = "MDTO-XML1.0.1.xsd"
XSD_SHA256 = "048d745a17f479995f14c938d342b2f13382072d0fdf1f1b28113126df715648"

# Concept lists named as the official examples name them.
LIJST_WAARDERING = "Begrippenlijst Waarderingen MDTO"
LIJST_AGGREGATIENIVEAU = "Begrippenlijst Aggregatieniveaus MDTO"
LIJST_BEPERKING = "Begrippenlijst Beperkingen MDTO"
LIJST_CHECKSUM = "Begrippenlijst ChecksumAlgoritme MDTO"
LIJST_PRONOM = "PRONOM-register"
# This archive's own terms where no MDTO list was at hand to quote (documented in docs/packaging.md).
LIJST_EVENTS = "Begrippenlijst Events chatarchief"
LIJST_BEPERKINGEN = "Begrippenlijst Beperkingen chatarchief"
CHAT_EVENTS = {"ontvangst": "Ontvangst", "uitsluiting": "Uitsluiting", "lakking": "Lakking"}


@dataclass(frozen=True, slots=True)
class Identificatie:
    kenmerk: str
    bron: str


@dataclass(frozen=True, slots=True)
class Verwijzing:
    naam: str
    identificatie: Identificatie | None = None


@dataclass(frozen=True, slots=True)
class Begrip:
    label: str
    lijst: str  # the name of the concept list (begripBegrippenlijst/verwijzingNaam)
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Termijn:
    trigger: Begrip | None = None
    startdatum: dt.date | None = None
    looptijd: str | None = None  # xsd:duration, e.g. "P10Y"
    einddatum: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DekkingInTijd:
    type: Begrip
    begin: dt.date
    eind: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Event:
    type: Begrip
    tijd: dt.datetime | dt.date | None = None
    actor: Verwijzing | None = None
    resultaat: str | None = None


@dataclass(frozen=True, slots=True)
class BeperkingGebruik:
    type: Begrip
    nadere_beschrijving: str | None = None
    documentatie: tuple[Verwijzing, ...] = ()
    termijn: Termijn | None = None


@dataclass(frozen=True, slots=True)
class Informatieobject:
    identificatie: tuple[Identificatie, ...]
    naam: str
    waardering: Begrip
    archiefvormer: tuple[Verwijzing, ...]
    beperking_gebruik: tuple[BeperkingGebruik, ...]
    aggregatieniveau: Begrip | None = None
    omschrijving: tuple[str, ...] = ()
    dekking_in_tijd: tuple[DekkingInTijd, ...] = ()
    taal: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    bewaartermijn: Termijn | None = None
    informatiecategorie: Begrip | None = None
    is_onderdeel_van: tuple[Verwijzing, ...] = ()
    bevat_onderdeel: tuple[Verwijzing, ...] = ()
    heeft_representatie: tuple[Verwijzing, ...] = ()
    activiteit: Verwijzing | None = None

    def verwijzing(self) -> Verwijzing:
        """A reference to this object (its name and first identification)."""
        return Verwijzing(self.naam, self.identificatie[0])


@dataclass(frozen=True, slots=True)
class Checksum:
    waarde: str  # hex SHA-256
    datum: dt.datetime
    algoritme: Begrip = Begrip("SHA256", LIJST_CHECKSUM)


@dataclass(frozen=True, slots=True)
class Bestand:
    identificatie: tuple[Identificatie, ...]
    naam: str
    omvang: int
    bestandsformaat: Begrip
    checksum: tuple[Checksum, ...]
    is_representatie_van: Verwijzing
    url: str | None = None


def waardering(code: str) -> Begrip:
    """B (blijvend te bewaren), V (tijdelijk te bewaren) or N (nader te bepalen)."""
    labels = {"B": "Blijvend te bewaren", "V": "Tijdelijk te bewaren", "N": "Nader te bepalen"}
    return Begrip(labels[code], LIJST_WAARDERING, code)


def aggregatieniveau(label: str) -> Begrip:
    """Archief, Serie, Dossier or Archiefstuk."""
    if label not in ("Archief", "Serie", "Dossier", "Archiefstuk"):
        raise ValueError(f"not an MDTO aggregation level: {label}")
    return Begrip(label, LIJST_AGGREGATIENIVEAU)


GEEN_BEPERKING = BeperkingGebruik(Begrip("Geen beperking", LIJST_BEPERKING))


def chat_event(
    kind: str, tijd: dt.datetime | dt.date | None, actor: Verwijzing | None = None, resultaat: str | None = None
) -> Event:
    """An event of this archive: ``ontvangst`` (a delivery received), ``uitsluiting`` (private or party
    content excluded) or ``lakking`` (redacted for a Woo publication)."""
    return Event(Begrip(CHAT_EVENTS[kind], LIJST_EVENTS), tijd, actor, resultaat)


def beperking(label: str, beschrijving: str, termijn: Termijn | None = None) -> BeperkingGebruik:
    """A restriction on use in this archive's terms, e.g. ("Beperkt openbaar", "Woo 5.1.2e: ...")."""
    return BeperkingGebruik(Begrip(label, LIJST_BEPERKINGEN), beschrijving, termijn=termijn)


# ---- writing --------------------------------------------------------------------------------------


def _el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def _moment(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _identificatie(parent: etree._Element, name: str, value: Identificatie) -> None:
    element = _el(parent, name)
    _el(element, "identificatieKenmerk", value.kenmerk)
    _el(element, "identificatieBron", value.bron)


def _verwijzing(parent: etree._Element, name: str, value: Verwijzing) -> None:
    element = _el(parent, name)
    _el(element, "verwijzingNaam", value.naam)
    if value.identificatie:
        _identificatie(element, "verwijzingIdentificatie", value.identificatie)


def _begrip(parent: etree._Element, name: str, value: Begrip) -> None:
    element = _el(parent, name)
    _el(element, "begripLabel", value.label)
    if value.code:
        _el(element, "begripCode", value.code)
    _verwijzing(element, "begripBegrippenlijst", Verwijzing(value.lijst))


def _termijn(parent: etree._Element, name: str, value: Termijn) -> None:
    element = _el(parent, name)
    if value.trigger:
        _begrip(element, "termijnTriggerStartLooptijd", value.trigger)
    if value.startdatum:
        _el(element, "termijnStartdatumLooptijd", value.startdatum.isoformat())
    if value.looptijd:
        _el(element, "termijnLooptijd", value.looptijd)
    if value.einddatum:
        _el(element, "termijnEinddatum", value.einddatum.isoformat())


def _event(parent: etree._Element, value: Event) -> None:
    element = _el(parent, "event")
    _begrip(element, "eventType", value.type)
    if value.tijd:
        _el(element, "eventTijd", _moment(value.tijd))
    if value.actor:
        _verwijzing(element, "eventVerantwoordelijkeActor", value.actor)
    if value.resultaat:
        _el(element, "eventResultaat", value.resultaat)


def _beperking(parent: etree._Element, value: BeperkingGebruik) -> None:
    element = _el(parent, "beperkingGebruik")
    _begrip(element, "beperkingGebruikType", value.type)
    if value.nadere_beschrijving:
        _el(element, "beperkingGebruikNadereBeschrijving", value.nadere_beschrijving)
    for documentatie in value.documentatie:
        _verwijzing(element, "beperkingGebruikDocumentatie", documentatie)
    if value.termijn:
        _termijn(element, "beperkingGebruikTermijn", value.termijn)


def _root(kind: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{NS}}}MDTO", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root, _el(root, kind)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def informatieobject_xml(obj: Informatieobject) -> bytes:
    root, element = _root("informatieobject")
    for identificatie in obj.identificatie:
        _identificatie(element, "identificatie", identificatie)
    _el(element, "naam", obj.naam)
    if obj.aggregatieniveau:
        _begrip(element, "aggregatieniveau", obj.aggregatieniveau)
    for omschrijving in obj.omschrijving:
        _el(element, "omschrijving", omschrijving)
    for dekking in obj.dekking_in_tijd:
        dekking_element = _el(element, "dekkingInTijd")
        _begrip(dekking_element, "dekkingInTijdType", dekking.type)
        _el(dekking_element, "dekkingInTijdBegindatum", dekking.begin.isoformat())
        if dekking.eind:
            _el(dekking_element, "dekkingInTijdEinddatum", dekking.eind.isoformat())
    for taal in obj.taal:
        _el(element, "taal", taal)
    for event in obj.events:
        _event(element, event)
    _begrip(element, "waardering", obj.waardering)
    if obj.bewaartermijn:
        _termijn(element, "bewaartermijn", obj.bewaartermijn)
    if obj.informatiecategorie:
        _begrip(element, "informatiecategorie", obj.informatiecategorie)
    for name, references in (
        ("isOnderdeelVan", obj.is_onderdeel_van),
        ("bevatOnderdeel", obj.bevat_onderdeel),
        ("heeftRepresentatie", obj.heeft_representatie),
        ("archiefvormer", obj.archiefvormer),
    ):
        for reference in references:
            _verwijzing(element, name, reference)
    if obj.activiteit:
        _verwijzing(element, "activiteit", obj.activiteit)
    for beperking in obj.beperking_gebruik:
        _beperking(element, beperking)
    return _serialise(root)


def bestand_xml(obj: Bestand) -> bytes:
    root, element = _root("bestand")
    for identificatie in obj.identificatie:
        _identificatie(element, "identificatie", identificatie)
    _el(element, "naam", obj.naam)
    _el(element, "omvang", str(obj.omvang))
    _begrip(element, "bestandsformaat", obj.bestandsformaat)
    for checksum in obj.checksum:
        checksum_element = _el(element, "checksum")
        _begrip(checksum_element, "checksumAlgoritme", checksum.algoritme)
        _el(checksum_element, "checksumWaarde", checksum.waarde)
        _el(checksum_element, "checksumDatum", _moment(checksum.datum))
    if obj.url:
        _el(element, "URLBestand", obj.url)
    _verwijzing(element, "isRepresentatieVan", obj.is_representatie_van)
    return _serialise(root)


# ---- validating and reading ------------------------------------------------------------------------


def xsd_bytes() -> bytes:
    """The official schema as shipped, refused if it is not byte for byte the published one."""
    data = resources.files("chatarchief.core.packaging").joinpath("schemas", XSD_NAME).read_bytes()
    if hashlib.sha256(data).hexdigest() != XSD_SHA256:
        raise RuntimeError(f"{XSD_NAME} differs from the Nationaal Archief's published schema")
    return data


@functools.cache
def mdto_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(xsd_bytes(), parser=safe_parser()))


def safe_parser() -> etree.XMLParser:
    """No entities, no network, no DTD loading: MDTO files read back may come from elsewhere."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def validate_mdto(data: bytes) -> list[str]:
    """Schema errors of one MDTO file (with line numbers); empty when it validates."""
    try:
        document = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    schema = mdto_schema()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
