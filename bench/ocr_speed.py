"""OCR speed and accuracy on rendered report pages (run by hand; needs tesseract-ocr,
tesseract-ocr-eng and poppler-utils).

    uv run python bench/ocr_speed.py --pages 5 --dpi 300 [--threads 1] [--font-pt 11]

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


def render(pages: int, dpi: int, font_pt: float, poor: bool = False) -> tuple[bytes, list[str]]:
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
        images.append(degrade(image, n) if poor else image)
        truths.append(text)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue(), truths


def _norm(text: str) -> str:
    return " ".join(text.split())


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
    a = ap.parse_args()
    if a.no_fixes:
        ocr.fix_misreadings = lambda text: text
    settings = ocr.OcrSettings(dpi=a.dpi, threads=a.threads, max_pages=max(a.pages, 1))
    reason = ocr.available(settings)
    if reason:
        raise SystemExit(f"OCR unavailable: {reason}")
    data, truths = render(a.pages, a.dpi, a.font_pt, a.poor)
    started = time.perf_counter()
    result = ocr.ocr_pdf(data, settings=settings)
    seconds = time.perf_counter() - started
    pairs = [(_norm(t), _norm(p.text)) for t, p in zip(truths, result.pages, strict=True)]
    accuracy = [difflib.SequenceMatcher(None, t, o, autojunk=False).ratio() for t, o in pairs]
    key_lines = [line for line in truths[0].splitlines() if any(k in line for k in KEY)]
    key_found = sum(1 for line in key_lines if _norm(line) in pairs[0][1])
    print(
        json.dumps(
            {
                "engine": result.engine,
                "pages": a.pages,
                "dpi": a.dpi,
                "threads": a.threads,
                "font_pt": a.font_pt,
                "poor_scan": a.poor,
                "misreading_fixes": not a.no_fixes,
                "pdf_bytes": len(data),
                "seconds_total": round(seconds, 2),
                "seconds_per_page": round(seconds / max(a.pages, 1), 2),
                "page_seconds": [round(p.seconds, 2) for p in result.pages],
                "words": result.words,
                "mean_word_confidence": round(result.confidence or 0, 1),
                "char_accuracy_mean": round(sum(accuracy) / len(accuracy), 4),
                "char_accuracy_per_page": [round(x, 4) for x in accuracy],
                "key_lines_exact": f"{key_found}/{len(key_lines)}",
                "page_1_ocr": result.pages[0].text if result.pages else "",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
