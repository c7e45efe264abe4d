"""The moment a custodian secured their chats (a delivery's `exported_at`), and the one time-zone rule.

A moment given without an offset (`2026-01-03T10:00` on the command line, in the upload form or
through the API) is wall-clock time in the **custodian's** time zone (`Custodian.time_zone`, set
with `chatarchief custodian add ... --time-zone`; new custodians get `CHATARCHIEF_TIME_ZONE`). So
the same input gives the same instant whichever way it came in.
"""

from __future__ import annotations

import datetime as dt

from chatarchief.archive.models import Custodian, Delivery
from chatarchief.core.model import Export


def in_custodian_zone(moment: dt.datetime | None, custodian: Custodian) -> dt.datetime | None:
    """`moment` as an aware date-time: a naive one is read in the custodian's time zone."""
    if moment is None or moment.utcoffset() is not None:
        return moment
    return moment.replace(tzinfo=custodian.zone)


def secured_at(export: Export, given: dt.datetime | None, delivery: Delivery) -> tuple[dt.datetime, str]:
    """When the custodian secured these chats, and how that is known: given by the sender, else
    the backup's own time, else the newest message, else the moment the file was received."""
    if given is not None:
        return given, "given"
    if export.created_at_ms is not None:
        return dt.datetime.fromtimestamp(export.created_at_ms / 1000, tz=dt.UTC), "backup"
    newest = export.newest_message_ms()
    if newest is not None:
        return dt.datetime.fromtimestamp(newest / 1000, tz=dt.UTC), "newest_message"
    return delivery.received_at, "received"
