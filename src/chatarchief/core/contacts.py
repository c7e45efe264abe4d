"""Contacts files: who is a business, private or party contact of a custodian or organisation.

Two formats, recognised by content (`BEGIN:VCARD`) or else read as CSV:

- **CSV** with a header row `name,phone,category,note` (Dutch headers `naam,telefoon,categorie,
  notitie` too; optional columns `signal` and `telegram`), comma or semicolon separated (Excel on a
  Dutch Windows writes `;`), UTF-8 with or without BOM. Several numbers or ids in one cell are
  separated by `|`.
- **vCard** 2.1, 3.0 and 4.0 (`.vcf`): `FN` (else `N`), every `TEL`, `CATEGORIES`, `NOTE`, and
  Signal/Telegram ids from `X-SIGNAL`/`X-TELEGRAM` fields or `IMPP`/`X-SOCIALPROFILE` entries;
  folded lines and quoted-printable values (Android exports) are read.

Categories: `business|private|party`, Dutch `zakelijk|prive|privé|partij`, any case. Phone numbers
become E.164 (national numbers read in region NL). Every row is checked before anything is
returned: one bad row fails the whole file with one error naming the file and the first bad line
(and how many more there are), so a caller never imports half a file.
"""

from __future__ import annotations

import csv
import io
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.phone import PhoneNumberError, normalise_phone
from chatarchief.core.rules.labels import Label
from chatarchief.core.rules.text import fold

_CATEGORIES = {
    "business": Label.BUSINESS,
    "zakelijk": Label.BUSINESS,
    "private": Label.PRIVATE,
    "prive": Label.PRIVATE,
    "party": Label.PARTY,
    "partij": Label.PARTY,
}
_COLUMNS = {
    "name": "name",
    "naam": "name",
    "phone": "phone",
    "telefoon": "phone",
    "telefoonnummer": "phone",
    "category": "category",
    "categorie": "category",
    "note": "note",
    "notitie": "note",
    "opmerking": "note",
    "signal": "signal",
    "telegram": "telegram",
}
_REQUIRED = ("name", "phone", "category")


class ContactsError(ChatarchiefError):
    """A contacts file with a bad row; nothing of it may be imported."""


@dataclass(frozen=True, slots=True)
class Contact:
    """A person and what the custodian's contacts with them are. `line`: where the file lists them."""

    name: str
    category: Label
    phones: tuple[str, ...] = ()
    signal_ids: tuple[str, ...] = ()
    telegram_ids: tuple[str, ...] = ()
    note: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class _Problem:
    line: int
    nl: str
    en: str


def read_contacts(path: str | Path) -> list[Contact]:
    """Every contact in the file at `path` (CSV or vCard). Raises `ContactsError` on any bad row."""
    path = Path(path)
    return parse_contacts(path.read_bytes(), path.name)


def parse_contacts(data: bytes, filename: str) -> list[Contact]:
    """Every contact in `data` (the bytes of a file called `filename`, e.g. an upload)."""
    text = _decode(data, filename)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.upper().startswith("BEGIN:VCARD"):
        contacts, problems = _read_vcards(text)
    else:
        contacts, problems = _read_csv(text)
    if problems:
        raise _error(filename, problems)
    if not contacts:
        raise ContactsError(
            "contacts.empty", nl="Het bestand bevat geen contacten.", en="The file holds no contacts.", file=filename
        )
    return contacts


def parse_category(text: str) -> Label | None:
    """`business|private|party` or Dutch `zakelijk|prive|privé|partij` (any case), else None."""
    return _CATEGORIES.get(fold(text.strip()))


def normalise_contact_phone(raw: str) -> str | None:
    """A phone number of a contacts file in E.164, or None if it is not a possible phone number."""
    try:
        return normalise_phone(raw.strip().removeprefix("tel:").split(";", 1)[0], strict=True)
    except PhoneNumberError:
        return None


_SCHEMES = re.compile(
    r"^(?:sgnl://|signal:|tg://resolve\?domain=|tg:|telegram:|x-apple:|https?://(?:t\.me|signal\.me)/)"
)


