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

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from chatarchief.archive.models import Absence, Conversation, MessageVersion
from chatarchief.archive.services.load import Touched
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.compliance import actors
from chatarchief.core.model import Channel, Kind, Participant, SystemEvent

CHUNK = 2000
Who = Callable[["Stored", actors.Act], dict[str, str]]  # the attribution of one act of one row


class Stored(NamedTuple):
    """What compliance reads of a stored message (read in SQL: a load can add a million)."""

    id: int
    kind: str
    event: str
    edited: bool
    deleted_by: str
    details: Any
    sender_key: str
    first_delivery_id: int
    has_body: bool
    outgoing: bool | None
    sender_name: str
    system_text: str | None  # a system line's words (a WhatsApp timer line names its actor only there)


_SELECT = (
    "SELECT id, kind, event, edited, deleted_by, details, sender_key, first_delivery_id, body IS NOT NULL,"
    " outgoing, sender_name, CASE WHEN kind = 'system' THEN body END"
    " FROM archive_message WHERE "
)
# A new message without forms or absences carries a finding only if one of these holds.
_CARRYING = "(kind IN (%s, %s) OR event IN (%s, %s) OR edited = %s)"
_CARRYING_PARAMS = [
    Kind.DELETED.value,
    Kind.VIEW_ONCE.value,
    SystemEvent.DISAPPEARING_ENABLED.value,
    SystemEvent.DISAPPEARING_DISABLED.value,
    True,
]
_INSERT = (
    "INSERT INTO compliance_finding (type, custodian_id, conversation_id, message_id, delivery_id, detected_at,"
    " details, subject) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
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


def identity_of(conversation_id: int) -> actors.SelfIdentity:
    """Where the custodian is in one stored conversation (core.compliance.actors.identify_self): the
    participants the parser marked self, the custodian's name and business numbers, and in a
    one-to-one WhatsApp chat the sender who is not the chat's title."""
    conversation = Conversation.objects.select_related("custodian").get(pk=conversation_id)
    custodian = conversation.custodian
    people = [
        Participant(key=p.key, name=p.name, phone=p.phone or None, is_self=p.is_self)
        for p in conversation.participants.all()
    ]
    return actors.identify_self(
        conversation.channel,
        people,
        title=conversation.title,
        is_group=conversation.is_group,
        known_keys=list(custodian.phone_numbers or []),
        known_names=[custodian.name],
    )


def _attribution(row: Stored, act: actors.Act, channel: str, identity: actors.SelfIdentity) -> dict[str, str]:
    """`details.by`, `details.actor` and `details.by_basis` of one act (docs/compliance.md, "Who did it")."""
    system = row.system_text if channel == Channel.WHATSAPP.value and not row.sender_key else None
    evidence = actors.ActEvidence(
        act=act,
        channel=channel,
        sender=row.sender_key or None,
        sender_name=row.sender_name or None,
        outgoing=row.outgoing,
        deleted_by=row.deleted_by or None,
        system_text=system,
    )
    return actors.attribute(evidence, identity).details()


def _self_carried(row: Stored, who: Who) -> tuple[str, dict[str, Any]] | None:
    """What a message says by itself: view-once, a timer switched on or off."""
    if row.kind == Kind.VIEW_ONCE.value:
        return FindingType.VIEW_ONCE, who(row, actors.Act.VIEW_ONCE)
    if row.event == SystemEvent.DISAPPEARING_ENABLED.value:
        details = json.loads(row.details) if isinstance(row.details, str) else row.details
        return FindingType.DISAPPEARING_ENABLED, {
            "timer_seconds": (details or {}).get("timer_seconds"),
            **who(row, actors.Act.DISAPPEARING_ENABLED),
        }
    if row.event == SystemEvent.DISAPPEARING_DISABLED.value:
        return FindingType.DISAPPEARING_DISABLED, who(row, actors.Act.DISAPPEARING_DISABLED)
    return None


def _from_forms(row: Stored, forms: list[MessageVersion], who: Who) -> list[tuple[str, int | None, dict[str, Any]]]:
    """Deleted and edited, for a message whose forms are stored (see archive.services.versions.derive)."""
    found: list[tuple[str, int | None, dict[str, Any]]] = []
    content = [f for f in forms if f.kind != Kind.DELETED.value]
    tombs = sorted((f for f in forms if f.kind == Kind.DELETED.value), key=lambda f: (f.exported_at, f.digest))
    if tombs:
        details = {**who(row, actors.Act.MESSAGE_DELETED), "content_preserved": bool(content)}
        found.append((FindingType.MESSAGE_DELETED, tombs[0].delivery_id, details))
    if row.edited:
        edits = [f for f in forms if f.edited]
        first = min(edits, key=lambda f: (f.exported_at, f.pk)).delivery_id if edits else row.first_delivery_id
        edited = {**who(row, actors.Act.MESSAGE_EDITED), "versions": len(content), "content_preserved": True}
        found.append((FindingType.MESSAGE_EDITED, first, edited))
    return found


def _message_findings(
    row: Stored, forms: list[MessageVersion], absence: tuple[int, int] | None, who: Who
) -> list[tuple[str, int | None, dict[str, Any]]]:
    """(type, delivery, details) of every finding one message's stored state calls for."""
    first = row.first_delivery_id
    carried = _self_carried(row, who)
    if forms:
        found = _from_forms(row, forms, who)
        if carried:
            found.append((carried[0], first, carried[1]))
    elif row.kind == Kind.DELETED.value:  # only ever seen as a tombstone
        deleted = {**who(row, actors.Act.MESSAGE_DELETED), "content_preserved": False}
        found = [(FindingType.MESSAGE_DELETED, first, deleted)]
    elif carried:
        found = [(carried[0], first, carried[1])]
    elif row.edited:  # an edit marker, the earlier text never seen
        edited = {**who(row, actors.Act.MESSAGE_EDITED), "versions": 1, "content_preserved": False}
        found = [(FindingType.MESSAGE_EDITED, first, edited)]
    else:
        found = []
    if absence is not None:
        delivery_id, count = absence
        details = {"content_preserved": bool(row.has_body), "absent_in": count}
        found.append((FindingType.MESSAGE_MISSING, delivery_id, details))
    return found


def _expected(touched: Touched, rows: Iterable[Stored], with_history: bool) -> list[Expected]:
    rows = list(rows)
    ids = [row.id for row in rows]
    forms: dict[int, list[MessageVersion]] = defaultdict(list)
    absences: dict[int, tuple[int, int]] = {}
    if with_history and ids:
        for form in MessageVersion.objects.filter(message_id__in=ids):
            forms[form.message_id].append(form)
        absences = _first_absences(ids)
    identity: list[actors.SelfIdentity] = []  # read once, and only when a row carries an act

    def who(row: Stored, act: actors.Act) -> dict[str, str]:
        if not identity:
            identity.append(identity_of(touched.conversation_id))
        return _attribution(row, act, touched.channel, identity[0])

    return [
        Expected(kind, touched.custodian_id, touched.conversation_id, row.id, delivery, f"message:{row.id}", details)
        for row in rows
        for kind, delivery, details in _message_findings(row, forms.get(row.id, []), absences.get(row.id), who)
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


def _read(where: str, params: list[Any]) -> list[Stored]:
    with connection.cursor() as cursor:
        cursor.execute(_SELECT + where, params)
        return list(map(Stored._make, cursor.fetchall()))


def _new_rows(touched: Touched) -> list[Stored]:
    """The new messages (without forms or absences) that can carry a finding, found in SQL: most
    new messages are plain text and carry none."""
    new = touched.new
    if not new:
        return []
    rows = _read(
        "conversation_id = %s AND id >= %s AND id <= %s AND " + _CARRYING,
        [touched.conversation_id, min(new), max(new), *_CARRYING_PARAMS],
    )
    added = new if isinstance(new, range) else set(new)  # a range on SQLite, ids from a sequence on PostgreSQL
    return [row for row in rows if row.id in added and row.id not in touched.changed]


def _changed_rows(ids: list[int]) -> list[Stored]:
    return _read(f"id IN ({', '.join(['%s'] * len(ids))})", list(ids))


def _write(expected: list[Expected], *, fresh: bool) -> None:
    """Create what is missing (one bulk INSERT), bring up to date what differs. `fresh`: subjects
    that cannot have a finding yet (messages this load added), so no lookup first."""
    existing: dict[tuple[str, str], Finding] = {}
    if not fresh and expected:
        query = Finding.objects.filter(
            custodian_id=expected[0].custodian_id, subject__in=sorted({e.subject for e in expected})
        )
        existing = {(f.type, f.subject): f for f in query}
    details_field = Finding._meta.get_field("details")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    create, update = [], []
    for e in expected:
        finding = existing.get((e.type, e.subject))
        if finding is None:
            details = details_field.get_db_prep_save(e.details, connection)
            create.append(
                (e.type, e.custodian_id, e.conversation_id, e.message_id, e.delivery_id, now, details, e.subject)
            )
        elif _bring_up_to_date(finding, e.details, e.delivery_id):
            update.append(finding)
    if create:
        with connection.cursor() as cursor:
            cursor.executemany(_INSERT, create)
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
