"""The Woo refusal grounds (articles 5.1, 5.2 and 5.4 Woo) used in redactions and inventories.

Codes are written canonically without a dot before the letter (``5.1.2e``); ``5.1.2.e``, ``5.1.2 e``,
``5.1.2E`` and ``art. 5.1.2e`` are read as the same ground. An unknown code is a `GroundError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatarchief.core.errors import ChatarchiefError


class GroundError(ChatarchiefError):
    """A Woo ground code that is not in the maintained list."""


@dataclass(frozen=True, slots=True)
class WooGround:
    code: str  # canonical, e.g. "5.1.2e"
    name: str  # Dutch short name
    absolute: bool  # 5.1.1 grounds are absolute; the others are weighed against the public interest


_TABLE: tuple[tuple[str, str], ...] = (
    ("5.1.1a", "Eenheid van de Kroon"),
    ("5.1.1b", "Veiligheid van de Staat"),
    ("5.1.1c", "Vertrouwelijk verstrekte bedrijfs- en fabricagegegevens"),
    ("5.1.1d", "Bijzondere persoonsgegevens"),
    ("5.1.1e", "Nationale identificatienummers"),
    ("5.1.2a", "Internationale betrekkingen"),
    ("5.1.2b", "Economische of financiële belangen van de Staat"),
    ("5.1.2c", "Opsporing en vervolging van strafbare feiten"),
    ("5.1.2d", "Inspectie, controle en toezicht door bestuursorganen"),
    ("5.1.2e", "Eerbiediging van de persoonlijke levenssfeer"),
    ("5.1.2f", "Concurrentiegevoelige bedrijfs- en fabricagegegevens"),
    ("5.1.2g", "Bescherming van het milieu"),
    ("5.1.2h", "Beveiliging van personen en bedrijven en voorkomen van sabotage"),
    ("5.1.2i", "Goed functioneren van de Staat of bestuursorganen"),
    ("5.1.5", "Onevenredige benadeling"),
    ("5.2", "Persoonlijke beleidsopvattingen (intern beraad)"),
    ("5.4", "Informatie bij formateur of informateur"),
)

WOO_GROUNDS: dict[str, WooGround] = {
    code: WooGround(code=code, name=name, absolute=code.startswith("5.1.1")) for code, name in _TABLE
}

# "art. 5.1.2.e", "5.1.2 e", "5.1.2E", "5.1.5" -> article digits and an optional letter.
_CODE_RE = re.compile(r"^(?:art(?:ikel)?\.?\s*)?(\d+(?:\s*\.\s*\d+)*)\s*\.?\s*([a-z])?$", re.IGNORECASE)


def normalise_ground(code: str) -> str:
    """The canonical code (``5.1.2e``) for any accepted spelling; `GroundError` when unknown."""
    match = _CODE_RE.match(code.strip()) if isinstance(code, str) else None
    if match:
        digits = re.sub(r"\s+", "", match.group(1))
        canonical = digits + (match.group(2) or "").lower()
        if canonical in WOO_GROUNDS:
            return canonical
    raise GroundError(
        "woo.unknown_ground",
        nl=f"Onbekende Woo-weigeringsgrond: {code!r}. Gebruik een code uit de lijst, bijvoorbeeld 5.1.2e.",
        en=f"Unknown Woo refusal ground: {code!r}. Use a code from the list, for example 5.1.2e.",
    )


def ground(code: str) -> WooGround:
    """The ground for any accepted spelling of its code."""
    return WOO_GROUNDS[normalise_ground(code)]


def normalise_grounds(codes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Canonical codes, de-duplicated, in the order of the maintained list."""
    wanted = {normalise_ground(code) for code in codes}
    return tuple(code for code in WOO_GROUNDS if code in wanted)
