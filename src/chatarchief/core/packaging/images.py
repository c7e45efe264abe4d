"""Pictures for PDFs: decoded, redacted in pixels, scaled down and re-encoded without metadata.

Every picture that goes into a PDF passes `sanitise_image`: the bytes are decoded by Pillow (JPEG,
PNG, GIF and WebP only; anything else is not drawn), turned upright by their EXIF orientation,
rectangles are painted black *in the pixels* with the Woo ground code in white, and the result is
written as a fresh image that carries no EXIF, XMP, ICC profile, comment or text chunk, so neither GPS
positions nor camera serials nor the pixels under a box reach the PDF.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

DRAWABLE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_SIDE = 1600  # pixels: enough for A4 at ~190 dpi, keeps PDFs small
MAX_PIXELS = 60_000_000  # refuse decompression bombs well before Pillow's own limit


class ImageRefused(ValueError):
    """The bytes are not a picture this module will draw (unknown format, damaged, too large)."""


@dataclass(frozen=True, slots=True)
class PixelBox:
    """A rectangle in the upright picture's pixels, with the grounds printed in it."""

    x0: int
    y0: int
    x1: int
    y1: int
    label: str


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    mime_type: str  # image/jpeg or image/png
    width: int
    height: int


def sanitise_image(data: bytes, boxes: Sequence[PixelBox] = (), *, max_side: int = MAX_SIDE) -> CleanImage:
    """Decode, black out `boxes`, scale to at most `max_side` and re-encode without any metadata."""
    picture, lossless = _decode(data)
    for box in boxes:
        _paint_box(picture, box)
    picture.thumbnail((max_side, max_side))
    clean = Image.new(picture.mode, picture.size)  # a fresh image: no info, no exif, no icc
    clean.paste(picture)
    out = io.BytesIO()
    if lossless:
        clean.save(out, format="PNG", optimize=False)
        mime = "image/png"
    else:
        clean.save(out, format="JPEG", quality=85)
        mime = "image/jpeg"
    return CleanImage(data=out.getvalue(), mime_type=mime, width=clean.width, height=clean.height)


def _decode(data: bytes) -> tuple[Image.Image, bool]:
    """The first frame, upright, in RGB or RGBA; and whether to keep it lossless (PNG/GIF)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.format not in DRAWABLE_FORMATS:
                raise ImageRefused(f"format {source.format!r} is not drawn")
            if source.width * source.height > MAX_PIXELS:
                raise ImageRefused("picture too large")
            source.seek(0)
            source.load()
            upright = ImageOps.exif_transpose(source) or source
    except ImageRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(str(exc)) from exc
    lossless = source.format in {"PNG", "GIF"}
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or (upright.mode == "P" and "transparency" in upright.info)
    mode = "RGBA" if has_alpha and lossless else "RGB"
    if has_alpha and not lossless:
        flat = Image.new("RGB", upright.size, "white")
        flat.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
        return flat, False
    return upright.convert(mode), lossless


def _paint_box(picture: Image.Image, box: PixelBox) -> None:
    low_x, high_x = sorted((box.x0, box.x1))
    low_y, high_y = sorted((box.y0, box.y1))
    x0, x1 = max(0, low_x), min(picture.width, high_x)
    y0, y1 = max(0, low_y), min(picture.height, high_y)
    if x1 <= x0 or y1 <= y0:
        raise ImageRefused(f"box {box.x0},{box.y0},{box.x1},{box.y1} lies outside the picture")
    draw = ImageDraw.Draw(picture)
    black = (0, 0, 0, 255) if picture.mode == "RGBA" else (0, 0, 0)
    draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=black)
    size = max(8, min(y1 - y0, 48) * 3 // 5)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = draw.textbbox((0, 0), box.label, font=font)
    if right - left <= x1 - x0 and bottom - top <= y1 - y0:
        position = (x0 + (x1 - x0 - (right - left)) // 2 - left, y0 + (y1 - y0 - (bottom - top)) // 2 - top)
        draw.text(position, box.label, fill="white", font=font)
