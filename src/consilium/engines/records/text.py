"""Extract readable text from a record (PDF, DOCX, plain text; scans through OCR).

Two steps, because reading a scan takes seconds per page: ``extract_text`` is quick (the
upload runs it) and says "needs_ocr" for an image, or for a PDF with pages that have no
text layer (naming them); ``read_with_ocr`` is slow (a background task runs it): it reads
those pages with Tesseract and puts the record's text together, the pages with a text
layer keeping their own text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from consilium.engines.records import ocr
from consilium.engines.records.filetypes import FileType

EXTRACTABLE = frozenset({FileType.PDF, FileType.DOCX, FileType.TEXT})
# Images whose text OCR reads (a fax, a phone photo of a report).
SCANNED = frozenset({FileType.PNG, FileType.JPEG, FileType.TIFF})
# A PDF page whose text layer holds fewer letters and digits than this, and an image,
# is a scan (the thin layer is a fax header or a stamp); a page with no text layer at all
# is read by OCR too (its text may be drawn as shapes).
THIN_PAGE_CHARS = 20
NO_TEXT_LAYER = "no text layer (a scanned image needs OCR)"


@dataclass(frozen=True)
class Extraction:
    text: str
    # "extracted" (from the file's own text), "needs_ocr" (``ocr_pages`` or the image are
    # to be read by OCR; ``text`` holds what the text layer gave), "ocr" (some of the text
    # was read by OCR), "empty", "not_applicable", "failed", "ocr_failed" (OCR could not
    # read the pages; ``text`` keeps the text layer's part) or "ocr_unavailable".
    status: str
    detail: str = ""
    ocr_pages: tuple[int, ...] = ()  # 1-based PDF pages to read by OCR
    ocr: ocr.OcrResult | None = None  # how OCR read them, once it has
    # Where in ``text`` the OCR text lies ([start, end) character offsets): a fact read
    # there deserves a second look; one from a text-layer page does not.
    ocr_spans: tuple[tuple[int, int], ...] = ()

    @property
    def confidence(self) -> float | None:
        return self.ocr.confidence if self.ocr is not None else None


def _has_image(node, depth: int = 0) -> bool:
    """Whether a page (or a form it draws) paints an image."""
    try:
        xobjects = (node.get("/Resources") or {}).get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            kind = obj.get("/Subtype")
            if kind == "/Image" or (kind == "/Form" and depth < 3 and _has_image(obj, depth + 1)):
                return True
    except Exception:  # noqa: BLE001 - a malformed resource dictionary paints nothing we know of
        return False
    return False


def _pdf_pages(data: bytes) -> tuple[list[str], list[int]]:
    """Each page's text layer, and the 1-based pages that are scans."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("the PDF is encrypted")
    texts, scanned = [], []
    for number, page in enumerate(reader.pages, 1):
        text = (page.extract_text() or "").strip()
        texts.append(text)
        chars = sum(1 for ch in text if ch.isalnum())
        if chars == 0 or (chars < THIN_PAGE_CHARS and _has_image(page)):
            scanned.append(number)
    return texts, scanned


def _join(pages) -> str:
    return "\n\n".join(p for p in pages if p).strip()


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts).strip()


