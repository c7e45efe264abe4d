"""The format registry: one table of known export formats, detection by read-ahead.

Formats live in one package per family (`whatsapp/`, `signal/`, `sms/`, `telegram/`). Each format
module decorates its `parse` with `@register(name=..., detect=...)`, which refuses a name that is
taken. Adding a format is one new module and one line in `_FORMAT_MODULES`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatarchief.core.errors import FormatError
from chatarchief.core.model import Channel, Export, ParseOptions

# Order matters only for speed: cheap, specific sniffers first. Detection must be unambiguous.
_FORMAT_MODULES = [
    "chatarchief.core.formats.whatsapp",
    "chatarchief.core.formats.signal.android",
    "chatarchief.core.formats.sms.backup_restore",
    "chatarchief.core.formats.telegram",
    "chatarchief.core.formats.signal.v2",
    "chatarchief.core.formats.signal.desktop",
]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    channel: Channel
    label: str  # human-readable, e.g. "WhatsApp-export"
    detect: Callable[[str], bool]
    parse: Callable[[str, ParseOptions], Export]
    needs_secret: bool = False  # a passphrase/key must be supplied (or is found inside the input)
    accepts_directory: bool = False


ParseFunction = Callable[[str, ParseOptions], Export]
_REGISTRY: dict[str, FormatSpec] = {}
_loaded = False


def register(  # noqa: PLR0913 - the fields of a FormatSpec, by keyword
    *,
    name: str,
    channel: Channel,
    label: str,
    detect: Callable[[str], bool],
    needs_secret: bool = False,
    accepts_directory: bool = False,
) -> Callable[[ParseFunction], ParseFunction]:
    """Decorator for a format's `parse`: adds the format to the table under `name`.

    Refuses a name another function already holds (the same function registered again, as when
    its module is reloaded, replaces itself). Returns `parse` unchanged."""

    def add(parse: ParseFunction) -> ParseFunction:
        known = _REGISTRY.get(name)
        if known is not None and _origin(known.parse) != _origin(parse):
            raise ValueError(f"format {name!r} is already registered by {_origin(known.parse)}")
        _REGISTRY[name] = FormatSpec(name, channel, label, detect, parse, needs_secret, accepts_directory)
        return parse

    return add


def _origin(function: Callable[..., object]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in _FORMAT_MODULES:
            importlib.import_module(module)
        _loaded = True


def formats() -> list[FormatSpec]:
    _load()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get(name: str) -> FormatSpec:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise FormatError(
            "format.unknown_name",
            nl=f"Onbekend formaat {name!r}.",
            en=f"Unknown format {name!r}.",
        ) from None


def detect(path: str, source_name: str | None = None) -> FormatSpec:
    """The format of the file or folder at `path`, or a FormatError naming the file."""
    _load()
    shown = source_name or os.path.basename(path.rstrip("/"))
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise FormatError(
            "format.empty",
            nl="Het bestand is leeg.",
            en="The file is empty.",
            file=shown,
        )
    found = []
    for spec in _REGISTRY.values():
        if os.path.isdir(path) and not spec.accepts_directory:
            continue
        try:
            if spec.detect(path):
                found.append(spec)
        except FormatError:
            raise
        except (OSError, ValueError, UnicodeError):
            continue
    if len(found) == 1:
        return found[0]
    if not found and os.path.isfile(path) and read_head(path, 4) == b"PK\x03\x04":
        from chatarchief.core.safety import open_zip

        archive, _members = open_zip(path, shown)  # a damaged or unsafe zip says so itself
        archive.close()
    if not found:
        raise FormatError(
            "format.unknown",
            nl="Dit is geen bekend chat-export (WhatsApp, Signal, SMS Backup & Restore of Telegram).",
            en="This is not a known chat export (WhatsApp, Signal, SMS Backup & Restore or Telegram).",
            file=shown,
        )
    raise FormatError(
        "format.ambiguous",
        nl="Het formaat is niet eenduidig: " + ", ".join(sorted(s.name for s in found)) + ".",
        en="The format is ambiguous: " + ", ".join(sorted(s.name for s in found)) + ".",
        file=shown,
    )


def read_head(path: str, size: int = 4096) -> bytes:
    """The first bytes of a file, for sniffing."""
    with open(path, "rb") as handle:
        return handle.read(size)


def zone_of(name: str, shown: str, code: str) -> ZoneInfo:
    """The time zone a parser reads wall-clock times in; an unknown name is a FormatError `code`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormatError(
            code, nl=f"Onbekende tijdzone {name!r}.", en=f"Unknown time zone {name!r}.", file=shown
        ) from None
