"""Walking a transfer package knowing only the MDTO SIP draft, and validating a whole package.

`read_sip(root)` assumes nothing chatarchief-specific: the payload (a BagIt bag's ``data/``, or the
folder itself) holds one folder per top aggregation; each folder ``X`` holds ``X.MDTO.xml`` (its
informatieobject), sub-folders (aggregations below it) and files, each file ``F`` with
``F.bestand.MDTO.xml`` beside it. It reads every sidecar, checks sizes and checksums, that each
aggregation points to its parent (isOnderdeelVan) and each file to its aggregation
(isRepresentatieVan), and the naming rules; every deviation is a problem in the result.

`validate_sip(root)` adds the BagIt validation, the XSD validation of every MDTO file and the pakbon.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from chatarchief.core.packaging.mdto import NS, safe_parser, validate_mdto
from chatarchief.core.packaging.sip import FILE_SUFFIX, FORBIDDEN, MAX_NAME_BYTES, OBJECT_SUFFIX, SLIP_NAME
from chatarchief.core.packaging.sip_slip import read_packing_slip

_M = {"m": NS}


@dataclass(slots=True)
class ReadFile:
    path: str  # relative to the payload
    naam: str
    identificatie: tuple[str, str]
    omvang: int
    format_code: str
    format_label: str
    checksum: tuple[str, str]  # algorithm label, value
    representatie_van: tuple[str, str]  # kenmerk, bron


@dataclass(slots=True)
class ReadObject:
    path: str
    naam: str
    identificatie: tuple[str, str]
    aggregatieniveau: str
    onderdeel_van: list[tuple[str, str]]
    children: list[ReadObject] = field(default_factory=list)
    files: list[ReadFile] = field(default_factory=list)


@dataclass(slots=True)
class SipReading:
    objects: list[ReadObject]
    problems: list[str]

    def walk(self) -> list[ReadObject]:
        """Every aggregation, parents before children."""
        out: list[ReadObject] = []
        stack = list(reversed(self.objects))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


def payload_root(root: Path) -> Path:
    return root / "data" if (root / "bagit.txt").is_file() else root


def _parse(path: Path, kind: str, problems: list[str], where: str) -> etree._Element | None:
    try:
        document = etree.fromstring(path.read_bytes(), parser=safe_parser())
    except (OSError, etree.XMLSyntaxError) as exc:
        problems.append(f"{where}: unreadable MDTO: {exc}")
        return None
    element = document.find(f"m:{kind}", _M)
    if etree.QName(document).localname != "MDTO" or element is None:
        problems.append(f"{where}: not an MDTO {kind}")
        return None
    return element


def _ident(element: etree._Element, path: str) -> tuple[str, str]:
    return (
        element.findtext(f"{path}/m:identificatieKenmerk", "", _M),
        element.findtext(f"{path}/m:identificatieBron", "", _M),
    )


class _Walker:
    def __init__(self, payload: Path) -> None:
        self.payload = payload
        self.problems: list[str] = []
        self.names: dict[str, str] = {}

    def _name(self, path: Path) -> None:
        relative = path.relative_to(self.payload).as_posix()
        if FORBIDDEN.search(path.name):
            self.problems.append(f"{relative}: name holds a character the SIP draft forbids")
        if len(path.name.encode("utf-8")) > MAX_NAME_BYTES:
            self.problems.append(f"{relative}: name longer than {MAX_NAME_BYTES} bytes")
        key = path.name.casefold()
        if key in self.names:
            self.problems.append(f"{relative}: name not unique in the package (also {self.names[key]})")
        self.names[key] = relative

    def read_object(self, folder: Path, parent: tuple[str, str] | None) -> ReadObject | None:
        where = folder.relative_to(self.payload).as_posix()
        self._name(folder)
        sidecar = folder / f"{folder.name}{OBJECT_SUFFIX}"
        element = _parse(sidecar, "informatieobject", self.problems, where) if sidecar.is_file() else None
        if element is None:
            if not sidecar.is_file():
                self.problems.append(f"{where}: aggregation without {sidecar.name}")
            return None
        node = ReadObject(
            path=where,
            naam=element.findtext("m:naam", "", _M),
            identificatie=_ident(element, "m:identificatie"),
            aggregatieniveau=element.findtext("m:aggregatieniveau/m:begripLabel", "", _M),
            onderdeel_van=[_ident(ref, "m:verwijzingIdentificatie") for ref in element.findall("m:isOnderdeelVan", _M)],
        )
        if parent is not None and parent not in node.onderdeel_van:
            self.problems.append(f"{where}: isOnderdeelVan does not name its parent aggregation")
        for entry in sorted(folder.iterdir()):
            self._entry(entry, node, sidecar)
        return node

    def _entry(self, entry: Path, node: ReadObject, own_sidecar: Path) -> None:
        where = entry.relative_to(self.payload).as_posix()
        if entry.is_dir():
            child = self.read_object(entry, node.identificatie)
            if child:
                node.children.append(child)
        elif entry == own_sidecar:
            return
        elif entry.name.endswith(FILE_SUFFIX):
            if not entry.with_name(entry.name[: -len(FILE_SUFFIX)]).is_file():
                self.problems.append(f"{where}: sidecar without its file")
        elif entry.name.lower().endswith(OBJECT_SUFFIX.lower()):
            self.problems.append(f"{where}: MDTO file that belongs to no folder or file")
        else:
            read = self.read_file(entry, node)
            if read:
                node.files.append(read)

    def read_file(self, path: Path, owner: ReadObject) -> ReadFile | None:
        where = path.relative_to(self.payload).as_posix()
        self._name(path)
        sidecar = path.with_name(f"{path.name}{FILE_SUFFIX}")
        if not sidecar.is_file():
            self.problems.append(f"{where}: file without {sidecar.name}")
            return None
        element = _parse(sidecar, "bestand", self.problems, where)
        if element is None:
            return None
        read = ReadFile(
            path=where,
            naam=element.findtext("m:naam", "", _M),
            identificatie=_ident(element, "m:identificatie"),
            omvang=int(element.findtext("m:omvang", "-1", _M)),
            format_code=element.findtext("m:bestandsformaat/m:begripCode", "", _M),
            format_label=element.findtext("m:bestandsformaat/m:begripLabel", "", _M),
            checksum=(
                element.findtext("m:checksum/m:checksumAlgoritme/m:begripLabel", "", _M),
                element.findtext("m:checksum/m:checksumWaarde", "", _M),
            ),
            representatie_van=_ident(element, "m:isRepresentatieVan/m:verwijzingIdentificatie"),
        )
        self._check_file(path, read, owner)
        return read

    def _check_file(self, path: Path, read: ReadFile, owner: ReadObject) -> None:
        where = read.path
        if read.naam != path.name:
            self.problems.append(f"{where}: naam in the sidecar is {read.naam!r}")
        if read.omvang != path.stat().st_size:
            self.problems.append(f"{where}: omvang {read.omvang} but the file has {path.stat().st_size} bytes")
        algorithm = read.checksum[0].replace("-", "").lower()
        if algorithm not in hashlib.algorithms_available:
            self.problems.append(f"{where}: unknown checksum algorithm {read.checksum[0]!r}")
        elif hashlib.new(algorithm, path.read_bytes()).hexdigest() != read.checksum[1].lower():
            self.problems.append(f"{where}: checksum does not match the file")
        if read.representatie_van != owner.identificatie:
            self.problems.append(f"{where}: isRepresentatieVan does not name its aggregation")


def read_sip(root: Path) -> SipReading:
    """The package's aggregations and files as the sidecars describe them, and every problem found."""
    payload = payload_root(root)
    walker = _Walker(payload)
    objects = []
    for entry in sorted(payload.iterdir()):
        if entry.is_dir():
            node = walker.read_object(entry, None)
            if node:
                objects.append(node)
        else:
            walker.problems.append(f"{entry.name}: file outside any aggregation")
    return SipReading(objects, walker.problems)


def validate_sip(root: Path) -> list[str]:
    """Every problem of a package: BagIt, the XSD for each MDTO file, the sidecar walk, the pakbon."""
    import bagit

    problems: list[str] = []
    try:
        bagit.Bag(str(root)).validate()
    except (bagit.BagError, bagit.BagValidationError) as exc:
        problems.append(f"bagit: {exc}")
    payload = payload_root(root)
    for path in sorted(payload.rglob("*")):
        if path.is_file() and path.name.lower().endswith(".mdto.xml"):
            relative = path.relative_to(payload).as_posix()
            problems.extend(f"{relative}: {error}" for error in validate_mdto(path.read_bytes()))
    reading = read_sip(root)
    problems.extend(reading.problems)
    slip_path = root / SLIP_NAME
    if not slip_path.is_file():
        return [*problems, f"{SLIP_NAME}: missing"]
    slip = read_packing_slip(slip_path.read_bytes())
    objects = reading.walk()
    files = sum(len(node.files) for node in objects)
    if slip.get("aantalInformatieobjecten") != str(len(objects)) or slip.get("aantalBestanden") != str(files):
        problems.append(f"{SLIP_NAME}: counts differ from the package ({len(objects)} objects, {files} files)")
    return problems
