"""API shapes for reports and follow-up questions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from consilium.apps.reports.models import Report

ReportKind = Literal[tuple(Report.Kind.values)]  # type: ignore[valid-type]
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ReportOut(Schema):
    kind: str
    title: str
    html: str = Field(description="The report as a standalone HTML document.")
    generated_at: datetime
    delivered_at: datetime | None
    delivered_to: str


class TextIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: NonBlank = Field(max_length=2_000)


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: NonBlank = Field(max_length=20_000)


class QuestionOut(Schema):
    id: int
    text: str
    asked_at: datetime
    asked_by_role: str
    answered: bool
    answer: str
    answered_at: datetime | None
    answered_by: str | None
