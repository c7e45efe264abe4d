import io
import zipfile

import pytest

from chatarchief.core.packaging.chat_pdf import render_chat_pdf
from chatarchief.core.packaging.pdf import PdfVariant
from chatarchief.core.packaging.pronom import PRONOM, identify_file
from tests.core.packaging.samples import MP4, OPUS, jpeg, png, secret_document


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("WhatsApp-chat.txt", "04-03-2025 10:00 - Jan: hoi")
    return out.getvalue()


@pytest.fixture(scope="module")
def pdfs():
    return render_chat_pdf(secret_document(), variant=PdfVariant.PDFA_3B), render_chat_pdf(secret_document())


@pytest.mark.parametrize(
    ("name", "content", "puid"),
    [
        ("a.jpg", jpeg(), "fmt/43"),
        ("a.png", png(), "fmt/11"),
        ("b.png", png(text_chunk="x"), "fmt/11"),  # tEXt is no 1.1/1.2 chunk
        ("a.mp4", MP4, "fmt/199"),
        ("a.opus", OPUS, "fmt/946"),
        ("chat.zip", _zip(), "x-fmt/263"),
        ("chat.txt", b"04-03-2025 10:00 - Jan: hoi\n", "x-fmt/111"),
        ("c.json", b'{"messages": []}', "fmt/817"),
        ("sms.xml", b'<?xml version="1.0" encoding="UTF-8"?><smses/>', "fmt/101"),
    ],
)
def test_known_formats_get_their_puid(tmp_path, name, content, puid):
    path = tmp_path / name
    path.write_bytes(content)
    assert identify_file(path) is PRONOM[puid]


def test_pdfa_3b_and_plain_pdf(tmp_path, pdfs):
    pdfa, plain = tmp_path / "a.pdf", tmp_path / "b.pdf"
    pdfa.write_bytes(pdfs[0])
    plain.write_bytes(pdfs[1])
    assert identify_file(pdfa).puid == "fmt/480"
    assert identify_file(pdfa).label == "Acrobat PDF/A - Portable Document Format 3b"
    assert identify_file(plain).puid == "fmt/276"


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("broken.json", b"{not json", "Onbekend formaat"),
        ("x.backup", b"\x00\x01signal", "Onbekend formaat"),
        ("exif.jpg", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00rest", "JPEG"),  # not JFIF 1.01: no guessed PUID
        ("old.pdf", b"%PDF-1.4\n...%%EOF", "Portable Document Format"),
        ("cut.png", png()[:-12], "Onbekend formaat"),  # no IEND chunk
        ("fake.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 30, "Onbekend formaat"),  # no moov box
    ],
)
def test_unrecognised_files_get_no_invented_puid(tmp_path, name, content, label):
    path = tmp_path / name
    path.write_bytes(content)
    found = identify_file(path)
    assert found.puid is None and found.label == label
