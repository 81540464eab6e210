"""Scanned pages fed in upside down, sideways or tilted are put the right way up before
OCR reads them (engine level): the text comes out as from an upright page, each page says
what was done to it, the record's status line says so in words, the way up is found
without Tesseract's orientation model too, and the checks stop at the page's time limit."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from consilium.engines.records import ocr
from consilium.engines.records.filetypes import FileType
from consilium.engines.records.text import read_with_ocr
from tests import ocr_support as scans

EXPECTED = "\n".join(scans.REPORT)
WORDS = ("Invasive ductal carcinoma", "Estrogen receptor: positive", "HER2", "pT2 pN0")


def _words(text: str) -> str:
    return " ".join(text.split())


def _reads_like_the_report(text: str) -> None:
    for words in WORDS:
        assert words in _words(text)
    assert scans.char_accuracy(EXPECTED, text) >= 0.97


def test_an_upside_down_tilted_page_is_turned_levelled_and_read():
    scans.needs_osd()
    data = scans.scanned_pdf(scans.REPORT, turn=180, skew=3)
    as_it_came = ocr.ocr_pdf(data, settings=ocr.OcrSettings(straighten=False))
    assert scans.char_accuracy(EXPECTED, as_it_came.text) < 0.5  # gibberish upside down

    read = read_with_ocr(FileType.PDF, data)
    assert read.status == "ocr"
    _reads_like_the_report(read.text)
    (page,) = read.ocr.pages
    assert page.turned == 180 and page.turned_by == "orientation detection"
    assert page.straightened == pytest.approx(-3, abs=0.3)
    assert page.confidence > ocr.DEFAULT.recheck_below
    assert "page 1 turned 180° (it was upside down); page 1 was tilted 3.0° and levelled" in (
        read.detail
    )
    meta = read.ocr.to_metadata()["pages"][0]
    assert meta["turned"] == 180 and meta["straightened"] == page.straightened


def test_a_sideways_fax_page_is_turned_a_quarter_and_read():
    scans.needs_tesseract()
    # Page 1 upright, page 2 fed in sideways (a quarter turn anticlockwise).
    fax = scans.fax_tiff(scans.FAX, scans.REPORT, turned={2: 270})
    read = read_with_ocr(FileType.TIFF, fax)
    first, second = read.ocr.pages
    assert (first.turned, second.turned) == (0, 90)
    assert "Adenocarcinoma of the lung" in _words(first.text)
    _reads_like_the_report(second.text)
    assert "page 2 turned 90° clockwise" in read.detail


def test_a_tilted_page_is_levelled_and_read():
    scans.needs_tesseract()
    read = read_with_ocr(FileType.PNG, scans.image(skew=4))
    _reads_like_the_report(read.text)
    (page,) = read.ocr.pages
    assert page.straightened == pytest.approx(-4, abs=0.3) and page.turned == 0
    assert "page 1 was tilted 4.0° and levelled" in read.detail


def test_an_upright_page_is_read_once_as_it_came():
    scans.needs_tesseract()
    read = read_with_ocr(FileType.PNG, scans.image())
    (page,) = read.ocr.pages
    assert (page.turned, page.straightened) == (0, 0)
    assert read.detail.startswith("text read by OCR, mean word confidence")
    assert "turned" not in read.detail and "levelled" not in read.detail


def _wrapper(tmp_path: Path, body: str) -> str:
    """A tesseract that lists only the English model (no "osd"), then runs ``body``."""
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "List of languages:\\neng\\n"; exit 0; fi\n'
        + body
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.parametrize(("fed", "turned"), [(180, 180), (270, 90), (90, 270)])
def test_without_the_orientation_model_the_way_up_is_found_by_word_confidence(
    tmp_path, fed, turned
):
    scans.needs_tesseract()
    real = ocr.DEFAULT.tesseract
    no_osd = _wrapper(tmp_path, f'exec {real} "$@"\n')
    settings = ocr.OcrSettings(tesseract=no_osd)
    read = read_with_ocr(FileType.PNG, scans.image(turn=fed, skew=-3), settings=settings)
    _reads_like_the_report(read.text)
    (page,) = read.ocr.pages
    assert (page.turned, page.turned_by) == (turned, "word confidence")
    assert page.straightened == pytest.approx(3, abs=0.3)


def test_the_checks_stop_at_the_page_time_limit_and_keep_the_first_reading(tmp_path):
    # A Tesseract that reads any page as two unsure words at once, and hangs when asked
    # for the page's orientation: the poor reading starts the checks, which give up when
    # the page's time is up, and the page keeps its first reading.
    tsv = tmp_path / "words.tsv"
    tsv.write_text(
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth"
        "\theight\tconf\ttext\n"
        "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t30\tpT2\n"
        "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t32\tpN0\n"
    )
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "Languages:\\neng\\nosd\\n"; exit 0; fi\n'
        'if [ "$1" = "--version" ]; then echo "tesseract 0.0-fake"; exit 0; fi\n'
        'case "$*" in *"--psm 0"*) exec sleep 30;; esac\n'
        'printf "pT2 pN0\\n" > "$2.txt"\n'
        f'cp "{tsv}" "$2.tsv"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    settings = ocr.OcrSettings(tesseract=str(script), page_timeout=2.0)

    started = time.monotonic()
    result = ocr.ocr_image(scans.image(turn=180), settings=settings)
    assert time.monotonic() - started < 6  # the page's 2 s, not the hanging 30
    (page,) = result.pages
    assert (page.status, page.text, page.turned) == ("read", "pT2 pN0", 0)
    assert page.confidence == pytest.approx(31)
