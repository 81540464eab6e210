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


class DocumentDetail(DocumentOut):
    kind_label: str
    text: str
    text_detail: str
