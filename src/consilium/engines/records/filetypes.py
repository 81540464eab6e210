"""Recognize a record file by its bytes, never by its name.

The name's extension is only used to refuse a file whose content says something else
(a PNG called "report.pdf"): such a mix-up usually means the wrong file was picked.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath


class FileType(StrEnum):
    PDF = "pdf"
    TEXT = "text"
    DOCX = "docx"
    DICOM = "dicom"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    FHIR_JSON = "fhir_json"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]

    @property
    def label(self) -> str:
        return LABELS[self]


MEDIA_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.TEXT: "text/plain; charset=utf-8",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.DICOM: "application/dicom",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
    FileType.TIFF: "image/tiff",
    FileType.FHIR_JSON: "application/fhir+json",
}
LABELS = {
    FileType.PDF: "PDF document",
    FileType.TEXT: "plain text",
    FileType.DOCX: "Word document (DOCX)",
    FileType.DICOM: "DICOM image",
    FileType.PNG: "PNG image",
    FileType.JPEG: "JPEG image",
    FileType.TIFF: "TIFF image",
    FileType.FHIR_JSON: "FHIR JSON resource",
}
# Extensions that claim a type; a file named with one of these must hold that type.
EXTENSIONS = {
    ".pdf": {FileType.PDF},
    ".txt": {FileType.TEXT},
    ".text": {FileType.TEXT},
    ".docx": {FileType.DOCX},
    ".dcm": {FileType.DICOM},
    ".dicom": {FileType.DICOM},
    ".png": {FileType.PNG},
    ".jpg": {FileType.JPEG},
    ".jpeg": {FileType.JPEG},
    ".tif": {FileType.TIFF},
    ".tiff": {FileType.TIFF},
    ".json": {FileType.FHIR_JSON},
    ".fhir": {FileType.FHIR_JSON},
}
SUPPORTED = ", ".join(LABELS[t] for t in FileType)
# Little- and big-endian TIFF, and BigTIFF (faxes are usually the first).
TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


class Rejected(ValueError):
    """The file cannot be accepted; the message says why, in words for the uploader."""


@dataclass(frozen=True)
class Recognized:
    type: FileType
    media_type: str


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _as_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f")
    return text if printable >= 0.98 * len(text) else None


def _is_fhir(text: str) -> bool:
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("resourceType"), str)


def sniff(data: bytes) -> FileType | None:
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if len(data) >= 132 and data[128:132] == b"DICM":
        return FileType.DICOM
    # After DICOM: a DICOM file may carry a TIFF header in its preamble (whole-slide
    # images made readable by both kinds of viewer); it is a DICOM study first.
    if data[:4] in TIFF_MAGIC:
        return FileType.TIFF
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return FileType.DOCX
    text = _as_text(data)
    if text is None:
        return None
    if text.lstrip().startswith("{") and _is_fhir(text):
        return FileType.FHIR_JSON
    return FileType.TEXT


def human_size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def recognize(data: bytes, filename: str, max_bytes: int) -> Recognized:
    """Check size and type; raise ``Rejected`` with the reason, or say what the file is."""
    name = PurePath(filename or "").name or "the file"
    if not data:
        raise Rejected(f"{name} is empty")
    if len(data) > max_bytes:
        raise Rejected(f"{name} is {human_size(len(data))}; the limit is {human_size(max_bytes)}")
    kind = sniff(data)
    if kind is None:
        raise Rejected(f"{name} is not a supported record type (supported: {SUPPORTED})")
    claimed = EXTENSIONS.get(PurePath(name).suffix.lower())
    if claimed is not None and kind not in claimed:
        raise Rejected(
            f"{name} is named like a {LABELS[next(iter(claimed))]} but its content is a "
            f"{kind.label}; rename it or choose the right file"
        )
    return Recognized(kind, kind.media_type)
