"""The audit chain's anchor: its head (event count, last id, last hash) outside the database.

After every transaction that added audit events (`schedule`, called by record._record, runs once per
outermost commit) the head is appended to an append-only log file, one JSON line each, signed with
Ed25519 and chained (each line carries the SHA-256 of the line before it). The signing key is a file
outside the database (settings.AUDIT_ANCHOR_KEY_FILE, created 0600 on first use; its public key is
written beside it as `<key>.pub`).

The database chain alone proves that no row was edited; with the anchors, `verify_all` also finds
deleted newest events and a truncated table (the chain is shorter than an anchor says) and a rewritten
chain (the hash at an anchored position differs). An attacker needs the key file and the anchor log
as well as the database: keep them apart (see docs/preservation.md).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from chatarchief.audit.chain import digest as _digest
from chatarchief.audit.models import AuditEvent

logger = logging.getLogger(__name__)
GENESIS = "0" * 64


def log_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_LOG)


def key_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_KEY_FILE)


def _private_key() -> Ed25519PrivateKey:
    path = key_path()
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(path.read_bytes().strip()))
    except FileNotFoundError:
        pass
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process was first
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(path.read_bytes().strip()))
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(raw) + b"\n")
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    Path(f"{path}.pub").write_bytes(base64.b64encode(public) + b"\n")
    return key


def public_key() -> Ed25519PublicKey:
    """The verifying key: from `<key>.pub` when present, else derived from the private key file."""
    pub = Path(f"{key_path()}.pub")
    if pub.is_file():
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(pub.read_bytes().strip()))
    return _private_key().public_key()


def canonical(entry: dict[str, Any]) -> bytes:
    """The signed bytes of an anchor line: every field but `sig`, sorted, compact."""
    return json.dumps({k: v for k, v in entry.items() if k != "sig"}, sort_keys=True, separators=(",", ":")).encode()


def head() -> tuple[int, int, str]:
    """(event count, id of the last event, its hash); (0, 0, GENESIS) for an empty log."""
    return head_after(None)


def head_after(former: dict[str, Any] | None) -> tuple[int, int, str]:
    """`head`, counted on from the anchor line before (`former`): when the event it names is still
    there with its hash, the count is that line's plus the events after it (a range of the primary
    key), not a count of the whole table, which grows with every audited request. Audit writers hold
    one lock until their commit (`record._record`), so ids grow in commit order: no event can appear
    below an anchored id later. Anything else (no line before, its event gone or changed) counts all."""
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return 0, 0, GENESIS
    former = former or {}
    anchored, counted = former.get("last_id"), former.get("count")
    if (
        isinstance(anchored, int)
        and isinstance(counted, int)
        and AuditEvent.objects.filter(pk=anchored, hash=former.get("hash")).exists()
    ):
        count = counted + AuditEvent.objects.filter(pk__gt=anchored, pk__lte=last[0]).count()
    else:
        count = AuditEvent.objects.count()
    return count, last[0], last[1]


def _last_line(handle: Any) -> bytes:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    step = 4096
    data = b""
    position = size
    while position > 0:
        position = max(0, position - step)
        handle.seek(position)
        data = handle.read(size - position)
        lines = data.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or position == 0:
            return lines[-1]
    return b""


def append(count: int | None = None, last_id: int = 0, last_hash: str = GENESIS) -> dict[str, Any] | None:
    """Append one signed line for this head (None: the current head, counted on from the newest
    line, `head_after`); None when the newest line already says the same."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = _private_key()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            previous = _last_line(handle)
            seq, prev = 0, GENESIS
            former = json.loads(previous) if previous else None
            if count is None:
                count, last_id, last_hash = head_after(former)
            if former is not None:
                if former["count"] == count and former["hash"] == last_hash:
                    return None
                seq, prev = former["seq"] + 1, hashlib.sha256(previous).hexdigest()
            entry = {
                "seq": seq,
                "at": timezone.now().isoformat(),
                "count": count,
                "last_id": last_id,
                "hash": last_hash,
                "prev": prev,
            }
            entry["sig"] = base64.b64encode(key.sign(canonical(entry))).decode()
            handle.seek(0, os.SEEK_END)
            handle.write(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return entry


def anchor_now() -> dict[str, Any] | None:
    """Anchor the chain's current head (`chatarchief audit anchor`, and after every commit)."""
    return append()


class _Pending:
    """One anchoring after the outermost commit; `done` once it ran."""

    done = False

    def __call__(self) -> None:
        self.done = True
        try:
            anchor_now()
        except Exception:  # the events are committed; the next commit anchors them (audit verify says so)
            logger.exception("audit anchor not written")


def schedule() -> None:
    """Anchor the head once the outermost transaction commits (once, however many events it added;
    a rolled-back transaction drops its callback, so the next one schedules again)."""
    if any(isinstance(entry[1], _Pending) and not entry[1].done for entry in connection.run_on_commit):
        return
    transaction.on_commit(_Pending(), robust=True)


# --- verification ----------------------------------------------------------------------------------


@dataclass
class Report:
    intact: bool = True
    events: int = 0
    anchors: int = 0
    anchored_count: int = 0  # the count the newest anchor names
    broken_id: int | None = None  # the first event whose link is broken
    problem: str = ""  # the first problem, in English
    problem_nl: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def fail(self, nl: str, en: str, **details: Any) -> Report:
        if self.intact:
            self.intact, self.problem, self.problem_nl = False, en, nl
            self.details.update(details)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "anchors": self.anchors,
            "anchored_count": self.anchored_count,
            "broken_id": self.broken_id,
            "problem": self.problem,
            **self.details,
        }


