"""Reading the text of scanned records (image-only PDF pages, faxes, phone photos) offline
with Tesseract.

Two Debian programs do the work, called as subprocesses with a time limit, their input
and output in a temporary directory that is removed afterwards: ``pdftoppm`` and
``pdfinfo`` (poppler-utils) turn PDF pages into images, ``tesseract`` (tesseract-ocr with
tesseract-ocr-eng) reads each image into text plus a TSV of words with their confidence.
Nothing here raises for a page that cannot be read: each page carries its status, so a
record is never lost to a bad scan.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data")

# progress(n, total): called before reading the n-th (1-based) of ``total`` pages.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OcrSettings:
    """Every OCR setting in one place; the Django side builds one from its settings."""

    dpi: int = 300  # PDF pages are rendered at this resolution (300 is Tesseract's sweet spot)
    language: str = "eng"  # Tesseract model(s), e.g. "eng" or "eng+spa"
    page_timeout: float = 120.0  # seconds each program may take for one page
    max_pages: int = 50  # pages read per record; the rest are named as not read
    psm: int = 3  # Tesseract page segmentation: fully automatic, as for a report page
    # Threads per Tesseract run. One is faster on a small shared machine (its OpenMP
    # threads otherwise fight the web server and each other) and lets workers scale out.
    threads: int = 1
    # A page is rendered no larger than this many pixels on its long side, whatever its
    # stated size (a malformed PDF may claim a page metres wide).
    max_side_px: int = 7000
    tesseract: str = "tesseract"
    pdftoppm: str = "pdftoppm"
    pdfinfo: str = "pdfinfo"


DEFAULT = OcrSettings()


class OcrError(Exception):
    """One page could not be read; the message says why, in words for the coordinator."""


@dataclass(frozen=True)
class PageResult:
    number: int  # 1-based page (or TIFF frame) number in the file
    status: str  # "read" (words found), "empty" (no words), "failed", "not_read" (over max)
    text: str = ""
    confidence: float | None = None  # mean word confidence, 0-100
    words: int = 0
    detail: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"page": self.number, "status": self.status, "words": self.words}
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 1)
        if self.detail:
            out["detail"] = self.detail
        out["seconds"] = round(self.seconds, 2)
        return out


@dataclass(frozen=True)
class OcrResult:
    pages: tuple[PageResult, ...] = ()
    total_pages: int = 0  # pages (or frames) in the file, read or not
    engine: str = ""  # e.g. "tesseract 5.3.0"
    settings: OcrSettings = field(default=DEFAULT)
    error: str = ""  # the file itself could not be opened (no page was tried)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages if p.text).strip()

    @property
    def words(self) -> int:
        return sum(p.words for p in self.pages)

    @property
    def confidence(self) -> float | None:
        """Mean confidence over every word read (pages weighted by their words)."""
        if not self.words:
            return None
        return sum((p.confidence or 0.0) * p.words for p in self.pages) / self.words

    def numbers(self, status: str) -> list[int]:
        return [p.number for p in self.pages if p.status == status]

    @property
    def status(self) -> str:
        """ "read" when any page gave words; "failed" when nothing could be read because of
        errors; "empty" when the pages were read and hold no words."""
        if self.words:
            return "read"
        if self.error or (self.numbers("failed") and not self.numbers("empty")):
            return "failed"
        return "empty"

    @property
    def failure(self) -> str:
        """What went wrong, for the record's status line ("" when nothing did)."""
        if self.error:
            return self.error
        failed = [p for p in self.pages if p.status == "failed"]
        if not failed:
            return ""
        first = failed[0]
        more = f" (and {len(failed) - 1} more page(s))" if len(failed) > 1 else ""
        return f"page {first.number}: {first.detail}{more}"

    def to_metadata(self) -> dict[str, Any]:
        """What the record keeps about how its text was read."""
        confidence = self.confidence
        return {
            "engine": self.engine,
            "language": self.settings.language,
            "dpi": self.settings.dpi,
            "pages_in_file": self.total_pages,
            "pages": [p.to_dict() for p in self.pages],
            "words": self.words,
            "confidence": None if confidence is None else round(confidence, 1),
            "seconds": round(sum(p.seconds for p in self.pages), 2),
        }


