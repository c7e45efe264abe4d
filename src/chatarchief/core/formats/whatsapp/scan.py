"""The hot loop: one compiled header regex over a whole decoded chunk, one Message per header.

The regex starts with a literal newline (the text is fed with a leading one), which lets the regex
engine skip to candidate line starts instead of trying every position. Everything between two
header matches belongs to the first: the rest of its line and all continuation lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import add, is_
from typing import Any

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.defects import DefectSink
from chatarchief.core.formats.whatsapp.clock import Clock, detect_order
from chatarchief.core.formats.whatsapp.content import BIDI, EXACT, Content, classify, normalise, system_event
from chatarchief.core.model import Kind, Message, MessageColumns, SystemEvent

_MARKS = "[\u200e\u200f\ufeff]*"  # bidi marks, and a byte-order mark some tools put before every line
_DATE = r"\d{1,4}[\u200e\u200f]?[-/.][\u200e\u200f]?\d{1,2}[\u200e\u200f]?[-/.][\u200e\u200f]?(?:[RHSTM]\d{1,2}|\d{1,4})(?: BE)?"
# Possessive quantifiers (`++`, `?+`): what a date or time part matched is never given back, which
# spares the regex engine the backtracking on every header line (the split is 14 % faster).
_SIMPLE_DATE = r"\d{1,4}+[-/.]\d{1,2}+[-/.]\d{1,4}+"
_TIME = r"\d{1,2}+[:.]\d{2}+(?:[:.]\d{2})?+(?:[ \u00a0\u202f]?+(?:[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?|[\u0635\u0645]))?+"
# Every header pattern has four groups: the whole header, the timestamp, the date, the time.
DATE_FIRST = re.compile(
    rf"\n({_MARKS}\[?{_MARKS}(({_DATE})[,\u060c]?[ \u00a0](?:klo )?({_TIME}))(?:\][ \u00a0]|[ \u00a0][-\u2013][ \u00a0]))"
)
TIME_FIRST = re.compile(rf"\n({_MARKS}\[{_MARKS}(({_TIME}),? ({_DATE}))\][ \u00a0])")  # date and time swapped
# Before 2017: `12/03/16 14:04:10: Bob: text` (no brackets, no dash; seconds, then a colon).
_SECONDS = r"\d{1,2}+[:.]\d{2}+[:.]\d{2}+(?:[ \u00a0\u202f]?+(?:[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?))?+"
LEGACY = re.compile(rf"\n({_MARKS}(({_DATE}),?[ \u00a0]({_SECONDS})):[ \u00a0])")
ANDROID = re.compile(rf"\n((({_SIMPLE_DATE}),? ({_TIME})) - )")
IOS = re.compile(rf"\n(\u200e?\[(({_SIMPLE_DATE}),? ({_TIME}))\] )")
_HINT_MARKS = re.compile("[\u200e\u200f\u202a<]|://")
_HINT_CHAR = re.compile("[\u200e\u200f\u202a<(:]")  # one character class: a much faster search
# With none of the marks above, a body that holds "(" can be special only as an Android attachment
# ("NAME (file attached)") or an omitted document ("... document weggelaten"): `content.classify`
# has no other form without them. Plain texts with brackets are common; classifying each is not.
_PAREN_WORDS = ("attached)", "bijgevoegd)", "omitted", "weggelaten")


def _hinted(body: str) -> bool:
    """Whether a body may be special (a superset: `content.classify` decides)."""
    if _HINT_MARKS.search(body) is not None:
        return True
    return "(" in body and any(word in body for word in _PAREN_WORDS)


NOBODY: tuple[None, None] = (None, None)  # a "sender" that turned out to be system text
_PHONE = re.compile(r"^\+?[\d ()\-]{6,}$")
_MAX_SENDER = 120


def choose_header(sample: str) -> re.Pattern[str]:
    """The header regex that fits the first part of a file best (a narrow one when it finds as much)."""
    text = "\n" + sample

    def count(pattern: re.Pattern[str]) -> int:
        return sum(1 for _ in pattern.finditer(text))

    generic = count(DATE_FIRST)
    if count(TIME_FIRST) > generic:
        return TIME_FIRST
    if count(LEGACY) > generic:
        return LEGACY
    for narrow in (ANDROID, IOS):
        if generic and count(narrow) == generic:
            return narrow
    return DATE_FIRST


def order_from_sample(pattern: re.Pattern[str], sample: str) -> str:
    seen: dict[str, None] = {}
    position = 2 if pattern is TIME_FIRST else 1
    for found in pattern.finditer("\n" + sample):
        seen.setdefault(found.group(2 + position))
    return detect_order(list(seen))


# The sender as `str.partition(": ")` on the first line finds it: no ": " inside, no newline.
# Possessive quantifiers: a line without ": " fails in one pass, without backtracking. (A first line
# that is only "Carol:", an empty body whose space an exporter cut off, is found by `_empty_body`.)
_SENDER = r"(?:([^:\n]*+(?::(?! )[^:\n]*+)*+): )?"


def _fast(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The header regex for splitting: no group for the whole header or the timestamp, and the
    sender as a group of its own. Splitting yields (date or time, time or date, sender or None, body)."""
    assert pattern.pattern.startswith("\\n(")
    inner = pattern.pattern[3:-1]  # without "\n(" and the closing ")"
    stamp = inner.index("((")
    depth, end = 1, stamp
    for end in range(stamp + 1, len(inner)):  # the timestamp group: from its "(" to the matching ")"
        depth += {"(": 1, ")": -1}.get(inner[end], 0) if inner[end - 1] != "\\" else 0
        if depth == 0:
            break
    inner = inner[:stamp] + inner[stamp + 1 : end] + inner[end + 1 :]
    return re.compile("\\n(?:" + inner + ")" + _SENDER)


