"""The exclusion scenario (issue 16's acceptance): a business phone with a private chat (text and a
photo) and a business chat holding a private birthday wish (text and a photo of the cake), handed in
as WhatsApp zip exports in two months. Every private text and media file carries a marker, so a test
can search the whole installation for what must be gone.

    paths = write_month(tmp / "m1", 1)      # January's exports; write_month(..., 2): February's
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from tests.generators.whatsapp import Spec, render_export

SELF = "Eva Bakker"
SPOUSE = "Mark ❤️"
COLLEAGUE = "Thomas Hendriks"
STAFF = "Staf minister"

# Markers of private content: none of them may remain after the exclusion.
PRIVATE_TEXTS = ("PRIVETEKST-EEN zal ik avondeten maken", "PRIVETEKST-TWEE kusjes tot straks")
PRIVATE_LATER = "PRIVETEKST-DRIE hoe laat ben je thuis"  # only in February's export
PRIVATE_MEDIA = b"PRIVEMEDIA-VAKANTIEFOTO jpeg bytes"
WISH = "Hartelijk gefeliciteerd met je verjaardag PRIVEWENS-EEN!"
CAKE = b"PRIVEMEDIA-TAART jpeg bytes"
BUSINESS = "ZAKELIJK-BEWAARD de Kamerbrief over de stikstofaanpak"
BUSINESS_MEDIA = b"ZAKELIJKMEDIA-NOTA pdf bytes"
MARKERS = (*PRIVATE_TEXTS, PRIVATE_LATER, WISH)
MEDIA_MARKERS = (PRIVATE_MEDIA, CAKE)
TEXT_MARKERS = ("PRIVETEKST", "PRIVEWENS", "PRIVEMEDIA")
START = dt.datetime(2025, 1, 6, 9, 0)


def _spouse(month: int) -> list[Spec]:
    specs = [
        Spec(SPOUSE, START, PRIVATE_TEXTS[0]),
        Spec(SELF, START + dt.timedelta(minutes=5), PRIVATE_TEXTS[1]),
        Spec(SPOUSE, START + dt.timedelta(minutes=9), "vakantie", kind="media", media="IMG-20250106-WA0001.jpg"),
    ]
    if month >= 2:
        specs.append(Spec(SPOUSE, dt.datetime(2025, 2, 3, 18, 0), PRIVATE_LATER))
    return specs


def _colleague(month: int) -> list[Spec]:
    specs = [
        Spec(COLLEAGUE, START + dt.timedelta(hours=1), BUSINESS),
        Spec(SELF, START + dt.timedelta(hours=1, minutes=3), "Akkoord met de lijn, dank."),
        Spec(
            COLLEAGUE, START + dt.timedelta(hours=1, minutes=4), "nota", kind="media", media="DOC-20250106-WA0002.pdf"
        ),
        Spec(COLLEAGUE, dt.datetime(2025, 1, 14, 7, 55), WISH),
        Spec(COLLEAGUE, dt.datetime(2025, 1, 14, 7, 56), "taart", kind="media", media="IMG-20250114-WA0003.jpg"),
        Spec(SELF, dt.datetime(2025, 1, 14, 9, 0), "Kun je de notitie over netcongestie voor vrijdag sturen?"),
    ]
    if month >= 2:
        specs.append(Spec(COLLEAGUE, dt.datetime(2025, 2, 4, 10, 0), "De notitie over netcongestie staat in de map."))
    return specs


def _staff(month: int) -> list[Spec]:
    specs = [
        Spec("Pieter van Dam", START + dt.timedelta(hours=2), "Het overleg over de begroting is verschoven."),
        Spec(SELF, START + dt.timedelta(hours=2, minutes=1), "Prima, doen we zo."),
    ]
    if month >= 2:
        specs.append(Spec("Pieter van Dam", dt.datetime(2025, 2, 5, 8, 0), "Graag een korte nota over de jeugdzorg."))
    return specs


_MEDIA = {
    "IMG-20250106-WA0001.jpg": PRIVATE_MEDIA,
    "DOC-20250106-WA0002.pdf": BUSINESS_MEDIA,
    "IMG-20250114-WA0003.jpg": CAKE,
}


def _zip(path: Path, title: str, specs: list[Spec]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"WhatsApp-chat met {title}.txt", render_export(specs, title=title))
        for spec in specs:
            if spec.kind == "media" and spec.media:
                archive.writestr(spec.media, _MEDIA[spec.media])
    return path


def write_month(directory: Path, month: int) -> dict[str, Path]:
    """The month's exports (zip with media): title -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    chats = {SPOUSE: _spouse(month), COLLEAGUE: _colleague(month), STAFF: _staff(month)}
    return {title: _zip(directory / f"WhatsApp-chat met {title}.zip", title, specs) for title, specs in chats.items()}


def write_contacts(path: Path) -> Path:
    path.write_text(
        "naam;telefoon;categorie;notitie\n"
        f"{SPOUSE};+31 6 30000001;privé;echtgenoot\n"
        f"{COLLEAGUE};+31 6 20000009;zakelijk;collega-minister\n"
        "Pieter van Dam;+31 6 20000001;zakelijk;DG\n",
        encoding="utf-8",
    )
    return path