# --- the programs ---------------------------------------------------------------------------

INSTALL_HINT = {
    "tesseract": "tesseract-ocr",
    "pdftoppm": "poppler-utils",
    "pdfinfo": "poppler-utils",
}


def _run(args: list[str], timeout: float, threads: int = 1) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_THREAD_LIMIT=str(max(1, threads)))
    try:
        return subprocess.run(  # noqa: S603 - fixed program, list arguments, no shell
            args, capture_output=True, timeout=timeout, check=False, env=env
        )
    except subprocess.TimeoutExpired:
        raise OcrError(f"{Path(args[0]).name} took longer than {timeout:g} s") from None
    except OSError as exc:
        raise OcrError(f"{Path(args[0]).name} could not be started: {exc.strerror}") from None


def _failed(proc: subprocess.CompletedProcess, program: str) -> OcrError:
    message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    last = message[-1] if message else f"exit status {proc.returncode}"
    return OcrError(f"{program} failed: {last[:300]}")


def _languages(tesseract: str) -> frozenset[str] | None:
    # Not cached: a model installed while the worker runs is found at the next record.
    try:
        proc = _run([tesseract, "--list-langs"], timeout=30)
    except OcrError:
        return None
    if proc.returncode != 0:
        return None
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace").splitlines()
    # The first line is "List of available languages in ...": the rest are model names.
    return frozenset(line.strip() for line in out[1:] if line.strip())


@cache
def _version(tesseract: str) -> str:
    try:
        proc = _run([tesseract, "--version"], timeout=30)
    except OcrError:
        return "tesseract"
    first = (proc.stdout or proc.stderr).decode("utf-8", "replace").strip().splitlines()
    return first[0].strip() if first else "tesseract"


def available(settings: OcrSettings = DEFAULT, *, pdf: bool = True) -> str | None:
    """None when OCR can run here; otherwise why not, naming the Debian package to add.
    ``pdf=False`` checks only what images need (Tesseract and its model)."""
    programs = ["tesseract"] + (["pdftoppm", "pdfinfo"] if pdf else [])
    for name in programs:
        path = getattr(settings, name)
        if shutil.which(path) is None:
            return f"{name} is not installed (Debian package {INSTALL_HINT[name]})"
    languages = _languages(settings.tesseract)
    if languages is None:
        return "tesseract does not run (tesseract --list-langs failed)"
    missing = [lang for lang in settings.language.split("+") if lang not in languages]
    if missing:
        names = ", ".join(f"tesseract-ocr-{m}" for m in missing)
        return f"the Tesseract language model {'+'.join(missing)!r} is not installed ({names})"
    return None


# --- reading one image ----------------------------------------------------------------------


def _words(tsv: str) -> list[float]:
    """Confidences of the words in Tesseract's TSV (level 5 rows with text)."""
    confidences = []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if conf >= 0:
            confidences.append(conf)
    return confidences


