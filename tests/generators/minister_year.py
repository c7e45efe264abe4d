"""A seeded year of a minister's business phone, as WhatsApp exports, with its ground truth.

    year = minister_year(seed=16)
    paths = year.write(tmp_path)          # one Android export per chat, contacts.csv, contacts.vcf
    year.conversation_truth               # {chat title: Label}
    year.message_truth                    # {(title, local time, sender): Label} for the messages
                                          # whose label differs from their (business) chat's

The phone (minister Eva Bakker) holds business 1:1 chats (DG, SG, spokesperson, a journalist not in
the contacts), business groups ("Staf minister", "Crisisteam hoogwater", "Afdeling Juridische
Zaken", "Bewindspersonen overleg"), her spouse, a party group whose name says nothing ("Utrecht
e.o." with mostly party contacts), a campaign group ("Campagneteam TK2025"), the party chair, and a
colleague minister. Inside business chats: a birthday wish (and thanks), a condolence (and thanks),
"sterkte morgen" before a debate (and thanks), a congratulation on a new baby. Business texts
include hard cases that must stay business ("het overleg was een succes", "de fractie van D66",
"een publiekscampagne", "zet hem op de agenda", "ik schat in").

The contacts are split as a secretariat would hand them in: business contacts in a CSV (some names
without their diacritics), private and party contacts in a vCard exported from the phone. The
WhatsApp exports show saved contacts by name only, so matching by name is what carries this year.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from chatarchief.core.rules.labels import Label
from tests.generators.whatsapp import Spec, write_export

SELF = "Eva Bakker"
START = dt.date(2025, 1, 6)
DAYS = 364

_TOPICS = (
    "de stikstofaanpak",
    "de woningbouwimpuls",
    "de Voorjaarsnota",
    "netcongestie",
    "de jeugdzorg",
    "het asieldossier",
    "de Omgevingswet",
    "de begroting 2026",
    "de NOVEX-gebieden",
    "de regio-deals",
)
_BUSINESS = (
    "Kun je de Kamerbrief over {t} nog voor {d} aanpassen?",
    "Notitie over {t} staat in de map, graag je reactie.",
    "Het overleg over {t} is verschoven naar {d} 14:00.",
    "Ik bel je na het MT even over {t}.",
    "De Kamer wil voor {d} een reactie op {t}.",
    "Akkoord met de lijn over {t}.",
    "Kunnen we {t} op de agenda van de ministerraad zetten?",
    "Concept-antwoorden op de Kamervragen over {t} komen {d}.",
    "Heb je de cijfers over {t} al gezien?",
    "Graag een korte nota over {t}, max twee kantjes.",
    "Het overleg met de provincie over {t} was een succes.",
    "De fractie van D66 heeft schriftelijke vragen gesteld over {t}.",
    "Er komt een publiekscampagne over {t}, communicatie stuurt het plan.",
    "Zet hem op de agenda van het MT van {d}.",
    "Ik schat in dat het debat over {t} lang gaat duren.",
    "Mis je nog iets in de notitie over {t}?",
    "Dank je, ik kijk er vanavond naar.",
    "Prima, doen we zo.",
    "Top, dank!",
    "Ik zit nog in overleg, bel je om {h}.",
    "Woordvoeringslijn over {t} is rond.",
    "De verkiezingswet komt {d} in de ministerraad.",
)
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
_SPOUSE = (
    "Hoe laat ben je thuis vanavond?",
    "Zal ik avondeten maken of eet je in Den Haag?",
    "De kinderen liggen op bed, slaap lekker straks.",
    "Kusjes!",
    "Ik doe de boodschappen wel, ik sta toch al in de stad.",
    "Vergeet je niet dat we zaterdag bij je moeder eten?",
    "Oppas kan vrijdag niet, regel jij iets?",
    "Ja, rond half acht denk ik.",
    "Is goed lieverd.",
    "Wil je op de terugweg brood halen?",
    "Hoe was je dag?",
    "Druk, vertel ik thuis wel.",
)
_PARTY_GROUP = (
    "Wie komt er zaterdag naar de ledenvergadering?",
    "Notulen van het afdelingsbestuur staan in de mail.",
    "De kandidatencommissie vraagt nog om reacties voor vrijdag.",
    "Ik kan er helaas niet bij, veel plezier!",
    "Prima, tot dan.",
    "Wie neemt de koffie mee?",
    "Hebben we al een zaal voor het partijcongres?",
    "Ik zet het op de agenda.",
)
_CAMPAIGN = (
    "Zaterdag flyeren op de markt in Amersfoort, wie doet mee?",
    "Canvassen in Zwolle-Zuid, start 10:00 bij het station.",
    "De nieuwe campagnefilm staat online.",
    "Lijsttrekkersdebat donderdag, wie gaat er mee?",
    "Posters plakken vanavond, ik heb de lijm.",
    "Goed bezig iedereen!",
    "Ik ben er om 10 uur.",
    "Nieuwe peiling: twee zetels erbij.",
)
_PARTY_CHAIR = (
    "Kunnen we het even hebben over de kandidatenlijst?",
    "Het partijbestuur wil je graag spreken over de campagnestrategie.",
    "Ik bel je vanavond.",
    "Prima, na 21:00 kan ik.",
    "Het verkiezingsprogramma gaat morgen naar de leden.",
)


@dataclass(frozen=True)
class Person:
    """Someone on the phone. `shown` is the name the WhatsApp export shows (saved name, or number)."""

    name: str
    phone: str
    category: Label | None  # None: not in the contacts files
    shown: str = ""
    listed_as: str = ""  # the name in the contacts file, if it differs

    @property
    def sender(self) -> str:
        return self.shown or self.name


ME = Person(SELF, "+31 6 10000001", None)


@dataclass
class Chat:
    """One chat: its export's specs, its true label, and the messages whose label differs."""

    title: str
    label: Label
    members: list[Person]
    is_group: bool
    specs: list[Spec] = field(default_factory=list)
    special: dict[tuple[dt.datetime, str], Label] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"WhatsApp-chat met {self.title}.txt"


