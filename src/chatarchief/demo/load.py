"""Demo data for `make run`: three ministries, a few officials, a demo login and two monthly
WhatsApp exports of one chat (the second shows a deletion, an edit and a timer switched on)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.archive.services import registry
from chatarchief.core.errors import ChatarchiefError
from chatarchief.demo.totp import DEMO_TOTP_KEY, DEMO_TOTP_SECRET
from chatarchief.intake.pipeline import ingest

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 (documented demo login, development data only)

_JANUARY = """\
02-01-2026 09:00 - Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of beluisteren, zelfs WhatsApp niet. Tik voor meer informatie.
02-01-2026 09:01 - Anna de Vries: Goedemorgen, de nota over de Woo-verzoeken ligt klaar.
02-01-2026 09:03 - Minister: Dank je. Kun je de beslispunten nog scherper maken?
02-01-2026 09:05 - Anna de Vries: Doe ik. Vanmiddag een nieuwe versie.
02-01-2026 09:05 - Anna de Vries: Doe ik. Vanmiddag een nieuwe versie.
05-01-2026 14:12 - Anna de Vries: Het Kamerdebat is verplaatst naar donderdag 15:00.
05-01-2026 14:15 - Minister: Prima, zet het in de agenda.
12-01-2026 08:30 - Anna de Vries: <Media weggelaten>
12-01-2026 08:31 - Anna de Vries: Foto van het whiteboard, zie hierboven.
20-01-2026 17:45 - Minister: Graag de planning voor februari
met de overleggen met de VNG
en het IPO.
28-01-2026 10:10 - Anna de Vries: Let op: <script>alert('x')</script> is gewoon tekst.
"""

_FEBRUARY_EXTRA = """\
03-02-2026 11:00 - Anna de Vries heeft berichten met vervaldatum ingeschakeld. Alle nieuwe berichten verdwijnen na 7 dagen uit deze chat. Tik om dit te wijzigen
03-02-2026 11:02 - Minister: Zet dat alsjeblieft weer uit, dit moet bewaard blijven.
03-02-2026 11:03 - Anna de Vries heeft berichten met vervaldatum uitgeschakeld. Tik om dit te wijzigen
10-02-2026 16:20 - Minister: Akkoord met de planning. <Dit bericht is bewerkt>
"""


def _february() -> str:
    text = _JANUARY.replace(
        "05-01-2026 14:12 - Anna de Vries: Het Kamerdebat is verplaatst naar donderdag 15:00.",
        "05-01-2026 14:12 - Anna de Vries: Dit bericht is verwijderd",
    )
    return text + _FEBRUARY_EXTRA


PEOPLE = [
    ("minister-bzk", "Minister van BZK", "BZK", "bewindspersoon", "Minister", ["+31612345670"]),
    ("sg-fin", "Secretaris-generaal Financiën", "FIN", "sleutelfunctionaris", "Secretaris-generaal", []),
    ("dg-jenv", "Directeur-generaal Rechtspleging", "JENV", "sleutelfunctionaris", "Directeur-generaal", []),
]
ORGANISATIONS = {
    "BZK": "Binnenlandse Zaken en Koninkrijksrelaties",
    "FIN": "Financiën",
    "JENV": "Justitie en Veiligheid",
}


def _refuse_unless_safe() -> None:
    """The demo publishes its login (README): never in production, and never mixed into an
    archive whose organisations or custodians it did not create itself."""
    if settings.PRODUCTION:
        raise ChatarchiefError(
            "demo.production",
            nl="Geen demogegevens in productie (CHATARCHIEF_ENV=production): de demologin is openbaar.",
            en="No demo data in production (CHATARCHIEF_ENV=production): the demo login is public.",
        )
    if get_user_model().objects.filter(username=DEMO_USER).exists():
        return  # loaded before: the organisations and custodians below are the demo's own
    taken = list(Organisation.objects.filter(code__in=list(ORGANISATIONS)).values_list("code", flat=True))
    taken += Custodian.objects.filter(slug__in=[p[0] for p in PEOPLE]).values_list("slug", flat=True)
    if taken:
        raise ChatarchiefError(
            "demo.would_mix",
            nl=f"De demo gebruikt alleen wat hij zelf maakt; deze bestaan al: {', '.join(sorted(taken))}.",
            en=f"The demo only uses what it creates itself; these exist already: {', '.join(sorted(taken))}.",
        )


def _demo_user(actor: str) -> Iterator[str]:
    """The demo login, made once: a records manager of the demo's three ministries, and its
    second factor with a known key (demo data only). A later run leaves it as it is."""
    from chatarchief.access import otp

    User = get_user_model()
    if User.objects.filter(username=DEMO_USER).exists():
        return
    demo_user = User.objects.create_user(DEMO_USER, password=DEMO_PASSWORD)
    for code in ORGANISATIONS:  # sees and delivers content of the demo organisations only
        grant(demo_user, Role.REVIEWER, organisation=Organisation.objects.get(code=code))
        grant(demo_user, Role.OPERATOR, organisation=Organisation.objects.get(code=code))
    grant(demo_user, Role.CUSTODIAN, custodian=Custodian.objects.get(slug="minister-bzk"))
    yield f"user {DEMO_USER} (password {DEMO_PASSWORD}): reviewer + operator for BZK, FIN, JENV"
    otp.provision(demo_user, DEMO_TOTP_KEY, actor=actor)
    yield (
        f"user {DEMO_USER} two-factor: TOTP secret {DEMO_TOTP_SECRET} (add it to an authenticator app, "
        "or run `python -m chatarchief.demo.totp` for the current code)"
    )


def load_demo(actor: str) -> Iterator[str]:
    """Demo organisations, custodians, the demo login and two exports; safe to run again."""
    _refuse_unless_safe()
    for code, name in ORGANISATIONS.items():
        registry.add_organisation(code, name, actor=actor)
    for slug, name, org, category, function, phones in PEOPLE:
        if not Custodian.objects.filter(slug=slug).exists():
            registry.add_custodian(
                slug, name=name, actor=actor, organisation=org, category=category, function=function, phones=phones
            )
            yield f"custodian {slug}"
    yield from _demo_user(actor)
    custodian = Custodian.objects.get(slug="minister-bzk")
    with tempfile.TemporaryDirectory() as tmp:
        for month, text in (("januari", _JANUARY), ("februari", _february())):
            path = os.path.join(tmp, "WhatsApp-chat met Anna de Vries.txt")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            outcome = ingest(path, custodian, actor=actor, file_name="WhatsApp-chat met Anna de Vries.txt")
            yield f"ingest {month}: {outcome.status} {outcome.counts}"
