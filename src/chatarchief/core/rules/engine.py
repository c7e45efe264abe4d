"""Classify a conversation: conversation-level rules, combined, and the messages that differ.

Conversation-level rules, each named and versioned (see docs/classification.md):

- `contacts.one_to_one`: a 1:1 chat with a contact gets the contact's category (by phone number or
  id 0.95, by display name 0.85; where the export shows no other sender, the chat's name, which is
  the contact's saved name, is matched).
- `contacts.group_members`: a group where most (more than half) of the members other than the
  custodian are contacts of one category gets that category (confidence 0.55 + 0.4 x share).
- `phrases.<list>` for every `@scope: title` list: the chat's name names a party, a party group or
  a private group.
- `content.share`: at least `SHARE_MIN_MESSAGES` messages and `SHARE_MIN` of the text messages are
  private (or party) by the message rules: the conversation is (confidence 0.5 + 0.5 x share, at
  most 0.9).
- `default.business`: no rule fired. On a business phone the presumption is business, with a
  doubtful confidence (0.6), so the stand-up sees the conversation once.

Combining: the hits of one label reinforce each other (1 - (1-c1)(1-c2)..., at most 0.99); the
label with the highest combined score wins, and a competing label lowers the confidence by half
its score: c = c_win x (1 - c_other / 2). Every hit is kept on the result, strongest first.

Messages: inside a conversation labelled business (or decided business by a person, see
`decided_label`), every message whose own rule gives private or party is listed with that rule.
A private or party conversation leaves the archive whole, so its messages get no label of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from chatarchief.core.rules.contact_book import ContactBook, Match
from chatarchief.core.rules.labels import (
    ConversationFacts,
    ConversationLabel,
    Label,
    MessageLabel,
    ParticipantFacts,
    RuleHit,
)
from chatarchief.core.rules.ruleset import RuleSet, default_rules

ONE_TO_ONE = ("contacts.one_to_one", "1")
GROUP_MEMBERS = ("contacts.group_members", "1")
CONTENT_SHARE = ("content.share", "1")
DEFAULT = ("default.business", "1")
SHARE_MIN_MESSAGES = 3
SHARE_MIN = 0.3

_CATEGORY_NL = {Label.BUSINESS: "zakelijk", Label.PRIVATE: "privé", Label.PARTY: "partij"}
_CATEGORY_EN = {Label.BUSINESS: "business", Label.PRIVATE: "private", Label.PARTY: "party"}
_BY_NL = {"phone": "telefoonnummer", "id": "Signal/Telegram-id", "name": "naam", "title": "naam van de chat"}
_BY_EN = {"phone": "phone number", "id": "Signal/Telegram id", "name": "name", "title": "chat name"}


def classify_conversation(
    facts: ConversationFacts,
    book: ContactBook | None = None,
    rules: RuleSet | None = None,
    *,
    decided_label: Label | None = None,
) -> ConversationLabel:
    """The rules' label of one conversation, with every rule that fired and the messages that differ.

    `decided_label`: the conversation's label as a person decided it, if any; messages are then
    compared with that instead of with the rules' label.
    """
    book = book if book is not None else ContactBook()
    rules = rules if rules is not None else default_rules()
    message_hits = rules.message_hits(facts.messages)
    hits = conversation_hits(facts, book, rules, message_hits)
    label, confidence = combine(hits)
    result = ConversationLabel(facts.id, label, confidence, hits)
    if (decided_label or label) is Label.BUSINESS:
        result.messages = [
            MessageLabel(message.id, hit.label, hit.confidence, hit)
            for message, hit in zip(facts.messages, message_hits, strict=True)
            if hit is not None and hit.label is not Label.BUSINESS
        ]
    return result


def conversation_hits(
    facts: ConversationFacts, book: ContactBook, rules: RuleSet, message_hits: Sequence[RuleHit | None]
) -> list[RuleHit]:
    """Every conversation-level rule that fires, strongest first; `default.business` if none does."""
    hits: list[RuleHit] = []
    matches = {p.key: book.match(p) for p in facts.participants if not p.is_self}
    if facts.is_group:
        hits += _group_members(facts.others(), matches)
    else:
        hits += _one_to_one(facts, book, matches)
    hits += rules.title_hits(facts.title)
    hits += _content_share(facts, message_hits)
    if not hits:
        hits.append(
            RuleHit(
                *DEFAULT,
                Label.BUSINESS,
                0.6,
                "Geen regel wijst op privé of partijpolitiek; op een zakelijke telefoon is zakelijk het uitgangspunt",
                "No rule points at private or party-political; on a business phone business is the presumption",
            )
        )
    hits.sort(key=lambda hit: -hit.confidence)
    return hits


def combine(hits: Sequence[RuleHit]) -> tuple[Label, float]:
    """The winning label and its confidence (see the module's docstring)."""
    scores: dict[Label, float] = {}
    for hit in hits:
        scores[hit.label] = 1 - (1 - scores.get(hit.label, 0.0)) * (1 - hit.confidence)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], list(Label).index(item[0])))
    label, score = ranked[0]
    score = min(score, 0.99)
    if len(ranked) > 1:
        score *= 1 - ranked[1][1] / 2
    return label, round(score, 3)


