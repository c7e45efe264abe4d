"""Assessment (openbaar / deels / niet / reeds, with grounds) and redaction of documents.

Suggestions (`core.redact`) are only shown: a redaction exists only when a person adds it."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from chatarchief.access import services as access
from chatarchief.archive.models import Custodian, Participant
from chatarchief.audit import log
from chatarchief.core.packaging.grounds import normalise_ground, normalise_grounds
from chatarchief.core.packaging.inventory import Beoordeling, InventoryRow, inventory_values
from chatarchief.woo.constants import Decision, RedactionKind
from chatarchief.woo.models import Assessment, Document, Redaction, WooRequest
from chatarchief.woo.services.cases import WooError, _open
from chatarchief.woo.services.documents import document_messages


def current_assessment(document: Document) -> Assessment | None:
    return document.assessments.order_by("-assessed_at", "-id").first()


def _settled(request: WooRequest, assessment: Assessment | None) -> bool:
    return assessment is not None and (not request.four_eyes or bool(assessment.confirmed_by))


def unassessed(request: WooRequest) -> list[int]:
    """Numbers of the documents without a (with four eyes: confirmed) assessment."""
    return [d.number for d in request.documents.order_by("number") if not _settled(request, current_assessment(d))]


def assess(
    principal: Any,
    actor: str,
    document: Document,
    *,
    decision: str,
    grounds: list[str] | tuple[str, ...] = (),
    note: str = "",
) -> Assessment:
    """Record a decision on a document. Grounds are normalised (`5.1.2.e` -> `5.1.2e`); deels/niet
    need one, openbaar/reeds take none (the platform's rule). Raises `GroundError`/`InventoryError`."""
    request = document.request
    access.require_woo_request(principal, request)
    _open(request)
    beoordeling = Beoordeling.from_decision(decision)
    codes = normalise_grounds(list(grounds))
    inventory_values(
        InventoryRow(
            id=str(document.number), document=document.title, datum=document.day, beoordeling=beoordeling, grounds=codes
        )
    )  # validates ground rules
    value = {
        Beoordeling.OPENBAAR: Decision.OPENBAAR,
        Beoordeling.DEELS_OPENBAAR: Decision.DEELS,
        Beoordeling.NIET_OPENBAAR: Decision.NIET,
        Beoordeling.REEDS_OPENBAAR: Decision.REEDS,
    }[beoordeling]
    with transaction.atomic():
        assessment = Assessment.objects.create(
            document=document, decision=value, grounds=list(codes), note=note.strip(), assessor=actor
        )
        log.woo_assessed(actor, assessment)
    return assessment


def confirm_assessment(principal: Any, actor: str, document: Document) -> Assessment:
    """Four eyes: a second person confirms the current assessment (never the assessor)."""
    request = document.request
    access.require_woo_request(principal, request)
    assessment = current_assessment(document)
    if assessment is None:
        raise WooError(
            "woo.nothing_to_confirm",
            nl=f"Document {document.number} is nog niet beoordeeld.",
            en=f"Document {document.number} has not been assessed yet.",
        )
    if assessment.assessor == actor:
        raise WooError(
            "woo.four_eyes",
            nl="Een tweede persoon bevestigt de beoordeling, niet de beoordelaar zelf.",
            en="A second person confirms the assessment, not the assessor.",
        )
    assessment.confirmed_by = actor
    assessment.confirmed_at = timezone.now()
    assessment.save(update_fields=["confirmed_by", "confirmed_at"])
    log.woo_assessed(actor, assessment)
    return assessment


def _message_ids(document: Document) -> set[int]:
    return {m.pk for m, _ in document_messages(document)}


def add_redaction(
    principal: Any,
    actor: str,
    document: Document,
    *,
    kind: str,
    ground: str,
    text: str = "",
    message: int | None = None,
    start: int | None = None,
    end: int | None = None,
    sender: str = "",
    attachment: int | None = None,
    box: list[int] | tuple[int, int, int, int] | None = None,
) -> Redaction:
    """Black out part of a document with a ground. `phrase`: every case-insensitive occurrence of
    `text` in the document; `span`: characters [start, end) of one message's text; `message`: a whole
    message; `sender`: a sender's name; `media`: an attachment whole or a rectangle."""
    request = document.request
    access.require_woo_request(principal, request)
    _open(request)
    code = normalise_ground(ground)
    kind = RedactionKind(kind)
    fields: dict[str, Any] = {}
    if kind == RedactionKind.PHRASE:
        text = text.strip()
        if not text:
            raise WooError("woo.empty_text", nl="Geef de tekst die zwart moet.", en="Give the text to black out.")
        pattern = re.compile(r"\s+".join(re.escape(w) for w in text.split()), re.IGNORECASE)
        bodies = [m.body or "" for m, _ in document_messages(document)]
        if not any(pattern.search(b) for b in bodies) and not pattern.search(document.title):
            raise WooError(
                "woo.text_not_found",
                nl=f"{text!r} komt niet voor in document {document.number}.",
                en=f"{text!r} does not occur in document {document.number}.",
            )
        fields = {"text": text}
    elif kind == RedactionKind.SENDER:
        if not sender or sender not in {m.sender_key for m, _ in document_messages(document)}:
            raise WooError(
                "woo.no_sender",
                nl=f"Kies een afzender van document {document.number}.",
                en=f"Choose a sender of document {document.number}.",
            )
        fields = {"sender": sender}
    else:
        if message is None or int(message) not in _message_ids(document):
            raise WooError(
                "woo.no_message",
                nl=f"Bericht {message} hoort niet bij document {document.number}.",
                en=f"Message {message} is not part of document {document.number}.",
            )
        fields = {"message": int(message)}
        if kind == RedactionKind.SPAN:
            if start is None or end is None or not 0 <= int(start) < int(end):
                raise WooError("woo.bad_span", nl="Geef een geldig tekstfragment.", en="Give a valid text span.")
            fields.update(start=int(start), end=int(end))
        elif kind == RedactionKind.MEDIA:
            fields.update(attachment=int(attachment or 0), box=list(box) if box else None)
    with transaction.atomic():
        redaction = Redaction.objects.create(document=document, kind=kind, ground=code, created_by=actor, **fields)
        log.woo_redaction_changed(actor, redaction, change="added")
    return redaction


def remove_redaction(principal: Any, actor: str, redaction: Redaction) -> None:
    access.require_woo_request(principal, redaction.document.request)
    _open(redaction.document.request)
    with transaction.atomic():
        log.woo_redaction_changed(actor, redaction, change="removed")
        redaction.delete()


def suggestions(document: Document, *, names: bool = False) -> list[dict[str, Any]]:
    """Suggested redactions per message (phone, e-mail, IBAN, BSN, plate, names of non-official
    participants and of the review app's contacts; with `names` also deduce's person names, which
    costs ~10 s the first time in a process). Shown to a person, never applied."""
    from chatarchief.core.redact import suggest_redactions
    from chatarchief.review.models import Contact

    pairs = document_messages(document)
    officials = list(Custodian.objects.values_list("name", flat=True))
    contacts = {
        p
        for p in Participant.objects.filter(conversation_id__in=document.conversation_ids, is_self=False).values_list(
            "name", flat=True
        )
        if p and p not in officials
    }
    contacts.update(Contact.objects.exclude(category="business").values_list("name", flat=True))
    found = []
    for message, _ in pairs:
        for s in suggest_redactions(message.body or "", contacts=sorted(contacts), officials=officials, names=names):
            found.append(
                {
                    "message_id": message.pk,
                    "start": s.start,
                    "end": s.end,
                    "kind": str(s.kind),
                    "ground": s.ground,
                    "text": s.text,
                }
            )
    return found