def _clean(text: str) -> str:
    text = text.replace("\f", "").replace("\r\n", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    # Tesseract separates blocks with blank lines; more than one in a row says nothing.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _read_image(path: Path, number: int, dpi: int, settings: OcrSettings) -> PageResult:
    """Tesseract on one page image (a PNM file, which carries no resolution: ``dpi``
    says it, so Tesseract sizes its expectations of the letters right)."""
    base = path.with_suffix("")
    args = [
        settings.tesseract,
        str(path),
        str(base),
        "-l",
        settings.language,
        "--psm",
        str(settings.psm),
        "--dpi",
        str(dpi),
        "txt",
        "tsv",
    ]
    proc = _run(args, settings.page_timeout, settings.threads)
    if proc.returncode != 0:
        raise _failed(proc, "tesseract")
    text = fix_misreadings(_clean(base.with_suffix(".txt").read_text("utf-8", "replace")))
    confidences = _words(base.with_suffix(".tsv").read_text("utf-8", "replace"))
    if not confidences or not text:
        return PageResult(number, "empty")
    return PageResult(number, "read", text, sum(confidences) / len(confidences), len(confidences))


def _page(number: int, work: Callable[[], PageResult]) -> PageResult:
    """One page's result with the seconds it took (rendering and reading)."""
    started = time.perf_counter()
    try:
        result = work()
    except OcrError as exc:
        result = PageResult(number, "failed", detail=str(exc))
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def _not_read(numbers: Sequence[int], settings: OcrSettings) -> list[PageResult]:
    why = f"over the limit of {settings.max_pages} pages read per record"
    return [PageResult(n, "not_read", detail=why) for n in numbers]


# --- PDFs -----------------------------------------------------------------------------------

_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)
_PAGES = re.compile(r"^Pages:\s+(\d+)", re.M)


def pdf_page_sizes(pdf: Path, settings: OcrSettings = DEFAULT) -> dict[int, tuple[float, float]]:
    """Each page's size in points, by page number (pdfinfo)."""
    proc = _run([settings.pdfinfo, "-f", "1", "-l", "100000", str(pdf)], settings.page_timeout)
    if proc.returncode != 0:
        raise _failed(proc, "pdfinfo")
    out = proc.stdout.decode("utf-8", "replace")
    sizes = {int(n): (float(w), float(h)) for n, w, h in _PAGE_SIZE.findall(out)}
    if not sizes and (m := _PAGES.search(out)):
        sizes = {n: (612.0, 792.0) for n in range(1, int(m.group(1)) + 1)}
    return sizes


def _render(
    pdf: Path, number: int, size: tuple[float, float], settings: OcrSettings
) -> tuple[Path, int]:
    """The page as a greyscale PGM and its resolution. PGM rather than PNG: writing an
    uncompressed page takes a fifth of the time, and the file lives only until read."""
    out = pdf.parent / f"page-{number}"
    dpi = settings.dpi
    scale = ["-r", str(dpi)]
    inches = max(size) / 72
    if inches * dpi > settings.max_side_px:
        scale = ["-scale-to", str(settings.max_side_px)]
        dpi = max(1, int(settings.max_side_px / inches))
    page = ["-f", str(number), "-l", str(number)]
    args = [settings.pdftoppm, *scale, *page, "-gray", "-singlefile", str(pdf), str(out)]
    proc = _run(args, settings.page_timeout)
    image = out.with_suffix(".pgm")
    if proc.returncode != 0 or not image.exists():
        raise _failed(proc, "pdftoppm")
    return image, dpi