def _one_to_one(facts: ConversationFacts, book: ContactBook, matches: dict[str, Match | None]) -> list[RuleHit]:
    found = [match for match in matches.values() if match is not None]
    if not found:  # a 1:1 chat is named after the other person, as the phone saved them
        by_title = book.match_name(facts.title)
        if by_title is not None:
            found = [Match(by_title.contact, "title")]
    categories = {match.contact.category for match in found}
    if len(categories) != 1:
        return []  # no contact, or contradicting ones: another rule decides
    match = found[0]
    label = match.contact.category
    confidence = 0.95 if match.by in ("phone", "id") else 0.85
    return [
        RuleHit(
            *ONE_TO_ONE,
            label,
            confidence,
            f"1-op-1-chat met een contact in de categorie {_CATEGORY_NL[label]} (herkend aan {_BY_NL[match.by]})",
            f"One-to-one chat with a contact in the category {_CATEGORY_EN[label]} (matched by {_BY_EN[match.by]})",
        )
    ]


def _group_members(members: list[ParticipantFacts], matches: dict[str, Match | None]) -> list[RuleHit]:
    if not members:
        return []
    counts = Counter(match.contact.category for match in matches.values() if match is not None)
    for label, count in counts.most_common():
        share = count / len(members)
        if share > 0.5:
            return [
                RuleHit(
                    *GROUP_MEMBERS,
                    label,
                    round(0.55 + 0.4 * share, 3),
                    f"{count} van de {len(members)} leden van de groep zijn contacten in de categorie {_CATEGORY_NL[label]}",
                    f"{count} of the group's {len(members)} members are contacts in the category {_CATEGORY_EN[label]}",
                )
            ]
    return []


def _content_share(facts: ConversationFacts, message_hits: Sequence[RuleHit | None]) -> list[RuleHit]:
    texts = sum(1 for message in facts.messages if message.text)
    if not texts:
        return []
    counts = Counter(hit.label for hit in message_hits if hit is not None and hit.label is not Label.BUSINESS)
    hits = []
    for label, count in counts.items():
        share = count / texts
        if count >= SHARE_MIN_MESSAGES and share >= SHARE_MIN:
            hits.append(
                RuleHit(
                    *CONTENT_SHARE,
                    label,
                    round(min(0.9, 0.5 + 0.5 * share), 3),
                    f"{count} van de {texts} berichten zijn volgens de berichtregels {_CATEGORY_NL[label]}",
                    f"{count} of the {texts} messages are {_CATEGORY_EN[label]} by the message rules",
                )
            )
    return hits
