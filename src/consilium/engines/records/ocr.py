"""Reading the text of scanned records (image-only PDF pages, faxes, phone photos) offline
with Tesseract.

Two Debian programs do the work, called as subprocesses with a time limit, their input
and output in a temporary directory that is removed afterwards: ``pdftoppm`` and
``pdfinfo`` (poppler-utils) turn PDF pages into images, ``tesseract`` (tesseract-ocr with
tesseract-ocr-eng) reads each image into text plus a TSV of words with their confidence.
Nothing here raises for a page that cannot be read: each page carries its status, so a
record is never lost to a bad scan.

Before reading, a page is put the right way up (``straighten.py``): a tilt of a few
degrees is levelled, and a page whose lines run down it, or whose first reading is poor,
is checked for being sideways or upside down (Tesseract's orientation detection when
its ``osd`` model is installed, else by reading it turned and keeping the surer reading)
and turned. Each page says what was done to it.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
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

from consilium.engines.records import straighten

DATA = Path(__file__).with_name("data")
log = logging.getLogger(__name__)

# progress(n, total): called before reading the n-th (1-based) of ``total`` pages.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OcrSettings:
    """Every OCR setting in one place; the Django side builds one from its settings."""

    dpi: int = 300  # PDF pages are rendered at this resolution (300 is Tesseract's sweet spot)
    language: str = "eng"  # Tesseract model(s), e.g. "eng" or "eng+spa"
    # Seconds each program may take for one page; the checks that put a page the right
    # way up (orientation, a second reading) also stop once the page has taken this long.
    page_timeout: float = 120.0
    max_pages: int = 50  # pages read per record; the rest are named as not read
    psm: int = 3  # Tesseract page segmentation: fully automatic, as for a report page
    # Threads per Tesseract run. One is faster on a small shared machine (its OpenMP
    # threads otherwise fight the web server and each other) and lets workers scale out.
    threads: int = 1
    # A page is rendered no larger than this many pixels on its long side, whatever its
    # stated size (a malformed PDF may claim a page metres wide).
    max_side_px: int = 7000
    # Put pages the right way up before reading: level a tilt, turn a page scanned
    # sideways or upside down (straighten.py and _orient below).
    straighten: bool = True
    # A page read with a lower mean word confidence is checked for being upside down or
    # sideways. An upright page of print reads at 85-95 (a poor fax copy near 80); the
    # same page upside down reads as gibberish at 30-40 (bench/ocr_speed.py --turn 180).
    recheck_below: float = 60.0
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
    # What was done to put the page the right way up before it was read:
    turned: int = 0  # degrees turned clockwise (90, 180, 270): it was sideways or upside down
    turned_by: str = ""  # how that was found: "orientation detection" or "word confidence"
    straightened: float = 0.0  # degrees turned anticlockwise to level a tilt

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"page": self.number, "status": self.status, "words": self.words}
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 1)
        if self.detail:
            out["detail"] = self.detail
        if self.turned:
            out["turned"], out["turned_by"] = self.turned, self.turned_by
        if self.straightened:
            out["straightened"] = self.straightened
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
            "straighten": self.settings.straighten,
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


def has_osd(settings: OcrSettings = DEFAULT) -> bool:
    """Whether pages are turned by Tesseract's orientation detection: straightening is on
    and its "osd" model is installed (asked once per record)."""
    return settings.straighten and "osd" in (_languages(settings.tesseract) or ())


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


def _read_image(
    path: Path,
    number: int,
    dpi: int,
    settings: OcrSettings,
    *,
    timeout: float | None = None,
    text: bool = True,
) -> PageResult:
    """Tesseract on one page image (a PNM file, which carries no resolution: ``dpi``
    says it, so Tesseract sizes its expectations of the letters right). ``text=False``
    asks only for the words' confidences (a quick look at a small copy)."""
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
        *(["txt"] if text else []),
        "tsv",
    ]
    proc = _run(args, settings.page_timeout if timeout is None else timeout, settings.threads)
    if proc.returncode != 0:
        raise _failed(proc, "tesseract")
    confidences = _words(base.with_suffix(".tsv").read_text("utf-8", "replace"))
    read = ""
    if text:
        read = fix_misreadings(_clean(base.with_suffix(".txt").read_text("utf-8", "replace")))
    if not confidences or (text and not read):
        return PageResult(number, "empty")
    return PageResult(number, "read", read, sum(confidences) / len(confidences), len(confidences))


# --- the right way up -------------------------------------------------------------------------