def normalise_signal_id(raw: str) -> str | None:
    """A Signal id as matched: a phone number in E.164, else the ACI or username in lower case."""
    value = _SCHEMES.sub("", raw.strip()).removeprefix("#p/").lstrip("@").strip()
    if not value:
        return None
    if re.fullmatch(r"[+\d][\d\s\-().]{5,}", value):
        return normalise_contact_phone(value)
    return value.lower()


def normalise_telegram_id(raw: str) -> str | None:
    """A Telegram id as matched: `user<digits>` for a numeric id (as Telegram exports name senders),
    else the username in lower case without '@'."""
    value = _SCHEMES.sub("", raw.strip()).lstrip("@").strip().lower()
    if not value:
        return None
    return f"user{value}" if value.isdigit() else value


# ---------------------------------------------------------------- decoding and errors


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContactsError(
            "contacts.not_utf8",
            nl="Het bestand is geen UTF-8. Sla het op als 'CSV UTF-8' of als vCard.",
            en="The file is not UTF-8. Save it as 'CSV UTF-8' or as vCard.",
            file=filename,
            line=line,
        ) from None


def _error(filename: str, problems: list[_Problem]) -> ContactsError:
    first = problems[0]
    more_nl = f" (en nog {len(problems) - 1} andere fout(en); er is niets ingelezen)" if len(problems) > 1 else ""
    more_en = f" (and {len(problems) - 1} more; nothing was imported)" if len(problems) > 1 else ""
    return ContactsError(
        "contacts.bad_row",
        nl=first.nl + (more_nl or " Er is niets ingelezen."),
        en=first.en + (more_en or " Nothing was imported."),
        file=filename,
        line=first.line,
    )


def _ids(line: int, cells: list[str], kind: str, problems: list[_Problem]) -> tuple[str, ...]:
    """Phone numbers or ids, normalised; a value that cannot be becomes a problem on `line`."""
    normalise = {
        "phone": normalise_contact_phone,
        "signal": normalise_signal_id,
        "telegram": normalise_telegram_id,
    }[kind]
    found: list[str] = []
    for cell in cells:
        for value in cell.split("|"):
            if not value.strip():
                continue
            normal = normalise(value)
            if normal is None:
                what_nl = "telefoonnummer" if kind == "phone" else f"{kind}-id"
                what_en = "phone number" if kind == "phone" else f"{kind} id"
                problems.append(
                    _Problem(line, f"Ongeldig {what_nl} '{value.strip()}'.", f"Invalid {what_en} '{value.strip()}'.")
                )
            elif normal not in found:
                found.append(normal)
    return tuple(found)


def _check_category(line: int, raw: str, problems: list[_Problem]) -> Label | None:
    label = parse_category(raw)
    if label is None:
        problems.append(
            _Problem(
                line,
                f"Onbekende categorie '{raw.strip()}': gebruik zakelijk, prive of partij.",
                f"Unknown category '{raw.strip()}': use business, private or party.",
            )
        )
    return label


# ---------------------------------------------------------------- CSV


