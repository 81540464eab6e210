"""Finding how far a scanned page is tilted, and turning it straight, before OCR.

A page fed into a scanner or fax a little crooked reads badly: Tesseract follows a text
line a few degrees off level for a while, then drops or merges lines, silently (its word
confidence stays high, so nothing else notices). The tilt is found by the projection
profile: on a small black-and-white copy of the page, the dark pixels are summed along
rows for each candidate angle; at the page's own angle the rows fall exactly on the text
lines and the gaps between them, so the profile changes most sharply from row to row.

Plain Pillow and numpy; no Django. Quarter-page-turns (sideways, upside down) are found
by Tesseract itself (``ocr.py``): a profile cannot tell up from down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Tilts searched, in degrees either way. A page fed crooked is a few degrees off; beyond
# ten it is more likely a photo of a page at an angle, which straightening cannot fix.
MAX_ANGLE = 10.0
COARSE_STEP = 0.5
FINE_STEP = 0.1
# The profile is measured on a copy this many pixels wide (about 120 dpi for a letter
# page): enough to resolve 0.1 degree across a text line, quick to sum.
WORK_WIDTH = 1000
# Tilts smaller than this are left alone: Tesseract follows them as well as a level line
# and each turn softens the letters (bench/ocr_speed.py --skew: at 1 degree either way
# the page reads as well as it comes, 0.9997 vs 0.9994 levelled; at 1.5, 0.9988 vs
# 0.9994; at 2, 0.9958 vs 0.9994; at -4, 0.69 vs 0.9994).
MIN_ANGLE = 1.2
# The tilt is applied only when the profile at that angle is this much sharper than
# the level page's: a page of scattered marks, a photo or a blank page has no text lines
# whose profile a turn could sharpen, and is left as it is.
MIN_GAIN = 1.5
# A page that is nearly all white, or nearly all dark, has no lines to measure.
MIN_INK, MAX_INK = 0.002, 0.4
MAX_POINTS = 200_000  # dark pixels used; more say nothing new and take longer


@dataclass(frozen=True)
class Skew:
    angle: float  # degrees to turn the page anticlockwise to level it (Pillow's sense)
    gain: float  # profile sharpness at ``angle`` over that of the page as it is (>= 1)
    sideways: bool = False  # the text lines run down the page (turned a quarter)
    blank: bool = False  # too little ink (or too much) to hold lines of text

    @property
    def worth_turning(self) -> bool:
        return not self.sideways and abs(self.angle) >= MIN_ANGLE and self.gain >= MIN_GAIN


LEVEL = Skew(0.0, 1.0)
SIDEWAYS = Skew(0.0, 1.0, sideways=True)
BLANK = Skew(0.0, 1.0, blank=True)


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels by Otsu's threshold (the grey level that best splits the page's
    histogram into paper and ink), so a grey fax or a faint copy binarizes alike."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    threshold = int(np.argmax(between))
    return gray <= threshold


def _sharpness(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    """Sum of squared differences between neighbouring rows of the profile of the points
    turned by ``angle`` degrees anticlockwise (image rows grow downwards)."""
    theta = np.deg2rad(angle)
    rows = np.floor(ys * np.cos(theta) - xs * np.sin(theta)).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.sum(np.diff(profile) ** 2))


def _best(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """The angle (to 0.1 degree) whose row profile is sharpest, and its sharpness."""
    coarse = np.arange(-MAX_ANGLE, MAX_ANGLE + COARSE_STEP / 2, COARSE_STEP)
    best = max(coarse, key=lambda a: _sharpness(xs, ys, float(a)))
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + FINE_STEP / 2, FINE_STEP)
    scores = {round(float(a), 2): _sharpness(xs, ys, float(a)) for a in fine}
    scores = {a: v for a, v in scores.items() if abs(a) <= MAX_ANGLE}
    angle = max(scores, key=lambda a: scores[a])
    return angle + 0.0, scores[angle]  # + 0.0: no "-0.0°" in the notes


def measure(image) -> Skew:
    """How far ``image`` (a Pillow image of a page) is tilted; ``BLANK`` when it has no
    ink to measure, ``SIDEWAYS`` when its lines run down the page."""
    from PIL import Image

    gray = image.convert("L")
    if gray.width > WORK_WIDTH:
        height = max(1, round(gray.height * WORK_WIDTH / gray.width))
        gray = gray.resize((WORK_WIDTH, height), Image.Resampling.BOX)
    pixels = np.asarray(gray, dtype=np.uint8)
    ink = _ink(pixels)
    share = float(ink.mean())
    if not MIN_INK <= share <= MAX_INK:
        return BLANK
    ys, xs = np.nonzero(ink)
    if len(xs) > MAX_POINTS:
        step = len(xs) // MAX_POINTS + 1
        ys, xs = ys[::step], xs[::step]
    # Whole-pixel centre: level rows then land one to a bin, as at any other angle.
    xs = xs.astype(np.float64) - pixels.shape[1] // 2
    ys = ys.astype(np.float64) - pixels.shape[0] // 2
    level = _sharpness(xs, ys, 0.0)
    if level <= 0:
        return LEVEL
    angle, sharpest = _best(xs, ys)
    # The same search down the columns (the page a quarter turn round): sharper there,
    # the text lines run down the page, and levelling its rows would only add a tilt.
    _, down = _best(ys, -xs)
    if down > sharpest:
        return SIDEWAYS
    return Skew(angle, sharpest / level)


def turn(image, degrees: float):
    """``image`` turned ``degrees`` anticlockwise onto white paper, the page grown to hold
    its corners (a quarter turn swaps width and height without loss)."""
    from PIL import Image

    if degrees % 90 == 0:
        quarter = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180}
        quarter[270] = Image.Transpose.ROTATE_270
        turned = int(degrees) % 360
        return image if turned == 0 else image.transpose(quarter[turned])
    page = image if image.mode in ("L", "RGB") else image.convert("L")
    white = 255 if page.mode == "L" else (255, 255, 255)
    # Bilinear: as sharp as bicubic for print at 200-300 dpi, in under half the time.
    return page.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=white)