def ocr_pdf(
    data: bytes,
    *,
    pages: Sequence[int] | None = None,
    dpi: int | None = None,
    progress: Progress | None = None,
    settings: OcrSettings = DEFAULT,
) -> OcrResult:
    """Render each page (all, or the 1-based ``pages``) with pdftoppm and read it with
    Tesseract. Pages beyond ``settings.max_pages`` are listed as not read."""
    if dpi is not None:
        settings = _with(settings, dpi=dpi)
    engine = _version(settings.tesseract)
    with tempfile.TemporaryDirectory(prefix="consilium-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        try:
            sizes = pdf_page_sizes(pdf, settings)
        except OcrError as exc:
            return OcrResult(engine=engine, settings=settings, error=str(exc))
        wanted = [n for n in (pages or sorted(sizes)) if n in sizes]
        todo, over = wanted[: settings.max_pages], wanted[settings.max_pages :]
        results = []
        for i, number in enumerate(todo, 1):
            if progress is not None:
                progress(i, len(todo))

            def work(number: int = number) -> PageResult:
                image, dpi = _render(pdf, number, sizes[number], settings)
                try:
                    return _read_image(image, number, dpi, settings)
                finally:
                    image.unlink(missing_ok=True)  # one page on disk at a time

            results.append(_page(number, work))
        results += _not_read(over, settings)
    return OcrResult(tuple(results), len(sizes), engine, settings)


# --- images (PNG, JPEG, TIFF with one or more pages) ------------------------------------------


def _frames(data: bytes):
    """Each frame of the image, upright and in a mode Tesseract reads (Pillow)."""
    from PIL import Image, ImageOps, ImageSequence

    image = Image.open(io.BytesIO(data))
    for frame in ImageSequence.Iterator(image):
        # A phone photo is stored sideways with an EXIF note saying which way is up.
        page = ImageOps.exif_transpose(frame)
        if page.mode not in ("1", "L", "RGB"):
            page = page.convert("RGB")
        dpi = _dpi(frame.info.get("dpi"))
        if dpi[0] != dpi[1]:
            # A standard-resolution fax has pixels twice as tall as wide (204 x 98 dpi):
            # make them square, or every letter reads squashed.
            high = max(dpi)
            size = (round(page.width * high / dpi[0]), round(page.height * high / dpi[1]))
            page = page.convert("L").resize(size)
            dpi = (high, high)
        yield page, dpi


def _frame_count(data: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return int(getattr(image, "n_frames", 1))


def ocr_image(
    data: bytes, *, progress: Progress | None = None, settings: OcrSettings = DEFAULT
) -> OcrResult:
    """Read a PNG, JPEG or TIFF (every page of a multi-page fax) with Tesseract."""
    engine = _version(settings.tesseract)
    try:
        total = _frame_count(data)
    except Exception as exc:  # noqa: BLE001 - any decoder error means "cannot be read"
        return OcrResult(
            engine=engine, settings=settings, error=f"the image cannot be opened: {exc}"[:300]
        )
    todo = min(total, settings.max_pages)
    results: list[PageResult] = []
    with tempfile.TemporaryDirectory(prefix="consilium-ocr-") as tmp:
        frames = _frames(data)
        for number in range(1, todo + 1):
            if progress is not None:
                progress(number, todo)

            def work(number: int = number) -> PageResult:
                try:
                    page, dpi = next(frames)
                    # PBM, PGM or PPM by the page's mode: quick to write, read by Tesseract.
                    image = Path(tmp) / f"page-{number}.pnm"
                    page.save(image, "PPM")
                except StopIteration:
                    raise OcrError("the page is missing from the file") from None
                except Exception as exc:  # noqa: BLE001 - a broken frame fails only its page
                    raise OcrError(f"the page cannot be decoded: {exc}"[:300]) from None
                try:
                    return _read_image(image, number, dpi[0], settings)
                finally:
                    image.unlink(missing_ok=True)

            results.append(_page(number, work))
        results += _not_read(range(todo + 1, total + 1), settings)
    return OcrResult(tuple(results), total, engine, settings)


def _dpi(value) -> tuple[int, int]:
    """The image's own resolution when it states a sensible one (a fax's 204 x 196 or
    204 x 98); 300 otherwise, so Tesseract does not guess from a phone photo's missing or
    72-dpi header."""
    try:
        x, y = (int(round(float(v))) for v in value)
    except (TypeError, ValueError):
        return (300, 300)
    return (x, y) if min(x, y) >= 90 and max(x, y) <= 1200 else (300, 300)


def _with(settings: OcrSettings, **changes: Any) -> OcrSettings:
    return dataclasses.replace(settings, **changes)


# --- known misreadings ----------------------------------------------------------------------


@cache
def _fixes() -> tuple[tuple[re.Pattern[str], str], ...]:
    doc = yaml.safe_load((DATA / "ocr_misreadings.yaml").read_text())
    return tuple((re.compile(f["pattern"]), f["replace"]) for f in doc["fixes"])


def fix_misreadings(text: str) -> str:
    """Put back digits OCR reads as letters where only a digit can stand (pN0 read as
    "pNO"); the patterns are data (data/ocr_misreadings.yaml)."""
    for pattern, replacement in _fixes():
        text = pattern.sub(replacement, text)
    return text
