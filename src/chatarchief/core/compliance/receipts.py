"""The receipt's "what changed since the previous delivery of the same chats", in plain sentences.

Input: the delivery's counts (as the ingest reports them), the findings it raised (type, by) and the
periods no delivery covers. Output: one line per kind of change, each a sentence and what to do
about it, in Dutch and English. Acts by the custodian and by others are told apart: the instruction
binds the custodian; what others did needs no action from them. No message content, ever.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chatarchief.core.compliance.dates import human_date, local_date
from chatarchief.core.compliance.status import CUSTODIAN, OTHER, FindingFact

INFO, ATTENTION, BREACH = "info", "attention", "breach"


@dataclass(frozen=True)
class ReceiptFacts:
    counts: Mapping[str, int]  # messages, new, unchanged, enriched, deleted, edited, missing
    findings: Sequence[FindingFact] = ()  # the findings this delivery raised
    uncovered: Sequence[tuple[dt.datetime, dt.datetime]] = ()  # periods no delivery covers
    previous_at: dt.datetime | None = None  # the previous delivery of the same chats
    zone: str | None = None


@dataclass(frozen=True)
class ReceiptLine:
    code: str
    count: int
    severity: str  # info | attention | breach
    text: dict[str, str] = field(default_factory=dict)  # lang -> sentence
    advice: dict[str, str] = field(default_factory=dict)  # lang -> what to do ("" when nothing)

    def sentence(self, lang: str = "nl") -> tuple[str, str]:
        chosen = "nl" if lang.startswith("nl") else "en"
        return self.text[chosen], self.advice[chosen]


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _split(by: Counter[str]) -> tuple[str, str]:
    """', of which 2 by the custodian and 1 by others' in both languages."""
    parts_nl, parts_en = [], []
    if by[CUSTODIAN]:
        parts_nl.append(f"{by[CUSTODIAN]} door de functionaris")
        parts_en.append(f"{by[CUSTODIAN]} by the custodian")
    if by[OTHER]:
        parts_nl.append(f"{by[OTHER]} door anderen")
        parts_en.append(f"{by[OTHER]} by others")
    unknown = sum(by.values()) - by[CUSTODIAN] - by[OTHER]
    if unknown:
        parts_nl.append(f"{unknown} door onbekend")
        parts_en.append(f"{unknown} by someone the export does not name")
    if not parts_nl:
        return "", ""
    return " (" + ", ".join(parts_nl) + ")", " (" + ", ".join(parts_en) + ")"


# type -> (one nl, many nl, verb nl, one en, many en, verb en, advice nl, advice en)
ACTS = {
    "message_deleted": (
        "bericht",
        "berichten",
        "verwijderd",
        "message",
        "messages",
        "deleted",
        "Verwijder geen zakelijke berichten. Licht elke verwijdering door de functionaris toe bij de bevinding; "
        "het archief bewaart de tekst die het al had.",
        "Do not delete business messages. Explain every deletion by the custodian at the finding; the archive "
        "keeps the text it already had.",
    ),
    "message_edited": (
        "bericht",
        "berichten",
        "bewerkt",
        "message",
        "messages",
        "edited",
        "Bewerk geen zakelijke berichten maar stuur een nieuw bericht; het archief bewaart elke versie.",
        "Do not edit business messages; send a new message instead. The archive keeps every version.",
    ),
    "view_once": (
        "keer 'eenmalig bekijken'",
        "keer 'eenmalig bekijken'",
        "gebruikt",
        "view-once message",
        "view-once messages",
        "used",
        "Gebruik geen 'eenmalig bekijken' voor zakelijke stukken: wat eenmalig te zien was, is niet te archiveren.",
        "Do not use view-once for business material: what could be seen once cannot be archived.",
    ),
    "disappearing_enabled": (
        "keer verdwijnende berichten",
        "keer verdwijnende berichten",
        "aangezet",
        "time disappearing messages",
        "times disappearing messages",
        "switched on",
        "Zet verdwijnende berichten uit in elke zakelijke chat en lever daarna direct een export aan.",
        "Switch off disappearing messages in every business chat and hand in an export straight after.",
    ),
}


def _act_line(type_: str, facts: list[FindingFact]) -> ReceiptLine:
    one_nl, many_nl, verb_nl, one_en, many_en, verb_en, advice_nl, advice_en = ACTS[type_]
    by = Counter(f.by for f in facts)
    count = len(facts)
    split_nl, split_en = _split(by)
    text_nl = f"{_n(count, one_nl, many_nl)} {verb_nl}{split_nl}."
    text_en = f"{_n(count, one_en, many_en)} {verb_en}{split_en}."
    if type_ == "view_once":
        text_nl = f"{count} {one_nl} {verb_nl}{split_nl}."
    if type_ == "disappearing_enabled":
        text_nl = f"{count} {one_nl} {verb_nl}{split_nl}."
        text_en = f"Disappearing messages switched on {_n(count, 'time', 'times')}{split_en}."
    severity = BREACH if by[CUSTODIAN] else ATTENTION
    return ReceiptLine(type_, count, severity, {"nl": text_nl, "en": text_en}, {"nl": advice_nl, "en": advice_en})


def what_changed(facts: ReceiptFacts) -> list[ReceiptLine]:
    """The receipt's lines, most important first: breaches, then things to look at, then information."""
    lines: list[ReceiptLine] = [_opening(facts)]
    by_type: dict[str, list[FindingFact]] = {}
    for finding in facts.findings:
        by_type.setdefault(finding.type, []).append(finding)
    lines += [_act_line(type_, by_type[type_]) for type_ in ACTS if by_type.get(type_)]
    if count := len(by_type.get("disappearing_disabled", [])):
        lines.append(
            _info(
                "disappearing_disabled",
                count,
                f"{count} keer verdwijnende berichten uitgezet.",
                f"Disappearing messages switched off {_n(count, 'time', 'times')}.",
            )
        )
    missing = facts.counts.get("missing", 0) or len(by_type.get("message_missing", []))
    if missing:
        lines.append(_vanished(missing))
    lines += [_uncovered(start, end, facts.zone) for start, end in facts.uncovered]
    if count := len(by_type.get("sms_used", [])):
        lines.append(
            _info(
                "sms_used",
                count,
                f"Sms gebruikt in {_n(count, 'gesprek', 'gesprekken')}.",
                f"SMS used in {_n(count, 'conversation', 'conversations')}.",
                "Ook zakelijke sms'jes worden bewaard: lever ze mee aan bij elke borging.",
                "Business text messages are kept too: hand them in at every securing.",
            )
        )
    if len(lines) == 1 and facts.previous_at is not None:
        lines.append(
            _info(
                "nothing_changed",
                0,
                "Geen verwijderde, bewerkte of verdwenen berichten sinds de vorige aanlevering.",
                "No deleted, edited or vanished messages since the previous delivery.",
            )
        )
    order = {BREACH: 0, ATTENTION: 1, INFO: 2}
    return [lines[0], *sorted(lines[1:], key=lambda line: order[line.severity])]


