"""A small Woo world, ingested through the real pipeline and indexed: three officials of BZK who
each handed in the same group chat (the third joined a day later, so holds less), a 1:1 chat between
two of them, a private chat, and an official of another organisation.

Custodians: `minister-a`, `sg-b`, `dg-c` (BZK), `extern-d` (FIN). Bodies are unique."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from chatarchief.archive.models import Conversation, Custodian, Organisation
from chatarchief.archive.services import registry
from chatarchief.intake.pipeline import ingest
from chatarchief.search import services as search
from tests.generators.whatsapp import Spec, write_export

DAY = dt.datetime(2024, 3, 4, 9, 0)
PHONE = "06 12345678"
SECRET = "Pieter Geheimzinnig"


def at(day: int, minute: int) -> dt.datetime:
    return DAY + dt.timedelta(days=day, minutes=minute)


GROUP = [
    Spec("Anne Minister", at(0, 0), "Het coördinatieoverleg over de stikstofbrief begint om tien uur"),
    Spec("Bob Secretaris", at(0, 3), f"Bel {SECRET} even op {PHONE} over de stikstofbrief"),
    Spec("Anne Minister", at(0, 7), "Akkoord, de brief gaat vandaag naar de Kamer"),
    Spec("Bob Secretaris", at(1, 0), "Tweede dag: stikstofbrief is verstuurd"),
    Spec("Carla Directeur", at(1, 4), "Ik ben er nu ook bij, wat is de stand van de stikstofbrief?"),
]
ONE_TO_ONE = [
    Spec("Anne Minister", at(0, 30), "Onder ons: de stikstofbrief kan beter"),
    Spec("Bob Secretaris", at(0, 31), "Eens, ik pas hem aan"),
]
PRIVATE = [Spec("Anne Minister", at(0, 40), "Schat, stikstofbrief klaar, ik kom eten")]
EXTERN = [Spec("Dirk Extern", at(0, 50), "Financiën kijkt ook naar de stikstofbrief")]


@dataclass
class WooWorld:
    a: Custodian
    b: Custodian
    c: Custodian
    d: Custodian
    private: Conversation


def deliver(custodian: Custodian, folder: Path, title: str, specs: list[Spec]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"WhatsApp-chat met {title}.zip"
    write_export(path, specs, title=title)
    outcome = ingest(path, custodian, actor="test")
    assert outcome.status == "ingested", outcome.as_dict()
    search.index_delivery(outcome.delivery.pk)


def build(folder: Path) -> WooWorld:
    Organisation.objects.get_or_create(code="BZK", defaults={"name": "Binnenlandse Zaken"})
    Organisation.objects.get_or_create(code="FIN", defaults={"name": "Financiën"})
    a = registry.add_custodian("minister-a", name="Anne Minister", actor="test", organisation="BZK")
    b = registry.add_custodian("sg-b", name="Bob Secretaris", actor="test", organisation="BZK")
    c = registry.add_custodian("dg-c", name="Carla Directeur", actor="test", organisation="BZK")
    d = registry.add_custodian("extern-d", name="Dirk Extern", actor="test", organisation="FIN")
    deliver(a, folder / "a", "Crisisteam", GROUP)
    deliver(b, folder / "b", "Crisisteam", GROUP)
    deliver(c, folder / "c", "Crisisteam", GROUP[3:])  # joined on the second day
    deliver(a, folder / "a", "Bob Secretaris", ONE_TO_ONE)
    deliver(b, folder / "b", "Anne Minister", ONE_TO_ONE)
    deliver(a, folder / "a", "Thuis", PRIVATE)
    deliver(d, folder / "d", "Financiën", EXTERN)
    return WooWorld(a=a, b=b, c=c, d=d, private=Conversation.objects.get(custodian=a, title="Thuis"))


def label_private(world: WooWorld) -> None:
    """The review app's decision that `Thuis` is private, awaiting a second reviewer."""
    from django.utils import timezone

    from chatarchief.review.constants import DecisionStatus
    from chatarchief.review.models import Decision

    Decision.objects.create(
        custodian=world.a,
        conversation=world.private,
        conversation_ref=world.private.pk,
        label="private",
        reason="thuis",
        status=DecisionStatus.AWAITING_CONFIRMATION,
        decided_by_name="reviewer",
        decided_at=timezone.now(),
    )