# Orientation detection (``--psm 0``) needs Tesseract's "osd" model (Debian package
# tesseract-ocr-osd, which tesseract-ocr depends on). Its answer is taken when it is at
# least this sure; a clear page scores 7-12, a page with too little text fails outright.
OSD_MIN_CONFIDENCE = 2.0
# The small copies the way up is checked on: orientation detection reads a page at
# 200 dpi as surely as at 300 in a little over half the time; the quick readings of a
# sideways page each way round need only tell text from gibberish, which 150 dpi does.
OSD_DPI = 200
PROBE_DPI = 150
# A quick reading with fewer words than this says nothing about the page's way up.
PROBE_MIN_WORDS = 3
_OSD_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.M)
_OSD_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.M)


@dataclass
class _Page:
    """One page on its way to being read: its image on disk, its resolution, where its
    files go, and when the checks that put it the right way up must stop (the page's
    time limit)."""

    file: Path  # the page as rendered (PNM), removed once read
    number: int
    dpi: int
    settings: OcrSettings
    deadline: float  # time.monotonic() at which the page's time limit is reached
    osd: bool  # Tesseract's orientation model is installed

    @functools.cached_property
    def image(self) -> Any:
        """The page as a Pillow image (loaded only when it is to be checked or turned)."""
        from PIL import Image

        with Image.open(self.file) as opened:
            opened.load()
            return opened

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def save(self, image: Any, name: str) -> Path:
        # PBM, PGM or PPM by the image's mode: quick to write, read by Tesseract.
        path = self.file.with_name(f"{self.file.stem}-{name}.pnm")
        image.save(path, "PPM")
        return path

    def read(
        self, image: Any | None, name: str, dpi: int | None = None, **options: Any
    ) -> PageResult:
        """Tesseract on ``image`` (the page as it came when None); its files are removed
        afterwards, so a long record keeps one page on disk at a time."""
        path = self.file if image is None else self.save(image, name)
        try:
            return _read_image(path, self.number, dpi or self.dpi, self.settings, **options)
        finally:
            if path != self.file:
                path.unlink(missing_ok=True)
            for suffix in (".txt", ".tsv"):
                path.with_suffix(suffix).unlink(missing_ok=True)

    def small(self, dpi: int) -> tuple[Any, int]:
        """A copy at no more than ``dpi`` (the checks need no more)."""
        from PIL import Image

        page = self.image if self.image.mode in ("L", "RGB") else self.image.convert("L")
        if self.dpi <= dpi:
            return page, self.dpi
        scale = dpi / self.dpi
        size = (max(1, round(page.width * scale)), max(1, round(page.height * scale)))
        return page.resize(size, Image.Resampling.LANCZOS), dpi


def _osd(page: _Page) -> int | None:
    """Degrees to turn the page clockwise by Tesseract's orientation detection; None when
    it is not installed, not sure, out of time or cannot tell (too little text)."""
    if not page.osd or page.left() < 1:
        return None
    image, dpi = page.small(OSD_DPI)
    path = page.save(image, "osd")
    args = [page.settings.tesseract, str(path), "-", "--psm", "0", "--dpi", str(dpi)]
    try:
        proc = _run(args, page.left(), page.settings.threads)
    except OcrError:
        return None
    finally:
        path.unlink(missing_ok=True)
    out = proc.stdout.decode("utf-8", "replace")
    rotate, sure = _OSD_ROTATE.search(out), _OSD_CONFIDENCE.search(out)
    if proc.returncode != 0 or not rotate or not sure:
        return None
    if float(sure.group(1)) < OSD_MIN_CONFIDENCE:
        return None
    return int(rotate.group(1)) % 360


def _probe_sideways(page: _Page) -> int | None:
    """Degrees to turn a sideways page clockwise (90 or 270), found by reading a small
    copy turned each way and keeping the way whose words are surer, when they are sure
    enough to be text; None when neither is, or out of time."""
    image, dpi = page.small(PROBE_DPI)
    scores: dict[int, float] = {}
    for clockwise in (90, 270):
        if page.left() < 1:
            return None
        turned = straighten.turn(image, -clockwise)
        try:
            quick = page.read(turned, f"probe-{clockwise}", dpi, timeout=page.left(), text=False)
        except OcrError:
            return None
        if quick.words >= PROBE_MIN_WORDS and quick.confidence is not None:
            scores[clockwise] = quick.confidence
    best = max(scores, key=lambda k: scores[k], default=None)
    if best is None or scores[best] < page.settings.recheck_below:
        return None
    return best


