"""Measuring a scanned page's tilt (engine level, Pillow and numpy only): a page tilted a
few degrees either way is found to that angle and levelled; a level page, a blank page
and a page of noise are left alone; a page whose lines run down it is named sideways
rather than "levelled" by a few degrees."""

from __future__ import annotations

import pytest

from consilium.engines.records import straighten
from tests import ocr_support as scans


@pytest.fixture(scope="module")
def report():
    return scans.page(scans.REPORT, dpi=200)  # measured on a 1000-px copy either way


@pytest.mark.parametrize("tilt", [1.5, 2.5, 4.0, -4.0, 7.0, -9.5])
def test_a_tilted_page_is_measured_to_its_angle_and_levelled(report, tilt):
    skew = straighten.measure(scans.misfed(report, skew=tilt))
    assert skew.angle == pytest.approx(-tilt, abs=0.25)
    assert skew.worth_turning and not skew.sideways
    assert skew.gain > 2  # far sharper lines than the page as it came

    levelled = straighten.turn(scans.misfed(report, skew=tilt), skew.angle)
    again = straighten.measure(levelled)
    assert abs(again.angle) <= 0.2 and not again.worth_turning


def test_a_level_page_and_a_tiny_tilt_are_left_alone(report):
    assert straighten.measure(report) == straighten.LEVEL
    for tilt in (0.3, -1.0):
        small = straighten.measure(scans.misfed(report, skew=tilt))
        assert small.angle == pytest.approx(-tilt, abs=0.25)  # measured, but
        assert not small.worth_turning  # under MIN_ANGLE: Tesseract copes, a turn would blur


@pytest.mark.parametrize("turn", [90, 270])
def test_a_sideways_page_is_named_sideways_not_levelled(report, turn):
    skew = straighten.measure(scans.misfed(report, turn=turn, skew=3))
    assert skew.sideways and not skew.worth_turning


def test_upside_down_keeps_its_tilt(report):
    # Half a turn and a tilt commute: the reader turns the page, then levels it alike.
    skew = straighten.measure(scans.misfed(report, turn=180, skew=4))
    assert skew.angle == pytest.approx(-4, abs=0.25) and not skew.sideways


def test_a_blank_page_and_a_page_of_noise_have_no_lines_to_measure():
    from PIL import Image

    blank = straighten.measure(Image.new("L", (2550, 3300), 255))
    assert blank.blank and not blank.worth_turning
    noise = straighten.measure(Image.effect_noise((1200, 1600), 90))
    assert not noise.worth_turning


def test_quarter_turns_are_exact_and_a_tilt_grows_the_page_onto_white(report):
    sideways = straighten.turn(report, -90)  # a quarter clockwise
    assert sideways.size == (report.height, report.width)
    assert straighten.turn(sideways, 90).tobytes() == report.tobytes()
    tilted = straighten.turn(report.convert("1"), 5)
    assert tilted.mode == "L" and tilted.width > report.width and tilted.height > report.height
    assert tilted.getpixel((0, 0)) == 255  # the corners are paper, not black