def _info(code: str, count: int, nl: str, en: str, advice_nl: str = "", advice_en: str = "") -> ReceiptLine:
    return ReceiptLine(code, count, INFO, {"nl": nl, "en": en}, {"nl": advice_nl, "en": advice_en})


def _opening(facts: ReceiptFacts) -> ReceiptLine:
    new = facts.counts.get("new", 0)
    total = facts.counts.get("messages", 0)
    if facts.previous_at is None:
        return ReceiptLine(
            "first_delivery",
            total,
            INFO,
            {
                "nl": f"Eerste aanlevering van deze chats: {_n(total, 'bericht', 'berichten')} veiliggesteld.",
                "en": f"First delivery of these chats: {_n(total, 'message', 'messages')} secured.",
            },
            {"nl": "", "en": ""},
        )
    since_nl = human_date(local_date(facts.previous_at, facts.zone), "nl")
    since_en = human_date(local_date(facts.previous_at, facts.zone), "en")
    return ReceiptLine(
        "new_messages",
        new,
        INFO,
        {
            "nl": f"{_n(new, 'nieuw bericht', 'nieuwe berichten')} sinds de vorige aanlevering van {since_nl}.",
            "en": f"{_n(new, 'new message', 'new messages')} since the previous delivery of {since_en}.",
        },
        {"nl": "", "en": ""},
    )


def _vanished(count: int) -> ReceiptLine:
    return ReceiptLine(
        "message_missing",
        count,
        ATTENTION,
        {
            "nl": f"{_n(count, 'eerder aangeleverd bericht ontbreekt', 'eerder aangeleverde berichten ontbreken')} in deze export.",
            "en": f"{_n(count, 'message handed in before is', 'messages handed in before are')} missing from this export.",
        },
        {
            "nl": "Het archief bewaart ze. Controleer of verdwijnende berichten aan staan en verwijder geen "
            "berichten 'voor mij'.",
            "en": "The archive keeps them. Check whether disappearing messages are on, and do not delete "
            "messages 'for me'.",
        },
    )


def _uncovered(start: dt.datetime, end: dt.datetime, zone: str | None) -> ReceiptLine:
    days = max(1, round((end - start).total_seconds() / 86400))
    first = local_date(start, zone)
    last = local_date(end, zone)
    return ReceiptLine(
        "period_not_covered",
        days,
        ATTENTION,
        {
            "nl": f"Van {human_date(first, 'nl')} tot {human_date(last, 'nl')} is niet gedekt door een aanlevering.",
            "en": f"From {human_date(first, 'en')} to {human_date(last, 'en')} is not covered by any delivery.",
        },
        {
            "nl": "Lever een export aan die deze periode bevat (de hele chat, niet alleen de laatste berichten).",
            "en": "Hand in an export that holds this period (the whole chat, not only the latest messages).",
        },
    )


def uncovered_periods(
    spans: Sequence[tuple[dt.datetime, dt.datetime]], minimum: dt.timedelta = dt.timedelta(days=1)
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The holes, at least `minimum` long, between the time spans the deliveries of one chat cover."""
    holes = []
    covered_to: dt.datetime | None = None
    for start, end in sorted(spans):
        if covered_to is not None and start - covered_to >= minimum:
            holes.append((covered_to, start))
        covered_to = end if covered_to is None else max(covered_to, end)
    return holes
