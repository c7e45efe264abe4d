"""A redacted Woo PDF holds no redacted text anywhere: not as text, in streams, metadata, fonts or names."""

import io

import pypdf
import pytest
from PIL import Image

from chatarchief.core.packaging.chat_pdf import render_chat_pdf, render_redacted_pdf
from chatarchief.core.packaging.document import (
    MediaRedaction,
    MessageRedaction,
    PhraseRedaction,
    SenderRedaction,
    TextField,
    TextRedaction,
)
from chatarchief.core.packaging.grounds import GroundError
from chatarchief.core.packaging.redaction import RedactionError
from tests.core.packaging import pdf_probe
from tests.core.packaging.samples import jpeg, message, secret_document

SECRETS = [
    "ZEGELRING7",  # a text span
    "WALVISBAAI",  # a whole message ...
    "VUURTOREN",  # ... its attachment's file name
    "KNIPMES",  # ... and its earlier version
    "Quadflieg",  # a sender's name: label, title, header line, in a body with odd spacing
    "Xaverius",
    "GEHEIMFOTO",  # a picture redacted whole: its file name ...
    "ONDERSCHRIFT",  # ... and its caption
    "BOTERBLOEM",  # a phrase, case-insensitive, in a system event and a body
]


def _redactions():
    doc = secret_document()
    body = doc.messages[0].body
    return [
        TextRedaction("m1", body.index("ZEGELRING7"), body.index("ZEGELRING7") + len("ZEGELRING7 en Ωmega"), "5.1.2.e"),
        MessageRedaction("m2", "5.1.1e"),
        SenderRedaction("p1", "5.1.2e"),
        MediaRedaction("m4", 0, "5.1.2e"),
        PhraseRedaction("boterbloem", "5.2"),
    ]


@pytest.fixture(scope="module")
def redacted_pdf():
    return render_redacted_pdf(secret_document(), _redactions())


@pytest.fixture(scope="module")
def plain_pdf():
    return render_chat_pdf(secret_document())


def test_unredacted_pdf_shows_every_marker(plain_pdf):
    """The control: the probes do find these words when they are not redacted."""
    for secret in SECRETS:
        assert "pypdf" in pdf_probe.contains(plain_pdf, secret), secret
        assert "pdfminer" in pdf_probe.contains(plain_pdf, secret) or secret == "GEHEIMFOTO", secret
    assert "Ω" in pdf_probe.tounicode_chars(plain_pdf)
    assert any("Quadflieg" in s for s in pdf_probe.structure_strings(plain_pdf))  # the title in metadata


@pytest.mark.parametrize("secret", SECRETS)
def test_no_redacted_text_in_any_view(redacted_pdf, secret):
    assert pdf_probe.contains(redacted_pdf, secret) == []


def test_redacted_glyphs_are_not_even_in_the_font_subset(redacted_pdf):
    assert "Ω" not in pdf_probe.tounicode_chars(redacted_pdf)


def test_ground_codes_and_unredacted_text_are_visible(redacted_pdf):
    for text in (pdf_probe.pypdf_text(redacted_pdf), pdf_probe.miner_text(redacted_pdf)):
        for code in ("5.1.2e", "5.1.1e", "5.2"):
            assert code in text
        assert "ZICHTBAAR" in text and "ZICHTBAAR2" in text
        assert "5.1.2.e" not in text  # the canonical spelling is printed
        assert "Minister R. de Vries" in text  # another sender's name stays


def test_metadata_title_carries_boxes_not_names(redacted_pdf):
    reader = pypdf.PdfReader(io.BytesIO(redacted_pdf))
    assert reader.metadata.title == "Overleg met [5.1.2e]"
    assert "/Outlines" not in reader.trailer["/Root"]
    assert all("/Annots" not in page for page in reader.pages)


