"""OCR speed and accuracy on rendered report pages (run by hand; needs tesseract-ocr,
tesseract-ocr-eng and poppler-utils).

    uv run python bench/ocr_speed.py --pages 5 --dpi 300 [--threads 1] [--font-pt 11]
    uv run python bench/ocr_speed.py --pages 2 --turn 180 --skew 4 [--no-straighten]
    uv run python bench/ocr_speed.py --pages 2 --scenarios [--poor] [--no-osd]

``--turn`` feeds every page in sideways (90: turned a quarter clockwise, 270:
anticlockwise) or upside down (180); ``--skew`` tilts it that many degrees
(anticlockwise); ``--no-straighten`` reads the pages as they come, to compare;
``--no-osd`` acts as if Tesseract's orientation model were missing (the fallback that
reads a small copy each way round). ``--scenarios`` runs a table of turns and tilts, each
with and without straightening, and prints one summary line per run.

Draws N US-letter pages of a synthetic pathology report (DejaVu Sans, black on white),
saves them as an image-only PDF (no text layer, as a scanner makes), reads it with
``engines.records.ocr.ocr_pdf`` and prints JSON: seconds per page (rendering with
pdftoppm plus Tesseract), mean word confidence, and character accuracy of the OCR text
against the drawn text (difflib ratio on whitespace-normalized text), overall and for
the report's key lines.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import time
from pathlib import Path

from consilium.engines.records import ocr

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

REPORT = """SURGICAL PATHOLOGY REPORT                      Accession: S25-{page:05d}
Patient: TEST, PATIENT        DOB: 01/02/1960        MRN: 000{page:04d}
Collected: 03/04/2025        Received: 03/04/2025        Reported: 03/07/2025
Submitting physician: Dr. A. Example, Breast Surgery
CLINICAL HISTORY: 64-year-old woman with a 2.3 cm mass in the left breast, 2 o'clock.
SPECIMEN: Left breast, 2 o'clock, ultrasound-guided core needle biopsy (3 cores).
FINAL DIAGNOSIS:
Left breast, 2 o'clock, core needle biopsy:
- Invasive ductal carcinoma, Nottingham grade 2 (tubules 3, nuclei 2, mitoses 1).
- Ductal carcinoma in situ, cribriform type, intermediate nuclear grade.
- Lymphovascular invasion: not identified.
- Greatest linear extent of invasive carcinoma in a core: 11 mm.
BIOMARKERS (immunohistochemistry, controls appropriate):
Estrogen receptor: positive, 95% of tumor cells, strong intensity.
Progesterone receptor: positive, 40% of tumor cells, moderate intensity.
HER2 (4B5): negative, score 1+.
Ki-67: 18% of tumor nuclei.
PATHOLOGIC STAGE (from the excision, for reference): pT2 pN0 (0/3) cM0.
GROSS DESCRIPTION: Received in formalin labeled with the patient's name are three
cores of tan-white tissue, 1.2 to 1.6 cm in length, entirely submitted in cassette A1.
Cold ischemia time under 1 hour; fixation time 6 to 72 hours.
MICROSCOPIC DESCRIPTION: Sections show an infiltrating carcinoma forming nests and
cords with moderate nuclear pleomorphism, set in a desmoplastic stroma. Associated
ductal carcinoma in situ shows cribriform architecture without comedonecrosis.
COMMENT: The findings were discussed with Dr. Example on 03/07/2025 at 14:20.
Electronically signed by: B. Pathologist, MD, on 03/07/2025.
Page {page} of {pages}"""
KEY = ("Invasive ductal carcinoma", "Estrogen receptor", "HER2", "pT2 pN0")


def degrade(image, seed: int):
    """A poor copy: slightly skewed, blurred, speckled, then saved as a grainy JPEG."""
    import random

    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    image = image.rotate(rng.uniform(-1.0, 1.0), resample=Image.BICUBIC, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    pixels = image.load()
    for _ in range(image.width * image.height // 400):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 255))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=55)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def misfeed(image, turn: int, skew: float):
    """The page as fed in crooked: tilted ``skew`` degrees anticlockwise, then turned
    ``turn`` degrees clockwise (sideways or upside down)."""
    from PIL import Image

    if skew:
        image = image.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=255)
    return image.rotate(-turn, expand=True, fillcolor=255) if turn % 360 else image


def render(
    pages: int,
    dpi: int,
    font_pt: float,
    poor: bool = False,
    turn: int = 0,
    skew: float = 0.0,
) -> tuple[bytes, list[str]]:
    from PIL import Image, ImageDraw, ImageFont

    px = round(font_pt / 72 * dpi)
    font = ImageFont.truetype(str(DEJAVU), px) if DEJAVU.exists() else ImageFont.load_default(px)
    images, truths = [], []
    for n in range(1, pages + 1):
        text = REPORT.format(page=n, pages=pages)
        image = Image.new("L", (int(8.5 * dpi), int(11 * dpi)), 255)
        draw = ImageDraw.Draw(image)
        y = int(0.75 * dpi)
        for line in text.splitlines():
            draw.text((int(0.75 * dpi), y), line, font=font, fill=0)
            y += round(px * 1.6)
        image = misfeed(image, turn, skew)
        images.append(degrade(image, n) if poor else image)
        truths.append(text)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue(), truths


def _norm(text: str) -> str:
    return " ".join(text.split())


def accuracy(truths: list[str], result: ocr.OcrResult) -> list[float]:
    pairs = [(_norm(t), _norm(p.text)) for t, p in zip(truths, result.pages, strict=True)]
    return [difflib.SequenceMatcher(None, t, o, autojunk=False).ratio() for t, o in pairs]


def _done(page: ocr.PageResult) -> str:
    """What was done to put the page the right way up, in a few words."""
    steps = [f"turned {page.turned} ({page.turned_by})"] if page.turned else []
    steps += [f"straightened {page.straightened:+.1f}"] if page.straightened else []
    return ", ".join(steps) or "-"


def run(a: argparse.Namespace, turn: int, skew: float, straighten: bool) -> dict:
    settings = ocr.OcrSettings(
        dpi=a.dpi, threads=a.threads, max_pages=max(a.pages, 1), straighten=straighten
    )
    data, truths = render(a.pages, a.dpi, a.font_pt, a.poor, turn, skew)
    started = time.perf_counter()
    result = ocr.ocr_pdf(data, settings=settings)
    seconds = time.perf_counter() - started
    scores = accuracy(truths, result)
    return {
        "turn": turn,
        "skew": skew,
        "straighten": straighten,
        "seconds_per_page": round(seconds / max(a.pages, 1), 2),
        "char_accuracy_mean": round(sum(scores) / len(scores), 4),
        "mean_word_confidence": round(result.confidence or 0, 1),
        "done": [_done(p) for p in result.pages],
        "result": result,
        "truths": truths,
        "data": data,
        "seconds": seconds,
        "accuracy": scores,
    }


SCENARIOS = [(0, 0.0), (0, 2.0), (0, 4.0), (0, -4.0), (0, 8.0), (90, 0.0), (180, 0.0)]
SCENARIOS += [(270, 0.0), (180, 3.0), (90, -4.0)]


def scenarios(a: argparse.Namespace) -> None:
    """One line per run: each turn and tilt read as it comes, then straightened."""
    rows = []
    for turn, skew in SCENARIOS:
        for straighten in (False, True):
            out = run(a, turn, skew, straighten)
            rows.append({k: v for k, v in out.items() if k in SUMMARY})
            print(json.dumps(rows[-1]), flush=True)


SUMMARY = (
    "turn",
    "skew",
    "straighten",
    "seconds_per_page",
    "char_accuracy_mean",
    "mean_word_confidence",
    "done",
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--dpi", type=int, default=300, help="rendering and reading resolution")
    ap.add_argument("--threads", type=int, default=1, help="Tesseract threads")
    ap.add_argument("--font-pt", type=float, default=10.5)
    ap.add_argument("--poor", action="store_true", help="skewed, blurred, speckled JPEG scan")
    ap.add_argument(
        "--no-fixes", action="store_true", help="leave out data/ocr_misreadings.yaml's fixes"
    )
    ap.add_argument("--turn", type=int, default=0, choices=(0, 90, 180, 270))
    ap.add_argument("--skew", type=float, default=0.0, help="tilt in degrees, anticlockwise")
    ap.add_argument("--no-straighten", action="store_true", help="read pages as they come")
    ap.add_argument("--no-osd", action="store_true", help="as if tesseract-ocr-osd were missing")
    ap.add_argument("--scenarios", action="store_true", help="a table of turns and tilts")
    a = ap.parse_args()
    if a.no_fixes:
        ocr.fix_misreadings = lambda text: text
    if a.no_osd:
        ocr.has_osd = lambda settings: False
    reason = ocr.available(ocr.OcrSettings(dpi=a.dpi))
    if reason:
        raise SystemExit(f"OCR unavailable: {reason}")
    if a.scenarios:
        scenarios(a)
        return
    out = run(a, a.turn, a.skew, not a.no_straighten)
    result, truths, seconds, scores = out["result"], out["truths"], out["seconds"], out["accuracy"]
    key_lines = [line for line in truths[0].splitlines() if any(k in line for k in KEY)]
    page_one = _norm(result.pages[0].text) if result.pages else ""
    key_found = sum(1 for line in key_lines if _norm(line) in page_one)
    print(
        json.dumps(
            {
                "engine": result.engine,
                "pages": a.pages,
                "dpi": a.dpi,
                "threads": a.threads,
                "font_pt": a.font_pt,
                "poor_scan": a.poor,
                "turn": a.turn,
                "skew": a.skew,
                "straighten": not a.no_straighten,
                "orientation_model": not a.no_osd,
                "misreading_fixes": not a.no_fixes,
                "pdf_bytes": len(out["data"]),
                "seconds_total": round(seconds, 2),
                "seconds_per_page": round(seconds / max(a.pages, 1), 2),
                "page_seconds": [round(p.seconds, 2) for p in result.pages],
                "pages_done": out["done"],
                "words": result.words,
                "mean_word_confidence": round(result.confidence or 0, 1),
                "char_accuracy_mean": round(sum(scores) / len(scores), 4),
                "char_accuracy_per_page": [round(x, 4) for x in scores],
                "key_lines_exact": f"{key_found}/{len(key_lines)}",
                "page_1_ocr": result.pages[0].text if result.pages else "",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
