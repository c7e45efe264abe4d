"""Recipients, threads and the account owner of a replayed Signal-Android database.

Column names moved between database versions (`phone` → `e164`, `uuid` → `aci`, `system_display_name`
→ `system_joined_name`, ...), so every query is built from the columns that exist.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chatarchief.core.formats.signal.people import e164, person


@dataclass(slots=True)
class Recipient:
    """A contact or group as Signal stores it, with the identity that survives a reinstall.

    `resolve()` fixes the derived names (phone, key, stable_id, display_name) once the row and its
    group are known, so the per-message code reads plain attributes.
    """

    row_id: Any
    e164: str | None = None
    aci: str | None = None
    email: str | None = None
    group_id: str | None = None
    name: str | None = None
    members: list[Any] = field(default_factory=list)
    phone: str | None = field(default=None, init=False)
    stable_id: str = field(default="", init=False)
    key: str = field(default="", init=False)
    display_name: str = field(default="", init=False)

    def resolve(self) -> Recipient:
        """Derive phone, stable_id, key and display name the Signal way (`people.person`, phone first)."""
        local = self.email or f"local:{self.row_id}"
        found = person(
            phone=e164(self.e164),
            aci=self.aci,
            names=[self.name, e164(self.e164), self.email],
            key_fallback=f"group:{self.group_id}" if self.group_id else local,
            stable_fallback=self.group_id or local,
            name_fallback=self.group_id or f"Signal {self.row_id}",
            phone_first=True,
        )
        self.phone, self.stable_id, self.key, self.display_name = found.phone, found.stable_id, found.key, found.name
        return self


def text(value: Any) -> str | None:
    """A column value as non-empty text, or None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = str(value).strip()
    return value or None


def columns(connection: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table with its column names (lower case)."""
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found: dict[str, set[str]] = {}
    for table in tables:
        quoted = table.replace('"', '""')
        found[table.lower()] = {str(row[1]).lower() for row in connection.execute(f'PRAGMA table_info("{quoted}")')}
    return found


def pick(available: set[str], *names: str) -> str:
    """The first of `names` that is a column, quoted, else NULL."""
    for name in names:
        if name in available:
            return f'"{name}"'
    return "NULL"


def load_recipients(connection: sqlite3.Connection, schema: dict[str, set[str]]) -> dict[Any, Recipient]:
    cols = schema.get("recipient")
    if not cols or "_id" not in cols:
        return {}
    query = (
        f"SELECT _id, {pick(cols, 'e164', 'phone')}, {pick(cols, 'aci', 'uuid', 'service_id')}, "
        f"{pick(cols, 'email')}, {pick(cols, 'group_id')}, {pick(cols, 'system_joined_name', 'system_display_name')}, "
        f"{pick(cols, 'profile_joined_name')}, {pick(cols, 'profile_given_name', 'signal_profile_name')}, "
        f"{pick(cols, 'profile_family_name')} FROM recipient"
    )
    found: dict[Any, Recipient] = {}
    for row_id, number, aci, email, group_id, system, joined, given, family in connection.execute(query):
        profile = " ".join(part for part in (text(given), text(family)) if part) or None
        found[row_id] = Recipient(
            row_id=row_id,
            e164=text(number),
            aci=text(aci),
            email=text(email),
            group_id=text(group_id),
            name=text(system) or text(joined) or profile,
        )
    _add_groups(connection, schema, found)
    for recipient in found.values():
        recipient.resolve()
    return found


def _add_groups(connection: sqlite3.Connection, schema: dict[str, set[str]], found: dict[Any, Recipient]) -> None:
    cols = schema.get("groups")
    if not cols or "recipient_id" not in cols:
        return
    query = f"SELECT recipient_id, {pick(cols, 'group_id')}, {pick(cols, 'title')}, {pick(cols, 'members')} FROM groups"
    for recipient_id, group_id, title, members in connection.execute(query):
        recipient = found.get(recipient_id)
        if recipient is None:
            continue
        recipient.group_id = recipient.group_id or text(group_id)
        recipient.name = text(title) or recipient.name
        for member in (text(members) or "").split(","):
            member = member.strip()
            if member:
                recipient.members.append(int(member) if member.isascii() and member.isdigit() else member)
    membership = schema.get("group_membership")
    if membership and {"group_id", "recipient_id"} <= membership:
        by_group = {r.group_id: r for r in found.values() if r.group_id}
        for group_id, member in connection.execute("SELECT group_id, recipient_id FROM group_membership"):
            group = by_group.get(text(group_id) or "")
            if group is not None and member not in group.members:
                group.members.append(member)


def load_threads(connection: sqlite3.Connection, schema: dict[str, set[str]]) -> dict[Any, Any]:
    """thread _id -> recipient id."""
    cols = schema.get("thread")
    if not cols or "_id" not in cols:
        return {}
    column = pick(cols, "recipient_id", "thread_recipient_id", "recipient_ids")
    return dict(connection.execute(f"SELECT _id, {column} FROM thread"))


def find_self(
    recipients: dict[Any, Recipient], account: dict[str, Any], outgoing_senders: Counter[Any]
) -> Recipient | None:
    """The account owner: by e164, else by ACI, else the usual sender of outgoing messages."""
    own_phone = e164(account.get("account.e164") or account.get("pref_local_number"))
    aci = text(account.get("account.aci") or account.get("pref_local_uuid"))
    for recipient in recipients.values():
        if own_phone and recipient.phone == own_phone:
            return recipient
    for recipient in recipients.values():
        if aci and recipient.aci and recipient.aci.lower() == aci.lower():
            return recipient
    for sender, _count in outgoing_senders.most_common(1):
        if sender in recipients:
            return recipients[sender]
    if own_phone or aci:
        return Recipient(row_id="self", e164=own_phone, aci=aci).resolve()
    return None
