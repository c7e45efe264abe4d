"""The format registry: one table of known export formats, detection by read-ahead.

Each format module calls `register()` once at import with its `detect` and `parse` functions.
Adding a format is one new module and one line in `_FORMAT_MODULES`.
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


_REGISTRY: dict[str, FormatSpec] = {}
_loaded = False


def register(spec: FormatSpec) -> FormatSpec:
    """Add a format. Refuses a second format under the same name."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"format {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


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
