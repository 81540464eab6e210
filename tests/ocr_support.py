"""Scanned records made by the tests themselves, and ``needs_tesseract``.

A "scan" is report text drawn on a white page with Pillow (DejaVu Sans when installed,
else Pillow's own font) and saved as an image or an image-only PDF: no text layer, so
only OCR can read it. Tests that run Tesseract call ``needs_tesseract()``: on a machine
without it they skip with the reason (CONSILIUM_STRICT=1 turns that into a failure).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from consilium.engines.records import ocr

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils"

REPORT = [
    "SURGICAL PATHOLOGY REPORT",
    "Specimen: Left breast, core needle biopsy.",
    "Diagnosis: Invasive ductal carcinoma, Nottingham grade 2.",
    "Estrogen receptor: positive (90% of tumor cells).",
    "Progesterone receptor: positive (40%).",
    "HER2 by immunohistochemistry: negative (score 1+).",
    "pT2 pN0.",
]
FAX = [
    "FAX COVER: outside pathology consultation",
    "Diagnosis: Adenocarcinoma of the lung, acinar predominant.",
]


def needs_tesseract() -> None:
    reason = ocr.available()
    if reason is not None:
        pytest.skip(f"OCR unavailable: {reason} ({INSTALL})")


def needs_osd() -> None:
    """For tests of Tesseract's orientation detection (without it, pages are still
    turned, by word confidence: tests/records/test_ocr_orientation.py covers both)."""
    needs_tesseract()
    if not ocr.has_osd():
        pytest.skip(
            "Tesseract's orientation model is not installed (apt-get install tesseract-ocr-osd)"
        )


def _font(px: int):
    from PIL import ImageFont

    if DEJAVU.exists():
        return ImageFont.truetype(str(DEJAVU), px)
    return ImageFont.load_default(size=px)


def page(lines: list[str], *, dpi: int = 300, font_pt: float = 11):
    """A US-letter page at ``dpi`` with ``lines`` of text, as a greyscale image."""
    from PIL import Image, ImageDraw

    width, height = int(8.5 * dpi), int(11 * dpi)
    px = round(font_pt / 72 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = _font(px)
    y = dpi  # one inch margins
    for line in lines:
        draw.text((dpi, y), line, font=font, fill=0)
        y += round(px * 1.8)
    return image


def misfed(image, *, turn: int = 0, skew: float = 0.0):
    """The page as fed in crooked: tilted ``skew`` degrees anticlockwise, then turned
    ``turn`` degrees clockwise (90: sideways, 180: upside down)."""
    from PIL import Image

    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return image.rotate(-turn, expand=True, fillcolor=255) if turn % 360 else image


def char_accuracy(expected: str, got: str) -> float:
    """How alike two texts are, character by character, whitespace aside (0-1)."""
    import difflib

    a, b = " ".join(expected.split()), " ".join(got.split())
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def scanned_pdf(*pages: list[str], turn: int = 0, skew: float = 0.0) -> bytes:
    """An image-only PDF (one page per list of lines), as a scanner makes; every page
    ``misfed`` by ``turn`` and ``skew`` when given."""
    images = [misfed(page(lines), turn=turn, skew=skew) for lines in pages or (REPORT,)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return buf.getvalue()


def image(
    lines: list[str] = REPORT, fmt: str = "PNG", *, turn: int = 0, skew: float = 0.0
) -> bytes:
    buf = io.BytesIO()
    misfed(page(lines), turn=turn, skew=skew).save(buf, fmt, dpi=(300, 300))
    return buf.getvalue()


def fax_tiff(*pages: list[str], turned: dict[int, int] | None = None) -> bytes:
    """A multi-page black-and-white TIFF, compressed like a fax (CCITT group 4);
    ``turned`` maps a 1-based page to the degrees it was fed in turned clockwise."""
    turned = turned or {}
    images = [
        misfed(page(lines, dpi=200), turn=turned.get(n, 0)).convert("1")
        for n, lines in enumerate(pages or (FAX,), 1)
    ]
    buf = io.BytesIO()
    images[0].save(
        buf,
        "TIFF",
        compression="group4",
        dpi=(200, 200),
        save_all=True,
        append_images=images[1:],
    )
    return buf.getvalue()


def mixed_pdf(typed: str, scanned: list[str]) -> bytes:
    """Page 1 with a text layer (``typed``), page 2 a scan of ``scanned``."""
    from pypdf import PdfReader, PdfWriter

    from tests.records import samples

    writer = PdfWriter()
    for part in (samples.pdf(typed), scanned_pdf(scanned)):
        for p in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(p)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
