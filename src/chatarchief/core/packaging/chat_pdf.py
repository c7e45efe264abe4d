"""Chat documents as PDF: a normal PDF, a PDF/A-3b preservation rendition, and a redacted Woo PDF.

All three go the same way: `redaction.prepare_document` (redactions applied, pictures sanitised),
`chat_html.chat_html` (escaped HTML laid out like a chat), `pdf.html_to_pdf` (WeasyPrint). The
redacted PDF differs only in the redactions handed in: whatever they cover is gone before layout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from chatarchief.core.packaging.chat_html import chat_css, chat_html
from chatarchief.core.packaging.document import ChatDocument, Redaction
from chatarchief.core.packaging.images import MAX_SIDE
from chatarchief.core.packaging.pdf import PdfVariant, html_to_pdf
from chatarchief.core.packaging.redaction import RenderDocument, prepare_document


def render_chat_pdf(
    doc: ChatDocument, *, variant: PdfVariant = PdfVariant.NORMAL, max_image_side: int = MAX_SIDE
) -> bytes:
    """The chat as a PDF (`PdfVariant.PDFA_3B` for a preservation rendition), without redactions."""
    return render_prepared(prepare_document(doc, (), max_image_side=max_image_side), variant=variant)


def render_redacted_pdf(
    doc: ChatDocument,
    redactions: Iterable[Redaction],
    *,
    variant: PdfVariant = PdfVariant.NORMAL,
    max_image_side: int = MAX_SIDE,
) -> bytes:
    """The chat as a Woo PDF with every redaction burned in as a black box holding its ground code."""
    return render_prepared(prepare_document(doc, redactions, max_image_side=max_image_side), variant=variant)


def render_prepared(prepared: RenderDocument, *, variant: PdfVariant = PdfVariant.NORMAL) -> bytes:
    html, resources = chat_html(prepared)
    # The file identifier is derived from what is printed, so equal input gives equal bytes and the
    # identifier itself reveals nothing that is not on the page.
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    return html_to_pdf(
        html, variant=variant, resources=resources, stylesheet=chat_css(prepared.lang), identifier=identifier
    )
