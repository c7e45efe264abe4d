"""The rule set: the phrase lists compiled for speed, and the message-level rules.

Message-level rules, each named and versioned:

- `phrases.<list>` for every list with `@scope: message` (congratulations, condolences, support,
  personal_life, campaign, elections, party_bodies, and any a records manager adds): a message that
  contains a listed phrase gets the list's label and confidence; the strongest list wins.
- `context.reply`: a short thank-you (`thanks.txt`, at most `REPLY_MAX_WORDS` words) from another
  sender, within `REPLY_WINDOW` messages and `REPLY_HOURS` hours after a private or party message,
  shares that message's label ("Dank je wel!" after a birthday wish).

A million messages are scanned with one folded prefilter regex over all message lists (a trie, see
`phrases.compile_phrases`); only the rare message that passes it is tried list by list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from chatarchief.core.rules.labels import Label, MessageFacts, RuleHit
from chatarchief.core.rules.phrases import PhraseList, compile_phrases, load_phrase_lists
from chatarchief.core.rules.text import fold, strip_accents

REPLY_RULE = "context.reply"
REPLY_VERSION = "1"
REPLY_MAX_WORDS = 8
REPLY_WINDOW = 3
REPLY_HOURS = 12


@dataclass
class RuleSet:
    """Every phrase list, grouped by scope, with the compiled prefilter."""

    lists: dict[str, PhraseList]
    message_lists: list[PhraseList] = field(init=False)
    title_lists: list[PhraseList] = field(init=False)
    reply_lists: list[PhraseList] = field(init=False)

    def __post_init__(self) -> None:
        by_strength = sorted(self.lists.values(), key=lambda item: (-item.confidence, item.name))
        self.message_lists = [item for item in by_strength if item.scope == "message" and item.label is not None]
        self.title_lists = [item for item in by_strength if item.scope == "title" and item.label is not None]
        self.reply_lists = [item for item in by_strength if item.scope == "reply"]
        folded = [fold(p) for item in self.message_lists for p in item.phrases if not p.startswith("!")]
        self._prefilter = compile_phrases(folded) if folded else None
        self._any_exact = any(p.startswith("!") for item in self.message_lists for p in item.phrases)
        self._hit = lru_cache(maxsize=4096)(self._make_hit)

    @classmethod
    def load(cls, folders: Sequence[str | Path] = ()) -> RuleSet:
        """The package's phrase lists, extended by the lists in `folders` (see `phrases`)."""
        return cls(load_phrase_lists(folders))

    @property
    def fingerprint(self) -> str:
        """A short digest of every list's name and version: store it beside labels given with it."""
        text = "\n".join(f"{item.rule}@{item.version}" for item in self.lists.values())
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def _make_hit(self, name: str, phrase: str, label: Label | None = None) -> RuleHit:
        item = self.lists[name]
        nl, en = item.reason(phrase)
        if item.scope == "reply":
            return RuleHit(
                REPLY_RULE, f"{REPLY_VERSION}/{item.version}", label or Label.BUSINESS, item.confidence, nl, en
            )
        assert item.label is not None
        return RuleHit(item.rule, item.version, item.label, item.confidence, nl, en)

    def message_hit(self, text: str) -> RuleHit | None:
        """The strongest phrase rule that fires on this text, or None (most messages)."""
        if not text:
            return None
        folded = fold(text)
        if not self._any_exact and (self._prefilter is None or self._prefilter.search(folded) is None):
            return None
        stripped = strip_accents(text) if self._any_exact else None
        for item in self.message_lists:  # strongest list first
            phrase = item.search(folded, stripped)
            if phrase is not None:
                return self._hit(item.name, phrase)
        return None

    def title_hits(self, title: str) -> list[RuleHit]:
        """Every title list that fires on a conversation's name (one hit per list)."""
        folded, stripped = fold(title), strip_accents(title)
        hits = []
        for item in self.title_lists:
            phrase = item.search(folded, stripped)
            if phrase is not None:
                hits.append(self._hit(item.name, phrase))
        return hits

    def reply_hit(self, text: str, label: Label) -> RuleHit | None:
        """`context.reply` for a short text that is a thank-you, carrying `label`."""
        if not text or len(text.split()) > REPLY_MAX_WORDS:
            return None
        folded = fold(text)
        for item in self.reply_lists:
            phrase = item.search(folded, None)
            if phrase is not None:
                return self._hit(item.name, phrase, label)
        return None

    def message_hits(self, messages: Sequence[MessageFacts]) -> list[RuleHit | None]:
        """One entry per message: the phrase rule that fires on it, or a `context.reply` hit."""
        hits = [self.message_hit(message.text) for message in messages]
        if self.reply_lists:
            self._add_replies(messages, hits)
        return hits

    def _add_replies(self, messages: Sequence[MessageFacts], hits: list[RuleHit | None]) -> None:
        for index, hit in enumerate(hits):
            if hit is None or hit.rule == REPLY_RULE or hit.label is Label.BUSINESS:
                continue
            source = messages[index]
            for later in range(index + 1, min(index + 1 + REPLY_WINDOW, len(messages))):
                reply = messages[later]
                if hits[later] is not None or reply.sender_key == source.sender_key or not _close(source, reply):
                    continue
                found = self.reply_hit(reply.text, hit.label)
                if found is not None:
                    hits[later] = RuleHit(
                        found.rule,
                        found.version,
                        hit.label,
                        min(found.confidence, hit.confidence),
                        found.reason_nl,
                        found.reason_en,
                    )


def _close(first: MessageFacts, second: MessageFacts) -> bool:
    if first.sent_at is None or second.sent_at is None:
        return True
    return abs(second.sent_at - first.sent_at) <= dt.timedelta(hours=REPLY_HOURS)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The package's own lists, loaded once per process."""
    return RuleSet.load()
