"""A ministry for the scale benchmark (issue 20): many custodians, each with one-to-one chats of their
own and group chats shared with colleagues, exporting every chat every month as WhatsApp does (each
export repeats the whole chat so far: most of a month-end burst is history the archive holds).

Chat sizes are heavy-tailed (log-normal messages per month: most chats quiet, a few very busy).
Deterministic for a seed. `Ministry.month_exports(m, folder)` writes month m's exports and returns
(custodian slug, path, messages in the file).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

WORDS = (
    "kamerbrief nota besluit overleg minister planning begroting wetsvoorstel advies reactie vandaag morgen "
    "graag akkoord bellen stukken debat persbericht agenda vragen antwoord conceptversie termijn"
).split()


@dataclass
class Chat:
    key: str
    title: str
    members: list[str]  # custodian slugs that export it
    people: list[str]  # names that write in it
    per_month: int
    lines: list[str] = field(default_factory=list)  # the chat so far


@dataclass
class Ministry:
    custodians: list[str]
    chats: list[Chat]
    start: dt.date
    seed: int

    def _grow(self, chat: Chat, month: int, rng: random.Random) -> None:
        first = (self.start.replace(day=1) + dt.timedelta(days=31 * month)).replace(day=1)
        minutes = sorted(rng.randrange(0, 27 * 24 * 60) for _ in range(chat.per_month))
        for n, minute in enumerate(minutes):
            at = dt.datetime.combine(first, dt.time()) + dt.timedelta(minutes=minute)
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14)))
            chat.lines.append(f"{at:%d-%m-%Y %H:%M} - {rng.choice(chat.people)}: {words} ({chat.key} {month}.{n})")

    def month_exports(self, month: int, folder: Path) -> list[tuple[str, Path, int]]:
        rng = random.Random(f"{self.seed}-{month}")
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for chat in self.chats:
            self._grow(chat, month, rng)
            text = "\n".join(chat.lines) + "\n"
            for slug in chat.members:
                path = folder / slug / f"WhatsApp-chat met {chat.title}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                out.append((slug, path, len(chat.lines)))
        return out


def ministry(
    custodians: int = 3000,
    *,
    personal_chats: int = 3,
    groups: int | None = None,
    messages_per_chat_month: float = 120.0,
    seed: int = 20,
) -> Ministry:
    """`custodians` officials; each has `personal_chats` one-to-one chats; `groups` group chats
    (default a third of the custodians) each shared by 2-8 of them. Messages per chat and month are
    log-normal around `messages_per_chat_month`."""
    rng = random.Random(seed)
    slugs = [f"functionaris-{n:05d}" for n in range(custodians)]
    chats: list[Chat] = []

    def size() -> int:
        return max(1, int(rng.lognormvariate(math.log(messages_per_chat_month) - 0.5, 1.0)))

    for slug in slugs:
        for p in range(personal_chats):
            other = f"Contact {slug[-5:]}-{p}"
            chats.append(Chat(f"{slug}-p{p}", other, [slug], [f"Functionaris {slug[-5:]}", other], size()))
    for g in range(groups if groups is not None else max(1, custodians // 3)):
        members = rng.sample(slugs, k=min(len(slugs), rng.randint(2, 8)))
        people = [f"Functionaris {m[-5:]}" for m in members] + [f"Medewerker {g}-{k}" for k in range(3)]
        chats.append(Chat(f"groep-{g}", f"Werkgroep {g}", members, people, size() * 2))
    return Ministry(slugs, chats, dt.date(2026, 1, 1), seed)