@dataclass
class MinisterYear:
    chats: list[Chat]
    people: list[Person]

    @property
    def conversation_truth(self) -> dict[str, Label]:
        return {chat.title: chat.label for chat in self.chats}

    @property
    def message_truth(self) -> dict[tuple[str, dt.datetime, str], Label]:
        return {(chat.title, at, sender): label for chat in self.chats for (at, sender), label in chat.special.items()}

    @property
    def message_count(self) -> int:
        return sum(len(chat.specs) for chat in self.chats)

    def contacts_csv(self) -> str:
        """Business contacts, as a secretariat keeps them (`;`-separated, Dutch headers, a BOM)."""
        rows = ["naam;telefoon;categorie;notitie"]
        for person in self.people:
            if person.category is Label.BUSINESS:
                rows.append(f"{person.listed_as or person.name};{person.phone};zakelijk;")
        return "\ufeff" + "\r\n".join(rows) + "\r\n"

    def contacts_vcard(self) -> str:
        """Private and party contacts, as the phone exports them (vCard 3.0, folded NOTE)."""
        cards = []
        for person in self.people:
            if person.category in (Label.PRIVATE, Label.PARTY):
                category = "Privé" if person.category is Label.PRIVATE else "Partij"
                cards.append(
                    "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                    f"FN:{person.listed_as or person.name}\r\nN:;{person.name};;;\r\n"
                    f"TEL;TYPE=CELL:{person.phone}\r\nCATEGORIES:{category}\r\n"
                    "NOTE:Aangemerkt door het secretariaat bij de overdracht van de zakelijke tele\r\n foon.\r\n"
                    "END:VCARD\r\n"
                )
        return "".join(cards)

    def write(self, directory: str | Path) -> list[Path]:
        """Every chat as an Android export, plus contacts.csv and contacts.vcf; the export paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = [
            write_export(directory / chat.file_name, chat.specs, platform="android", locale="nl", title=chat.title)
            for chat in self.chats
        ]
        (directory / "contacts.csv").write_text(self.contacts_csv(), encoding="utf-8", newline="")
        (directory / "contacts.vcf").write_text(self.contacts_vcard(), encoding="utf-8", newline="")
        return paths


class _Writer:
    """Adds messages to a chat at seeded times; keeps the specs in time order."""

    def __init__(self, rng: random.Random, chat: Chat) -> None:
        self.rng = rng
        self.chat = chat
        self.used: set[tuple[dt.datetime, str]] = set()

    def at(self, day: dt.date, hour: int, minute: int, sender: Person, body: str, label: Label | None = None) -> None:
        moment = dt.datetime.combine(day, dt.time(hour, minute))
        while (moment, sender.sender) in self.used:
            moment += dt.timedelta(minutes=1)
        self.used.add((moment, sender.sender))
        self.chat.specs.append(Spec(sender.sender, moment, body))
        if label is not None:
            self.chat.special[(moment, sender.sender)] = label

    def routine(self, texts: tuple[str, ...], senders: list[Person], days: int, per_day: tuple[int, int]) -> None:
        """`days` random working days of short exchanges from `texts` between `senders`."""
        chosen = sorted(self.rng.sample(range(DAYS), days))
        for offset in chosen:
            day = START + dt.timedelta(days=offset)
            if day.weekday() >= 5 and self.rng.random() < 0.7:
                continue
            hour = self.rng.randint(7, 20)
            minute = self.rng.randint(0, 40)
            for _ in range(self.rng.randint(*per_day)):
                text = self.rng.choice(texts).format(
                    t=self.rng.choice(_TOPICS), d=self.rng.choice(_DAYS), h=f"{self.rng.randint(9, 18)}:00"
                )
                self.at(day, hour, min(minute, 59), self.rng.choice(senders), text)
                minute += self.rng.randint(1, 6)
                if minute > 59:
                    hour, minute = min(hour + 1, 23), 0

    def done(self) -> Chat:
        self.chat.specs.sort(key=lambda spec: spec.at)
        return self.chat


def _people() -> dict[str, Person]:
    b, p, q = Label.BUSINESS, Label.PRIVATE, Label.PARTY
    return {
        "dg": Person("Pieter van Dam", "+31 6 20000001", b),
        "sg": Person("Chloë de Wit", "+31 6 20000002", b, listed_as="Chloe de Wit"),
        "spokesperson": Person("Jeroen Smit", "+31 6 20000003", b),
        "assistant": Person("Fatima el Amrani", "+31 6 20000004", b),
        "advisor": Person("Sanne Verbeek", "+31 6 20000005", b),
        "press": Person("Daan Koster", "+31 6 20000006", b),
        "lawyer1": Person("Ruud Jansen", "+31 6 20000007", b),
        "lawyer2": Person("Anouk Peters", "+31 6 20000008", b),
        "colleague": Person("Thomas Hendriks", "+31 6 20000009", b),
        "colleague2": Person("Ingrid Bos", "+31 6 20000010", b),
        "crisis1": Person("Kees Vermeulen", "+31 6 20000011", b),
        "crisis2": Person("Lotte Dijkstra", "+31 6 20000012", b),
        "spouse": Person("Mark Bakker", "+31 6 30000001", p, shown="Mark ❤️", listed_as="Mark ❤️"),
        "chair": Person("Henk Mulder", "+31 6 40000001", q),
        "member1": Person("Joke Brouwer", "+31 6 40000002", q),
        "member2": Person("Ahmed Yilmaz", "+31 6 40000003", q),
        "member3": Person("Wim de Groot", "+31 6 40000004", q),
        "member4": Person("Els van Leeuwen", "+31 6 40000005", q),
        "volunteer1": Person("Volunteer 1", "+31 6 50000001", None, shown="+31 6 50000001"),
        "volunteer2": Person("Volunteer 2", "+31 6 50000002", None, shown="+31 6 50000002"),
        "volunteer3": Person("Volunteer 3", "+31 6 50000003", None, shown="+31 6 50000003"),
        "journalist": Person("Journalist", "+31 6 60000001", None, shown="+31 6 60000001"),
    }


def _day(month: int, day: int) -> dt.date:
    return dt.date(2025, month, day)


def _business_chats(rng: random.Random, who: dict[str, Person]) -> list[Chat]:
    chats = []
    for key, days in (("dg", 90), ("sg", 70), ("spokesperson", 110)):
        person = who[key]
        writer = _Writer(rng, Chat(person.sender, Label.BUSINESS, [ME, person], False))
        writer.routine(_BUSINESS, [ME, person], days, (2, 6))
        chats.append(writer)
    # the spokesperson's birthday: the minister congratulates, the spokesperson thanks
    chats[2].at(_day(6, 3), 8, 2, ME, "Gefeliciteerd Jeroen! Fijne dag.", Label.PRIVATE)
    chats[2].at(_day(6, 3), 8, 10, who["spokesperson"], "Dank je wel!", Label.PRIVATE)
    journalist = _Writer(rng, Chat(who["journalist"].sender, Label.BUSINESS, [ME, who["journalist"]], False))
    journalist.at(
        _day(4, 14), 9, 15, who["journalist"], "Goedemorgen minister, kunt u reageren op het rapport over de jeugdzorg?"
    )
    journalist.at(_day(4, 14), 9, 40, ME, "Mijn woordvoerder neemt contact met u op.")
    chats.append(journalist)

    colleague = who["colleague"]
    writer = _Writer(rng, Chat(colleague.sender, Label.BUSINESS, [ME, colleague], False))
    writer.routine(_BUSINESS, [ME, colleague], 40, (2, 5))
    writer.at(_day(3, 11), 21, 5, colleague, "Sterkte morgen in het debat, Eva!", Label.PRIVATE)
    writer.at(_day(3, 11), 21, 12, ME, "Dank je, Thomas.", Label.PRIVATE)
    writer.at(_day(5, 14), 7, 55, colleague, "Hartelijk gefeliciteerd met je verjaardag! 🎉", Label.PRIVATE)
    writer.at(_day(5, 14), 8, 20, ME, "Dankjewel, lief dat je eraan denkt!", Label.PRIVATE)
    chats.append(writer)
    return [chat.done() for chat in chats]


def _business_groups(rng: random.Random, who: dict[str, Person]) -> list[Chat]:
    staff = [ME, who["dg"], who["assistant"], who["advisor"], who["press"]]
    writer = _Writer(rng, Chat("Staf minister", Label.BUSINESS, staff, True))
    writer.routine(_BUSINESS, staff, 150, (3, 8))
    writer.at(
        _day(9, 3),
        7,
        30,
        who["assistant"],
        "Eva, gecondoleerd met het overlijden van je vader. Veel sterkte de komende tijd.",
        Label.PRIVATE,
    )
    writer.at(_day(9, 3), 7, 41, who["advisor"], "Heel veel sterkte, Eva.", Label.PRIVATE)
    writer.at(_day(9, 3), 12, 3, ME, "Dank jullie wel, dat doet me goed.", Label.PRIVATE)
    writer.at(_day(10, 20), 9, 1, ME, "Sanne, van harte met jullie dochter! Geniet ervan.", Label.PRIVATE)
    chats = [writer]
    crisis = [ME, who["dg"], who["crisis1"], who["crisis2"], who["spokesperson"]]
    writer = _Writer(rng, Chat("Crisisteam hoogwater", Label.BUSINESS, crisis, True))
    writer.routine(_BUSINESS, crisis, 25, (4, 10))
    chats.append(writer)
    legal = [ME, who["lawyer1"], who["lawyer2"], who["sg"]]
    writer = _Writer(rng, Chat("Afdeling Juridische Zaken", Label.BUSINESS, legal, True))
    writer.routine(_BUSINESS, legal, 30, (2, 6))
    chats.append(writer)
    cabinet = [ME, who["colleague"], who["colleague2"]]
    writer = _Writer(rng, Chat("Bewindspersonen overleg", Label.BUSINESS, cabinet, True))
    writer.routine(_BUSINESS, cabinet, 45, (2, 6))
    chats.append(writer)
    return [chat.done() for chat in chats]


def _private_and_party(rng: random.Random, who: dict[str, Person]) -> list[Chat]:
    spouse = who["spouse"]
    writer = _Writer(rng, Chat(spouse.sender, Label.PRIVATE, [ME, spouse], False))
    writer.routine(_SPOUSE, [ME, spouse], 120, (2, 6))
    writer.at(_day(3, 11), 22, 30, spouse, "Sterkte morgen met het debat, je kunt het!")
    chats = [writer]
    party = [ME, who["chair"], who["member1"], who["member2"], who["member3"], who["volunteer1"]]
    writer = _Writer(rng, Chat("Utrecht e.o.", Label.PARTY, party, True))
    writer.routine(_PARTY_GROUP, party, 35, (2, 6))
    writer.at(_day(5, 14), 9, 0, who["member1"], "Gefeliciteerd Eva!")
    chats.append(writer)
    campaign = [ME, who["member4"], who["member2"], who["volunteer1"], who["volunteer2"], who["volunteer3"]]
    writer = _Writer(rng, Chat("Campagneteam TK2025", Label.PARTY, campaign, True))
    writer.routine(_CAMPAIGN, campaign, 40, (3, 8))
    chats.append(writer)
    chair = who["chair"]
    writer = _Writer(rng, Chat(chair.sender, Label.PARTY, [ME, chair], False))
    writer.routine(_PARTY_CHAIR, [ME, chair], 15, (2, 4))
    chats.append(writer)
    return [chat.done() for chat in chats]


def minister_year(seed: int = 16) -> MinisterYear:
    """The year, reproducible by `seed` (chats, texts and times vary; the scenario stays)."""
    rng = random.Random(seed)
    who = _people()
    chats = _business_chats(rng, who) + _business_groups(rng, who) + _private_and_party(rng, who)
    return MinisterYear(chats, list(who.values()))


# ---------------------------------------------------------------- evaluation against the truth


@dataclass
class Evaluation:
    """The rules' labels of a written year compared with its truth."""

    conversations: dict[str, tuple[Label, Label]]  # title -> (truth, predicted)
    messages: list[tuple[Label, Label]]  # every message with a sender: (truth, predicted)
    found_special: dict[tuple[str, dt.datetime, str], Label | None]  # truth's special messages -> predicted
    false_special: list[tuple[str, dt.datetime, str, Label]]  # predicted to differ, but do not

    def scores(self, pairs: list[tuple[Label, Label]]) -> dict[Label, tuple[float, float, int]]:
        """Per label: (precision, recall, support) over (truth, predicted) pairs."""
        result = {}
        for label in Label:
            predicted = sum(1 for _, p in pairs if p is label)
            actual = sum(1 for t, _ in pairs if t is label)
            right = sum(1 for t, p in pairs if t is label and p is label)
            result[label] = (right / predicted if predicted else 1.0, right / actual if actual else 1.0, actual)
        return result


