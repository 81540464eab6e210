from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from consilium.engines.records.filetypes import FileType


class Document(models.Model):
    class Kind(models.TextChoices):
        PATHOLOGY = "pathology_report", "Pathology report"
        IMAGING = "imaging_report", "Imaging report"
        OPERATIVE = "operative_report", "Operative report"
        CLINICAL_NOTE = "clinical_note", "Clinical note"
        GENOMIC_LAB = "genomic_lab_report", "Genomic or lab report"
        DISCHARGE = "discharge_summary", "Discharge summary"
        MEDICATIONS = "medication_list", "Medication list"
        IMAGE = "image", "Image"
        OTHER = "other", "Other"

    class TextStatus(models.TextChoices):
        """Where the record's text stands. A scan waits for OCR in the background
        (queued, then running with its page in ``text_detail``), then says how it went."""

        EXTRACTED = "extracted", "Text"
        OCR = "ocr", "Text read by OCR"
        OCR_QUEUED = "ocr_queued", "Waiting for OCR"
        OCR_RUNNING = "ocr_running", "Reading scanned pages"
        OCR_FAILED = "ocr_failed", "OCR failed"
        OCR_UNAVAILABLE = "ocr_unavailable", "OCR unavailable"
        EMPTY = "empty", "No text layer"
        FAILED = "failed", "Text unreadable"
        NOT_APPLICABLE = "not_applicable", "No text by nature"

    # OCR not finished yet: its facts are read once it is.
    OCR_PENDING = frozenset({TextStatus.OCR_QUEUED, TextStatus.OCR_RUNNING})
    # A text record whose text could not be read (fully or, for OCR, in part): shown as
    # "no text to read" by the abstraction, and worth another try for OCR.
    UNREAD = frozenset(
        {TextStatus.EMPTY, TextStatus.FAILED, TextStatus.OCR_FAILED, TextStatus.OCR_UNAVAILABLE}
    )

    FILE_TYPE_CHOICES = [(t.value, t.label) for t in FileType]

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    original_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=20, choices=FILE_TYPE_CHOICES)
    media_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    text = models.TextField(blank=True)
    text_status = models.CharField(
        max_length=20, choices=TextStatus.choices, default=TextStatus.NOT_APPLICABLE
    )
    text_detail = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # When the record was written (a report's date, a DICOM study date, a FHIR
    # resource's date), as opposed to when it reached us; the most recent fact wins.
    record_date = models.DateField(null=True, blank=True)
    # What the file itself says beyond its text: DICOM modality, body part and study
    # date; the FHIR resource a document came from.
    metadata = models.JSONField(default=dict, blank=True)
    # The FHIR attachment this record came from ("DocumentReference/d1#0": the resource
    # as the import keys it, then the attachment's index); empty for uploads. One record
    # per attachment in a case, held by the database, so two imports of the same file
    # can never add it twice.
    fhir_source = models.CharField(max_length=220, blank=True, default="")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "fhir_source"],
                condition=~models.Q(fhir_source=""),
                name="document_one_per_fhir_attachment",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_pdf(self) -> bool:
        return self.file_type == FileType.PDF

    @property
    def has_text(self) -> bool:
        return bool(self.text)

    @property
    def ocr(self) -> dict:
        """How OCR read the record (engine, pages, confidence), once it has."""
        return (self.metadata or {}).get("ocr") or {}

    @property
    def read_by_ocr(self) -> bool:
        return self.text_status == self.TextStatus.OCR

    @property
    def ocr_pending(self) -> bool:
        return self.text_status in self.OCR_PENDING

    @property
    def ocr_involved(self) -> bool:
        """OCR read, is reading, or could not read this record: its status line says."""
        return self.text_status.startswith("ocr")

    def from_ocr(self, start: int | None, end: int | None = None) -> bool:
        """Whether the text at ``start`` was read by OCR (a mixed PDF's text-layer pages
        were not); without a position, any text of a record read by OCR counts."""
        if not self.read_by_ocr:
            return False
        spans = self.ocr.get("spans")
        if start is None or not spans:
            return True
        return any(a <= start < b for a, b in spans)

    @property
    def ocr_confidence(self) -> int | None:
        """Mean word confidence of the OCR text, as a whole percentage."""
        value = self.ocr.get("confidence")
        return None if value is None else round(value)
