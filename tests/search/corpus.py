"""Seeded Dutch chat text with a Zipf-like vocabulary, for search tests and the search benchmark.

`Corpus(seed)` draws words by rank with probability ~ 1/rank**1.05 from a vocabulary of common
Dutch chat and government words (stop words first, some with diacritics) followed by a long tail of
generated Dutch-looking words, so common terms are very common and tail terms rare. A few fixed
phrases ("minister van financiën", ...) are mixed into some messages.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect

COMMON = (
    "de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om "
    "hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar naar "
    "heb hoe heeft hebben deze u want nog zal me zij nu geen omdat iets worden toch al waren veel "
    "meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd altijd wordt "
    "kunnen ons zelf tegen na wil kon niets uw iemand geweest andere oké graag dank goed prima "
    "morgen vandaag gisteren straks later even snel bellen gebeld overleg vergadering vergaderingen "
    "vergaderen agenda stuk stukken notitie nota advies besluit besluiten minister ministers "
    "staatssecretaris kamer kamerbrief kamerbrieven kamervragen debat woo verzoek verzoeken "
    "coördinatie financiën begroting gemeente gemeenten provincie regio crisis crisisteam beleid "
    "planning afspraak afspraken concept versie akkoord reactie pers persbericht media woordvoering "
    "ideeën reële café één twee drie week maand jaar uur kwartier ochtend middag avond zo snel "
    "mogelijk belangrijk punt punten voorstel voorstellen kabinet ministerie directie team collega "
    "collega's bericht berichten mail mailtje document documenten bijlage bijlagen tekst teksten "
    "vraag vragen antwoord antwoorden informatie gesprek gesprekken afstemming afgestemd geregeld"
).split()
_ONSETS = ("b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "st", "sp", "kr", "br", "gr", "pl")
_VOWELS = ("a", "e", "i", "o", "u", "aa", "ee", "oo", "ie", "ij", "ou", "ui", "eu", "oe")
_CODAS = ("", "n", "r", "l", "k", "t", "s", "m", "ng", "cht", "rd", "lt")
_SUFFIXES = ("", "", "en", "ing", "heid", "lijk", "tje", "s", "e")
PHRASES = ("minister van financiën", "de coördinatie van de crisis", "woo verzoek over de begroting")
TAIL_SIZE = 60_000
EXPONENT = 1.05


def tail_words(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    seen = set(COMMON)
    out: list[str] = []
    syllables = [o + v + c for o, v, c in itertools.product(_ONSETS, _VOWELS, _CODAS)]
    while len(out) < count:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))) + rng.choice(_SUFFIXES)
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


class Corpus:
    def __init__(self, seed: int = 7, tail: int = TAIL_SIZE) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = COMMON + tail_words(tail, seed)
        total = 0.0
        self.cumulative = []
        for rank in range(1, len(self.vocabulary) + 1):
            total += 1 / rank**EXPONENT
            self.cumulative.append(total)
        self.total = total

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)

    def message(self) -> str:
        length = min(40, 1 + int(self.rng.expovariate(1 / 9)))
        words = self.words(length)
        if self.rng.random() < 0.01:
            words.insert(self.rng.randint(0, len(words)), self.rng.choice(PHRASES))
        if words:
            words[0] = words[0].capitalize()
        return " ".join(words)

    def rank_of(self, word: str) -> int:
        return self.vocabulary.index(word) + 1

    def word_at_share(self, share: float) -> str:
        """The word whose rank makes it about `share` of all drawn words."""
        return self.vocabulary[
            min(len(self.vocabulary) - 1, bisect(self.cumulative, 0) + int(1 / (share * self.total)))
        ]
