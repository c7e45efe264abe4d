"""SMS Backup & Restore (SyncTech) XML backups: `<smses>` with `<sms>` and `<mms>` elements.

The file is streamed (defusedxml iterparse via `core.safety`, elements cleared as they are read), so a
backup of a gigabyte with embedded MMS media does not have to fit in memory; MMS media are decoded
and spilled to `options.workdir` (kept in memory only when no workdir is given).

Threads: a conversation is the set of addresses other than the phone's owner, normalised to
"+<digits>" (numbers without a country code read in region NL), key ``"sms:" + ",".join(sorted(...))``.
The owner's own number is learnt from the From address of sent MMS; until then (and in SMS-only
backups) the owner is the participant ``"self"``.

A calls-only backup (`<calls>`) is detected as this format so that the user gets a clear message, but
`parse()` refuses it with `sms.calls_only`: it holds no messages.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import read_head, register
from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.sms.records import (
    Record,
    RecordError,
    attr,
    int_attr,
    make_sink,
    mms_record,
    sms_record,
)
from chatarchief.core.model import Channel, Conversation, Export, ParseOptions, Participant
from chatarchief.core.safety import parse_xml_stream

NAME = "sms_backup_restore"
SELF_KEY = "self"
_HEAD = 1024
_ROOT = re.compile(rb"<\s*(smses|calls)[\s>/]")
_PROGRESS_EVERY = 2000


def detect(path: str) -> bool:
    """True for an XML file whose root (within the first KB) is `<smses>` (or `<calls>`, see module doc)."""
    try:
        if not os.path.isfile(path):
            return False
        head = read_head(path, _HEAD)
    except OSError:
        return False
    return _root_of(head) is not None


def _root_of(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        return None
    found = _ROOT.search(text)
    return found.group(1).decode() if found else None


@register(name=NAME, channel=Channel.SMS, label="SMS Backup & Restore (XML)", detect=detect)
def parse(path: str, options: ParseOptions) -> Export:
    shown = options.source_name or os.path.basename(path)
    try:
        total = os.path.getsize(path)
        handle = open(path, "rb")  # closed by the with-block below; streamed
    except OSError as exc:
        raise FormatError(
            "sms.unreadable",
            nl=f"Het bestand kan niet worden gelezen ({exc.strerror}).",
            en=f"The file cannot be read ({exc.strerror}).",
            file=shown,
        ) from None
    with handle:
        _check_root(_root_of(handle.read(_HEAD)), shown)
        handle.seek(0)
        builder = _Builder(shown, options)
        try:
            for _event, element in parse_xml_stream(handle, shown):
                counted = builder.feed(element)
                if counted and options.progress and builder.seen % _PROGRESS_EVERY == 0:
                    options.progress(handle.tell(), total)
        except LookupError as exc:  # expat: an encoding declaration Python does not know
            raise FormatError(
                "xml.bad_encoding",
                nl=f"Het XML-bestand noemt een onbekende tekenset ({exc}).",
                en=f"The XML file declares an unknown encoding ({exc}).",
                file=shown,
            ) from None
        except OSError as exc:
            raise FormatError(
                "sms.unreadable",
                nl=f"Het bestand kan niet verder worden gelezen ({exc.strerror}).",
                en=f"The file cannot be read any further ({exc.strerror}).",
                file=shown,
            ) from None
    if options.progress:
        options.progress(total, total)
    return builder.export()


def _check_root(root: str | None, shown: str) -> None:
    if root == "smses":
        return
    if root == "calls":
        raise FormatError(
            "sms.calls_only",
            nl="Dit is een oproeplijst van SMS Backup & Restore (<calls>), geen berichtenback-up; er staan geen berichten in.",
            en="This is an SMS Backup & Restore call log (<calls>), not a message backup; it holds no messages.",
            file=shown,
        )
    raise FormatError(
        "sms.not_smses",
        nl="Dit is geen back-up van SMS Backup & Restore (het XML-element <smses> ontbreekt).",
        en="This is not an SMS Backup & Restore backup (the XML element <smses> is missing).",
        file=shown,
    )


class _Builder:
    """Collects records while streaming; groups them into threads once the owner's number is known."""

    def __init__(self, shown: str, options: ParseOptions) -> None:
        self.shown = shown
        self.media = make_sink(options.workdir)
        self.records: list[Record] = []
        self.defects = DefectSink(shown, strict=options.strict, lines=False)
        self.root: dict[str, Any] = {}
        self.seen = 0

    def feed(self, element: Any) -> bool:
        """Take one finished element; True when it was a message (`<sms>`/`<mms>`)."""
        tag = element.tag
        if tag in ("sms", "mms"):
            self.seen += 1
            self._add(element)
            element.clear()
            return True
        if tag == "smses":
            self.root = {
                "count": int_attr(element, "count"),
                "backup_date": int_attr(element, "backup_date"),
                "backup_set": attr(element, "backup_set"),
                "type": attr(element, "type"),
            }
            element.clear()
        return False

    def _add(self, element: Any) -> None:
        problems: list[RecordError] = []
        try:
            if element.tag == "sms":
                record = sms_record(element, len(self.records))
            else:
                record = mms_record(element, len(self.records), self.media, problems)
        except RecordError as error:
            problems.append(error)
            record = None
        for problem in problems:
            self.defects.add(problem.code, 0, "", problem.en, nl=problem.nl, en=problem.en)
        if record is not None:
            self.records.append(record)

    def export(self) -> Export:
        own = _own_numbers(self.records)
        me = Participant(
            key=own[0] if own else SELF_KEY,
            name=own[0] if own else SELF_KEY,
            phone=own[0] if own else None,
            is_self=True,
        )
        conversations = _threads(self.records, set(own), me)
        count = self.root.get("count")
        if count is not None and count != self.seen:
            self.defects.add(
                "sms.count_mismatch",
                0,
                "",
                f"The backup says it holds {count} messages, {self.seen} were found.",
                nl=f"De back-up zegt {count} berichten te bevatten, er zijn er {self.seen} gevonden.",
            )
        metadata = {k: v for k, v in self.root.items() if v is not None}
        if len(own) > 1:
            metadata["own_numbers"] = own
        return Export(
            format=NAME,
            channel=Channel.SMS,
            source_name=self.shown,
            conversations=conversations,
            defects=self.defects.finish(),
            platform="android",
            created_at_ms=self.root.get("backup_date"),
            self_participant=me,
            metadata=metadata,
        )


