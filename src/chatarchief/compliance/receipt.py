"""The receipt (ontvangstbevestiging) of a delivery as a signed PDF: who handed in what for whom and
when, file name and SHA-256, counts, and what changed since the previous delivery of the same chats
(core.compliance.receipts), in Dutch or English. The PDF is the same bytes each time it is made for
the same delivery and language (no time of making in it), so a signature made at any download
verifies it; the signature is a detached Ed25519 file (core.compliance.signing) with the key from
settings (RECEIPT_SIGNING_KEY_FILE; a development key in the data folder when none is set).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.db.models.fields.json import KT
from django.template.loader import render_to_string
from django.utils import timezone, translation

from chatarchief.archive.models import Coverage, Delivery, DeliveryStatus
from chatarchief.compliance import rules
from chatarchief.compliance.models import Finding
from chatarchief.core.compliance import signing
from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.receipts import ReceiptFacts, ReceiptLine, uncovered_periods, what_changed
from chatarchief.core.compliance.status import FindingFact

DEV_KEY_NAME = "receipt-signing-key.pem"
COUNT_ORDER = ["messages", "new", "unchanged", "enriched", "edited", "deleted", "missing", "excluded"]

# The PDF's style (WeasyPrint, added after core.packaging.pdf's base style; not a web page)
RECEIPT_CSS = """
body { font-size: 10pt; } h1 { font-size: 16pt; margin: 0 0 6pt; color: #01689b; } h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #01689b; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #ccc; padding: 3pt 5pt; text-align: left; vertical-align: top; } th { background: #e5f0f9; width: 32%; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; } .breach { border-left: 4pt solid #d52b1e; } .attention { border-left: 4pt solid #e17000; } .info { border-left: 4pt solid #01689b; }
li { margin: 0 0 5pt; padding-left: 5pt; } .advice { color: #333; font-style: italic; } .muted { color: #555; font-size: 8.5pt; }
"""


def _ms(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)


def facts_of(delivery: Delivery) -> ReceiptFacts:
    """The counts, the findings this delivery raised, the periods no delivery of its chats covers,
    and the previous delivery of the same chats."""
    conversation_ids = list(delivery.coverage.values_list("conversation_id", flat=True))
    findings = [
        FindingFact(type_, by or ("custodian" if type_ == rules.OVERDUE else "unknown"), state)
        for type_, by, state in Finding.objects.filter(delivery=delivery, retracted_at__isnull=True)
        .annotate(by=KT("details__by"))
        .values_list("type", "by", "status")
    ]
    spans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    previous = None
    for conversation_id, delivery_id, exported_at, first_ms, last_ms in Coverage.objects.filter(
        conversation_id__in=conversation_ids, delivery__status=DeliveryStatus.INGESTED
    ).values_list("conversation_id", "delivery_id", "exported_at", "first_ms", "last_ms"):
        spans.setdefault(conversation_id, []).append((_ms(first_ms), _ms(last_ms)))
        if delivery_id != delivery.pk and delivery.exported_at and exported_at < delivery.exported_at:
            previous = max(previous, exported_at) if previous else exported_at
    holes = sorted({hole for chat in spans.values() for hole in uncovered_periods(chat, dt.timedelta(days=7))})
    return ReceiptFacts(
        counts={k: v for k, v in (delivery.counts or {}).items() if isinstance(v, int)},
        findings=findings,
        uncovered=holes[:20],
        previous_at=previous,
        zone=delivery.custodian.zone_name,
    )


def lines_of(delivery: Delivery) -> list[ReceiptLine]:
    return what_changed(facts_of(delivery))


def receipt_html(delivery: Delivery, lang: str = "nl") -> str:
    lines = lines_of(delivery)
    with translation.override(lang):
        return render_to_string(
            "compliance/receipt_pdf.html",
            {
                "delivery": delivery,
                "lang": lang,
                "lines": [{"severity": line.severity, "text": line.sentence(lang)} for line in lines],
                "counts": sorted(
                    ((k, v) for k, v in (delivery.counts or {}).items() if isinstance(v, int)),
                    key=lambda item: (COUNT_ORDER.index(item[0]) if item[0] in COUNT_ORDER else 99, item[0]),
                ),
                "conversations": delivery.coverage.select_related("conversation").order_by("conversation__title"),
            },
        )


def receipt_pdf(delivery: Delivery, lang: str = "nl") -> bytes:
    from chatarchief.core.packaging.pdf import html_to_pdf

    return html_to_pdf(
        receipt_html(delivery, lang), stylesheet=RECEIPT_CSS, identifier=f"receipt-{delivery.pk}-{lang}".encode()
    )


def signing_key() -> bytes:
    """The private key (PEM or raw) from settings; in development a generated key in the data folder."""
    path = settings.RECEIPT_SIGNING_KEY_FILE
    if path:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise ComplianceError(
                "receipt.key_unreadable",
                nl=f"Kan de ondertekeningssleutel niet lezen ({exc.strerror}).",
                en=f"Cannot read the signing key ({exc.strerror}).",
                file=path,
            ) from None
    dev = Path(settings.DATA_DIR) / DEV_KEY_NAME
    if not dev.exists():
        data = signing.generate_private_key_pem()
        descriptor = os.open(dev, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    return dev.read_bytes()


def public_key() -> bytes:
    return signing.public_key_pem(signing_key())


def sign(pdf: bytes) -> bytes:
    return signing.sign_receipt(pdf, signing_key(), signed_at=timezone.now())


def verify(pdf: bytes, signature: bytes, public_key_material: bytes | None = None) -> signing.Verification:
    return signing.verify_receipt(pdf, signature, public_key_material or public_key())
