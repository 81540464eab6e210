"""API shapes for the expert's opinion."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from consilium.apps.reviews.models import Opinion, Recommendation

# The empty string leaves a grade unset in a draft; signing needs all three.
DiagnosisChoice = Literal[("", *Opinion.Diagnosis.values)]  # type: ignore[valid-type]
TreatmentChoice = Literal[("", *Opinion.Treatment.values)]  # type: ignore[valid-type]
DiscrepancyChoice = Literal[("", *Opinion.Discrepancy.values)]  # type: ignore[valid-type]
RecommendationKind = Literal[tuple(Recommendation.Kind.values)]  # type: ignore[valid-type]
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class RecommendationIn(_Input):
    kind: RecommendationKind
    text: NonBlank = Field(max_length=5_000)
    rationale: str = Field("", max_length=5_000)


class OpinionIn(_Input):
    """The whole draft: each save replaces the previous one."""

    diagnosis_assessment: DiagnosisChoice = ""
    diagnosis_comment: str = Field("", max_length=20_000)
    treatment_assessment: TreatmentChoice = ""
    treatment_comment: str = Field("", max_length=20_000)
    discrepancy: DiscrepancyChoice = ""
    narrative: str = Field("", max_length=50_000)
    member_summary: str = Field("", max_length=20_000)
    answers: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="One answer per case question, in the order of the questions.",
    )
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=50)


class AddendumIn(_Input):
    text: NonBlank = Field(max_length=20_000)


class AnswerOut(Schema):
    question: str
    answer: str


class RecommendationOut(Schema):
    kind: str
    text: str
    rationale: str


class AddendumOut(Schema):
    id: int
    text: str
    author: str
    created_at: datetime


class OpinionOut(Schema):
    id: int
    author: str
    signed: bool
    complete: bool
    diagnosis_assessment: str
    diagnosis_comment: str
    treatment_assessment: str
    treatment_comment: str
    discrepancy: str
    narrative: str
    member_summary: str
    answers: list[AnswerOut]
    recommendations: list[RecommendationOut]
    addenda: list[AddendumOut]
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None
    signed_by: str | None