def _own_numbers(records: list[Record]) -> list[str]:
    """The owner's numbers (From of sent MMS), most used first."""
    counts = Counter(r.own_number for r in records if r.own_number)
    return [number for number, _ in counts.most_common()]


def _threads(records: list[Record], own: set[str], me: Participant) -> list[Conversation]:
    by_key: dict[tuple[str, ...], Conversation] = {}
    for record in records:
        addresses = record.thread if record.thread is not None else record.pool
        others = tuple(sorted(a for a in addresses if a not in own)) or ("unknown",)
        conversation = by_key.get(others)
        if conversation is None:
            conversation = Conversation(
                key="sms:" + ",".join(others),
                title="",
                channel=Channel.SMS,
                is_group=len(others) > 1,
                participants=[me],
            )
            by_key[others] = conversation
        message = record.message
        if message.outgoing:
            message.sender = me.key
        elif message.sender in own:  # an incoming MMS cannot come from the owner; keep it readable
            message.sender = me.key
        message.sender_name = record.names.get(message.sender or "") if message.sender != me.key else me.name
        _note_participants(conversation, record, message.sender, own | {me.key})
        if not conversation.title and record.contact_name:
            conversation.title = record.contact_name
        conversation.messages.append(message)
    for others, conversation in by_key.items():
        conversation.title = conversation.title or ", ".join(others)
    return list(by_key.values())


def _note_participants(conversation: Conversation, record: Record, sender: str | None, own: set[str]) -> None:
    known = {p.key: p for p in conversation.participants}
    addresses = list(record.thread if record.thread is not None else record.pool)
    if sender and sender not in addresses:
        addresses.append(sender)
    for address in addresses:
        if address in own:
            continue
        name = record.names.get(address)
        participant = known.get(address)
        if participant is None:
            participant = Participant(
                key=address,
                name=name or address,
                phone=address if address.startswith("+") else None,
            )
            conversation.participants.append(participant)
            known[address] = participant
        elif name and participant.name == address:
            participant.name = name