def read_anchors(path: Path, key: Ed25519PublicKey, report: Report) -> list[dict[str, Any]]:
    """The anchor lines, each checked (signature, sequence, link to the line before)."""
    anchors: list[dict[str, Any]] = []
    if not path.is_file():
        return anchors
    prev = GENESIS
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            raw = line.rstrip(b"\n")
            try:
                entry = json.loads(raw)
                key.verify(base64.b64decode(entry["sig"]), canonical(entry))
            except (ValueError, KeyError, InvalidSignature):
                report.fail(
                    f"ankerlog {path} regel {number}: handtekening ongeldig of regel onleesbaar",
                    f"anchor log {path} line {number}: bad signature or unreadable line",
                    anchor_line=number,
                )
                return anchors
            if entry["prev"] != prev or entry["seq"] != len(anchors):
                report.fail(
                    f"ankerlog {path} regel {number}: een eerdere regel ontbreekt of is gewijzigd",
                    f"anchor log {path} line {number}: an earlier line is missing or was changed",
                    anchor_line=number,
                )
                return anchors
            prev = hashlib.sha256(raw).hexdigest()
            anchors.append(entry)
    return anchors


def check_chain(rows: Any, anchors: list[dict[str, Any]], report: Report) -> Report:
    """Walk (id, at, actor, action, object_type, object_id, custodian, details, previous, hash) rows in
    order; check each link and each anchored position."""
    wanted: dict[int, list[dict[str, Any]]] = {}
    for entry in anchors:
        wanted.setdefault(entry["count"], []).append(entry)
    previous = GENESIS
    count = 0
    for pk, at, actor, action, object_type, object_id, custodian, details, previous_hash, digest in rows:
        expected = _digest(previous, at, actor, action, object_type, object_id, custodian, details)
        if previous_hash != previous or digest != expected:
            report.broken_id = pk
            report.events = count
            return report.fail(
                f"keten gebroken bij gebeurtenis {pk} (na {count} intacte gebeurtenissen)",
                f"chain broken at event {pk} (after {count} intact events)",
            )
        previous = digest
        count += 1
        for entry in wanted.get(count, []):
            if entry["last_id"] != pk or entry["hash"] != digest:
                report.broken_id = pk
                report.events = count
                return report.fail(
                    f"keten herschreven: gebeurtenis {count} (id {pk}) wijkt af van anker {entry['seq']}"
                    f" van {entry['at']} (id {entry['last_id']}, hash {entry['hash'][:12]}…)",
                    f"chain rewritten: event {count} (id {pk}) differs from anchor {entry['seq']}"
                    f" of {entry['at']} (id {entry['last_id']}, hash {entry['hash'][:12]}…)",
                    anchor=entry["seq"],
                )
    report.events = count
    newest = max(anchors, key=lambda e: e["count"], default=None)
    if newest is not None and newest["count"] > count:
        return report.fail(
            f"staart ontbreekt: anker {newest['seq']} van {newest['at']} telde {newest['count']} gebeurtenissen"
            f" (laatste id {newest['last_id']}), de tabel heeft er {count}: {newest['count'] - count} verwijderd",
            f"missing tail: anchor {newest['seq']} of {newest['at']} counted {newest['count']} events"
            f" (last id {newest['last_id']}), the table has {count}: {newest['count'] - count} deleted",
            missing=newest["count"] - count,
            anchor=newest["seq"],
        )
    return report


def _rows() -> Any:
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        yield (
            event.pk,
            event.at.isoformat(),
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.custodian_slug,
            event.details,
            event.previous_hash,
            event.hash,
        )


def verify_all() -> Report:
    """The chain in the database against itself and against the anchor log (see the module's docstring)."""
    report = Report()
    path = log_path()
    anchors = read_anchors(path, public_key(), report) if path.is_file() else []
    report.anchors = len(anchors)
    report.anchored_count = max((e["count"] for e in anchors), default=0)
    check_chain(_rows(), anchors, report)
    if report.intact and report.events and not anchors:
        report.fail(
            f"geen ankerlog ({path}): {report.events} gebeurtenissen zonder anker (`chatarchief audit anchor`)",
            f"no anchor log ({path}): {report.events} events unanchored (`chatarchief audit anchor`)",
        )
    return report
