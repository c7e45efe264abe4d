"""The conversation page's parts: which page to show (newest, page n, a date, a message, a search hit),
its messages as rows ready for the template, the calendar histogram and the search within the chat.
The view (views.conversation_detail) only strings these together."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.html import format_html_join

from chatarchief.archive.models import Attachment, Conversation, Custodian, Message, MessageVersion
from chatarchief.archive.services import timeline
from chatarchief.core.search.highlight import mark_all
from chatarchief.core.search.query import Node

_DIGITS = re.compile(r"\D+")


@dataclass
class Place:
    """The page to show: its number, its message ids (oldest first), the message to highlight."""

    number: int
    ids: list[int]
    target: int | None = None
    anchor: str = ""  # the fragment to scroll to (a message, a day); "" = the end of the page
    notes: list[str] = field(default_factory=list)


def self_keys(conversation: Conversation, custodian: Custodian) -> set[str]:
    """The custodian's own identities in this conversation: the participant marked as self (the
    export's owner: phone number, Signal ACI, Telegram id) and the custodian's business numbers."""
    keys = set(conversation.participants.filter(is_self=True).values_list("key", flat=True))
    for number in custodian.phone_numbers or []:
        digits = _DIGITS.sub("", str(number))
        if digits:
            keys.update({digits, f"+{digits}"})
    return keys


def is_own(message: Message, keys: set[str]) -> bool:
    """The custodian's own message: marked outgoing by the source, or sent from one of `keys`."""
    if message.outgoing:
        return True
    key = message.sender_key or ""
    if key in keys:
        return True
    digits = key.lstrip("+").replace(" ", "")
    return digits.isdigit() and digits in keys


def local(ms: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=zone)


def clock(message: Message, zone: ZoneInfo) -> str:
    """The time with the precision the source has: seconds only when the source gave them."""
    moment = local(message.sent_at_ms, zone)
    return f"{moment:%H:%M:%S}" if message.precision_ms < 60_000 else f"{moment:%H:%M}"


def highlighted(text: str, tree: Node | None) -> tuple[Any, bool]:
    """The body with the search hits in <mark> (escaped HTML), and whether it had a hit."""
    if tree is None or not text:
        return text, False
    parts = mark_all(text, tree)
    if not any(p.hit for p in parts):
        return text, False
    html = format_html_join("", "{}", ((_piece(p.text, p.hit),) for p in parts))
    return html, True


def _piece(text: str, hit: bool) -> Any:
    from django.utils.html import format_html

    return format_html("<mark>{}</mark>", text) if hit else text


def rows(
    conversation: Conversation, ids: list[int], zone: ZoneInfo, keys: set[str], target: int | None, tree: Node | None
) -> list[dict[str, Any]]:
    """One dict per message of the page, in order, with a day separator where the local day changes."""
    messages = Message.objects.in_bulk(ids)
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(message_id__in=ids).order_by("position", "id"):
        attachments[attachment.message_id].append(attachment)
    versions: dict[int, list[MessageVersion]] = defaultdict(list)
    for version in MessageVersion.objects.filter(message_id__in=ids).order_by("exported_at", "revision", "id"):
        versions[version.message_id].append(version)
    result, day = [], None
    for message_id in ids:
        message = messages.get(message_id)
        if message is None:
            continue
        moment = local(message.sent_at_ms, zone)
        body, hit = highlighted(message.body or "", tree)
        result.append(
            {
                "id": message.pk,
                "message": message,
                "moment": moment,
                "iso": moment.isoformat(),
                "clock": clock(message, zone),
                "new_day": moment.date() != day,
                "own": is_own(message, keys),
                "target": message.pk == target,
                "body": body,
                "hit": hit,
                "attachments": attachments.get(message.pk, []),
                "versions": versions.get(message.pk, []),
                "never_archived": message.body is None and message.kind == "deleted",
            }
        )
        day = moment.date()
    return result


def histogram(cal: timeline.Calendar, month: dt.date | None) -> dict[str, Any]:
    """Bars per month (each a link that opens its days) and per day of `month` (each a link to
    that day's page), with the number of deleted, edited and missing messages as markers."""
    months: dict[dt.date, list[int]] = {}
    for d in cal.days:
        first = d.date.replace(day=1)
        totals = months.setdefault(first, [0, 0, 0, 0])
        totals[0] += d.count
        totals[1] += d.deleted
        totals[2] += d.edited
        totals[3] += d.missing
    top = max((t[0] for t in months.values()), default=0)
    month_rows = [
        {
            "month": m,
            "count": t[0],
            "deleted": t[1],
            "edited": t[2],
            "missing": t[3],
            "level": _level(t[0], top),
            "current": m == month,
        }
        for m, t in sorted(months.items())
    ]
    days = [d for d in cal.days if month is not None and d.date.replace(day=1) == month]
    top_day = max((d.count for d in days), default=0)
    day_rows = [{"day": d, "level": _level(d.count, top_day)} for d in days]
    return {"months": month_rows, "days": day_rows, "month": month}


def _level(count: int, top: int) -> int:
    """A bar's height in tenths of the tallest (at least 1 for any message)."""
    return 0 if not count or not top else max(1, round(10 * count / top))
