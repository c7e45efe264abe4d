"""A transfer package (SIP) in the MDTO SIP draft's sidecar layout, as a BagIt bag.

`build_sip(out, top, slip, now=...)` lays out, inside the bag's ``data/`` folder:

    <archief>/                         the top aggregation (the custodian's archive)
      <archief>.MDTO.xml               its informatieobject
      <gesprek>/                       one aggregation per conversation
        <gesprek>.MDTO.xml
        <bestand.ext>                  originals, normalised JSON, PDF/A rendition, media
        <bestand.ext>.bestand.MDTO.xml

Every folder is an aggregation with its own ``<naam>.MDTO.xml`` inside; every file has a
``<bestandsnaam>.bestand.MDTO.xml`` beside it. Names lose the characters the draft forbids
(``< > : " / \\ | ? * # &`` and white space), stay within 255 bytes with their sidecar suffix and are
unique within the whole package (case-insensitively). The builder fills in the relations (isOnderdeelVan,
bevatOnderdeel, heeftRepresentatie, isRepresentatieVan), the file size, the PRONOM format and the
SHA-256 checksum; the packing slip (pakbon, `pakbon.xml`) is a tag file at the bag root. The package
is built in a temporary folder next to `out` and renamed into place: it appears whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.packaging.inventory import sha256_file
from chatarchief.core.packaging.mdto import (
    LIJST_PRONOM,
    Begrip,
    Bestand,
    Checksum,
    Identificatie,
    Informatieobject,
    Verwijzing,
    bestand_xml,
    informatieobject_xml,
)
from chatarchief.core.packaging.pronom import identify_file
from chatarchief.core.packaging.sip_slip import packing_slip_xml

OBJECT_SUFFIX = ".MDTO.xml"
FILE_SUFFIX = ".bestand.MDTO.xml"
PAYLOAD = "data"
SLIP_NAME = "pakbon.xml"
FORBIDDEN = re.compile(r'[<>:"/\\|?*#&\s]|[\x00-\x1f\x7f]')
MAX_NAME_BYTES = 255


class SipError(ChatarchiefError):
    """The transfer package cannot be made as asked (target not empty, a file missing, ...)."""


@dataclass(slots=True)
class SipFile:
    """A file of an information object: its bytes, or a path to copy them from."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    identificatie: Identificatie | None = None  # default: its place in the package


@dataclass(slots=True)
class SipObject:
    """An information object (aggregation) with its files and the aggregations below it."""

    informatieobject: Informatieobject
    name: str  # the wished folder name; cleaned and made unique by the builder
    files: list[SipFile] = field(default_factory=list)
    children: list[SipObject] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PackingSlip:
    """What the draft asks the pakbon to say; the receiving party agrees the details."""

    identificatie: str
    naam: str
    archiefvormer: str
    contactpersoon: str
    contact_email: str
    locatie_doelsysteem: str = ""
    collectie: Verwijzing | None = None  # the target aggregation; the top object becomes part of it
    bijzonderheden: str = ""


@dataclass(frozen=True, slots=True)
class SipSummary:
    root: Path
    informatieobjecten: int
    bestanden: int
    content_bytes: int
    payload_manifest_sha256: str


def clean_name(name: str, *, suffix: str = FILE_SUFFIX) -> str:
    """A name without the draft's forbidden characters, short enough to carry `suffix` in 255 bytes."""
    name = unicodedata.normalize("NFC", name)
    name = FORBIDDEN.sub("_", name).strip("._") or "naamloos"
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - 4  # room for a "-999" to make it unique
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    if len(ext.encode()) > 16:
        stem, dot, ext = name, "", ""
    while len((stem + dot + ext).encode("utf-8")) > budget:
        stem = stem[:-1]
    return (stem or "naamloos") + dot + ext


