"""A synthetic report as a fax arrives: its text drawn on letter pages with Pillow, a
little crooked, in black and white at fax resolution, saved as an image-only PDF (no text
layer, so only OCR can read it). Made at seed time, so no binary file is committed."""

from __future__ import annotations

import io
from pathlib import Path

from consilium.engines.synthetic.model import DocumentSpec

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
DPI = 200  # a fine-mode fax
FONT_PT = 10.0
LINE_SPACING = 1.45
MARGIN_IN = 0.75
# Fed into the fax machine a little crooked: OCR levels it before reading, and the
# record says so ("page 1 was tilted 2.0° and levelled").
TILT_DEGREES = -2.0


def _font(px: int):
    from PIL import ImageFont

    if FONT.exists():
        return ImageFont.truetype(str(FONT), px)
    return ImageFont.load_default(size=px)  # Pillow's own font, where DejaVu is missing


def _wrap(line: str, font, width: int) -> list[str]:
    """``line`` broken at spaces into pieces no wider than ``width`` pixels."""
    if font.getlength(line) <= width:
        return [line]
    pieces, current = [], ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            pieces.append(current)
            current = word
        else:
            current = candidate
    return [*pieces, current] if current else pieces


def render_scan(doc: DocumentSpec) -> bytes:
    """``doc``'s text as a faxed image-only PDF, one or more letter pages."""
    from PIL import Image, ImageDraw

    width, height = int(8.5 * DPI), int(11 * DPI)
    margin = int(MARGIN_IN * DPI)
    px = round(FONT_PT / 72 * DPI)
    step = round(px * LINE_SPACING)
    font, small = _font(px), _font(round(px * 0.8))
    lines = [p for line in doc.text.splitlines() for p in _wrap(line, font, width - 2 * margin)]
    per_page = (height - 2 * margin - 2 * step) // step
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, 1):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        header = f"FAX  from {doc.source or 'the sender'}  ·  page {number} of {len(chunks)}"
        draw.text((margin, margin // 2), header, font=small, fill=0)
        y = margin + step
        for line in chunk:
            draw.text((margin, y), line, font=font, fill=0)
            y += step
        crooked = page.rotate(TILT_DEGREES, resample=Image.Resampling.BILINEAR, fillcolor=255)
        pages.append(crooked.point(lambda v: 255 if v > 150 else 0).convert("1"))
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return buf.getvalue()
