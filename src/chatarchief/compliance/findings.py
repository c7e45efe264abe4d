"""Message findings, derived from the archive's state after a load, for the messages it touched.

The loader (archive/services/load.py) stores messages and their forms and says which it added and
changed (`Touched`); what that means for compliance is decided here, from what is stored:

- a message whose forms include a tombstone, or that only ever showed as one: `message_deleted`;
- an edited message (its forms differ, or the source marked it edited): `message_edited`;
- a message that a later export covering its time did not show (an Absence): `message_missing`;
- a view-once message, a disappearing-messages timer switched on or off: `view_once`,
  `disappearing_enabled`, `disappearing_disabled`;
- an SMS conversation in a delivery: `sms_used`.

One finding per subject (`message:<id>`, or delivery and conversation for `sms_used`), updated,
never duplicated, when more is learnt; so a re-ingest or another order of deliveries gives the
same findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from chatarchief.archive.models import Absence, Message, MessageVersion
from chatarchief.archive.services.load import Touched
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.model import Channel, Deleter, Kind, SystemEvent

CHUNK = 2000
_COLUMNS = ("id", "kind", "event", "edited", "deleted_by", "details", "sender_key", "first_delivery_id", "body")
_CARRYING = (
    Q(kind__in=(Kind.DELETED.value, Kind.VIEW_ONCE.value))
    | Q(event__in=(SystemEvent.DISAPPEARING_ENABLED.value, SystemEvent.DISAPPEARING_DISABLED.value))
    | Q(edited=True)
)


@dataclass(frozen=True)
class Expected:
    """A finding the archive's state calls for."""

    type: str
    custodian_id: int
    conversation_id: int | None
    message_id: int | None
    delivery_id: int | None
    subject: str
    details: dict[str, Any]