class _Names:
    """Names handed out so far in the package, compared case-insensitively."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, wish: str, *, suffix: str) -> str:
        name = clean_name(wish, suffix=suffix)
        if name.casefold().endswith(".mdto.xml"):  # a payload file must not pass for a sidecar
            name = name[: -len(".xml")] + "_.xml"
        stem, dot, ext = name.rpartition(".") if "." in name and suffix == FILE_SUFFIX else (name, "", "")
        candidate, number = name, 1
        while candidate.casefold() in self.taken or candidate.casefold() == SLIP_NAME:
            number += 1
            candidate = f"{stem}-{number}{dot}{ext}"
        self.taken.add(candidate.casefold())
        return candidate


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SipError(
            "transfer.target_not_empty",
            nl=f"De doelmap {out} bestaat al en is niet leeg.",
            en=f"The target folder {out} exists and is not empty.",
        )


def build_sip(out: Path, top: SipObject, slip: PackingSlip, *, now: dt.datetime) -> SipSummary:
    """Write the package as a BagIt bag whose root is `out` (new or empty); see the module doc."""
    import bagit

    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        writer = _Writer(staging, now)
        top_object = top.informatieobject
        if slip.collectie:
            top_object = replace(top_object, is_onderdeel_van=(*top_object.is_onderdeel_van, slip.collectie))
        writer.write_object(replace(top, informatieobject=top_object), staging, parent=None)
        bag = bagit.make_bag(str(staging), _bag_info(slip, now), checksums=["sha256"])
        manifest_sha = sha256_file(staging / "manifest-sha256.txt")
        summary = SipSummary(out, writer.objects, writer.files, writer.content_bytes, manifest_sha)
        (staging / SLIP_NAME).write_bytes(packing_slip_xml(slip, summary, now))
        bag.save()
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _bag_info(slip: PackingSlip, now: dt.datetime) -> dict[str, str]:
    return {
        "Source-Organization": slip.archiefvormer,
        "Contact-Name": slip.contactpersoon,
        "Contact-Email": slip.contact_email,
        "External-Identifier": slip.identificatie,
        "External-Description": slip.naam,
        "Bagging-Date": now.date().isoformat(),
    }


class _Writer:
    def __init__(self, root: Path, now: dt.datetime) -> None:
        self.root = root
        self.now = now
        self.names = _Names()
        self.objects = 0
        self.files = 0
        self.content_bytes = 0

    def write_object(self, node: SipObject, where: Path, parent: Informatieobject | None) -> Informatieobject:
        folder_name = self.names.claim(node.name, suffix=OBJECT_SUFFIX)
        folder = where / folder_name
        folder.mkdir()
        obj = node.informatieobject
        if parent is not None:
            obj = replace(obj, is_onderdeel_van=(*obj.is_onderdeel_van, parent.verwijzing()))
        children = [self.write_object(child, folder, obj) for child in node.children]
        file_names = [self._copy(item, folder) for item in node.files]
        obj = replace(
            obj,
            bevat_onderdeel=(*obj.bevat_onderdeel, *(child.verwijzing() for child in children)),
            heeft_representatie=(*obj.heeft_representatie, *(Verwijzing(name) for name, _ in file_names)),
        )
        for (name, item), identificatie in zip(file_names, self._file_ids(folder, file_names), strict=True):
            self._sidecar(folder / name, item, obj, identificatie)
        (folder / f"{folder_name}{OBJECT_SUFFIX}").write_bytes(informatieobject_xml(obj))
        self.objects += 1
        return obj

    def _file_ids(self, folder: Path, file_names: list[tuple[str, SipFile]]) -> Iterator[Identificatie]:
        for name, item in file_names:
            relative = (folder / name).relative_to(self.root).as_posix()
            yield item.identificatie or Identificatie(relative, "Plaats in het overdrachtspakket")

    def _copy(self, item: SipFile, folder: Path) -> tuple[str, SipFile]:
        name = self.names.claim(item.name, suffix=FILE_SUFFIX)
        target = folder / name
        if item.data is not None:
            target.write_bytes(item.data)
        elif item.path is not None and item.path.is_file():
            shutil.copyfile(item.path, target)
        else:
            raise SipError(
                "transfer.file_missing",
                nl=f"Bestand voor het overdrachtspakket ontbreekt: {item.name}.",
                en=f"File for the transfer package is missing: {item.name}.",
                file=str(item.path) if item.path else None,
            )
        return name, item

    def _sidecar(self, path: Path, item: SipFile, owner: Informatieobject, identificatie: Identificatie) -> None:
        found = identify_file(path)
        size = path.stat().st_size
        bestand = Bestand(
            identificatie=(identificatie,),
            naam=path.name,
            omvang=size,
            bestandsformaat=Begrip(found.label, LIJST_PRONOM, found.puid),
            checksum=(Checksum(sha256_file(path), self.now),),
            is_representatie_van=owner.verwijzing(),
        )
        (path.parent / f"{path.name}{FILE_SUFFIX}").write_bytes(bestand_xml(bestand))
        self.files += 1
        self.content_bytes += size