def evaluate(year: MinisterYear, directory: str | Path) -> Evaluation:
    """Write the year, parse every export, label it with the rules and the contacts files alone."""
    from zoneinfo import ZoneInfo

    from chatarchief.core.contacts import read_contacts
    from chatarchief.core.formats import whatsapp
    from chatarchief.core.model import ParseOptions
    from chatarchief.core.rules.adapt import facts_from_conversation
    from chatarchief.core.rules.contact_book import ContactBook
    from chatarchief.core.rules.engine import classify_conversation

    directory = Path(directory)
    paths = year.write(directory)
    book = ContactBook(read_contacts(directory / "contacts.csv") + read_contacts(directory / "contacts.vcf"))
    zone = ZoneInfo("Europe/Amsterdam")
    truth = year.message_truth
    result = Evaluation({}, [], {key: None for key in truth}, [])
    for chat, path in zip(year.chats, paths, strict=True):
        conversation = whatsapp.parse(str(path), ParseOptions()).conversations[0]
        facts = facts_from_conversation(conversation, self_names=[SELF])
        label = classify_conversation(facts, book)
        result.conversations[chat.title] = (chat.label, label.label)
        differing = {item.message_id: item.label for item in label.messages}
        for message in facts.messages:
            local = message.sent_at.astimezone(zone).replace(tzinfo=None) if message.sent_at else None
            name = next((p.name for p in facts.participants if p.key == message.sender_key), "")
            key = (chat.title, local, name)
            predicted = differing.get(message.id, label.label)
            expected = truth.get(key, chat.label)  # type: ignore[arg-type]
            result.messages.append((expected, predicted))
            if key in truth:
                result.found_special[key] = differing.get(message.id)  # type: ignore[index]
            elif message.id in differing:
                result.false_special.append((*key, differing[message.id]))  # type: ignore[arg-type]
    return result
