"""API shapes for decision support: the same JSON the command prints."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class CaseRef(Schema):
    id: int
    reference: str
    status: str


class BiomarkerOut(Schema):
    status: str | None
    alteration: str | None
    value: str | None


class TreatmentOut(Schema):
    name: str
    kind: str | None
    date: date | None


class ProfileOut(Schema):
    cancer_type: str | None
    cancer_type_code: str | None
    cancer_type_name: str | None
    stage_group: str | None
    pT: str | None
    pN: str | None
    pM: str | None
    metastatic: bool | None
    advanced: bool | None
    histology: str | None
    biomarkers: dict[str, BiomarkerOut]
    treatments: list[TreatmentOut]
    ecog: int | None
    brain_metastases: bool | None
    measurable_disease: bool | None
    sex: str | None
    age: int | None


class SourceOut(Schema):
    kind: str
    name: str
    year: int | None
    url: str | None
    citation: str


class RecommendationDraft(Schema):
    kind: str
    text: str
    rationale: str


class _Addable(Schema):
    recommendation: RecommendationDraft = Field(
        description="What 'add to recommendations' puts in the draft opinion."
    )
    added: bool = Field(description="Already among the opinion's recommendations.")
    addable: bool


class TestOut(Schema):
    id: str
    test: str
    status: Literal["done", "equivocal", "pending", "not_performed", "unclear", "not_stated"]
    status_label: str
    result: str | None
    reason: str
    setting: str
    applies_if: list[str] = Field(description="Conditions not on file that the rule needs.")
    sources: list[SourceOut]
    rules: list[str]
    why: str


class GapOut(TestOut, _Addable):
    pass


class CancerTypeRef(Schema):
    code: str
    name: str


class TherapyOut(_Addable):
    id: str
    biomarker: str
    evidence: str
    drugs: list[str]
    tier: Literal["1", "2", "3", "R"]
    tier_label: str
    resistance: bool
    match: Literal["matched", "possible"]
    missing: list[str]
    setting: str
    cancer_types: list[CancerTypeRef]
    approved_elsewhere: bool
    applies_if: list[str]
    note: str
    sources: list[SourceOut]


class CriterionOut(Schema):
    text: str
    verdict: str
    reason: str | None = None


class SiteOut(Schema):
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    distance_km: float | None = None
    status: str | None = None
    contact: str | None = None


class TrialOut(_Addable):
    model_config = ConfigDict(extra="allow")

    id: str
    nct_id: str
    title: str | None = None
    phase: str | None = None
    status: str | None = None
    score: float | None = None
    eligibility: str | None = None
    criteria: list[CriterionOut] = []
    site: SiteOut | None = None
    url: str | None = None


class DecisionSupportOut(Schema):
    case: CaseRef
    profile: ProfileOut
    gaps: list[GapOut]
    tests_done: list[TestOut]
    therapies: list[TherapyOut]
    trials: list[TrialOut]
    trials_available: bool
    trials_error: str
    tiers: dict[str, str]
    notes: list[str]
    knowledge: dict[str, str] = Field(description="Versions of the rule files used.")


class AddIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(
        min_length=3,
        max_length=200,
        description="An item id from the decision support: test:…, therapy:… or trial:NCT….",
    )


class AddedOut(Schema):
    created: bool
    kind: str
    text: str
    rationale: str
    position: int
