"""API shapes for a case's records."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema

from consilium.apps.records.models import Document

DocumentKind = Literal[tuple(Document.Kind.values)]  # type: ignore[valid-type]


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    original_name: str
    file_type: str
    media_type: str
    sha256: str
    size: int
    text_status: str
    uploaded_at: datetime


class OcrPageOut(Schema):
    page: int
    status: str  # read, empty (no words), failed, not_read (over the page limit)
    words: int
    confidence: float | None = None
    detail: str = ""


class OcrOut(Schema):
    """How OCR read a scanned record: double-check facts read from it."""

    engine: str
    language: str
    dpi: int
    confidence: float | None  # mean word confidence, 0-100
    words: int
    pages: list[OcrPageOut]


class DocumentDetail(DocumentOut):
    kind_label: str
    text: str
    # text_status "ocr": the text (or part of it) was read by OCR, see ``ocr``;
    # "ocr_queued"/"ocr_running": being read (the detail says which page);
    # "ocr_failed"/"ocr_unavailable": the detail says why.
    text_detail: str
    ocr: OcrOut | None = None