def test_rectangle_is_painted_in_the_pixels_and_metadata_is_gone():
    doc = secret_document()
    doc.messages[3].attachments[0].data = jpeg((200, 30, 30), (400, 300), exif_gps=True, comment=b"SECRETCOMMENT")
    pdf = render_redacted_pdf(doc, [MediaRedaction("m4", 0, "5.1.2e", (0, 0, 200, 150))])
    images = [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 1
    picture = Image.open(io.BytesIO(images[0].data)).convert("RGB")
    assert picture.size == (400, 300)
    assert picture.getpixel((20, 140)) == (0, 0, 0)  # inside the box, below its label
    red = picture.getpixel((300, 200))
    assert red[0] > 150 and red[1] < 80  # outside the box the picture is intact
    for secret in ("CameraMakerSecret", "SECRETCOMMENT"):
        assert pdf_probe.contains(pdf, secret) == []
        assert secret.encode() not in images[0].data


def test_rectangle_corners_in_any_order_and_partly_outside_are_clipped():
    pdf = render_redacted_pdf(secret_document(), [MediaRedaction("m4", 0, "5.1.2e", (450, 350, 300, 200))])
    (image,) = [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    picture = Image.open(io.BytesIO(image.data)).convert("RGB")
    assert picture.getpixel((390, 290)) == (0, 0, 0)
    assert picture.getpixel((290, 190))[0] > 150  # just outside the box: still red


def test_hostile_markup_is_printed_as_text_and_fetches_nothing(tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("LOCALFILESECRET")
    body = (
        f'<img src="file://{secret_file}"><style>*{{display:none}}</style><a href="https://evil.example/">x</a></div>'
    )
    doc = secret_document()
    doc.messages = [message("m1", body), message("m2", f'"><link rel=stylesheet href="file://{secret_file}">')]
    doc.title = '<iframe src="file:///etc/passwd">'
    pdf = render_chat_pdf(doc)
    text = pdf_probe.pypdf_text(pdf)
    assert '<img src="file://' in text and "<style>" in text
    assert pdf_probe.contains(pdf, "LOCALFILESECRET") == []
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(not page.images for page in reader.pages)
    assert all("/Annots" not in page for page in reader.pages)


def test_every_occurrence_of_a_phrase_is_redacted_case_insensitively():
    doc = secret_document()
    pdf = render_redacted_pdf(doc, [PhraseRedaction("zichtbaar", "5.1.2e")])
    assert pdf_probe.contains(pdf, "zichtbaar") == []
    assert pdf_probe.contains(pdf, "Quadflieg")  # nothing else is touched


def test_redactions_in_versions_captions_and_events():
    doc = secret_document()
    doc.messages[3].attachments[0].caption = "Foto van KANARIE"
    pdf = render_redacted_pdf(
        doc,
        [
            TextRedaction("m2", 0, 7, "5.1.2e", field=TextField.VERSION, index=0),
            TextRedaction("m4", 9, 16, "5.1.2e", field=TextField.CAPTION, index=0),
            TextRedaction("m5", 0, 10, "5.1.2e", field=TextField.EVENT),
        ],
    )
    for secret in ("KNIPMES", "KANARIE", "BOTERBLOEM heeft"):
        assert pdf_probe.contains(pdf, secret) == []
    text = pdf_probe.pypdf_text(pdf)
    assert "WALVISBAAI" in text and "boterbloem-lijn" in text  # other texts of the same messages stay


@pytest.mark.parametrize(
    ("redaction", "code"),
    [
        (TextRedaction("nope", 0, 1, "5.1.2e"), "woo.redaction_unknown_message"),
        (TextRedaction("m1", 5, 500, "5.1.2e"), "woo.redaction_out_of_range"),
        (TextRedaction("m1", 3, 3, "5.1.2e"), "woo.redaction_out_of_range"),
        (TextRedaction("m1", 0, 1, "5.1.2e", field=TextField.VERSION, index=4), "woo.redaction_no_field"),
        (MediaRedaction("m1", 0, "5.1.2e"), "woo.redaction_no_attachment"),
        (MediaRedaction("m2", 0, "5.1.2e", (0, 0, 5, 5)), "woo.redaction_not_a_picture"),
        (PhraseRedaction("   ", "5.1.2e"), "woo.redaction_empty_phrase"),
    ],
)
def test_redactions_that_do_not_fit_are_clear_errors(redaction, code):
    with pytest.raises(RedactionError) as info:
        render_redacted_pdf(secret_document(), [redaction])
    assert info.value.code == code
    assert info.value.message("nl") != info.value.message("en")


def test_unknown_ground_is_refused_before_rendering():
    with pytest.raises(GroundError):
        render_redacted_pdf(secret_document(), [MessageRedaction("m1", "5.1.9x")])
