"""A long conversation as pages: where a message, a day or page n is, without counting a million rows.

The pages are numbered from the oldest (1) to the newest (`pages`); the newest page is always full
(a chat opens at its latest `PAGE_SIZE` messages), so page boundaries are counted back from the newest
message. Message order is the archive's: (sent_at_ms, sort_index, id), served by the `message_timeline`
index (conversation, sent_at_ms, sort_index; id is the tie-breaker).

Positions come from a `Calendar`: the messages per local day of the conversation (with the deleted,
edited and missing ones), built by one grouped query and kept in the shared `calendars` cache
(Redis, or a table of the archive's database) until the conversation changes: a new coverage row, a
new newest message, or an exclusion (`forget`). The ingest that changes a conversation builds it
(`warm_delivery`), so the first view after a delivery finds it; each process also keeps the last
few for `CALENDAR_SECONDS`. With it:

- page n, or the page of a date: find the day holding its first position, seek there through the
  index (`sent_at_ms >= day start`) and skip the few messages of that day before it;
- the page of a message: its day's messages before it are counted in an index range of one day.

No view ever counts or skips over the whole conversation.
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.cache import caches
from django.db import connection
from django.db.models import Count, Max, Q

from chatarchief.archive.models import Conversation, Coverage, Message

PAGE_SIZE = 200
ORDER = ("sent_at_ms", "sort_index", "id")
CALENDAR_SECONDS = 600  # how long a process trusts the calendars it holds in its own memory
COUNT_SECONDS = 30 * 86400  # a count's key changes with the conversation: old ones simply expire
_HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    start_ms: int  # local midnight
    count: int
    deleted: int
    edited: int
    missing: int
    before: int  # messages of the conversation before this day


@dataclass(slots=True)
class Calendar:
    days: list[Day]
    total: int
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [d.before for d in self.days]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def day_at(self, position: int) -> Day | None:
        """The day holding the message at `position` (0 = the oldest)."""
        if not self.days or position < 0 or position >= self.total:
            return None
        return self.days[bisect_right(self._starts, position) - 1]

    def day_after(self, position: int) -> Day | None:
        """The first day after the one holding `position` (None for the last day)."""
        if not self.days or position < 0 or position >= self.total:
            return None
        index = bisect_right(self._starts, position)
        return self.days[index] if index < len(self.days) else None

    def day_of(self, date: dt.date) -> Day | None:
        """The first day with messages on or after `date` (None after the last one)."""
        return next((d for d in self.days if d.date >= date), None)

    def span(self, number: int) -> tuple[int, int]:
        """Positions [start, end) of page `number` (1..pages); the newest page is full."""
        newer_pages = self.pages - number
        end = self.total - newer_pages * PAGE_SIZE
        return max(0, end - PAGE_SIZE), max(0, end)

    def page_of(self, position: int) -> int:
        return self.pages - max(0, self.total - 1 - position) // PAGE_SIZE


def _marker(conversation: Conversation) -> tuple[int | None, int | None]:
    """Changes when a delivery covers the conversation or its newest message changes (cheap: indexed)."""
    coverage = Coverage.objects.filter(conversation=conversation).aggregate(m=Max("id"))["m"]
    newest = (
        Message.objects.filter(conversation=conversation)
        .order_by("-sent_at_ms", "-sort_index", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return coverage, newest


def _store():  # type: ignore[no-untyped-def]
    """The `calendars` cache (settings.CACHES): shared by every process, kept until it changes."""
    return caches["calendars"]


def _generations(conversation_ids: list[int]) -> dict[int, int]:
    """Each conversation's generation: raised by `forget` when its messages change other than by an
    ingest (an exclusion), so that every key built from it changes."""
    found = _store().get_many([f"ca-gen-{cid}" for cid in conversation_ids])
    return {cid: int(found.get(f"ca-gen-{cid}", 0)) for cid in conversation_ids}


def forget(conversation_ids: list[int]) -> None:
    """The calendars and counts of these conversations are out of date (messages were excluded)."""
    store = _store()
    for cid, generation in _generations(list(conversation_ids)).items():
        store.set(f"ca-gen-{cid}", generation + 1, None)
    _recent.clear()


def calendar(conversation: Conversation, zone: ZoneInfo) -> Calendar:
    """Messages per local day (cached; see the module's docstring)."""
    coverage, newest = _marker(conversation)
    born = int(conversation.created_at.timestamp() * 1e6) if conversation.created_at else 0  # ids can come back
    generation = _generations([conversation.pk])[conversation.pk]
    key = f"ca-calendar-{conversation.pk}-{born}-{generation}-{zone.key.replace('/', '.')}-{coverage}-{newest}"
    kept = _recent.get(key)  # this process built or read it already: no unpickling of thousands of days
    if kept is not None and time.monotonic() - kept[0] < CALENDAR_SECONDS:
        return kept[1]
    cached = _store().get(key)
    if cached is not None:
        result = Calendar([Day(dt.date.fromordinal(d[0]), *d[1:]) for d in cached[0]], cached[1])
        _remember(key, result)
        return result
    result = _build(conversation.pk, zone)
    _remember(key, result)
    rows = [(d.date.toordinal(), d.start_ms, d.count, d.deleted, d.edited, d.missing, d.before) for d in result.days]
    store, latest = _store(), f"ca-calendar-latest-{conversation.pk}-{zone.key.replace('/', '.')}"
    previous = store.get(latest)
    if previous and previous != key:
        store.delete(previous)  # superseded by this one: the store holds one calendar a conversation
    # plain tuples, quick to unpickle; kept (no timeout) until the conversation changes
    store.set_many({key: (rows, result.total), latest: key}, None)
    return result


_recent: dict[str, tuple[float, Calendar]] = {}


def _remember(key: str, calendar: Calendar) -> None:
    """A few calendars per process, by their cache key (which changes with the conversation)."""
    if len(_recent) >= 16:
        _recent.pop(next(iter(_recent)))
    _recent[key] = (time.monotonic(), calendar)


def _build(conversation_id: int, zone: ZoneInfo) -> Calendar:
    """Messages per local hour in SQL (hours shifted by the zone's minutes past the hour, so a local
    midnight is always an hour's start, also in zones like UTC+5:30), then per local day here."""
    sample = dt.datetime.now(zone).utcoffset() or dt.timedelta()
    shift = int(sample.total_seconds() // 60 % 60) * 60_000
    sql = (
        f"SELECT (sent_at_ms + {shift}) / {_HOUR_MS}, COUNT(*),"
        " SUM(CASE WHEN state = 'deleted' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN edited THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN state = 'missing' THEN 1 ELSE 0 END)"
        f" FROM {Message._meta.db_table} WHERE conversation_id = %s"
        f" GROUP BY (sent_at_ms + {shift}) / {_HOUR_MS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [conversation_id])
        rows = cursor.fetchall()
    per_day: dict[dt.date, list[int]] = {}
    for bucket, count, deleted, edited, missing in rows:
        date = dt.datetime.fromtimestamp((int(bucket) * _HOUR_MS - shift) / 1000, tz=zone).date()
        totals = per_day.setdefault(date, [0, 0, 0, 0])
        totals[0] += int(count)
        totals[1] += int(deleted or 0)
        totals[2] += int(edited or 0)
        totals[3] += int(missing or 0)
    days, before = [], 0
    for date in sorted(per_day):
        count, deleted, edited, missing = per_day[date]
        start = int(dt.datetime.combine(date, dt.time(), tzinfo=zone).timestamp() * 1000)
        days.append(Day(date, start, count, deleted, edited, missing, before))
        before += count
    return Calendar(days, before)


def _in(conversation: Conversation):  # type: ignore[no-untyped-def]
    return Message.objects.filter(conversation=conversation)


def ids_at(conversation: Conversation, cal: Calendar, start: int, end: int) -> list[int]:
    """The ids of the messages at positions [start, end), oldest first."""
    day = cal.day_at(start)
    if day is None or end <= start:
        return []
    skip = start - day.before
    query = _in(conversation).filter(sent_at_ms__gte=day.start_ms)
    after = cal.day_after(end - 1)
    if after is not None:  # bounded on both sides: the database sorts a day or two, never the rest of the chat
        query = query.filter(sent_at_ms__lt=after.start_ms)
    return list(query.order_by(*ORDER).values_list("id", flat=True)[skip : skip + (end - start)])


def newest_ids(conversation: Conversation, count: int = PAGE_SIZE) -> list[int]:
    """The newest `count` messages, oldest first (the page a chat opens at)."""
    query = _in(conversation).order_by("-sent_at_ms", "-sort_index", "-id").values_list("id", flat=True)
    return list(reversed(list(query[:count])))


def position(conversation: Conversation, cal: Calendar, message: Message) -> int:
    """The 0-based place of `message` in the conversation (counting only within its day)."""
    day = cal.day_at(0)
    for candidate in reversed(cal.days):
        if candidate.start_ms <= message.sent_at_ms:
            day = candidate
            break
    if day is None:
        return 0
    a, s, i = message.sent_at_ms, message.sort_index, message.pk
    earlier = Q(sent_at_ms__lt=a) | Q(sent_at_ms=a, sort_index__lt=s) | Q(sent_at_ms=a, sort_index=s, id__lt=i)
    within = _in(conversation).filter(earlier, sent_at_ms__gte=day.start_ms, sent_at_ms__lte=a).count()
    return day.before + within


def message_counts(conversations: dict[int, dt.datetime | None], known: dict[int, int] | None = None) -> dict[int, int]:
    """The number of messages of each conversation ({id: created_at}), counted once per change
    (cached like the calendar). `known`: counts the caller has as of now (a calendar's total), stored
    instead of counted."""
    if not conversations:
        return {}
    conversation_ids = list(conversations)
    markers = dict(
        Coverage.objects.filter(conversation_id__in=conversation_ids)
        .values("conversation_id")
        .annotate(m=Max("id"))
        .values_list("conversation_id", "m")
    )
    generations = _generations(conversation_ids)
    keys = {
        cid: f"ca-count-{cid}-{int(born.timestamp() * 1e6) if born else 0}-{generations[cid]}-{markers.get(cid)}"
        for cid, born in conversations.items()
    }
    cached = _store().get_many(list(keys.values()))
    counts = {cid: cached[key] for cid, key in keys.items() if key in cached}
    missing = [cid for cid in conversation_ids if cid not in counts]
    if missing:
        fresh = {cid: known[cid] for cid in missing if known and cid in known}
        uncounted = [cid for cid in missing if cid not in fresh]
        if uncounted:
            fresh |= dict(
                Message.objects.filter(conversation_id__in=uncounted)
                .values("conversation_id")
                .annotate(n=Count("id"))
                .values_list("conversation_id", "n")
            )
        for cid in missing:
            counts[cid] = fresh.get(cid, 0)
        _store().set_many({keys[cid]: counts[cid] for cid in missing}, COUNT_SECONDS)
    return counts


def warm_delivery(delivery_id: int) -> int:
    """Build (and cache) the calendars and message counts of the conversations a delivery covered, so
    that the first conversation and custodian pages after it are as quick as the next; the ingest calls
    it. Returns how many conversations."""
    conversations = list(
        Conversation.objects.filter(coverage__delivery_id=delivery_id).select_related("custodian").distinct()
    )
    totals = {c.pk: calendar(c, c.custodian.zone).total for c in conversations}
    message_counts({c.pk: c.created_at for c in conversations}, totals)  # the custodian page's, from the calendars
    return len(conversations)