def upsert(
    type_: str,
    custodian_id: int,
    subject: str,
    *,
    conversation_id: int | None = None,
    message_id: int | None = None,
    delivery_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Finding:
    """One finding per (custodian, type, subject): created, or brought up to date (and un-retracted)."""
    finding, created = Finding.objects.get_or_create(
        custodian_id=custodian_id,
        type=type_,
        subject=subject,
        defaults={
            "conversation_id": conversation_id,
            "message_id": message_id,
            "delivery_id": delivery_id,
            "details": details or {},
        },
    )
    if not created and _bring_up_to_date(finding, details, delivery_id):
        finding.save(update_fields=["details", "delivery", "retracted_at"])
    return finding


def _bring_up_to_date(finding: Finding, details: dict[str, Any] | None, delivery_id: int | None) -> bool:
    changed = False
    if details is not None and finding.details != details:
        finding.details, changed = details, True
    if delivery_id is not None and finding.delivery_id != delivery_id:
        finding.delivery_id, changed = delivery_id, True
    if finding.retracted_at is not None:
        finding.retracted_at, changed = None, True
    return changed


def _by(deleted_by: str) -> str:
    return "custodian" if deleted_by == Deleter.SELF.value else "other"


def _self_carried(row: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """What a message says by itself: view-once, a timer switched on or off."""
    if row["kind"] == Kind.VIEW_ONCE.value:
        return FindingType.VIEW_ONCE, {"sender": row["sender_key"]}
    if row["event"] == SystemEvent.DISAPPEARING_ENABLED.value:
        return FindingType.DISAPPEARING_ENABLED, {
            "timer_seconds": (row["details"] or {}).get("timer_seconds"),
            "by": row["sender_key"],
        }
    if row["event"] == SystemEvent.DISAPPEARING_DISABLED.value:
        return FindingType.DISAPPEARING_DISABLED, {"by": row["sender_key"]}
    return None


def _from_forms(row: dict[str, Any], forms: list[MessageVersion]) -> list[tuple[str, int | None, dict[str, Any]]]:
    """Deleted and edited, for a message whose forms are stored (see archive.services.versions.derive)."""
    found: list[tuple[str, int | None, dict[str, Any]]] = []
    content = [f for f in forms if f.kind != Kind.DELETED.value]
    tombs = sorted((f for f in forms if f.kind == Kind.DELETED.value), key=lambda f: (f.exported_at, f.digest))
    if tombs:
        details = {"by": _by(row["deleted_by"]), "content_preserved": bool(content)}
        found.append((FindingType.MESSAGE_DELETED, tombs[0].delivery_id, details))
    if row["edited"]:
        edits = [f for f in forms if f.edited]
        first = min(edits, key=lambda f: (f.exported_at, f.pk)).delivery_id if edits else row["first_delivery_id"]
        found.append((FindingType.MESSAGE_EDITED, first, {"versions": len(content), "content_preserved": True}))
    return found


def _message_findings(
    row: dict[str, Any], forms: list[MessageVersion], absence: tuple[int, int] | None
) -> list[tuple[str, int | None, dict[str, Any]]]:
    """(type, delivery, details) of every finding one message's stored state calls for."""
    first = row["first_delivery_id"]
    carried = _self_carried(row)
    if forms:
        found = _from_forms(row, forms)
        if carried:
            found.append((carried[0], first, carried[1]))
    elif row["kind"] == Kind.DELETED.value:  # only ever seen as a tombstone
        found = [(FindingType.MESSAGE_DELETED, first, {"by": _by(row["deleted_by"]), "content_preserved": False})]
    elif carried:
        found = [(carried[0], first, carried[1])]
    elif row["edited"]:  # an edit marker, the earlier text never seen
        found = [(FindingType.MESSAGE_EDITED, first, {"versions": 1, "content_preserved": False})]
    else:
        found = []
    if absence is not None:
        delivery_id, count = absence
        details = {"content_preserved": row["body"] is not None, "absent_in": count}
        found.append((FindingType.MESSAGE_MISSING, delivery_id, details))
    return found


def _expected(touched: Touched, rows: Iterable[dict[str, Any]], with_history: bool) -> list[Expected]:
    rows = list(rows)
    ids = [row["id"] for row in rows]
    forms: dict[int, list[MessageVersion]] = defaultdict(list)
    absences: dict[int, tuple[int, int]] = {}
    if with_history and ids:
        for form in MessageVersion.objects.filter(message_id__in=ids):
            forms[form.message_id].append(form)
        absences = _first_absences(ids)
    return [
        Expected(
            kind, touched.custodian_id, touched.conversation_id, row["id"], delivery, f"message:{row['id']}", details
        )
        for row in rows
        for kind, delivery, details in _message_findings(row, forms.get(row["id"], []), absences.get(row["id"]))
    ]


def _first_absences(ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per message: the first delivery (by export time) that did not show it, and how many did not."""
    first: dict[int, tuple[int, int]] = {}
    for message_id, delivery_id in (
        Absence.objects.filter(message_id__in=ids)
        .order_by("message_id", "exported_at", "delivery_id")
        .values_list("message_id", "delivery_id")
    ):
        earliest, count = first.get(message_id, (delivery_id, 0))
        first[message_id] = (earliest, count + 1)
    return first


def _new_rows(touched: Touched) -> list[dict[str, Any]]:
    """The new messages (without forms or absences) that can carry a finding, found in SQL: most
    new messages are plain text and carry none."""
    new = touched.new
    if not new:
        return []
    query = Message.objects.filter(
        _CARRYING, conversation_id=touched.conversation_id, id__gte=min(new), id__lte=max(new)
    ).values(*_COLUMNS)
    added = new if isinstance(new, range) else set(new)  # a range on SQLite, ids from a sequence on PostgreSQL
    return [row for row in query if row["id"] in added and row["id"] not in touched.changed]


def _changed_rows(ids: list[int]) -> list[dict[str, Any]]:
    return list(Message.objects.filter(pk__in=ids).values(*_COLUMNS))


def _write(expected: list[Expected], *, fresh: bool) -> None:
    """Create what is missing, bring up to date what differs. `fresh`: subjects that cannot have a
    finding yet (messages this load added), so no lookup first."""
    existing: dict[tuple[int, str, str], Finding] = {}
    if not fresh and expected:
        query = Finding.objects.filter(
            custodian_id=expected[0].custodian_id, subject__in=sorted({e.subject for e in expected})
        )
        existing = {(f.custodian_id, f.type, f.subject): f for f in query}
    create, update = [], []
    for e in expected:
        finding = existing.get((e.custodian_id, e.type, e.subject))
        if finding is None:
            create.append(
                Finding(
                    type=e.type,
                    custodian_id=e.custodian_id,
                    conversation_id=e.conversation_id,
                    message_id=e.message_id,
                    delivery_id=e.delivery_id,
                    subject=e.subject,
                    details=e.details,
                )
            )
        elif _bring_up_to_date(finding, e.details, e.delivery_id):
            update.append(finding)
    Finding.objects.bulk_create(create, batch_size=CHUNK)
    Finding.objects.bulk_update(update, ["details", "delivery", "retracted_at"], batch_size=CHUNK)


def for_load(touched: Touched) -> None:
    """The message findings of one loaded conversation, and `sms_used` for an SMS conversation."""
    _write(_expected(touched, _new_rows(touched), with_history=False), fresh=True)
    changed = sorted(touched.changed)
    for start in range(0, len(changed), CHUNK):
        chunk = changed[start : start + CHUNK]
        _write(_expected(touched, _changed_rows(chunk), with_history=True), fresh=False)
    if touched.channel == Channel.SMS.value and touched.messages:
        upsert(
            FindingType.SMS_USED,
            touched.custodian_id,
            f"delivery:{touched.delivery_id}:conversation:{touched.conversation_id}",
            conversation_id=touched.conversation_id,
            delivery_id=touched.delivery_id,
            details={"messages": touched.messages},
        )
