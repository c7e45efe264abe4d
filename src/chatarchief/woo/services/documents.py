"""Searching for a request, grouping hits into documents, and reading a document's messages.

A *chat* is one conversation as every holder in scope handed it in: a group chat exported by three
members, or a 1:1 chat between two officials, is three (two) `Conversation`s of different custodians.
They are recognised as one chat by the source's own id (`native_id`, Signal/Telegram) or, without
one (WhatsApp), by their messages: the share of (minute, content digest) pairs the two hold in
common (`core.identity`: the same text in the same minute gives the same digest on every phone).
A document is that chat over one day (the grouping: or a week, or the whole period) in the time zone
of its first holder; its messages are the union of every holder's messages, de-duplicated by
(minute, digest, occurrence), so a message only one holder has (a member who joined later sees less)
is kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from chatarchief.access import services as access
from chatarchief.archive.models import Attachment, Conversation, Custodian, Message, MessageState
from chatarchief.archive.services import blobs
from chatarchief.audit import log
from chatarchief.core.packaging.document import (
    ChatAttachment,
    ChatDocument,
    ChatMessage,
    MessageKind,
    Precision,
)
from chatarchief.search.services import excluded_conversation_ids, search
from chatarchief.woo.constants import Grouping
from chatarchief.woo.models import Document, SearchRecord, WooRequest
from chatarchief.woo.services.cases import _open, period_ms

PAGE = 1000
MATCH_SHARE = 0.5  # share of the smaller chat's messages two conversations must share to be one chat
_NO_IDENTITY_KINDS = ("system", "call")
PICTURES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


# --- what may not be shown: labelled private or party (awaiting confirmation or excluded) --------


def withheld_message_ids(custodian_ids: list[int]) -> set[int]:
    """Messages of a private/party decision on selected messages that waits for confirmation (the
    whole-conversation decisions are in `search.excluded_conversation_ids`; executed ones are gone)."""
    from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus
    from chatarchief.review.models import Decision

    ids: set[int] = set()
    for message_ids in Decision.objects.filter(
        custodian_id__in=custodian_ids, label__in=EXCLUDED_LABELS, status=DecisionStatus.AWAITING_CONFIRMATION
    ).values_list("message_ids", flat=True):
        ids.update(int(i) for i in message_ids or ())
    return ids


# --- chats across holders -------------------------------------------------------------------------


def _fingerprints(conversation_id: int, low: int, high: int) -> Counter[tuple[int, str]]:
    rows = (
        Message.objects.filter(conversation_id=conversation_id, sent_at_ms__gte=low, sent_at_ms__lt=high)
        .exclude(kind__in=_NO_IDENTITY_KINDS)
        .values_list("sent_at_ms", "digest")
    )
    return Counter((ms // 60_000, digest) for ms, digest in rows)


def _same_chat(a: Counter[tuple[int, str]], b: Counter[tuple[int, str]]) -> bool:
    if not a or not b:
        return False
    shared = sum((a & b).values())
    smaller = min(sum(a.values()), sum(b.values()))
    return shared >= min(2, smaller) and shared >= MATCH_SHARE * smaller


def holders_of(request: WooRequest, conversation: Conversation, excluded: set[int]) -> list[Conversation]:
    """Every in-scope custodian's copy of this conversation's chat (itself included), first holder first."""
    others = (
        Conversation.objects.filter(custodian__in=request.custodians.all(), channel=conversation.channel)
        .exclude(custodian_id=conversation.custodian_id)
        .exclude(pk__in=excluded)
        .select_related("custodian")
    )
    found = [conversation]
    if conversation.native_id:
        found += list(others.filter(native_id=conversation.native_id))
    zone = conversation.custodian.zone
    low, high = period_ms(request, zone)
    mine = _fingerprints(conversation.pk, low, high)
    if mine:
        digests = sorted({d for _, d in mine})
        candidates = set()
        for start in range(0, len(digests), 500):
            candidates.update(
                Message.objects.filter(
                    conversation__in=others.exclude(pk__in=[c.pk for c in found]),
                    digest__in=digests[start : start + 500],
                    sent_at_ms__gte=low,
                    sent_at_ms__lt=high,
                ).values_list("conversation_id", flat=True)
            )
        for other in others.filter(pk__in=candidates):
            if _same_chat(mine, _fingerprints(other.pk, low, high)):
                found.append(other)
    by_holder: dict[int, Conversation] = {}
    for c in sorted(found, key=lambda c: c.pk):  # one conversation per holder: the oldest
        by_holder.setdefault(c.custodian_id, c)
    order = {slug: i for i, slug in enumerate(sorted(request.custodians.values_list("slug", flat=True)))}
    return sorted(by_holder.values(), key=lambda c: (order.get(c.custodian.slug, 0), c.pk))


def _span(request: WooRequest, day: dt.date) -> tuple[dt.date, dt.date]:
    if request.grouping == Grouping.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return max(start, request.period_from), min(start + dt.timedelta(days=6), request.period_to)
    if request.grouping == Grouping.CONVERSATION:
        return request.period_from, request.period_to
    return day, day


def run_search(principal: Any, actor: str, request: WooRequest, query: str) -> dict[str, Any]:
    """Run `query` over the request's custodians and period, record it (zoekslag), add the hits'
    conversation-days as documents. ``{"hits": N, "documents": [{"number", "conversation_title",
    "date", "holders"}]}``: the documents the hits fell in. Raises `QueryError`."""
    access.require_woo_request(principal, request)
    _open(request)
    custodian_ids = list(request.custodians.values_list("pk", flat=True))
    excluded = excluded_conversation_ids()
    withheld = withheld_message_ids(custodian_ids)
    hits = []
    offset = 0
    while True:
        page = search(
            custodian_ids,
            query,
            date_from=request.period_from,
            date_to=request.period_to,
            sort="time",
            limit=PAGE,
            offset=offset,
        )
        hits += [h for h in page.hits if h.message_id not in withheld]
        offset += PAGE
        if offset >= page.total:
            break
    hits.sort(key=lambda h: (h.sent_at, h.message_id))
    chats: dict[int, tuple[str, list[Conversation]]] = {}
    existing = list(request.documents.all())
    touched: dict[int, Document] = {}
    with transaction.atomic():
        number = (request.documents.aggregate(Max("number"))["number__max"] or 0) + 1
        for hit in hits:
            if hit.conversation_id not in chats:
                known = next((d for d in existing if hit.conversation_id in d.conversation_ids), None)
                conversation = Conversation.objects.select_related("custodian").get(pk=hit.conversation_id)
                if known is not None:
                    holders = list(
                        Conversation.objects.filter(pk__in=known.conversation_ids).select_related("custodian")
                    )
                    holders.sort(key=lambda c: known.conversation_ids.index(c.pk))
                    chats[hit.conversation_id] = (known.chat, holders)
                else:
                    holders = holders_of(request, conversation, excluded)
                    chats[hit.conversation_id] = (str(min(c.pk for c in holders)), holders)
                    for c in holders:
                        chats.setdefault(c.pk, chats[hit.conversation_id])
            chat, holders = chats[hit.conversation_id]
            first = holders[0]
            zone = first.custodian.zone
            day = dt.datetime.fromisoformat(hit.sent_at).astimezone(zone).date()
            start, end = _span(request, day)
            document = next((d for d in existing if d.chat == chat and d.day == start), None)
            if document is None:
                document = Document.objects.create(
                    request=request,
                    number=number,
                    chat=chat,
                    day=start,
                    day_to=end,
                    title=first.title,
                    conversation_ids=[c.pk for c in holders],
                    holders=[c.custodian.slug for c in holders],
                    time_zone=first.custodian.zone_name,
                )
                number += 1
                existing.append(document)
                touched.setdefault(document.pk, document)
                document._new = True  # type: ignore[attr-defined]
            touched.setdefault(document.pk, document)
            if hit.message_id not in document.hit_message_ids:
                document.hit_message_ids.append(hit.message_id)
        for document in touched.values():
            Document.objects.filter(pk=document.pk).update(hit_message_ids=document.hit_message_ids)
        new = sum(1 for d in touched.values() if getattr(d, "_new", False))
        record = SearchRecord.objects.create(
            request=request,
            query=query,
            filters={
                "from": request.period_from.isoformat(),
                "to": request.period_to.isoformat(),
                "custodians": sorted(request.custodians.values_list("slug", flat=True)),
            },
            hits=len(hits),
            documents=len(touched),
            new_documents=new,
            run_by=actor,
        )
        numbers = sorted(d.number for d in touched.values())
        log.woo_searched(actor, record, documents=numbers)
        by_custodian: dict[str, list[int]] = defaultdict(list)
        for hit in hits:
            by_custodian[hit.custodian].append(hit.message_id)
        for slug, ids in sorted(by_custodian.items()):
            log.woo_content_read(actor, request, slug, what="woo.search", message_ids=ids)
    documents = sorted(touched.values(), key=lambda d: d.number)
    return {
        "hits": len(hits),
        "documents": [
            {
                "number": d.number,
                "conversation_title": d.title,
                "date": d.day.isoformat() if d.day else None,
                "holders": list(d.holders),
            }
            for d in documents
        ],
    }


# --- a document's messages ------------------------------------------------------------------------


def document_span_ms(document: Document) -> tuple[int, int]:
    zone = ZoneInfo(document.time_zone)
    day_to = document.day_to or document.day
    start = dt.datetime.combine(document.day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def document_messages(document: Document) -> list[tuple[Message, str]]:
    """The document's messages in time order, each with its holder's slug: the union of every
    holder's messages of the span, de-duplicated (the first holder's copy is kept); nothing labelled
    private or party."""
    low, high = document_span_ms(document)
    excluded = excluded_conversation_ids()
    conversations = [c for c in document.conversation_ids if c not in excluded]
    custodians = dict(Conversation.objects.filter(pk__in=conversations).values_list("pk", "custodian__slug"))
    withheld = withheld_message_ids(
        list(Conversation.objects.filter(pk__in=conversations).values_list("custodian_id", flat=True))
    )
    seen: set[tuple[int, str, int]] = set()
    kept: list[tuple[Message, str]] = []
    for conversation_id in conversations:
        rows = (
            Message.objects.filter(conversation_id=conversation_id, sent_at_ms__gte=low, sent_at_ms__lt=high)
            .exclude(pk__in=withheld)
            .order_by("sent_at_ms", "sort_index", "pk")
        )
        occurrences: Counter[tuple[int, str]] = Counter()
        for message in rows:
            key = (message.sent_at_ms // 60_000, message.digest)
            occurrence = occurrences[key]
            occurrences[key] += 1
            if (*key, occurrence) in seen:
                continue
            seen.add((*key, occurrence))
            kept.append((message, custodians[conversation_id]))
    kept.sort(key=lambda pair: (pair[0].sent_at_ms, pair[0].sort_index, pair[0].pk))
    return kept


def _kind(value: str) -> MessageKind:
    try:
        return MessageKind(value)
    except ValueError:
        return MessageKind.TEXT


def chat_document(
    document: Document, *, with_media: bool = True, lang: str = "nl"
) -> tuple[ChatDocument, list[tuple[Message, str]]]:
    """The document as `core.packaging` wants it (pictures read from the blob store)."""
    pairs = document_messages(document)
    first_holder = document.holders[0] if document.holders else ""
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(message_id__in=[m.pk for m, _ in pairs]).order_by("position", "pk"):
        attachments[attachment.message_id].append(attachment)
    store = blobs.store() if with_media else None
    messages = []
    for message, holder in pairs:
        items = []
        for a in attachments.get(message.pk, []):
            data = None
            if store is not None and a.blob_id and a.mime_type in PICTURES:
                with store.open(a.blob_id) as handle:
                    data = handle.read()
            items.append(
                ChatAttachment(
                    filename=a.filename or None,
                    mime_type=a.mime_type or None,
                    data=data,
                    omitted=a.omitted or not a.blob_id,
                )
            )
        system = message.kind in _NO_IDENTITY_KINDS
        messages.append(
            ChatMessage(
                id=str(message.pk),
                sender=None if system else message.sender_key,
                sender_name=None if system else (message.sender_name or message.sender_key),
                sent_at=dt.datetime.fromtimestamp(message.sent_at_ms / 1000, tz=dt.UTC),
                body="" if system else (message.body or ""),
                precision=Precision.SECOND if message.precision_ms < 60_000 else Precision.MINUTE,
                outgoing=bool(message.outgoing) and holder == first_holder,
                kind=_kind(message.kind),
                event_text=(message.body or "") if system else "",
                attachments=items,
                edited=message.edited,
                deleted=message.state == MessageState.DELETED,
            )
        )
    request = document.request
    date = document.day.isoformat() if document.day else ""
    doc = ChatDocument(
        title=document.title,
        number=str(document.number),
        time_zone=document.time_zone,
        messages=messages,
        holders=[_holder_name(slug) for slug in document.holders],
        header_lines=[f"Woo-verzoek {request.reference}", date],
        footer_lines=[f"{request.reference} · document {document.number}"],
        lang=lang,
    )
    return doc, pairs


def _holder_name(slug: str) -> str:
    custodian = Custodian.objects.filter(slug=slug).only("name").first()
    return f"{custodian.name} ({slug})" if custodian else slug


def document_view(principal: Any, actor: str, document: Document) -> list[tuple[Message, str]]:
    """A document's messages for a person to read (the page, the assessment): access checked and
    the read audited per custodian, naming the request."""
    access.require_woo_request(principal, document.request)
    pairs = document_messages(document)
    by_custodian: dict[str, list[int]] = defaultdict(list)
    for message, slug in pairs:
        by_custodian[slug].append(message.pk)
    for slug, ids in sorted(by_custodian.items()):
        log.woo_content_read(actor, document.request, slug, what=f"woo.document:{document.number}", message_ids=ids)
    return pairs
