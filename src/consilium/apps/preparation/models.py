"""The case's facts: proposed by the abstraction engine (from a document's text) or by a
FHIR import, or entered by a person; each confirmed, corrected or rejected by a person.

A correction never overwrites the proposal: ``value`` stays what was proposed and the
review keeps the corrected value, who and when; ``FactReview`` keeps every step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AbstractionRun(models.Model):
    """One pass of the abstraction engine over one document's text. Status is shown on
    the case; a run for the same text and engine version is not repeated."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        NO_TEXT = "no_text", "No text to read"

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="abstraction_runs"
    )
    document = models.ForeignKey(
        "records.Document", on_delete=models.CASCADE, related_name="abstraction_runs"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    engine_version = models.CharField(max_length=40)
    text_sha256 = models.CharField(max_length=64)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    fact_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]


class CaseFact(models.Model):
    class Source(models.TextChoices):
        TEXT = "text", "Read from a document"
        FHIR = "fhir", "FHIR resource"
        MANUAL = "manual", "Entered by a person"

    class Review(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        CORRECTED = "corrected", "Corrected"
        REJECTED = "rejected", "Rejected"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="facts")
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="facts"
    )
    run = models.ForeignKey(
        AbstractionRun, null=True, blank=True, on_delete=models.CASCADE, related_name="facts"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # The engine's fact name: cancer_type, histology, grade, laterality, pT, pN, pM,
    # stage_group, tumour_size_cm, margins, lymphovascular_invasion, lymph_nodes_positive,
    # lymph_nodes_examined, treatment, metastatic, or a biomarker's symbol (ER, HER2, EGFR,
    # MSI, PD-L1, TMB ...).
    name = models.CharField(max_length=60, db_index=True)
    value = models.CharField(max_length=300, help_text="The proposed value, normalized.")
    display = models.CharField(max_length=300, blank=True, help_text="How people read it.")
    basis = models.CharField(max_length=10, default="stated")  # stated | inferred
    assertion = models.CharField(max_length=20, default="present")
    confidence = models.FloatField(default=0.9)
    inferred_from = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Provenance in the document's text (character offsets into Document.text).
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    sentence = models.TextField(blank=True)
    section = models.CharField(max_length=60, blank=True)
    # The FHIR resource the fact came from ("Observation/abc"), for FHIR facts.
    fhir_reference = models.CharField(max_length=200, blank=True)
    # When the fact holds (the record's or resource's date); orders facts and the timeline.
    effective_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    review_status = models.CharField(max_length=10, choices=Review.choices, default=Review.PROPOSED)
    corrected_value = models.CharField(max_length=300, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "-effective_date", "pk"]
        indexes = [models.Index(fields=["case", "name"])]
        constraints = [
            # One fact of a name per FHIR resource in a case: importing the same resource
            # again (even twice at once) updates it and never adds a second.
            models.UniqueConstraint(
                fields=["case", "fhir_reference", "name"],
                condition=models.Q(source="fhir"),
                name="casefact_one_per_fhir_resource_and_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.current_value}"

    @property
    def current_value(self) -> str:
        """What the case holds now: the correction if there is one, else the proposal."""
        if self.review_status == self.Review.CORRECTED:
            return self.corrected_value
        return self.value


class FactReview(models.Model):
    """Every confirmation, correction or rejection of a fact, in order; never edited."""

    fact = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=10, choices=CaseFact.Review.choices)
    value = models.CharField(max_length=300, blank=True, help_text="The value after this step.")
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
