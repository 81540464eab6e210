"""API shapes for a case's facts, their review, the completeness checklist and the
abstraction runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import model_validator


class Provenance(Schema):
    document_id: int | None = Field(None, description="The record the fact was read from.")
    start: int | None = Field(None, description="Character offset of the span in the text.")
    end: int | None = None
    sentence: str = ""
    section: str = ""
    fhir_reference: str = ""
    viewer_url: str | None = Field(
        None, description="The record viewer with the span marked (for a person to check)."
    )


class ReviewOut(Schema):
    action: str
    value: str
    note: str
    by: str
    at: datetime


class FactOut(Schema):
    id: int
    name: str
    value: str = Field(description="The current value: a person's correction, else the proposal.")
    proposed_value: str = Field(description="What the source said; never overwritten.")
    corrected_value: str
    display: str
    basis: Literal["stated", "inferred"] | str
    inferred_from: str
    assertion: str
    confidence: float
    weak: bool = Field(description="Too weak to answer the summary until a person confirms it.")
    source: str = Field(description="text (read from a record), fhir, or manual (a person).")
    review_status: str
    review_note: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    effective_date: date | None
    detail: dict[str, Any]
    provenance: Provenance
    reviews: list[ReviewOut]


class CandidateValue(Schema):
    value: str
    shown: str
    fact_ids: list[int]
    document_ids: list[int]


class SeriesPointOut(Schema):
    taken_on: date | None = Field(description="When the value was taken; null: not known.")
    dated_by: str = Field(
        description="What gives the date: sentence (written with the value), record (the "
        "record's own date), resource (the FHIR resource), person (given with a manual "
        "entry); empty when undated."
    )
    value: str = Field(description="The value as written, with comparator and unit.")
    number: float | None
    comparator: str | None = Field(None, examples=["<"])
    unit: str | None = Field(None, examples=["ng/mL"])
    elevated: bool | None = Field(
        description="Above the reference range as the source says; null: not stated."
    )
    conflict: bool = Field(description="Another value is given for the same date.")
    placeholder: bool = Field(description="A pending or not performed test, not a result.")
    chosen: bool = Field(description="This value answers the summary (the latest result).")
    fact_ids: list[int] = Field(description="The facts giving this value on this date.")
    document_ids: list[int]


class MergedFactOut(Schema):
    name: str
    label: str
    group: str
    value: str | None = Field(description="The merged answer; null means not stated.")
    shown: str
    why: str = Field(description="Which merge rule chose the value.")
    chosen_fact_id: int | None
    conflict: bool = Field(description="Records disagree on this fact.")
    resolved: bool = Field(description="A person has settled the conflict.")
    values: list[CandidateValue]
    weak_fact_ids: list[int]
    rejected_fact_ids: list[int]
    series: list[SeriesPointOut] = Field(
        default_factory=list,
        description="A lab value measured over time (the serum tumour markers): every value "
        "by date, latest first, undated last; empty for other facts. Values of different "
        "dates are never a conflict.",
    )


class RunOut(Schema):
    id: int
    document_id: int
    status: str
    engine_version: str
    text_sha256: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    fact_count: int
    error: str


class FactsOut(Schema):
    summary: list[MergedFactOut]
    conflicts: list[str] = Field(description="Names of the facts whose records disagree.")
    facts: list[FactOut]
    runs: list[RunOut] = Field(description="The latest abstraction run of each record.")


class ReviewIn(Schema):
    action: Literal["confirm", "correct", "reject"]
    value: str = Field("", max_length=300, description="The corrected value (for correct).")
    note: str = Field(
        "", max_length=2000, description="Why (required to correct or reject); kept with it."
    )

    @model_validator(mode="after")
    def _needs(self):
        if self.action == "correct" and not self.value.strip():
            raise ValueError("a correction needs the corrected value")
        if self.action in ("correct", "reject") and not self.note.strip():
            raise ValueError(f"say why ('note') to {self.action} a fact")
        return self


class ManualFactIn(Schema):
    name: str = Field(min_length=1, max_length=60, examples=["CEA"])
    value: str = Field(min_length=1, max_length=300, examples=["4.2 ng/mL"])
    note: str = Field(min_length=1, max_length=2000, description="Where the value comes from.")
    effective_date: date | None = Field(None, description="When the fact holds (default today).")


class ChecklistItemOut(Schema):
    key: str
    what: str
    why: str
    state: Literal["met", "pending", "missing", "conditional"]
    met_by: str
    document_id: int | None
    fact_id: int | None
    when: str | None
    source_name: str
    source_url: str


class ChecklistOut(Schema):
    checklist: str
    label: str
    version: str
    cancer_type: str | None
    advanced: bool | None
    complete: bool
    missing: list[str]
    items: list[ChecklistItemOut]


class RerunOut(Schema):
    queued: int
    up_to_date: int
    in_progress: int
    no_text: int
    ocr_queued: int = 0  # scanned records queued for OCR again (their facts follow)
    message: str
    runs: list[RunOut]
