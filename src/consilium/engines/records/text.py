"""Extract readable text from a record (PDF, DOCX, plain text)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from consilium.engines.records.filetypes import FileType

EXTRACTABLE = frozenset({FileType.PDF, FileType.DOCX, FileType.TEXT})


@dataclass(frozen=True)
class Extraction:
    text: str
    status: str  # "extracted", "empty", "not_applicable" or "failed"
    detail: str = ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("the PDF is encrypted")
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts).strip()


def extract_text(kind: FileType, data: bytes) -> Extraction:
    """Never raises: a file whose text cannot be read is still a record worth keeping."""
    if kind not in EXTRACTABLE:
        return Extraction("", "not_applicable")
    try:
        if kind is FileType.PDF:
            text = _pdf_text(data)
        elif kind is FileType.DOCX:
            text = _docx_text(data)
        else:
            text = data.decode("utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - any parser failure means "no text", kept as detail
        return Extraction("", "failed", f"{type(exc).__name__}: {exc}"[:500])
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        return Extraction("", "empty", "no text layer (a scanned image needs OCR)")
    return Extraction(text, "extracted")
