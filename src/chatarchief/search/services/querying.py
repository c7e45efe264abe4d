"""Searching: a query and filters in, one page of hits and the total out, only within the given
custodians and never in an excluded conversation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from chatarchief.archive.models import Conversation, Custodian
from chatarchief.core.model import Channel
from chatarchief.core.search import Node, QueryError, parse, snippet, to_html, words
from chatarchief.core.search.keys import key_range
from chatarchief.search.backends import Plan, get_backend
from chatarchief.search.services.result import Hit, SearchResult

SORTS = ("time", "relevance")
MAX_LIMIT = 1000

ExclusionSource = Callable[[], Iterable[int]]
_exclusion_sources: list[ExclusionSource] = []


def register_exclusion(source: ExclusionSource) -> None:
    """Add a source of conversation ids that no search may show (the review app registers the
    conversations whose private or party label is decided, in its AppConfig.ready())."""
    if source not in _exclusion_sources:
        _exclusion_sources.append(source)


def excluded_conversation_ids() -> set[int]:
    """The conversations every search leaves out: the union of the registered sources."""
    return {int(i) for source in _exclusion_sources for i in source()}


def _problem(code: str, nl: str, en: str) -> QueryError:
    return QueryError(f"search.{code}", nl=nl, en=en)


def _ids(values: Any) -> tuple[int, ...]:
    if values is None:
        return ()
    if callable(values):
        values = values()
    if isinstance(values, QuerySet):
        values = values.values_list("pk", flat=True)
    return tuple(sorted({int(getattr(v, "pk", v)) for v in values}))


def _moment_ms(value: dt.date | dt.datetime | str | None, *, end: bool) -> int | None:
    """Milliseconds of a date (its start, or with `end` its last millisecond) or an aware moment;
    dates and naive times are read in the installation's time zone."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        except ValueError:
            raise _problem(
                "bad_date", f"Geen geldige datum: {value!r} (JJJJ-MM-DD)", f"Not a valid date: {value!r} (YYYY-MM-DD)"
            ) from None
    zone = ZoneInfo(settings.TIME_ZONE)
    if not isinstance(value, dt.datetime):
        day = dt.datetime.combine(value, dt.time.min, tzinfo=zone)
        return int(day.timestamp() * 1000) + (86_400_000 - 1 if end else 0)
    moment = value if value.tzinfo else value.replace(tzinfo=zone)
    return int(moment.timestamp() * 1000)


def _checked(sort: str, limit: int, offset: int, channel: str | None, sender: str | None) -> tuple[str | None, tuple]:
    if sort not in SORTS:
        raise _problem("bad_sort", "Sorteer op 'time' of 'relevance'", "Sort by 'time' or 'relevance'")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise _problem(
            "bad_page",
            f"Vraag 1 tot {MAX_LIMIT} resultaten op, vanaf 0 of later",
            f"Ask for 1 to {MAX_LIMIT} results, from 0 onwards",
        )
    if channel is not None and channel.lower() not in {c.value for c in Channel}:
        known = ", ".join(c.value for c in Channel)
        raise _problem(
            "bad_channel", f"Onbekend kanaal {channel!r} ({known})", f"Unknown channel {channel!r} ({known})"
        )
    sender_words = tuple(words(sender)) if sender is not None else ()
    if sender is not None and not sender_words:
        raise _problem("bad_sender", "Geef letters of cijfers van de afzender", "Give letters or digits of the sender")
    return (channel.lower() if channel is not None else None), sender_words


def search(
    custodians: QuerySet[Custodian] | Iterable[Any],
    query: str | Node,
    *,
    conversation: int | Conversation | None = None,
    date_from: dt.date | dt.datetime | str | None = None,
    date_to: dt.date | dt.datetime | str | None = None,
    sender: str | None = None,
    channel: str | None = None,
    sort: str = "time",
    limit: int = 50,
    offset: int = 0,
    exclude_conversations: Iterable[Any] | Callable[[], Iterable[Any]] | None = None,
) -> SearchResult:
    """One page of hits for `query` in the archives of `custodians` (those the caller may read:
    ``access.services.custodians(principal, Action.READ_CONTENT)``), newest first or by relevance.

    `exclude_conversations` (ids, conversations, a queryset or a callable giving them) is left out
    on top of `excluded_conversation_ids()`. `total` counts every hit. Raises `QueryError`.
    """
    tree = parse(query) if isinstance(query, str) else query
    channel, sender_words = _checked(sort, limit, offset, channel, sender)
    custodian_ids = _ids(custodians)
    if not custodian_ids:
        return SearchResult(0, [])
    low_ms, high_ms = _moment_ms(date_from, end=False), _moment_ms(date_to, end=True)
    low, high = key_range(low_ms, high_ms) if (low_ms, high_ms) != (None, None) else (None, None)
    plan = Plan(
        tree=tree,
        custodian_ids=custodian_ids,
        conversation_id=int(getattr(conversation, "pk", conversation)) if conversation is not None else None,
        key_low=low,
        key_high=high,
        sender_words=sender_words,
        channel=channel,
        excluded_conversation_ids=tuple(sorted(excluded_conversation_ids() | set(_ids(exclude_conversations)))),
        sort=sort,
        limit=limit,
        offset=offset,
    )
    total, keys = get_backend().page(plan)
    return SearchResult(total, _hits(keys, tree, set(custodian_ids)))


_HIT_COLUMNS = (
    "SELECT e.id, e.message_id, e.conversation_id, c.title, e.custodian_id, u.slug, u.time_zone, e.sent_at_ms,"
    " e.sender, e.text FROM search_searchentry e JOIN archive_conversation c ON c.id = e.conversation_id"
    " JOIN archive_custodian u ON u.id = e.custodian_id WHERE e.id IN ({marks})"
)


def _hits(keys: list[int], tree: Node, allowed: set[int]) -> list[Hit]:
    """The hits of a page in key order: one query for the entries with their titles and custodians."""
    if not keys:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_HIT_COLUMNS.format(marks=", ".join(["%s"] * len(keys))), keys)
        rows = {row[0]: row for row in cursor.fetchall()}
    hits = []
    for key in keys:
        _, message_id, conversation_id, title, custodian_id, slug, zone, sent_at_ms, sender, text = rows[key]
        if custodian_id not in allowed:  # a second lock on the door
            raise RuntimeError("search index returned a message of a custodian outside the given ones")
        parts = snippet(text, tree)
        hits.append(
            Hit(
                message_id=message_id,
                conversation_id=conversation_id,
                conversation_title=title,
                custodian=slug,
                sent_at=dt.datetime.fromtimestamp(
                    sent_at_ms / 1000, tz=ZoneInfo(zone or settings.TIME_ZONE)
                ).isoformat(),
                sender=sender,
                snippet=to_html(parts),
                parts=tuple(parts),
            )
        )
    return hits