def _orient(page: _Page, sideways: bool) -> tuple[int, str]:
    """Degrees to turn the page clockwise (0 when it is the right way up, or when that
    cannot be told in the time left), and how that was found. Without orientation
    detection: a page whose lines run down it is read each way round (small, quick); a
    page with level lines that reads poorly can only be upside down, which reading it
    turned settles (the caller keeps the surer reading)."""
    found = _osd(page)
    if found is not None:
        return found, "orientation detection"
    if sideways:
        return (_probe_sideways(page) or 0), "word confidence"
    return 180, "word confidence"


def _level(image: Any, skew: straighten.Skew | None = None) -> tuple[Any, float]:
    """The page levelled when it is tilted enough for it to matter; the degrees turned.
    ``skew``: the tilt already measured on this very image."""
    skew = skew or straighten.measure(image)
    if not skew.worth_turning:
        return image, 0.0
    return straighten.turn(image, skew.angle), skew.angle


def _read_page(page: _Page) -> PageResult:
    """Read one page image, put the right way up first when ``settings.straighten``."""
    if not page.settings.straighten:
        return page.read(None, "read")
    try:
        return _read_upright(page)
    except OcrError:
        raise
    except Exception as exc:  # noqa: BLE001 - a page Pillow cannot check or turn is read as it came
        log.warning(
            "page %d could not be checked or turned (%r); read as it came", page.number, exc
        )
        return page.read(None, "read")


def _read_upright(page: _Page) -> PageResult:
    """A page whose text lines run down it is checked for its way up before it is read;
    any other page is levelled and read, and checked only if it reads poorly (an
    upside-down page gives gibberish, a low confidence): turned and read again, and the
    surer reading is kept. The checks stop at the page's time limit; the first reading
    always gets its own."""
    settings = page.settings
    skew = straighten.measure(page.image)
    turned, turned_by = (0, "")
    if skew.sideways:
        turned, turned_by = _orient(page, sideways=True)
    # Turned a quarter, the page's lines are measured again; otherwise as measured.
    upright = straighten.turn(page.image, -turned)
    image, levelled = _level(upright, None if turned else skew)
    first = page.read(None if image is page.image else image, "read")
    first = dataclasses.replace(
        first, turned=turned, turned_by=turned_by if turned else "", straightened=levelled
    )
    poor = first.confidence is None or first.confidence < settings.recheck_below
    if skew.sideways or skew.blank or not poor:
        return first
    turned, turned_by = _orient(page, sideways=False)
    if not turned or page.left() < 1:
        return first
    # Upside down, a page keeps its tilt (half a turn and a tilt commute): no new measure.
    image, levelled = _level(straighten.turn(page.image, -turned), skew if turned == 180 else None)
    try:
        second = page.read(image, "turned", timeout=page.left())
    except OcrError:
        return first  # out of time, or failed: the first reading stands
    if second.confidence is None or second.confidence <= (first.confidence or 0.0):
        return first
    return dataclasses.replace(second, turned=turned, turned_by=turned_by, straightened=levelled)


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
        osd = has_osd(settings)
        results = []
        for i, number in enumerate(todo, 1):
            if progress is not None:
                progress(i, len(todo))

            def work(number: int = number) -> PageResult:
                deadline = time.monotonic() + settings.page_timeout
                image, dpi = _render(pdf, number, sizes[number], settings)
                try:
                    return _read_page(_Page(image, number, dpi, settings, deadline, osd))
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
    osd = has_osd(settings)
    results: list[PageResult] = []
    with tempfile.TemporaryDirectory(prefix="consilium-ocr-") as tmp:
        frames = _frames(data)
        for number in range(1, todo + 1):
            if progress is not None:
                progress(number, todo)

            def work(number: int = number) -> PageResult:
                deadline = time.monotonic() + settings.page_timeout
                try:
                    frame, dpi = next(frames)
                    # PBM, PGM or PPM by the page's mode: quick to write, read by Tesseract.
                    image = Path(tmp) / f"page-{number}.pnm"
                    frame.save(image, "PPM")
                except StopIteration:
                    raise OcrError("the page is missing from the file") from None
                except Exception as exc:  # noqa: BLE001 - a broken frame fails only its page
                    raise OcrError(f"the page cannot be decoded: {exc}"[:300]) from None
                page = _Page(image, number, dpi[0], settings, deadline, osd)
                page.image = frame  # already decoded: no need to load it from disk again
                try:
                    return _read_page(page)
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