def _read_csv(text: str) -> tuple[list[Contact], list[_Problem]]:
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    columns = [_COLUMNS.get(fold(cell.strip())) for cell in header]
    problems: list[_Problem] = []
    unknown = [cell for cell, column in zip(header, columns, strict=True) if column is None and cell.strip()]
    missing = [name for name in _REQUIRED if name not in columns]
    if unknown or missing:
        problems.append(
            _Problem(
                1,
                "De eerste regel moet de kopregel 'name,phone,category,note' zijn"
                + (f"; onbekende kolom(men): {', '.join(unknown)}" if unknown else "")
                + (f"; ontbrekend: {', '.join(missing)}" if missing else "")
                + ".",
                "The first line must be the header 'name,phone,category,note'"
                + (f"; unknown column(s): {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + ".",
            )
        )
        return [], problems
    contacts: list[Contact] = []
    end = reader.line_num
    for row in reader:
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        contact = _csv_row(line, row, columns, problems)
        if contact is not None:
            contacts.append(contact)
    _check_duplicates(contacts, problems)
    return contacts, problems


def _csv_row(line: int, row: list[str], columns: list[str | None], problems: list[_Problem]) -> Contact | None:
    if len(row) > len(columns):
        problems.append(
            _Problem(
                line,
                f"{len(row)} velden, de kopregel heeft er {len(columns)}.",
                f"{len(row)} fields, the header has {len(columns)}.",
            )
        )
        return None
    cells: dict[str, list[str]] = {}
    for column, cell in zip(columns, row, strict=False):
        if column:
            cells.setdefault(column, []).append(cell)
    name = " ".join(" ".join(cells.get("name", [])).split())
    before = len(problems)
    if not name:
        problems.append(_Problem(line, "Naam ontbreekt.", "Name is missing."))
    category = _check_category(line, " ".join(cells.get("category", [])), problems)
    phones = _ids(line, cells.get("phone", []), "phone", problems)
    signal = _ids(line, cells.get("signal", []), "signal", problems)
    telegram = _ids(line, cells.get("telegram", []), "telegram", problems)
    if len(problems) > before or category is None:
        return None
    note = " ".join(cells.get("note", [])).strip()
    return Contact(name, category, phones, signal, telegram, note, line)


def _check_duplicates(contacts: list[Contact], problems: list[_Problem]) -> None:
    """A phone number or id listed for two contacts with different categories is a contradiction."""
    seen: dict[str, Contact] = {}
    for contact in contacts:
        for value in (*contact.phones, *contact.signal_ids, *contact.telegram_ids):
            earlier = seen.setdefault(value, contact)
            if earlier is not contact and earlier.category != contact.category:
                problems.append(
                    _Problem(
                        contact.line,
                        f"'{value}' staat ook op regel {earlier.line}, met een andere categorie.",
                        f"'{value}' is also on line {earlier.line}, with another category.",
                    )
                )
    problems.sort(key=lambda problem: problem.line)


# ---------------------------------------------------------------- vCard


@dataclass(slots=True)
class _Property:
    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    value: str


_PROPERTY = re.compile(r'^((?:[^:"]|"[^"]*")*):(.*)$', re.DOTALL)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line, unfolded line): RFC folding (a leading space or tab) and quoted-
    printable soft breaks (a line ending in '=' inside a quoted-printable value)."""
    current: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        if current is not None and raw[:1] in (" ", "\t"):
            current = (current[0], current[1] + raw[1:])
            continue
        if (
            current is not None
            and current[1].endswith("=")
            and "QUOTED-PRINTABLE" in current[1].split(":", 1)[0].upper()
        ):
            current = (current[0], current[1][:-1] + raw)  # '=' at the end: a soft line break
            continue
        if current is not None:
            yield current
        current = (number, raw)
    if current is not None:
        yield current


def _parse_property(line: int, text: str) -> _Property | None:
    found = _PROPERTY.match(text)
    if found is None:
        return None
    head, value = found.groups()
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    group, _, name = parts[0].rpartition(".")
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, sep, val = part.partition("=")
        if not sep:  # vCard 2.1 bare parameter: TEL;CELL;QUOTED-PRINTABLE
            key, val = ("ENCODING", key) if key.upper() in ("QUOTED-PRINTABLE", "BASE64", "B") else ("TYPE", key)
        params.setdefault(key.strip().upper(), []).extend(v.strip('"') for v in val.split(","))
    encoding = [v.upper() for v in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        try:
            value = quopri.decodestring(value.encode("latin-1", "replace")).decode(charset, "replace")
        except LookupError:
            value = quopri.decodestring(value.encode("latin-1", "replace")).decode("utf-8", "replace")
    return _Property(line, group, name.strip().upper(), params, value)


def _unescape(value: str) -> str:
    return re.sub(r"\\([nN,;\\:])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split_list(value: str) -> list[str]:
    return [_unescape(part).strip() for part in re.split(r"(?<!\\),", value) if part.strip()]


def _read_vcards(text: str) -> tuple[list[Contact], list[_Problem]]:
    contacts: list[Contact] = []
    problems: list[_Problem] = []
    card: list[_Property] | None = None
    begin = 0
    for number, logical in _logical_lines(text):
        if not logical.strip():
            continue
        prop = _parse_property(number, logical)
        if prop is None:
            if card and card[-1].params.get("ENCODING", [""])[0].upper() in ("BASE64", "B"):
                continue  # vCard 2.1 base64 data on lines of their own
            problems.append(_Problem(number, "Onleesbare vCard-regel.", "Unreadable vCard line."))
            continue
        if prop.name == "BEGIN" and prop.value.strip().upper() == "VCARD":
            card, begin = [], number
        elif prop.name == "END" and prop.value.strip().upper() == "VCARD" and card is not None:
            contact = _vcard_contact(begin, card, problems)
            if contact is not None:
                contacts.append(contact)
            card = None
        elif card is not None:
            card.append(prop)
        else:
            problems.append(
                _Problem(number, "Regel buiten BEGIN:VCARD/END:VCARD.", "Line outside BEGIN:VCARD/END:VCARD.")
            )
    if card is not None:
        problems.append(_Problem(begin, "vCard zonder END:VCARD.", "vCard without END:VCARD."))
    _check_duplicates(contacts, problems)
    return contacts, problems


def _vcard_contact(begin: int, card: list[_Property], problems: list[_Problem]) -> Contact | None:
    before = len(problems)
    by_name: dict[str, list[_Property]] = {}
    for prop in card:
        by_name.setdefault(prop.name, []).append(prop)
    name = _vcard_name(by_name)
    if not name:
        problems.append(_Problem(begin, "vCard zonder naam (FN of N).", "vCard without a name (FN or N)."))
    category = None
    for prop in by_name.get("CATEGORIES", []):
        values = _split_list(prop.value)
        labels = [parse_category(v) for v in values]
        category = next((label for label in labels if label is not None), category)
        if category is None:
            _check_category(prop.line, ",".join(values), problems)
    if "CATEGORIES" not in by_name:
        problems.append(
            _Problem(
                begin,
                f"vCard '{name}' zonder categorie: voeg CATEGORIES:zakelijk, prive of partij toe.",
                f"vCard '{name}' without a category: add CATEGORIES:business, private or party.",
            )
        )
    phones: list[str] = []
    for prop in by_name.get("TEL", []):
        phones += [p for p in _ids(prop.line, [prop.value.replace("|", "")], "phone", problems) if p not in phones]
    signal, telegram = _vcard_ids(card, problems)
    note = "\n".join(_unescape(p.value) for p in by_name.get("NOTE", [])).strip()
    if len(problems) > before or category is None:
        return None
    return Contact(name, category, tuple(phones), signal, telegram, note, begin)


def _vcard_name(by_name: dict[str, list[_Property]]) -> str:
    for prop in by_name.get("FN", []):
        name = " ".join(_unescape(prop.value).split())
        if name:
            return name
    for prop in by_name.get("N", []):
        parts = [_unescape(p).strip() for p in re.split(r"(?<!\\);", prop.value)]
        ordered = [*parts[3:4], *parts[1:3], *parts[0:1]]  # prefix, given, additional, family
        name = " ".join(" ".join(p for p in ordered if p).split())
        if name:
            return name
    return ""


def _service(prop: _Property) -> str | None:
    """'signal' or 'telegram' for an IM/social property that names one of them, else None."""
    if prop.name.startswith(("X-SIGNAL", "X-TELEGRAM")):
        return "signal" if prop.name.startswith("X-SIGNAL") else "telegram"
    if prop.name not in ("IMPP", "X-SOCIALPROFILE"):
        return None
    hints = " ".join([*prop.params.get("X-SERVICE-TYPE", []), *prop.params.get("TYPE", []), prop.value]).lower()
    if re.search(r"signal|sgnl:", hints):
        return "signal"
    if re.search(r"telegram|tg:|t\.me/", hints):
        return "telegram"
    return None


def _vcard_ids(card: list[_Property], problems: list[_Problem]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    signal: list[str] = []
    telegram: list[str] = []
    for prop in card:
        service = _service(prop)
        if service is None:
            continue
        found = _ids(prop.line, [prop.value.replace("|", "")], service, problems)
        target = signal if service == "signal" else telegram
        target += [value for value in found if value not in target]
    return tuple(signal), tuple(telegram)