def _tidy(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\x00", "")


def _pages(numbers) -> str:
    """[2, 3, 4, 7] -> "pages 2-4, 7"; [5] -> "page 5"."""
    numbers = sorted(numbers)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    words = ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"page{'s' if len(numbers) > 1 else ''} {words}"


def extract_text(kind: FileType, data: bytes) -> Extraction:
    """Never raises: a file whose text cannot be read is still a record worth keeping."""
    if kind in SCANNED:
        return Extraction("", "needs_ocr", "an image: its text is read by OCR")
    if kind not in EXTRACTABLE:
        return Extraction("", "not_applicable")
    try:
        if kind is FileType.PDF:
            pages, scanned = _pdf_pages(data)
            text = _join(p for n, p in enumerate(pages, 1) if n not in scanned)
            if scanned:
                detail = NO_TEXT_LAYER
                if len(scanned) < len(pages):
                    verb = "has" if len(scanned) == 1 else "have"
                    detail = (
                        f"{_pages(scanned)} of {len(pages)} {verb} no text layer "
                        "(scanned): read by OCR"
                    )
                return Extraction(_tidy(text), "needs_ocr", detail, tuple(scanned))
        elif kind is FileType.DOCX:
            text = _docx_text(data)
        else:
            text = data.decode("utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - any parser failure means "no text", kept as detail
        return Extraction("", "failed", f"{type(exc).__name__}: {exc}"[:500])
    text = _tidy(text)
    if not text.strip():
        return Extraction("", "empty", NO_TEXT_LAYER)
    return Extraction(text, "extracted")


def describe_ocr(result: ocr.OcrResult, scanned_pages: int, total_pages: int) -> str:
    """The record's status line after OCR, for the coordinator."""
    parts = []
    confidence = result.confidence
    if result.words:
        where = "" if scanned_pages == total_pages else f" from {_pages(result.numbers('read'))}"
        where += f" of {total_pages}" if where else ""
        parts.append(f"text read by OCR{where}, mean word confidence {confidence:.0f}%")
    if result.failure:
        parts.append(f"OCR failed on {result.failure}")
    blank = result.numbers("empty")
    if blank and result.words:
        parts.append(f"no words found on {_pages(blank)}")
    skipped = result.numbers("not_read")
    if skipped:
        limit = result.settings.max_pages
        parts.append(f"{_pages(skipped)} not read (at most {limit} pages are read per record)")
    parts += straightened(result)
    return "; ".join(parts)


TURNS = {90: "turned 90° clockwise", 180: "turned 180° (it was upside down)"}
TURNS[270] = "turned 90° anticlockwise"


def straightened(result: ocr.OcrResult) -> list[str]:
    """What was done to put pages the right way up before reading them, grouped by what
    was done: "page 2 turned 180° (it was upside down)", "pages 1–3 were tilted 3.5° to
    4.0° and levelled"."""
    notes = []
    for degrees, words in TURNS.items():
        pages = [p.number for p in result.pages if p.turned == degrees]
        if pages:
            notes.append(f"{_pages(pages)} {words}")
    tilts = [(p.number, abs(p.straightened)) for p in result.pages if p.straightened]
    if tilts:
        low, high = min(t for _, t in tilts), max(t for _, t in tilts)
        by = f"{low:.1f}°" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}° to {high:.1f}°"
        verb = "was" if len(tilts) == 1 else "were"
        notes.append(f"{_pages([n for n, _ in tilts])} {verb} tilted {by} and levelled")
    return notes


def read_with_ocr(
    kind: FileType,
    data: bytes,
    *,
    settings: ocr.OcrSettings = ocr.DEFAULT,
    progress: ocr.Progress | None = None,
) -> Extraction:
    """The record's whole text: what ``extract_text`` found, with its scanned pages (or the
    image) read by OCR. Never raises. A record that needs no OCR gets its extraction."""
    first = extract_text(kind, data)
    if first.status != "needs_ocr":
        return first
    is_pdf = kind is FileType.PDF
    reason = ocr.available(settings, pdf=is_pdf)
    if reason is not None:
        detail = f"OCR unavailable: {reason}"
        if first.text:
            detail += f" ({_pages(first.ocr_pages)} not read; the other pages' text is kept)"
        return Extraction(first.text, "ocr_unavailable", detail[:500], first.ocr_pages)
    if is_pdf:
        result = ocr.ocr_pdf(data, pages=first.ocr_pages, progress=progress, settings=settings)
        try:
            layer, _ = _pdf_pages(data)
        except Exception:  # noqa: BLE001 - extract_text just read it; keep what it found
            layer = [first.text]
        read = {p.number: p.text for p in result.pages if p.text}
        scanned = set(first.ocr_pages)
        pieces = [
            (read.get(n, ""), True) if n in scanned else (t, False) for n, t in enumerate(layer, 1)
        ]
        total, scanned_count = len(layer), len(scanned)
    else:
        result = ocr.ocr_image(data, progress=progress, settings=settings)
        pieces = [(p.text, True) for p in result.pages]
        total = scanned_count = result.total_pages
    text, spans = _assemble(pieces)
    if result.status == "failed":
        detail = (
            f"OCR failed on {result.failure}" if result.pages else f"OCR failed: {result.error}"
        )
        return Extraction(text, "ocr_failed", detail[:500], first.ocr_pages, result)
    if not result.words:
        if text:  # the text layer's pages, and scanned ones without words
            detail = f"OCR found no words on {_pages(result.numbers('empty'))}"
            return Extraction(text, "extracted", detail[:500], first.ocr_pages, result)
        return Extraction("", "empty", "no text found by OCR", first.ocr_pages, result)
    detail = describe_ocr(result, scanned_count, total)
    return Extraction(text, "ocr", detail[:500], first.ocr_pages, result, spans)


def _assemble(pieces) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Pages' texts joined by a blank line, and where the OCR-read ones lie."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for piece, from_ocr in pieces:
        piece = _tidy(piece).strip()
        if not piece:
            continue
        if parts:
            at += 2  # the blank line between pages
        if from_ocr:
            spans.append((at, at + len(piece)))
        parts.append(piece)
        at += len(piece)
    return "\n\n".join(parts), tuple(spans)
