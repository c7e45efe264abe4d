"""A small Dutch archive for search tests, ingested through the real pipeline and indexed.

Custodians `minister-a` and `sg-b` (organisation BZK) and `extern-c` (organisation FIN). Every body
is unique, so tests name expected hits by body (ids differ between databases, bodies do not).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from chatarchief.archive.models import Conversation, Custodian, Message, Organisation
from chatarchief.archive.services import registry
from chatarchief.intake.pipeline import ingest
from chatarchief.search import services
from tests.generators.whatsapp import Spec, write_export

DAY = dt.datetime(2024, 3, 1, 9, 0)


def at(day: int, minute: int) -> dt.datetime:
    return DAY + dt.timedelta(days=day, minutes=minute)


CRISISTEAM = [
    Spec("Anne de Vries", at(0, 0), "De coördinatie van de crisisaanpak loopt goed"),
    Spec("Bob Jansen", at(0, 5), "Coordinatie met de gemeente is lastig"),
    Spec("Anne de Vries", at(0, 10), "Vergaderingen morgen om 10 uur over de begroting"),
    Spec("Bob Jansen", at(1, 0), "De minister van Financiën belt later"),
    Spec("Anne de Vries", at(1, 5), "minister financien akkoord"),
    Spec("Bob Jansen", at(1, 10), "Zie bijlage", kind="media", media="begroting-2024.pdf"),
    Spec("Anne de Vries", at(3, 0), "Ideeën voor het reële plan"),
    Spec("Bob Jansen", at(3, 5), "Crisis overleg met de burgemeester"),
]
KABINET = [
    Spec("Carol Smit", at(2, 0), "Kamerbrief over de Woo-verzoeken is verstuurd"),
    Spec("Anne de Vries", at(2, 5), "Het kamerdebat is verplaatst, geen vergadering"),
    Spec("Carol Smit", at(2, 10), "Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer"),
]
SG_B = [
    Spec("Dirk Bakker", at(4, 0), "Coördinatie van de staatssecretarissen morgen"),
    Spec("Eva Peters", at(4, 5), "Begroting is rond, de vergadering vervalt"),
]
EXTERN_C = [
    Spec("Frank Visser", at(5, 0), "GEHEIM-C coördinatie van de begroting bij Financiën"),
]


@dataclass
class SearchWorld:
    a: Custodian
    b: Custodian
    c: Custodian
    crisisteam: Conversation
    kabinet: Conversation

    def body_of(self, message_id: int) -> str:
        return Message.objects.get(pk=message_id).body or ""


def _deliver(custodian: Custodian, folder: Path, title: str, specs: list[Spec]) -> None:
    path = folder / f"WhatsApp-chat met {title}.zip"
    write_export(path, specs, title=title)
    outcome = ingest(path, custodian, actor="test")
    assert outcome.status == "ingested", outcome.as_dict()
    services.index_delivery(outcome.delivery.pk)


def build(folder: Path) -> SearchWorld:
    Organisation.objects.get_or_create(code="BZK", defaults={"name": "Binnenlandse Zaken"})
    Organisation.objects.get_or_create(code="FIN", defaults={"name": "Financiën"})
    a = registry.add_custodian("minister-a", name="Minister A", actor="test", organisation="BZK")
    b = registry.add_custodian("sg-b", name="SG B", actor="test", organisation="BZK")
    c = registry.add_custodian("extern-c", name="Extern C", actor="test", organisation="FIN")
    _deliver(a, folder, "Crisisteam", CRISISTEAM)
    _deliver(a, folder, "Kabinet", KABINET)
    _deliver(b, folder, "Staf", SG_B)
    _deliver(c, folder, "Financiën", EXTERN_C)
    return SearchWorld(
        a=a,
        b=b,
        c=c,
        crisisteam=Conversation.objects.get(custodian=a, title="Crisisteam"),
        kabinet=Conversation.objects.get(custodian=a, title="Kabinet"),
    )
