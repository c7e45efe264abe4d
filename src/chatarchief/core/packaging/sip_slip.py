"""The packing slip (pakbon) of a transfer package, as XML (the draft's preference).

The SIP draft leaves the pakbon's format to the sender and the receiving party but lists what it must
say; each item is one element here, named after the draft's words:

    identificatie, naam, locatieDoelsysteem, hashcode (SHA-256 of the bag's payload manifest, which
    lists every payload file's SHA-256), aanmaaktijd, archiefvormer, contactpersoon (+ e-mail),
    aantalInformatieobjecten, aantalBestanden, aantalBestandenZonderMdto (files whose name does not
    end in .mdto.xml), omvangInhoud (their bytes), bijzonderheden, collectie, mdtoVersie.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from chatarchief.core.packaging.sip import PackingSlip, SipSummary

SLIP_NS = "urn:chatarchief:pakbon:1"


def packing_slip_xml(slip: PackingSlip, summary: SipSummary, now: dt.datetime) -> bytes:
    root = etree.Element(f"{{{SLIP_NS}}}pakbon", nsmap={None: SLIP_NS})

    def add(name: str, text: str, **attributes: str) -> None:
        element = etree.SubElement(root, f"{{{SLIP_NS}}}{name}", **attributes)
        element.text = text

    add("identificatie", slip.identificatie)
    add("naam", slip.naam)
    add("locatieDoelsysteem", slip.locatie_doelsysteem)
    add("hashcode", summary.payload_manifest_sha256, algoritme="SHA-256", over="manifest-sha256.txt")
    add("aanmaaktijd", now.replace(microsecond=0).isoformat())
    add("archiefvormer", slip.archiefvormer)
    add("contactpersoon", slip.contactpersoon, email=slip.contact_email)
    add("aantalInformatieobjecten", str(summary.informatieobjecten))
    add("aantalBestanden", str(summary.bestanden))
    add("aantalBestandenZonderMdto", str(summary.bestanden))
    add("omvangInhoud", str(summary.content_bytes), eenheid="bytes")
    add("bijzonderheden", slip.bijzonderheden)
    add("collectie", slip.collectie.naam if slip.collectie else "")
    add("mdtoVersie", "1.0.1")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_packing_slip(data: bytes) -> dict[str, str]:
    """The slip's elements as a dict of local name to text (attributes as ``name@attribute``)."""
    from chatarchief.core.packaging.mdto import safe_parser

    root = etree.fromstring(data, parser=safe_parser())
    values: dict[str, str] = {}
    for element in root:
        name = etree.QName(element).localname
        values[name] = element.text or ""
        for key, value in element.attrib.items():
            values[f"{name}@{key}"] = value
    return values