_FAST = {pattern: _fast(pattern) for pattern in (DATE_FIRST, TIME_FIRST, ANDROID, IOS, LEGACY)}


class Scanner:
    """Turns decoded chunks into Messages; keeps senders, defects and what it learned of the file."""

    def __init__(self, pattern: re.Pattern[str], clock: Clock, shown: str, strict: bool) -> None:
        self.pattern = pattern
        self.fast = _FAST[pattern]
        self.clock = clock
        self.shown = shown
        self.messages = MessageColumns()
        self.defects = DefectSink(shown, strict=strict)
        # Senders as written, split for the column maps: raw -> key, raw -> name, and the raws that
        # turned out to be system text (None: no ": " on the header line, always system text).
        self.keys: dict[str | None, str | None] = {None: None}
        self.names: dict[str | None, str | None] = {None: None}
        self.nobody: set[str | None] = {None}
        self.contents: list[tuple[Message, Content]] = []  # classified messages, for the export pass
        self.line = 1  # line number of the next header
        self.seen_header = False
        self.ios = pattern is IOS or pattern is TIME_FIRST or pattern is LEGACY
        self.carry: list[str] = []  # the last message of the previous chunk (it may go on in this one)
        self.bad_dates: set[str] = set()
        self.systems: dict[str, Content] = {}  # system text -> its (shared, never changed) Content
        # Column caches of the fast path: header date -> UTC ms of local midnight (when the day has
        # one UTC offset; days with a DST change are in `shifting`), time -> ms of the day, precision.
        self.day_ms: dict[str, int] = {}
        self.shifting: set[str] = set()
        self.tod_ms: dict[str, int] = {}
        self.precision: dict[str, int] = {}

    def feed(self, text: str, final: bool) -> None:
        """Scan one chunk from `iter_text` (it starts with a newline and holds whole lines)."""
        if final and text.endswith("\n"):
            # blank lines at the very end of the file belong to no message (an editor may add them)
            text = text.rstrip("\r\n")
        parts = self.fast.split(text)
        if len(parts) == 1:  # no header in this chunk
            if self.carry:
                self.carry.append(text)
            elif not self.seen_header:
                self._preamble(text)
                if not final:
                    raise no_messages(self.shown)
            if final and self.carry:
                self._text("".join(self.carry).rstrip("\r\n"))
            return
        if self.carry:
            self.carry.append(parts[0])
            self._text("".join(self.carry))
            self.carry = []
        elif not self.seen_header:
            self._preamble(parts[0])
        self.seen_header = True
        end = len(text)
        if not final:  # the last message may go on in the next chunk: keep its text for then
            end = text.rfind("\n", 0, len(text) - len(parts[-1]))
            self.carry.append(text[end:])
            del parts[-4:]
        if len(parts) > 1:
            self._parts(parts, text, len(parts[0]), end)

    def _text(self, text: str) -> None:
        """Scan a text that starts with a header (a carried message and its continuation)."""
        self._parts(self.fast.split(text), text, 0, len(text))

    def _parts(self, parts: list[Any], text: str, start: int, end: int) -> None:
        """Scan split `parts` (all headers of text[start:end]); the slow path when a header is bad."""
        if self.pattern is TIME_FIRST:
            dates, clocks = parts[2::4], parts[1::4]
        else:
            dates, clocks = parts[1::4], parts[2::4]
        if not self._columns(dates, clocks, parts[3::4], parts[4::4], text.count("\n", start, end)):
            full = self.pattern.split(text[start:end])
            if self.pattern is TIME_FIRST:
                dates, clocks = full[4::5], full[3::5]
            else:
                dates, clocks = full[3::5], full[4::5]
            self._scan(zip(full[1::5], full[2::5], dates, clocks, full[5::5], strict=True))

    def _columns(
        self, dates: list[str], clocks: list[str], raws: list[str | None], bodies: list[str], text_lines: int
    ) -> bool:
        """The fast path: whole columns with C-level `map`s; False (nothing done) if a header is bad.

        `raws` holds the sender as written (None when the first line has no ": "), `bodies` the rest;
        `text_lines` is the number of lines the messages take."""
        day_ms = list(map(self.day_ms.get, dates))
        if None in day_ms:
            if not self._learn(set(compress(dates, map(is_, day_ms, repeat(None)))), ()):
                return False
            day_ms = list(map(self.day_ms.__getitem__, dates))
        tod_ms = list(map(self.tod_ms.get, clocks))
        if None in tod_ms:
            if not self._learn((), set(compress(clocks, map(is_, tod_ms, repeat(None))))):
                return False
            tod_ms = list(map(self.tod_ms.__getitem__, clocks))
        count = len(bodies)
        first = len(self.messages)
        millis = list(map(add, day_ms, tod_ms))
        if self.shifting and not self.shifting.isdisjoint(dates):
            clock = self.clock
            for i in compress(range(count), map(self.shifting.__contains__, dates)):
                day = clock.days[dates[i]]
                assert day is not None
                local = day[0] + self.tod_ms[clocks[i]] // 1000
                millis[i] = (local - clock.resolve(day[2], local)) * 1000
        if text_lines == count:  # no multi-line body in these messages
            lines: Sequence[int] = range(self.line, self.line + count + 1)
        else:
            steps = [1] * count  # lines per message: 1, plus the continuation lines of multi-line bodies
            for i in compress(range(count), map(str.__contains__, bodies, repeat("\n"))):
                steps[i] += bodies[i].count("\n")
            lines = list(accumulate(steps, initial=self.line))
        for raw in set(raws).difference(self.keys):
            self._new_sender(raw)  # type: ignore[arg-type] # None is always known
        precision = self.precision
        table = self.messages
        table.senders += map(self.keys.__getitem__, raws)
        table.sent_at_ms += millis
        table.bodies += bodies
        if len(set(precision.values())) == 1:
            table.precisions += [precision[clocks[0]]] * count
        else:
            table.precisions += map(precision.__getitem__, clocks)
        table.lines += lines[:count]
        table.names += map(self.names.__getitem__, raws)
        self.line = lines[-1]
        self._columns_special(first, raws, bodies)
        return True

    def _learn(self, dates: Iterable[str], clocks: Iterable[str]) -> bool:
        """Add new header dates and times to the column caches; False if one is invalid."""
        clock = self.clock
        for date in dates:
            day = clock.days[date] if date in clock.days else clock.day(date)
            if day is None:
                return False
            self.day_ms[date] = (day[0] - (day[1] or 0)) * 1000
            if day[1] is None:
                self.shifting.add(date)
        for text in clocks:
            tod = clock.times[text] if text in clock.times else clock.time(text)
            if tod is None:
                return False
            self.tod_ms[text], self.precision[text] = tod[0] * 1000, tod[1]
        return True

    def _columns_special(self, first: int, raws: list[str | None], bodies: list[str]) -> None:
        """Find the messages of a column batch that are not plain text and keep objects for them."""
        table = self.messages
        contents = self.contents
        count = len(bodies)
        nobody = self.nobody
        system = list(map(nobody.__contains__, raws))
        for i in compress(range(count), system):
            message = table.materialise(first + i)
            raw = raws[i]
            rest = bodies[i] if raw is None else raw + ": " + bodies[i]
            empty = self._empty_body(rest) if raw is None else None
            if empty is not None:  # "Carol:" with nothing after it: a message after all
                (message.sender, message.sender_name), message.body = empty
                system[i], bodies[i] = False, message.body
                continue
            message.kind = Kind.SYSTEM
            message.body = rest
            contents.append((message, self._system(rest)))
        exacts = list(map(EXACT.get, bodies))
        for i in compress(range(count), exacts):
            if not system[i]:
                contents.append((table.materialise(first + i), exacts[i]))  # type: ignore[arg-type]
        for i in compress(range(count), map(_HINT_CHAR.search, bodies)):  # a cheap superset first
            if not system[i] and exacts[i] is None and _hinted(bodies[i]):
                self._special(first + i, bodies[i])
        if count and first == 0 and not system[0] and exacts[0] is None and not _hinted(bodies[0]):
            self._special(0, bodies[0])  # the file's first message may be an iOS system text

    def _scan(self, rows: Iterator[tuple[str, str, str, str, str]]) -> None:  # noqa: C901 - hot loop
        messages = self.messages
        append = messages.append
        days = self.clock.days
        times = self.clock.times
        contents = self.contents
        text_kind = Kind.TEXT
        system_kind = Kind.SYSTEM
        exact_get = EXACT.get
        index = len(messages)
        line = self.line
        day: Any
        tod: Any
        for head, _stamp, date, clock, rest in rows:
            header_line = line
            line += rest.count("\n") + 1 if "\n" in rest else 1
            day = days.get(date, False)
            if day is False:
                day = self.clock.day(date)
            tod = times.get(clock, False)
            if tod is False:
                tod = self.clock.time(clock)
            if day is None or tod is None:
                self._bad_header(head + rest, header_line, date)
                continue
            if day[1] is not None:
                ms = (day[0] + tod[0] - day[1]) * 1000
            else:
                ms = (day[0] + tod[0] - self.clock.resolve(day[2], day[0] + tod[0])) * 1000
            colon = rest.find(": ")
            who = None
            if 0 < colon < _MAX_SENDER and rest.find("\n", 0, colon) == -1:
                who = self._sender(rest[:colon])
                body = rest[colon + 2 :]
            if (who is None or who is NOBODY) and (empty := self._empty_body(rest)) is not None:
                who, body = empty
            if who is None or who is NOBODY:
                message = Message(index, None, ms, system_kind, rest, "", tod[1], header_line)
                append(message)
                contents.append((message, self._system(rest)))
            else:
                message = Message(index, who[0], ms, text_kind, body, "", tod[1], header_line, who[1])
                append(message)
                exact = exact_get(body)
                if exact is not None:
                    contents.append((message, exact))
                elif index == 0 or _hinted(body):
                    self._special(index, body)
            index += 1
        self.line = line

    def _empty_body(self, rest: str) -> tuple[tuple[str | None, str | None], str] | None:
        """(sender, the body after the first line) when the first line is only a sender and a colon."""
        end = rest.find("\n")
        first = rest if end == -1 else rest[:end]
        if len(first) < 2 or first[-1] != ":" or ": " in first:
            return None
        who = self._sender(first[:-1])
        return None if who is NOBODY else (who, rest[len(first) :])

    def _special(self, position: int, body: str) -> None:
        content = classify(body, position == 0 or body[:1] in "\u200e\u200f")
        if content is not None:
            self.contents.append((self.messages.materialise(position), content))
        elif "\u200f" in body or "\u200e" in body or "\u202a" in body:
            kept = self.messages.objects.get(position)
            if kept is not None:
                kept.body = body.translate(BIDI)
            else:  # a plain text without its marks: the column alone changes
                self.messages.bodies[position] = body.translate(BIDI)

    def _sender(self, raw: str) -> tuple[str | None, str | None]:
        """(key, name) of a sender as written, or NOBODY when it is system text."""
        if raw in self.nobody:
            return NOBODY
        if raw in self.keys:
            return self.keys[raw], self.names[raw]
        return self._new_sender(raw)

    def _new_sender(self, raw: str) -> tuple[str | None, str | None]:
        found: tuple[str | None, str | None]
        if (
            not raw
            or len(raw) >= _MAX_SENDER
            or "\n" in raw
            or raw[:1] in "\u200e\u200f"
            or '"' in raw
            or "\u201c" in raw
            or system_event(raw) is not None
        ):
            found = NOBODY
        else:
            name = " ".join(normalise(raw).split())
            if not name:
                found = NOBODY
            elif _PHONE.match(name) and sum(ch.isdigit() for ch in name) >= 6:
                found = ("+" + "".join(ch for ch in name if ch.isdigit()), name)
            else:
                found = (name, name)
        self.keys[raw], self.names[raw] = found
        if found is NOBODY:
            self.nobody.add(raw)
        return found

    def _system(self, body: str) -> Content:
        known = self.systems.get(body)
        if known is None:
            known = self._system_content(body)
            if len(self.systems) < 10_000:  # system texts repeat (calls, timers, security codes)
                self.systems[body] = known
        return known

    def _system_content(self, body: str) -> Content:
        text = body.translate(BIDI)
        event = system_event(text)
        if event is None:
            return Content(Kind.SYSTEM, text, event=SystemEvent.OTHER, system=True)
        kind = Kind.CALL if event[0] is SystemEvent.MISSED_CALL else Kind.SYSTEM
        return Content(kind, text, event=event[0], details=event[1], system=True)

    def _preamble(self, text: str) -> None:
        """Lines before the first header (text starts with the added newline)."""
        lines = text[1:].split("\n") if len(text) > 1 else []
        for offset, content in enumerate(lines):
            if content.strip():
                self.defect("whatsapp.orphan_line", 1 + offset, content, "Line before the first message header")
        self.line = 1 + len(lines)

    def _bad_header(self, raw: str, line: int, date: str) -> None:
        self.bad_dates.add(date)
        self.defect("whatsapp.bad_timestamp", line, raw, f"Impossible date or time in header ({date})")

    def defect(self, code: str, line: int, raw: str, message: str) -> None:
        self.defects.add(
            code,
            line,
            raw,
            message,
            nl="Deze regel past niet in een WhatsApp-export: " + message,
            en="This line does not fit a WhatsApp export: " + message,
        )


def no_messages(shown: str) -> FormatError:
    return FormatError(
        "whatsapp.no_messages",
        nl="Dit is geen WhatsApp-export: er staat geen enkel bericht met datum en tijd in.",
        en="This is not a WhatsApp export: it holds no message with a date and time.",
        file=shown,
    )


ProgressFn = Callable[[int, int], None]
