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
    text_status = models.CharField(max_length=20, default="not_applicable")
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

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_pdf(self) -> bool:
        return self.file_type == FileType.PDF

    @property
    def has_text(self) -> bool:
        return bool(self.text)
