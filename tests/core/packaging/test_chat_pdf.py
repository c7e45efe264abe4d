"""The chat PDF: laid out like a chat, honest times, PDF/A-3b for preservation."""

import io
import re

import pypdf
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer

from chatarchief.core.packaging.chat_pdf import render_chat_pdf
from chatarchief.core.packaging.document import ChatAttachment, ChatDocument, MessageKind, Precision
from chatarchief.core.packaging.pdf import PdfVariant, Resource, html_to_pdf, resource_url
from chatarchief.core.packaging.redaction import RedactionError
from tests.core.packaging import pdf_probe
from tests.core.packaging.samples import AMS, at, message, png


def _doc(**kwargs) -> ChatDocument:
    messages = [
        message("m1", "INKOMEND bericht", sent_at=at(9, 1, 7), precision=Precision.MINUTE),
        message("m2", "UITGAAND bericht", sent_at=at(9, 2, 7), precision=Precision.SECOND, outgoing=True,
                sender="minister", sender_name="Minister"),
        message("m3", "", sender=None, sender_name=None, sent_at=at(23, 30), kind=MessageKind.SYSTEM,
                event_text="Sanne heeft de groep verlaten"),
    ]  # fmt: skip
    defaults = {"title": "Crisisteam", "number": "0007", "time_zone": AMS, "messages": messages}
    return ChatDocument(**(defaults | kwargs))


def _lines(pdf: bytes) -> list[tuple[float, str]]:
    return [
        (element.x0, element.get_text().strip())
        for page in extract_pages(io.BytesIO(pdf))
        for element in page
        if isinstance(element, LTTextContainer)
    ]


def test_own_messages_on_the_right_others_on_the_left():
    lines = _lines(render_chat_pdf(_doc()))
    x_in = next(x for x, text in lines if "INKOMEND" in text)
    x_out = next(x for x, text in lines if "UITGAAND" in text)
    assert x_out > x_in + 100  # points: about a quarter of the page further right


def test_times_in_the_custodians_zone_with_the_sources_precision():
    text = pdf_probe.pypdf_text(render_chat_pdf(_doc()))
    assert re.search(r"\b10:01\b(?!:)", text)  # minute precision: no invented seconds
    assert "10:01:07" not in text and "10:01:00" not in text
    assert "10:02:07" in text  # second precision
    assert "dinsdag 4 maart 2025" in text
    assert "woensdag 5 maart 2025" in text  # 23:30 UTC is 00:30 the next day in Amsterdam
    assert "Document 0007" in text and "Pagina 1 / 1" in text


def test_english_labels():
    text = pdf_probe.pypdf_text(render_chat_pdf(_doc(lang="en")))
    assert "Tuesday 4 March 2025" in text and "Page 1 / 1" in text


def test_pdfa_3b_identification_output_intent_and_embedded_fonts():
    pdf = render_chat_pdf(_doc(), variant=PdfVariant.PDFA_3B)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="3"\s+pdfaid:conformance="B"', xmp)
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
        assert "DejaVu" in font["/BaseFont"]


def test_normal_pdf_is_not_marked_pdfa_and_output_is_reproducible():
    first, second = render_chat_pdf(_doc()), render_chat_pdf(_doc())
    assert first == second
    assert b"pdfaid" not in first


def test_pictures_are_drawn_and_other_files_named():
    doc = _doc()
    doc.messages[0].attachments = [
        ChatAttachment(filename="kaart.png", mime_type="image/png", data=png(text_chunk="AUTEURGEHEIM")),
        ChatAttachment(filename="notulen.docx", mime_type="application/vnd.openxmlformats", data=b"PK\x03\x04"),
        ChatAttachment(filename="weg.jpg", omitted=True),
        ChatAttachment(filename="kapot.jpg", mime_type="image/jpeg", data=b"\xff\xd8 not a jpeg"),
    ]
    pdf = render_chat_pdf(doc)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert sum(len(page.images) for page in reader.pages) == 1
    text = pdf_probe.pypdf_text(pdf)
    assert "Bijlage: notulen.docx" in text
    assert "Media niet meegeleverd: weg.jpg" in text
    assert "Afbeelding kon niet worden weergegeven: kapot.jpg" in text
    assert pdf_probe.contains(pdf, "AUTEURGEHEIM") == []  # PNG text chunks are stripped too


def test_naive_time_and_unknown_zone_are_errors():
    doc = _doc()
    doc.messages[0].sent_at = doc.messages[0].sent_at.replace(tzinfo=None)
    with pytest.raises(RedactionError, match="time zone"):
        render_chat_pdf(doc)
    with pytest.raises(RedactionError, match="Unknown time zone"):
        render_chat_pdf(_doc(time_zone="Mars/Olympus"))


def test_generic_html_helper_serves_only_its_own_resources(tmp_path):
    secret = tmp_path / "s.png"
    secret.write_bytes(png())
    html = (
        f'<p>Ontvangstbevestiging</p><img src="{resource_url("logo")}">'
        f'<img src="file://{secret}"><img src="https://example.org/x.png">'
    )
    pdf = html_to_pdf(html, resources={"logo": Resource(png(), "image/png")})
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1  # only the resource handed in
    assert "Ontvangstbevestiging" in reader.pages[0].extract_text()


def test_tombstones_view_once_and_later_deletions_are_labelled():
    doc = _doc()
    doc.messages[0].kind, doc.messages[0].body = MessageKind.DELETED, ""
    doc.messages[1].kind, doc.messages[1].body = MessageKind.VIEW_ONCE, ""
    doc.messages[2].kind, doc.messages[2].body, doc.messages[2].deleted = MessageKind.TEXT, "BEWAARD", True
    text = pdf_probe.pypdf_text(render_chat_pdf(doc))
    assert "Dit bericht is verwijderd" in text and "Eenmalig bekijken" in text
    assert "BEWAARD" in text and "later verwijderd door de afzender" in text
