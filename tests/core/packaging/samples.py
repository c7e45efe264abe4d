"""Small hand-made chat documents and pictures for the packaging tests."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from chatarchief.core.packaging.document import (
    ChatAttachment,
    ChatDocument,
    ChatMessage,
    ChatVersion,
    MessageKind,
    Precision,
)

AMS = "Europe/Amsterdam"
# The smallest byte strings that match PRONOM's signatures for fmt/199 (MP4) and fmt/946 (Ogg Opus).
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 40 + b"\x00\x00\x00\x08moov"
OPUS = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13" + b"OpusHead" + b"\x01\x02" + b"\x00" * 9 + b"OggS" + b"\x00" * 20


def at(hour: int, minute: int, second: int = 0, day: int = 4) -> dt.datetime:
    """A UTC moment on March `day`, 2025 (Amsterdam is UTC+1 then)."""
    return dt.datetime(2025, 3, day, hour, minute, second, tzinfo=dt.UTC)


def jpeg(color=(200, 30, 30), size=(400, 300), *, exif_gps: bool = False, comment: bytes = b"") -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs: dict = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "CameraMakerSecret"  # Make
        exif[0x8825] = {1: "N", 2: (52.0, 4.0, 48.0), 3: "E", 4: (4.0, 18.0, 36.0)}  # GPS IFD
        kwargs["exif"] = exif
    if comment:
        kwargs["comment"] = comment
    image.save(out, format="JPEG", quality=90, **kwargs)
    return out.getvalue()


def png(color=(10, 120, 200, 255), size=(200, 100), *, text_chunk: str = "") -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", size, color)
    info = PngImagePlugin.PngInfo()
    if text_chunk:
        info.add_text("Author", text_chunk)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def message(mid: str, body: str = "", **kwargs) -> ChatMessage:
    kwargs.setdefault("sender", "p1")
    kwargs.setdefault("sender_name", "Xaverius Quadflieg")
    kwargs.setdefault("sent_at", at(9, int(mid[-1]) if mid[-1].isdigit() else 0))
    return ChatMessage(id=mid, body=body, **kwargs)


def secret_document() -> ChatDocument:
    """A document whose every redactable place holds a unique marker word."""
    return ChatDocument(
        title="Overleg met Xaverius Quadflieg",
        number="2025-017-0001",
        time_zone=AMS,
        holders=["Minister R. de Vries"],
        header_lines=["Woo-besluit 2025/17", "Met Xaverius Quadflieg besproken"],
        footer_lines=["Ministerie van BZK"],
        messages=[
            message("m1", "ZICHTBAAR en ZEGELRING7 en Ωmega", outgoing=False, precision=Precision.SECOND,
                    sent_at=at(9, 1, 7)),
            message("m2", "WALVISBAAI hele bericht", attachments=[ChatAttachment(filename="VUURTOREN.pdf")],
                    versions=[ChatVersion(body="KNIPMES oude tekst")], edited=True),
            message("m3", "Groet van de minister aan xaverius   quadflieg", sender="minister",
                    sender_name="Minister R. de Vries", outgoing=True),
            message("m4", "", kind=MessageKind.MEDIA, attachments=[
                ChatAttachment(filename="GEHEIMFOTO.jpg", mime_type="image/jpeg", data=jpeg(), caption="ONDERSCHRIFT")
            ]),
            message("m5", "", sender=None, sender_name=None, kind=MessageKind.SYSTEM,
                    event_text="BOTERBLOEM heeft de groep verlaten"),
            message("m6", "Bel de boterbloem-lijn, ZICHTBAAR2"),
        ],
    )  # fmt: skip
