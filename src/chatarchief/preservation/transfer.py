"""Transfer (overbrenging) to an e-depot: a custodian's business conversations as a BagIt bag in the
MDTO SIP draft's sidecar layout, built by core.packaging.sip (names, sidecars, checksums, PRONOM).

    <archief>/                    Archief: the custodian's archive (archiefvormer: the organisation)
      Aanleveringen/              Serie: the originals as handed in (or as derived after exclusion)
      <gesprek>/                  Dossier per conversation: its normalised JSON, a PDF/A-3b rendition
                                  and its media files, each with a .bestand.MDTO.xml sidecar

Business conversations only: content excluded as private or party is gone from the archive, and a
conversation with a private or party decision still awaiting confirmation is left out. Metadata per
conversation: waardering (its retention category: bewaren B, vernietigen V, none N), bewaartermijn,
dekking in tijd (first to last message), beperking gebruik (personal data; Woo assessment before
publication), events (ontvangst per delivery, uitsluiting per tombstone).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from chatarchief.archive.models import Attachment, Conversation, Custodian, Delivery, Message
from chatarchief.archive.services import blobs
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.packaging import mdto
from chatarchief.core.packaging.chat_pdf import render_chat_pdf
from chatarchief.core.packaging.document import (
    ChatAttachment,
    ChatDocument,
    ChatMessage,
    ChatVersion,
    MessageKind,
    Precision,
)
from chatarchief.core.packaging.pdf import PdfVariant
from chatarchief.core.packaging.sip import PackingSlip, SipFile, SipObject, build_sip
from chatarchief.preservation import retention
from chatarchief.preservation.models import RetentionAction

PICTURES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_PICTURE = 20 * 1024 * 1024
KINDS = {k.value for k in MessageKind}


def _moment(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _business(custodian: Custodian) -> list[Conversation]:
    from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus
    from chatarchief.review.models import Decision

    pending = set(
        Decision.objects.filter(
            custodian=custodian, label__in=EXCLUDED_LABELS, status=DecisionStatus.AWAITING_CONFIRMATION
        ).values_list("conversation_ref", flat=True)
    )
    return [c for c in Conversation.objects.filter(custodian=custodian).order_by("id") if c.pk not in pending]


def _messages(conversation: Conversation, start_ms: int | None, end_ms: int | None) -> list[Message]:
    rows = Message.objects.filter(conversation=conversation)
    if start_ms is not None:
        rows = rows.filter(sent_at_ms__gte=start_ms)
    if end_ms is not None:
        rows = rows.filter(sent_at_ms__lt=end_ms)
    return list(rows.order_by("sent_at_ms", "sort_index", "id").prefetch_related("attachments", "versions"))


def _waardering(conversation: Conversation) -> tuple[mdto.Begrip, mdto.Termijn | None]:
    category = retention.category_of(conversation)
    if category is None:
        return mdto.waardering("N"), None
    code = "B" if category.action == RetentionAction.BEWAREN else "V"
    term = mdto.Termijn(looptijd=f"P{category.period_years}Y") if category.period_years else None
    return mdto.waardering(code), term


def _events(conversation: Conversation, deliveries: list[Delivery]) -> tuple[mdto.Event, ...]:
    from chatarchief.review.models import Tombstone

    events = [
        mdto.chat_event("ontvangst", d.received_at, resultaat=f"aanlevering {d.pk}: {d.file_name}") for d in deliveries
    ]
    for tomb in Tombstone.objects.filter(conversation_ref=conversation.pk).order_by("excluded_at"):
        events.append(
            mdto.chat_event("uitsluiting", tomb.excluded_at, resultaat=f"{tomb.message_count} berichten ({tomb.label})")
        )
    return tuple(events)


def _document(conversation: Conversation, messages: list[Message], custodian: Custodian) -> ChatDocument:
    chat: list[ChatMessage] = []
    for m in messages:
        attachments = []
        for a in m.attachments.all():
            data = None
            if a.blob_id and a.mime_type in PICTURES and (a.size or 0) <= MAX_PICTURE:
                data = blobs.read_verified(a.blob_id)
            attachments.append(ChatAttachment(a.filename or None, a.mime_type or None, data, a.omitted))
        chat.append(
            ChatMessage(
                id=str(m.pk),
                sender=m.sender_key or None,
                sender_name=m.sender_name or m.sender_key or None,
                sent_at=_moment(m.sent_at_ms),
                body=m.body or "",
                precision=Precision.SECOND if m.precision_ms < 60_000 else Precision.MINUTE,
                outgoing=bool(m.outgoing),
                kind=MessageKind(m.kind) if m.kind in KINDS else MessageKind.TEXT,
                event_text=m.event or "",
                attachments=attachments,
                versions=[ChatVersion(v.body or "", None) for v in m.versions.all() if v.body and v.body != m.body],
                edited=m.edited,
                deleted=m.state == "deleted",
            )
        )
    return ChatDocument(
        title=conversation.title,
        number=f"gesprek-{conversation.pk}",
        time_zone=custodian.zone_name,
        messages=chat,
        holders=[custodian.name],
        footer_lines=[f"Overdracht chatarchief — {custodian.name}"],
    )


def _normalised(conversation: Conversation, messages: list[Message]) -> bytes:
    return json.dumps(
        {
            "format": "chatarchief-conversation/1",
            "conversation": {
                "id": conversation.pk,
                "channel": conversation.channel,
                "title": conversation.title,
                "group": conversation.is_group,
                "participants": list(conversation.participants.values("key", "name", "phone", "is_self")),
            },
            "messages": [
                {
                    "id": m.pk,
                    "sender_key": m.sender_key,
                    "sender_name": m.sender_name,
                    "sent_at": _moment(m.sent_at_ms).isoformat(),
                    "sent_at_raw": m.sent_at_raw,
                    "kind": m.kind,
                    "body": m.body,
                    "event": m.event,
                    "edited": m.edited,
                    "state": m.state,
                    "attachments": [
                        {"filename": a.filename, "mime_type": a.mime_type, "sha256": a.blob_id, "omitted": a.omitted}
                        for a in m.attachments.all()
                    ],
                    "versions": [{"kind": v.kind, "body": v.body, "edited": v.edited} for v in m.versions.all()],
                }
                for m in messages
            ],
        },
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")


def _bounds(custodian: Custodian, start: dt.date | None, end: dt.date | None) -> tuple[int | None, int | None]:
    zone = ZoneInfo(custodian.zone_name)
    low = int(dt.datetime.combine(start, dt.time(), tzinfo=zone).timestamp() * 1000) if start else None
    high = (
        int(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone).timestamp() * 1000) if end else None
    )
    return low, high


def package(
    slug: str, out: str | Path, *, actor: str, period_from: dt.date | None = None, period_to: dt.date | None = None
) -> dict[str, Any]:
    custodian = Custodian.objects.select_related("organisation").filter(slug=slug).first()
    if custodian is None:
        raise ChatarchiefError(
            "preservation.unknown_custodian", nl=f"Onbekende bewaarder: {slug}.", en=f"Unknown custodian: {slug}."
        )
    organisation = custodian.organisation.name if custodian.organisation_id else custodian.name
    vormer = mdto.Verwijzing(organisation)
    low, high = _bounds(custodian, period_from, period_to)
    restriction = mdto.beperking(
        "Beperkt openbaar",
        "Bevat persoonsgegevens (AVG); openbaarmaking alleen na beoordeling onder de Woo.",
    )
    children: list[SipObject] = []
    originals: dict[str, Delivery] = {}
    with tempfile.TemporaryDirectory(prefix="chatarchief-transfer-") as tmp:
        media_dir = Path(tmp)
        first_ms: list[int] = []
        last_ms: list[int] = []
        for conversation in _business(custodian):
            messages = _messages(conversation, low, high)
            if not messages:
                continue
            deliveries = list(Delivery.objects.filter(coverage__conversation=conversation).distinct().order_by("id"))
            for d in deliveries:
                if d.original_id or d.derived_original_id:
                    originals.setdefault(d.original_id or d.derived_original_id, d)
            files = [
                SipFile(f"{conversation.title}.json", data=_normalised(conversation, messages)),
                SipFile(
                    f"{conversation.title}.pdf",
                    data=render_chat_pdf(_document(conversation, messages, custodian), variant=PdfVariant.PDFA_3B),
                ),
            ]
            media = Attachment.objects.filter(message__conversation=conversation).exclude(blob=None)
            if low is not None:
                media = media.filter(message__sent_at_ms__gte=low)
            if high is not None:
                media = media.filter(message__sent_at_ms__lt=high)
            for a in media.order_by("message_id", "position"):
                target = media_dir / a.blob_id
                if not target.exists():
                    blobs.copy_to(a.blob_id, str(target))
                files.append(SipFile(a.filename or a.blob_id, path=target))
            first, last = messages[0].sent_at_ms, messages[-1].sent_at_ms
            first_ms.append(first)
            last_ms.append(last)
            waarde, termijn = _waardering(conversation)
            children.append(
                SipObject(
                    mdto.Informatieobject(
                        identificatie=(mdto.Identificatie(f"gesprek-{conversation.pk}", "chatarchief"),),
                        naam=conversation.title,
                        waardering=waarde,
                        archiefvormer=(vormer,),
                        beperking_gebruik=(restriction,),
                        aggregatieniveau=mdto.aggregatieniveau("Dossier"),
                        omschrijving=(
                            f"{conversation.channel}-gesprek van {custodian.name}, {len(messages)} berichten",
                        ),
                        dekking_in_tijd=(
                            mdto.DekkingInTijd(
                                mdto.Begrip("Looptijd", mdto.LIJST_EVENTS),
                                timezone.localtime(_moment(first), custodian.zone).date(),
                                timezone.localtime(_moment(last), custodian.zone).date(),
                            ),
                        ),
                        taal=("nl",),
                        events=_events(conversation, deliveries),
                        bewaartermijn=termijn,
                    ),
                    name=conversation.title,
                    files=files,
                )
            )
        if not children:
            raise ChatarchiefError(
                "preservation.nothing_to_transfer",
                nl=f"Geen zakelijke gesprekken van {slug} in deze periode.",
                en=f"No business conversations of {slug} in this period.",
            )
        original_files = []
        for sha256, delivery in originals.items():
            target = media_dir / f"original-{sha256}"
            blobs.copy_to(sha256, str(target))
            original_files.append(SipFile(delivery.file_name or sha256, path=target))
        series = SipObject(
            mdto.Informatieobject(
                identificatie=(mdto.Identificatie(f"aanleveringen-{custodian.slug}", "chatarchief"),),
                naam=f"Aanleveringen van {custodian.name}",
                waardering=mdto.waardering("B" if custodian.category == "bewindspersoon" else "N"),
                archiefvormer=(vormer,),
                beperking_gebruik=(restriction,),
                aggregatieniveau=mdto.aggregatieniveau("Serie"),
                omschrijving=("De exportbestanden zoals aangeleverd (of afgeleid na uitsluiting van privé-inhoud).",),
            ),
            name="Aanleveringen",
            files=original_files,
        )
        top = SipObject(
            mdto.Informatieobject(
                identificatie=(mdto.Identificatie(f"archief-{custodian.slug}", "chatarchief"),),
                naam=f"Chatberichten {custodian.name}",
                waardering=mdto.waardering("B" if custodian.category == "bewindspersoon" else "N"),
                archiefvormer=(vormer,),
                beperking_gebruik=(restriction,),
                aggregatieniveau=mdto.aggregatieniveau("Archief"),
                dekking_in_tijd=(
                    mdto.DekkingInTijd(
                        mdto.Begrip("Looptijd", mdto.LIJST_EVENTS),
                        timezone.localtime(_moment(min(first_ms)), custodian.zone).date(),
                        timezone.localtime(_moment(max(last_ms)), custodian.zone).date(),
                    ),
                ),
            ),
            name=f"archief {custodian.slug}",
            children=[series, *children],
        )
        now = timezone.now()
        slip = PackingSlip(
            identificatie=f"OVB-{custodian.slug}-{now:%Y%m%d%H%M%S}",
            naam=f"Chatberichten {custodian.name}",
            archiefvormer=organisation,
            contactpersoon=actor,
            contact_email="",
        )
        summary = build_sip(Path(out), top, slip, now=now)
    log.transfer_packaged(
        actor,
        custodian,
        conversations=len(children),
        objects=summary.informatieobjecten,
        files=summary.bestanden,
        bytes=summary.content_bytes,
        manifest_sha256=summary.payload_manifest_sha256,
    )
    return {
        "out": str(summary.root),
        "conversations": len(children),
        "informatieobjecten": summary.informatieobjecten,
        "bestanden": summary.bestanden,
        "bytes": summary.content_bytes,
    }
