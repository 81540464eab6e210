"""What a DICOM file says about its study: modality, body part, study date, descriptions.

Read with pydicom up to the pixel data (never the pixels themselves: a CT series can be
hundreds of megabytes and the program needs only the header). Patient identifiers in the
header (name, ID, birth date) are deliberately not copied: the case already knows who the
patient is, and the record's metadata is shown to every role that may see the record.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

# Modality codes of DICOM PS3.3 section C.7.3.1.1.1 (Defined Terms for Modality), the
# ones a cancer case carries, in words people read.
MODALITY_LABELS = {
    "CT": "CT",
    "MR": "MRI",
    "PT": "PET",
    "NM": "Nuclear medicine",
    "MG": "Mammography",
    "US": "Ultrasound",
    "CR": "Radiograph",
    "DX": "Radiograph",
    "XA": "Angiography",
    "RF": "Fluoroscopy",
    "SM": "Slide microscopy",
    "OT": "Other",
    "SEG": "Segmentation",
    "RTSTRUCT": "Radiotherapy structures",
    "RTPLAN": "Radiotherapy plan",
    "RTDOSE": "Radiotherapy dose",
    "SR": "Structured report",
    "DOC": "Document",
}

# Where a study date can be found, in order of preference (Study, then Series, then
# Acquisition, then Content Date: all are DA "YYYYMMDD" values).
DATE_TAGS = ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate")


class DicomError(ValueError):
    """The bytes are not a DICOM file pydicom can read; the message says why."""


@dataclass(frozen=True)
class DicomStudy:
    modality: str | None
    body_part: str | None
    study_date: date | None
    study_description: str | None
    series_description: str | None

    @property
    def modality_label(self) -> str | None:
        if not self.modality:
            return None
        return MODALITY_LABELS.get(self.modality, self.modality)

    @property
    def summary(self) -> str:
        """ "CT · Chest · Staging CT chest abdomen pelvis" (the parts that are known)."""
        parts = [
            self.modality_label,
            self.body_part.title() if self.body_part else None,
            self.study_description,
        ]
        return " · ".join(p for p in parts if p)

    def to_metadata(self) -> dict[str, Any]:
        data = asdict(self)
        data["study_date"] = self.study_date.isoformat() if self.study_date else None
        data["modality_label"] = self.modality_label
        data["summary"] = self.summary
        return {"dicom": data}


def _text(ds, keyword: str) -> str | None:
    value = ds.get(keyword)
    if value is None:
        return None
    text = str(value).strip()
    return text[:200] or None


def parse_da(value: str | None) -> date | None:
    """A DICOM DA value ("20240315"; old files sometimes "2024.03.15") as a date."""
    if not value:
        return None
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) != 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def read_study(data: bytes) -> DicomStudy:
    """The study described by a DICOM file's header; ``DicomError`` if it cannot be read."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        # pydicom warns (rather than fails) on values outside their VR's rules, which
        # real scanners write; the header is still worth reading.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    except InvalidDicomError as exc:
        raise DicomError(f"not a DICOM file: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is "unreadable", with its reason
        raise DicomError(f"unreadable DICOM header: {type(exc).__name__}: {exc}") from None
    if len(ds) == 0:
        # pydicom stops quietly at the first element it cannot parse: nothing read means
        # the header is damaged or truncated.
        raise DicomError("unreadable DICOM header: no data element could be read")
    study_date = None
    for keyword in DATE_TAGS:
        study_date = parse_da(_text(ds, keyword))
        if study_date is not None:
            break
    modality = _text(ds, "Modality")
    body_part = _text(ds, "BodyPartExamined")
    return DicomStudy(
        modality=modality.upper() if modality else None,
        body_part=body_part.upper() if body_part else None,
        study_date=study_date,
        study_description=_text(ds, "StudyDescription"),
        series_description=_text(ds, "SeriesDescription"),
    )
