"""HTML to PDF with WeasyPrint, for chat documents, receipts and reports alike.

`html_to_pdf` never lets the HTML reach outside: its URL fetcher serves only the in-memory
`resources` handed in (``chatarchief-resource:<name>``) and refuses every other URL (no ``file:``,
no network), so hostile text that slipped into markup cannot read local files or call home. The
font is DejaVu Sans (Debian's ``fonts-dejavu-core``), embedded as a subset; PDF/A-3b adds the sRGB
output intent and the XMP identification WeasyPrint writes for ``pdf/a-3b``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

RESOURCE_SCHEME = "chatarchief-resource"

BASE_CSS = """
@page { size: A4; margin: 22mm 16mm 20mm 16mm; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; color: #1a1a1a; }
h1, h2, h3, h4, h5, h6 { bookmark-level: none; }
"""


class PdfVariant(StrEnum):
    NORMAL = "normal"
    PDFA_3B = "pdf/a-3b"  # preservation renditions


@dataclass(frozen=True, slots=True)
class Resource:
    data: bytes
    mime_type: str


def resource_url(name: str) -> str:
    """The URL under which `html_to_pdf` serves ``resources[name]``."""
    return f"{RESOURCE_SCHEME}:{name}"


def html_to_pdf(
    html: str,
    *,
    variant: PdfVariant = PdfVariant.NORMAL,
    resources: Mapping[str, Resource] | None = None,
    stylesheet: str = "",
    identifier: bytes | None = None,
) -> bytes:
    """Render `html` (already escaped by its builder) to PDF bytes.

    `stylesheet` is added after the base style (A4, DejaVu Sans). `identifier` fixes the PDF's file
    identifier so the same input gives the same bytes (WeasyPrint writes no creation date unless the
    HTML names one).
    """
    from weasyprint import CSS, HTML  # imported here: WeasyPrint loads pango on import

    fetcher = _fetcher(dict(resources or {}))
    styles = [CSS(string=BASE_CSS + stylesheet, url_fetcher=fetcher)]
    document = HTML(string=html, base_url=f"{RESOURCE_SCHEME}:/", url_fetcher=fetcher)
    options: dict[str, object] = {"stylesheets": styles, "pdf_identifier": identifier or b"chatarchief"}
    if variant is not PdfVariant.NORMAL:
        options["pdf_variant"] = variant.value
        options["finisher"] = _uncompressed_metadata
    pdf = document.write_pdf(**options)
    assert isinstance(pdf, bytes)
    return pdf


def _uncompressed_metadata(document, pdf) -> None:  # type: ignore[no-untyped-def]
    """Leave the XMP metadata stream uncompressed (PDF/A-3 allows either), so that format
    identification by signature (DROID, PRONOM fmt/480) sees the PDF/A identification."""
    reference = pdf.catalog.get("Metadata")
    if reference:
        pdf.objects[int(reference.split()[0])].compress = False


def _fetcher(resources: dict[str, Resource]):  # type: ignore[no-untyped-def]
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _InMemoryFetcher(URLFetcher):
        """Serves the resources handed in; every other URL is refused."""

        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            prefix = f"{RESOURCE_SCHEME}:"
            name = url[len(prefix) :].lstrip("/") if url.startswith(prefix) else None
            if name is None or name not in resources:
                raise ValueError(f"refused URL: {url[:80]}")
            resource = resources[name]
            return URLFetcherResponse(url, resource.data, {"Content-Type": resource.mime_type})

    return _InMemoryFetcher(allowed_protocols={RESOURCE_SCHEME})
