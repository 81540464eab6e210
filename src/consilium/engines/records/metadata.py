"""What a record says about itself beyond its text: the date it speaks for and, for a
DICOM file, its study (modality, body part, study date, descriptions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from consilium.engines.records.dates import record_date_from_text
from consilium.engines.records.dicom import DicomError, read_study
from consilium.engines.records.filetypes import FileType


@dataclass(frozen=True)
class RecordMetadata:
    record_date: date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def describe(
    kind: FileType, data: bytes, text: str = "", today: date | None = None
) -> RecordMetadata:
    """Never raises: an unreadable DICOM header is kept as the reason, like unreadable text."""
    if kind is FileType.DICOM:
        try:
            study = read_study(data)
        except DicomError as exc:
            return RecordMetadata(None, {"dicom_error": str(exc)[:500]})
        return RecordMetadata(study.study_date, study.to_metadata())
    if text:
        return RecordMetadata(record_date_from_text(text, today))
    return RecordMetadata()
