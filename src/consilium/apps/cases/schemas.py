"""API shapes for cases, intake and the caller; kept apart from the models on purpose:
what the API promises changes more slowly than the tables behind it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from consilium.apps.cases.models import Case, Consent
from consilium.engines.casework.lifecycle import Status

# Literal types built from the one list of choices, so a bad value is a 422 naming the
# field (and the OpenAPI schema lists the allowed values).
StatusName = Literal[tuple(s.value for s in Status)]  # type: ignore[valid-type]
OriginName = Literal[tuple(Case.Origin.values)]  # type: ignore[valid-type]
ConsentScope = Literal[tuple(Consent.Scope.values)]  # type: ignore[valid-type]
ConsentMethod = Literal[tuple(Consent.Method.values)]  # type: ignore[valid-type]


class Input(Schema):
    """Request bodies refuse fields they do not know: a typo is a 422, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- errors ------------------------------------------------------------------------------


class Error(Schema):
    detail: str


class Refusal(Schema):
    """A lifecycle or program rule refused the request; ``reasons`` say why."""

    detail: str
    reasons: list[str]


class Invalid(Schema):
    """Invalid input: a list of fields at fault, or a sentence for a refused file."""

    detail: str | list[dict[str, Any]]


# --- the caller --------------------------------------------------------------------------


class ProgramRef(Schema):
    id: int
    name: str


class Me(Schema):
    username: str
    display_name: str
    role: str
    program: ProgramRef | None


# --- cases -------------------------------------------------------------------------------


class CaseFilters(Schema):
    status: StatusName | None = None
    cancer_type: str | None = Field(None, description="OncoTree code, e.g. IDC.")
    origin: OriginName | None = None
    overdue: bool | None = None
    expert_id: int | None = None
    q: str | None = Field(None, description="Reference (CR-000123), member name or number.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class PersonRef(Schema):
    id: int
    name: str


class CaseSummary(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    origin: str
    cancer_type_code: str
    cancer_type_label: str
    urgent: bool
    member_name: str
    expert: PersonRef | None
    request_date: date
    due_date: date | None
    overdue: bool


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseSummary]


class MemberSummary(Schema):
    """Who the case is about. Experts get what a review needs (age, sex, state), not the
    member's identifiers; the member, the treating physician and coordinators get those."""

    full_name: str
    age: int
    sex: str
    state: str
    member_number: str | None = None
    date_of_birth: date | None = None


class TransitionOption(Schema):
    name: str
    label: str
    target: str
    allowed: bool
    needs_reason: bool
    reasons: list[str] = Field(description="What is missing before it is allowed.")


class CaseDetail(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    origin: str
    cancer_type_code: str
    cancer_type_label: str
    questions: list[str]
    clinical_summary: str
    urgent: bool
    request_date: date
    due_date: date | None
    overdue: bool
    closed_reason: str
    member: MemberSummary
    physician: PersonRef | None
    expert: PersonRef | None
    transitions: list[TransitionOption] = Field(
        description="Transitions from this status the caller's role may make."
    )


class CaseIn(Input):
    """Open a case. A member asks for themself (no identification needed); a physician
    identifies the patient by ``member_number`` and ``date_of_birth``; a coordinator gives
    ``member_id`` (and may set ``origin`` and ``physician_id``)."""

    cancer_type_code: str = Field("", max_length=20, description="OncoTree code, e.g. IDC.")
    questions: list[str] = Field(default_factory=list, max_length=20)
    clinical_summary: str = Field("", max_length=20_000)
    urgent: bool = False
    member_number: str | None = Field(None, max_length=40)
    date_of_birth: date | None = None
    member_id: int | None = None
    physician_id: int | None = None
    origin: OriginName | None = None


class TransitionIn(Input):
    name: str = Field(description="A transition name, e.g. start_intake.")
    reason: str = Field("", max_length=5_000)


class AssignmentIn(Input):
    expert_id: int


class CoverageCheckOut(Schema):
    id: int
    checked_for: date
    covered: bool
    reason: str
    checked_at: datetime
    checked_by: str | None


class ConsentIn(Input):
    scope: ConsentScope
    signed_by_name: str = Field(max_length=200)
    method: ConsentMethod = Field(
        "electronic",
        description="Members sign electronically; coordinators record paper or verbal consent.",
    )


class RevokeIn(Input):
    reason: str = Field("", max_length=5_000)


class ConsentOut(Schema):
    id: int
    scope: str
    scope_label: str
    signed_by_name: str
    method: str
    signed_at: datetime
    active: bool
    revoked_at: datetime | None
    revoke_reason: str


class TimelineEventOut(Schema):
    at: datetime
    kind: str
    summary: str
    detail: str
    actor_role: str
    from_status: str
    to_status: str
