"""API shapes of the FHIR import report (the exports are FHIR JSON themselves)."""

from __future__ import annotations

from ninja import Schema


class InvalidResource(Schema):
    where: str  # "Observation.000.ndjson line 12", "upload.json entry[3]"
    resource: str  # "Observation/abc"
    reason: str


class SkippedGroup(Schema):
    reason: str
    count: int
    examples: list[str]


class PartNotTaken(Schema):
    reason: str
    count: int


class FhirImportReport(Schema):
    source: str
    patients: list[str]
    # How the records were tied to the member: "name and birth date", "an earlier import
    # of this case", or "the case chosen: ..." when the input holds no Patient resource.
    patient_match: str
    total: int
    imported: dict[str, int]
    imported_total: int
    documents: dict[str, int]
    facts: dict[str, int]
    errors: list[InvalidResource]
    errors_total: int
    skipped: list[SkippedGroup]
    skipped_total: int
    parts_not_taken: list[PartNotTaken]
