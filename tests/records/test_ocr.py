"""OCR of scanned records (engine level): image-only PDF pages and images are read by
Tesseract, a PDF's text-layer pages keep their own text, and every way OCR cannot run
(missing program or model, a failing or hanging program, a broken file, too many pages)
gives a status and a reason instead of an exception."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from consilium.engines.records import ocr
from consilium.engines.records.filetypes import FileType, recognize
from consilium.engines.records.text import extract_text, read_with_ocr
from tests import ocr_support as scans

MISSING = "/nonexistent/bin/tesseract"


def _words(text: str) -> str:
    return " ".join(text.split())


def test_a_scanned_pdf_page_is_read_with_its_confidence():
    scans.needs_tesseract()
    data = scans.scanned_pdf(scans.REPORT)
    first = extract_text(FileType.PDF, data)
    assert (first.status, first.ocr_pages, first.text) == ("needs_ocr", (1,), "")

    seen = []
    result = ocr.ocr_pdf(data, progress=lambda n, total: seen.append((n, total)))
    assert seen == [(1, 1)]
    text = _words(result.text)
    for words in ("Invasive ductal carcinoma", "Estrogen receptor: positive", "HER2"):
        assert words in text
    assert [p.status for p in result.pages] == ["read"]
    assert result.status == "read" and result.words >= 20
    assert 50 < result.confidence <= 100
    meta = result.to_metadata()
    assert meta["pages"][0]["page"] == 1 and meta["engine"].startswith("tesseract")
    assert (meta["dpi"], meta["language"]) == (300, "eng")


def test_a_mixed_pdf_keeps_its_text_layer_page_and_reads_the_scanned_one():
    scans.needs_tesseract()
    typed = "Clinical history: palpable mass in the left breast, 3 cm."
    data = scans.mixed_pdf(typed, scans.REPORT)
    first = extract_text(FileType.PDF, data)
    assert first.status == "needs_ocr" and first.ocr_pages == (2,)
    assert typed in first.text and "Estrogen" not in first.text
    assert "page 2 of 2" in first.detail

    read = read_with_ocr(FileType.PDF, data)
    assert read.status == "ocr"
    assert [p.number for p in read.ocr.pages] == [2]  # page 1 was not OCR'd
    page_one, _, page_two = read.text.partition("\n\n")
    assert typed in page_one  # exactly as its text layer gave it
    assert "Invasive ductal carcinoma" in _words(read.text)
    # The OCR text is located, so a fact from page 1 is not flagged as read by OCR.
    ((start, end),) = read.ocr_spans
    assert read.text.index("Invasive") >= start and start > read.text.index(typed)
    assert end == len(read.text)
    assert "text read by OCR from page 2 of 2, mean word confidence" in read.detail


def test_a_multi_page_fax_tiff_and_a_phone_jpeg_are_read():
    scans.needs_tesseract()
    fax = scans.fax_tiff(scans.FAX, ["Page two: margins are negative."])
    assert recognize(fax, "fax.tif", 10_000_000).type is FileType.TIFF
    result = ocr.ocr_image(fax)
    assert result.total_pages == 2 and [p.status for p in result.pages] == ["read", "read"]
    assert "Adenocarcinoma of the lung" in _words(result.pages[0].text)
    assert "margins are negative" in _words(result.pages[1].text)

    photo = read_with_ocr(FileType.JPEG, scans.image(fmt="JPEG"))
    assert photo.status == "ocr" and "Invasive ductal carcinoma" in _words(photo.text)
    assert photo.ocr_spans == ((0, len(photo.text)),)


def test_pages_over_the_limit_are_named_not_read():
    scans.needs_tesseract()
    data = scans.scanned_pdf(scans.REPORT, ["Addendum: no change to the diagnosis."])
    read = read_with_ocr(FileType.PDF, data, settings=ocr.OcrSettings(max_pages=1))
    assert read.status == "ocr"
    assert [(p.number, p.status) for p in read.ocr.pages] == [(1, "read"), (2, "not_read")]
    assert "Addendum" not in read.text
    assert "page 2 not read (at most 1 pages are read per record)" in read.detail


def test_missing_programs_and_models_are_named_with_their_debian_package(tmp_path):
    assert ocr.available(ocr.OcrSettings(tesseract=MISSING)) == (
        "tesseract is not installed (Debian package tesseract-ocr)"
    )
    scans.needs_tesseract()
    no_poppler = ocr.OcrSettings(pdftoppm=str(tmp_path / "pdftoppm"))
    assert ocr.available(no_poppler) == "pdftoppm is not installed (Debian package poppler-utils)"
    assert ocr.available(no_poppler, pdf=False) is None  # images need only Tesseract
    assert "tesseract-ocr-zzz" in ocr.available(ocr.OcrSettings(language="eng+zzz"))


def test_without_tesseract_the_text_layer_is_kept_and_the_reason_given():
    typed = "Clinical history: palpable mass in the left breast."
    data = scans.mixed_pdf(typed, scans.REPORT)
    read = read_with_ocr(FileType.PDF, data, settings=ocr.OcrSettings(tesseract=MISSING))
    assert read.status == "ocr_unavailable" and typed in read.text
    assert read.detail.startswith("OCR unavailable: tesseract is not installed")
    assert "page 2 not read" in read.detail


def _fake_tesseract(tmp_path: Path, body: str) -> str:
    """A stand-in for tesseract that lists the English model, then runs ``body``."""
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "List of languages:\\neng\\n"; exit 0; fi\n'
        'if [ "$1" = "--version" ]; then echo "tesseract 0.0-fake"; exit 0; fi\n' + body
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_failing_or_hanging_tesseract_fails_the_page_with_the_reason(tmp_path):
    png = scans.image()
    failing = _fake_tesseract(tmp_path, 'echo "Error: cannot read the page" >&2\nexit 1\n')
    read = read_with_ocr(FileType.PNG, png, settings=ocr.OcrSettings(tesseract=failing))
    assert read.status == "ocr_failed" and read.text == ""
    assert read.detail == "OCR failed on page 1: tesseract failed: Error: cannot read the page"

    hanging = _fake_tesseract(tmp_path, "exec sleep 30\n")
    slow = ocr.ocr_image(png, settings=ocr.OcrSettings(tesseract=hanging, page_timeout=0.5))
    assert slow.status == "failed"
    assert slow.pages[0].detail == "tesseract took longer than 0.5 s"


def test_a_file_that_cannot_be_decoded_fails_without_raising():
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    read = read_with_ocr(FileType.PNG, broken)
    if read.status == "ocr_unavailable":
        pytest.skip(read.detail)
    assert read.status == "ocr_failed"
    assert read.detail.startswith("OCR failed: the image cannot be opened")


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("pT2 pNO (0/3).", "pT2 pN0 (0/3)."),
        ("ypTlmi, pNla, cMO", "ypT1mi, pN1a, cM0"),
        ("pTis pTIS", "pTis pTIS"),  # carcinoma in situ is not a misreading
        ("REFERRED TO Dr. No", "REFERRED TO Dr. No"),  # no prefix: not a TNM category
        ("pTl2", "pTl2"),  # followed by a digit: left for the reader
    ],
)
def test_known_misreadings_in_tnm_categories_are_put_right(raw, fixed):
    assert ocr.fix_misreadings(raw) == fixed
