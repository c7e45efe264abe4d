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

from django.utils import dateformat
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    export's owner: phone number, Signal ACI, Telegram id), in a one-to-one chat without one the
    participant the chat is not named after, and the custodian's business numbers."""
    people = list(conversation.participants.values_list("key", "name", "is_self"))
    keys = {key for key, _name, own in people if own}
    if not keys and not conversation.is_group and len(people) == 2:
        # a one-to-one chat is named after the other party (WhatsApp: "WhatsApp-chat met Anna"),
        # so the other sender is the export's owner, the custodian
        title = " ".join(conversation.title.split()).casefold()
        others = [key for key, name, _own in people if title not in (" ".join(name.split()).casefold(), key.casefold())]
        if len(others) == 1:
            keys.add(others[0])
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
    """Bars per year, per month of the shown year and per day of the shown month (`month`), each a
    link, each described in words (messages, deleted, edited, missing) with signs as markers. Three
    short rows whatever the length of the chat: a million messages over years stays a small page."""
    years: dict[int, list[int]] = {}
    by_month: dict[tuple[int, int], list[int]] = {}
    for d in cal.days:
        date = d.date
        for bucket in (
            years.setdefault(date.year, [0, 0, 0, 0]),
            by_month.setdefault((date.year, date.month), [0, 0, 0, 0]),
        ):
            bucket[0] += d.count
            bucket[1] += d.deleted
            bucket[2] += d.edited
            bucket[3] += d.missing
    months = {dt.date(y, m, 1): t for (y, m), t in by_month.items()}
    if month is None or month not in months:
        month = max(months) if months else None
    year = month.year if month else None
    first_month: dict[int, dt.date] = {}
    for m in sorted(months):
        first_month.setdefault(m.year, m)
    top_year = max((t[0] for t in years.values()), default=0)
    in_year = {m: t for m, t in months.items() if m.year == year}
    top_month = max((t[0] for t in in_year.values()), default=0)
    days = [d for d in cal.days if month is not None and d.date.year == month.year and d.date.month == month.month]
    top_day = max((d.count for d in days), default=0)
    return {
        "years": [
            _bar(str(y), t, top_year, y == year, f"month={first_month[y]:%Y-%m}") for y, t in sorted(years.items())
        ],
        "months": [
            _bar(dateformat.format(m, "M"), t, top_month, m == month, f"month={m:%Y-%m}", dateformat.format(m, "F Y"))
            for m, t in sorted(in_year.items())
        ],
        "days": [
            _bar(
                str(d.date.day),
                [d.count, d.deleted, d.edited, d.missing],
                top_day,
                False,
                f"date={d.date.isoformat()}",
                dateformat.format(d.date, "j F Y"),
            )
            for d in days
        ],
        "month": month,
        "year": year,
    }


def _bar(
    label: str, totals: list[int], top: int, current: bool, query: str, long_label: str | None = None
) -> dict[str, Any]:
    count, deleted, edited, missing = totals
    words = [ngettext("%(n)s bericht", "%(n)s berichten", count) % {"n": count}]
    if deleted:
        words.append(_("%(n)s verwijderd") % {"n": deleted})
    if edited:
        words.append(_("%(n)s bewerkt") % {"n": edited})
    if missing:
        words.append(_("%(n)s ontbreken") % {"n": missing})
    marks = ("✕" if deleted else "") + ("✎" if edited else "") + ("?" if missing else "")
    return {
        "label": label,
        "describe": f"{long_label or label}: {', '.join(words)}",
        "level": _level(count, top),
        "current": current,
        "query": query,
        "marks": marks,
    }


def _level(count: int, top: int) -> int:
    """A bar's height in tenths of the tallest (at least 1 for any message)."""
    return 0 if not count or not top else max(1, round(10 * count / top))
