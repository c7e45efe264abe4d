"""Seeded chat documents for the packaging tests and the redacted-PDF benchmark.

`generate_documents(n_messages, seed=...)` yields `ChatDocument`s of one conversation-day each
(about `per_day` messages: Dutch business chatter with phone numbers, e-mail addresses, names,
emoji, hostile markup, system events, edits and now and then a picture), and `redactions_for(doc)`
the redactions a Woo coordinator would typically make in it (names of private persons, phone numbers,
a whole message, a picture rectangle).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Iterator

from PIL import Image, ImageDraw

from chatarchief.core.packaging.document import (
    ChatAttachment,
    ChatDocument,
    ChatMessage,
    ChatVersion,
    MediaRedaction,
    MessageKind,
    MessageRedaction,
    Precision,
    Redaction,
    SenderRedaction,
    TextRedaction,
)

OFFICIAL = ("minister", "Minister R. de Vries")
PRIVATE = [("p1", "Sanne Bakker"), ("p2", "Joost van Dijk"), ("p3", "Fatima El Amrani"), ("p4", "Henk Smit")]
OFFICIALS = [("o1", "Staatssecretaris Y. Jansen"), ("o2", "DG M. Visser")]
SENTENCES = [
    "Goedemorgen, zie je de stukken voor het overleg van vanmiddag? 🙂",
    "Kun je {name} even bellen op {phone}? Het gaat over de Kamerbrief.",
    "Mail het concept naar {email}, dan kijk ik er vanavond naar.",
    "De coördinatie met Financiën loopt; besluit volgt dinsdag.",
    "<b>Let op</b>: de pers belt al & de woordvoerder weet van niets.",
    "Prima, doen we zo 👍",
    "Ik zit tot 15:00 in de ministerraad, daarna bereikbaar.",
    "Zijn rekening NL91ABNA0417164300 staat in de bijlage; niet doorsturen.",
    "Heb je het kenteken 12-BXF-3 doorgegeven aan de beveiliging?",
    "Dank voor de snelle reactie, {name}!",
]
PHONES = ["06-12345678", "+31 6 87654321", "020-5551234", "0612398745"]


def _picture(rng: random.Random) -> bytes:
    image = Image.new("RGB", (320, 240), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    ImageDraw.Draw(image).ellipse((60, 40, 260, 200), fill=(240, 240, 240))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _body(rng: random.Random) -> str:
    _key, name = rng.choice(PRIVATE)
    email = name.split()[0].lower() + "@example.nl"
    return rng.choice(SENTENCES).format(name=name, phone=rng.choice(PHONES), email=email)


def _message(rng: random.Random, index: int, at: dt.datetime, members: list[tuple[str, str]]) -> ChatMessage:
    key, name = rng.choice(members)
    message = ChatMessage(
        id=f"m{index}",
        sender=key,
        sender_name=name,
        sent_at=at,
        body=_body(rng),
        precision=Precision.MINUTE if index % 2 else Precision.SECOND,
        outgoing=key == OFFICIAL[0],
    )
    roll = rng.random()
    if roll < 0.03:
        message.kind = MessageKind.SYSTEM
        message.body = ""
        message.event_text = f"{name} heeft {rng.choice(PRIVATE)[1]} toegevoegd"
    elif roll < 0.06:
        message.kind = MessageKind.MEDIA
        message.attachments = [ChatAttachment(filename=f"IMG-{index}.jpg", mime_type="image/jpeg", data=_picture(rng))]
    elif roll < 0.10:
        message.versions = [ChatVersion(body=_body(rng), sent_at=at)]
        message.edited = True
    return message


def generate_documents(n_messages: int, *, seed: int = 1, per_day: int = 100) -> Iterator[ChatDocument]:
    """Conversation-day documents holding `n_messages` messages in all."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 3, 3, 7, 0, tzinfo=dt.UTC)
    made = 0
    day = 0
    while made < n_messages:
        count = min(per_day, n_messages - made)
        members = [OFFICIAL, *rng.sample(PRIVATE, 2), rng.choice(OFFICIALS)]
        messages = []
        for i in range(count):
            at = start + dt.timedelta(days=day, seconds=i * (12 * 3600 // max(count, 1)) + rng.randrange(60))
            messages.append(_message(rng, made + i, at, members))
        yield ChatDocument(
            title=f"Overleg {members[1][1]} en {members[3][1]}",
            number=f"{day + 1:04d}",
            time_zone="Europe/Amsterdam",
            messages=messages,
            holders=[OFFICIAL[1]],
            header_lines=["Woo-besluit 2025/17"],
            footer_lines=["Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"],
        )
        made += count
        day += 1


_PHONE_RE = re.compile("|".join(re.escape(p) for p in PHONES))


def redactions_for(doc: ChatDocument) -> list[Redaction]:
    """What a coordinator would black out: private senders, phone numbers, one message, picture parts."""
    private = {key for key, _name in PRIVATE}
    found: list[Redaction] = [SenderRedaction(key, "5.1.2e") for key in sorted(private)]
    for message in doc.messages:
        found.extend(TextRedaction(message.id, m.start(), m.end(), "5.1.2e") for m in _PHONE_RE.finditer(message.body))
        found.extend(
            MediaRedaction(message.id, i, "5.1.2e", (40, 30, 200, 120))
            for i, att in enumerate(message.attachments)
            if att.data
        )
    if doc.messages:
        found.append(MessageRedaction(doc.messages[len(doc.messages) // 2].id, "5.1.2i"))
    return found
