"""Originals that hold excluded content: destroyed, or replaced by a derived original.

- A delivery whose every message is excluded is **destroyed**: its blob leaves the store; the
  Delivery row keeps its SHA-256 and file name, and an `OriginalChange` says what happened.
- A delivery that mixes business and excluded content is replaced by a **derived original**:
  - a WhatsApp text export: the same text without the excluded messages' lines (header line and
    continuation lines); the removed line ranges are recorded;
  - a WhatsApp zip export: the same zip, its chat text rewritten so and the media files of the
    excluded messages left out;
  - anything else (Signal backups and folders, SMS, Telegram): a normalised export
    (`review.normalised`, JSON and media in a zip) of the remaining conversations as archived.
  The derived original is stored like any blob and recorded with the original's SHA-256, so the
  business part stays verifiable: the derived file parses, and gives the archived messages again.

Which messages are excluded is told by fingerprints (`review.fingerprints`), so the same code serves
an exclusion and a later export that brings excluded messages again (at ingest).
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q

from chatarchief.archive.models import Blob, Custodian, Delivery
from chatarchief.archive.services import blobs
from chatarchief.core.formats import whatsapp
from chatarchief.core.identity import occurrence_keys
from chatarchief.core.model import Export, Message, ParseOptions, kept_objects
from chatarchief.review import fingerprints, normalised
from chatarchief.review.constants import OriginalChangeKind
from chatarchief.review.models import Decision, OriginalChange

WHATSAPP = "whatsapp"
_TITLE = re.compile(r"^(?:WhatsApp[- ]chat met |WhatsApp Chat with |WhatsApp Chat - ).+\.txt$", re.IGNORECASE)


@dataclass
class Excluded:
    """What is excluded for one custodian, as fingerprints."""

    conversations: set[str] = field(default_factory=set)
    messages: set[str] = field(default_factory=set)  # "conversation fp:message fp"


@dataclass
class Rewrite:
    """What to do with one original: keep it, destroy it, or replace it by `data`."""

    kind: str  # kept, destroyed, derived
    method: str = ""
    data: bytes = b""
    removed_lines: list[list[int]] = field(default_factory=list)
    removed_files: int = 0
    removed_messages: int = 0


# --------------------------------------------------------------------------- WhatsApp


def hash_media(messages: Sequence[Message]) -> None:
    """Give every present media file its SHA-256 (as the ingest's media stage does), so a media
    message's identity digest is the one the archive stored."""
    for message in kept_objects(messages):
        for attachment in message.attachments:
            if attachment.open is not None and not attachment.omitted and not attachment.sha256:
                digest, size = hashlib.sha256(), 0
                with attachment.open() as stream:
                    while chunk := stream.read(1024 * 1024):
                        digest.update(chunk)
                        size += len(chunk)
                attachment.sha256, attachment.size = digest.hexdigest(), size


def _excluded_positions(export: Export, custodian: Custodian, excluded: Excluded) -> tuple[list[int], list[str], int]:
    """Lines of the excluded messages, file names of their media, and how many messages remain."""
    lines: list[int] = []
    media: list[str] = []
    remaining = 0
    for conversation in export.conversations:
        conv_fp = fingerprints.conversation_fingerprint(custodian.pk, str(conversation.channel), conversation.key)
        whole = conv_fp in excluded.conversations
        if not whole:
            hash_media(conversation.messages)
        keys = occurrence_keys(conversation.messages)
        fps = fingerprints.many(keys.match) if not whole else []
        for position, message in enumerate(conversation.messages):
            if whole or f"{conv_fp}:{fps[position]}" in excluded.messages:
                lines.append(message.line)
                media += [a.filename for a in message.attachments if a.filename]
            elif message.sender is not None:
                remaining += 1
    return lines, media, remaining


def _ranges(export: Export, excluded_lines: list[int], total_lines: int) -> list[list[int]]:
    """1-based inclusive line ranges: each excluded message from its header to the next header."""
    headers = sorted({m.line for c in export.conversations for m in c.messages if m.line > 0})
    ranges: list[list[int]] = []
    for line in sorted(set(excluded_lines)):
        if line <= 0:
            continue
        following = bisect.bisect_right(headers, line)
        last = headers[following] - 1 if following < len(headers) else total_lines
        if ranges and ranges[-1][1] >= line - 1:
            ranges[-1][1] = max(ranges[-1][1], last)
        else:
            ranges.append([line, last])
    return ranges


def _split_lines(data: bytes) -> tuple[list[bytes], str | None]:
    """The text's lines with their line ends, as the parser counts them (LF), and its encoding."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return [part.encode("utf-8") for part in text.splitlines(keepends=True) if part], "utf-16"
    return data.splitlines(keepends=True) if b"\r" not in data else re.split(rb"(?<=\n)", data), None


def _without_lines(data: bytes, ranges: list[list[int]]) -> bytes:
    lines, encoding = _split_lines(data)
    lines = [line for line in lines if line]
    drop = {n for first, last in ranges for n in range(first, last + 1)}
    kept = b"".join(line for number, line in enumerate(lines, 1) if number not in drop)
    if encoding:
        return kept.decode("utf-8").encode(encoding)
    return kept


def _line_count(data: bytes) -> int:
    lines, _ = _split_lines(data)
    return len([line for line in lines if line])


def _chat_member(names: list[str]) -> str | None:
    texts = [n for n in names if n.lower().endswith(".txt")]
    for rule in (lambda n: os.path.basename(n) == "_chat.txt", lambda n: _TITLE.match(os.path.basename(n))):
        found = [n for n in texts if rule(n)]
        if found:
            return found[0]
    return texts[0] if len(texts) == 1 else None


def rewrite_whatsapp(path: str, delivery: Delivery, custodian: Custodian, excluded: Excluded) -> Rewrite:
    """The WhatsApp export at `path` without its excluded messages (and their media, in a zip)."""
    with tempfile.TemporaryDirectory(prefix="chatarchief-review-") as workdir:
        options = ParseOptions(workdir=workdir, source_name=delivery.file_name, time_zone=custodian.zone_name)
        export = whatsapp.parse(path, options)
        lines, media, remaining = _excluded_positions(export, custodian, excluded)
        if not lines:
            return Rewrite("kept")
        if remaining == 0:
            return Rewrite("destroyed", removed_messages=len(lines))
        with open(path, "rb") as handle:
            is_zip = handle.read(4) == b"PK\x03\x04"
        if not is_zip:
            data = Path(path).read_bytes()
            ranges = _ranges(export, lines, _line_count(data))
            return Rewrite("derived", "whatsapp_text", _without_lines(data, ranges), ranges, 0, len(lines))
        return _rewrite_zip(path, export, lines, set(media))


def _rewrite_zip(path: str, export: Export, lines: list[int], media: set[str]) -> Rewrite:
    out = io.BytesIO()
    removed_files = 0
    ranges: list[list[int]] = []
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        chat = _chat_member([i.filename for i in source.infolist() if not i.is_dir()])
        for info in source.infolist():
            if info.is_dir():
                continue
            data = source.read(info)
            if info.filename == chat:
                ranges = _ranges(export, lines, _line_count(data))
                data = _without_lines(data, ranges)
            elif os.path.basename(info.filename) in media:
                removed_files += 1
                continue
            target.writestr(info, data, compress_type=info.compress_type)
    return Rewrite("derived", "whatsapp_zip", out.getvalue(), ranges, removed_files, len(lines))


# --------------------------------------------------------------------------- any delivery


def rewrite(delivery: Delivery, custodian: Custodian, excluded: Excluded, *, covers_remaining: bool) -> Rewrite:
    """What the delivery's original becomes. `covers_remaining`: whether the delivery still covers
    any archived conversation (used for formats rewritten from the archive)."""
    current = current_original(delivery)
    if current is None:
        return Rewrite("kept")
    if delivery.format == WHATSAPP and not _is_manifest(current):
        with tempfile.NamedTemporaryFile(prefix="chatarchief-original-", delete=False) as handle:
            temporary = handle.name
        try:
            blobs.copy_to(current, temporary)
            return rewrite_whatsapp(temporary, delivery, custodian, excluded)
        finally:
            os.unlink(temporary)
    if not covers_remaining:
        return Rewrite("destroyed")
    return Rewrite("derived", "normalised", normalised.export_delivery(delivery))


def current_original(delivery: Delivery) -> str | None:
    """The original as it stands: as handed in, or derived by an earlier exclusion."""
    return delivery.original_id or delivery.derived_original_id


def _is_manifest(sha256: str) -> bool:
    """A folder delivery is kept as a manifest blob listing its files' blobs (intake.receive)."""
    blob = Blob.objects.filter(pk=sha256).first()
    if blob is None or blob.size > 50 * 1024 * 1024:
        return False
    try:
        data = json.loads(blobs.read_verified(sha256))
    except (ValueError, UnicodeDecodeError, blobs.BlobError):
        return False
    return isinstance(data, dict) and set(data) == {"folder", "files"}


def manifest_members(sha256: str) -> list[str]:
    if not _is_manifest(sha256):
        return []
    return [entry["sha256"] for entry in json.loads(blobs.read_verified(sha256))["files"]]


def apply(delivery: Delivery, change: Rewrite, decision: Decision | None) -> list[str]:
    """Record the rewrite on the delivery (and every duplicate sharing its original). Returns the
    SHA-256s of blobs that may now be unreferenced (the caller removes those no one uses)."""
    old = current_original(delivery)
    if change.kind == "kept" or old is None:
        return []
    size = Blob.objects.filter(pk=old).values_list("size", flat=True).first() or delivery.size
    derived = None
    if change.kind == "derived":
        sha256, length = blobs.store().put_stream(io.BytesIO(change.data))
        derived, _ = Blob.objects.get_or_create(sha256=sha256, defaults={"size": length})
    sharing = Delivery.objects.filter(Q(original_id=old) | Q(derived_original_id=old))
    for each in sharing:
        OriginalChange.objects.create(
            delivery=each,
            decision=decision,
            kind=OriginalChangeKind.DERIVED if derived else OriginalChangeKind.DESTROYED,
            original_sha256=old,
            original_size=size,
            derived_sha256=derived.sha256 if derived else "",
            derived_size=derived.size if derived else None,
            method=change.method,
            removed_lines=change.removed_lines,
            removed_files=change.removed_files,
        )
    sharing.update(original=None, derived_original=derived, defects=[])
    return [old, *manifest_members(old)]
