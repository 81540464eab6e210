"""What the generator returns: plain dataclasses the Django side persists.

People are referred to by keys ("member:m03", "expert:e02", "coordinator:c1") so the
program is one self-contained value that can be compared, printed or stored.
Datetimes are naive local times (the program's time zone); the persisting side makes
them aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Span:
    plan: str
    start: date
    end: date | None
    expert_review_benefit: bool


@dataclass(frozen=True)
class MemberSpec:
    key: str
    member_number: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str  # "female" | "male"
    email: str
    phone: str
    address_line: str
    city: str
    state: str
    postal_code: str
    preferred_language: str
    spans: tuple[Span, ...]
    has_login: bool
    username: str


@dataclass(frozen=True)
class PhysicianSpec:
    key: str
    first_name: str
    last_name: str
    name: str
    npi: str
    specialty: str
    practice: str
    state: str
    email: str
    phone: str
    has_login: bool
    username: str


@dataclass(frozen=True)
class ExpertSpec:
    key: str
    first_name: str
    last_name: str
    credentials: str
    subspecialties: tuple[str, ...]
    licensure_states: tuple[str, ...]
    institution: str
    languages: tuple[str, ...]
    weekly_capacity: int
    username: str
    email: str


@dataclass(frozen=True)
class StaffSpec:
    """A coordinator or an admin of the program."""

    key: str
    role: str
    first_name: str
    last_name: str
    username: str
    email: str


@dataclass(frozen=True)
class DocumentSpec:
    kind: str  # records.Document.Kind value
    title: str
    filename: str  # with extension: .txt, or .pdf when as_pdf or as_scan
    text: str
    as_pdf: bool
    source: str  # the organisation that wrote it (letterhead for PDFs)
    uploaded_at: datetime
    uploaded_by: str  # person key
    # Arrived as a fax: an image-only PDF whose text only OCR can read (in the background
    # once seeded), so the demo shows a record read by OCR.
    as_scan: bool = False


@dataclass(frozen=True)
class ConsentSpec:
    scope: str  # "expert_review" | "share_with_physician"
    signed_by_name: str
    method: str  # "electronic" | "paper" | "verbal"
    signed_at: datetime
    recorded_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str = ""


@dataclass(frozen=True)
class CoverageSpec:
    checked_for: date
    covered: bool
    reason: str
    checked_at: datetime
    checked_by: str


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    from_status: str
    to_status: str
    actor: str
    reason: str = ""


@dataclass(frozen=True)
class Recommendation:
    kind: str
    text: str
    rationale: str


@dataclass(frozen=True)
class OpinionSpec:
    diagnosis_assessment: str
    diagnosis_comment: str
    treatment_assessment: str
    treatment_comment: str
    discrepancy: str
    narrative: str
    member_summary: str
    answers: tuple[str, ...]  # one per case question, in order
    recommendations: tuple[Recommendation, ...]
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None  # None: a draft

    @property
    def is_complete(self) -> bool:
        return bool(self.diagnosis_assessment and self.treatment_assessment and self.discrepancy)


@dataclass(frozen=True)
class FollowUpSpec:
    text: str
    asked_at: datetime
    asked_by: str
    answer: str = ""
    answered_at: datetime | None = None
    answered_by: str | None = None


@dataclass
class CaseSpec:
    key: str
    member: str
    origin: str  # "member_request" | "physician_referral" | "proactive"
    requested_by: str | None
    physician: str | None
    cancer_type_code: str
    questions: list[str]
    clinical_summary: str
    urgent: bool
    status: str
    created_at: datetime
    request_date: date
    status_changed_at: datetime
    ready_at: datetime | None = None
    due_date: date | None = None
    closed_reason: str = ""
    expert: str | None = None
    assigned_at: datetime | None = None
    assigned_by: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    consents: list[ConsentSpec] = field(default_factory=list)
    coverage_checks: list[CoverageSpec] = field(default_factory=list)
    documents: list[DocumentSpec] = field(default_factory=list)
    opinion: OpinionSpec | None = None
    delivered_at: datetime | None = None
    delivered_by: str | None = None
    followups: list[FollowUpSpec] = field(default_factory=list)


@dataclass(frozen=True)
class DemoLogin:
    """The person each role's demo login belongs to, and the case worth opening first."""

    role: str
    person: str  # key
    case: str | None


@dataclass
class SyntheticProgram:
    seed: int
    version: int
    now: datetime
    name: str
    sponsor: str
    review_due_business_days: int
    members: list[MemberSpec]
    physicians: list[PhysicianSpec]
    experts: list[ExpertSpec]
    staff: list[StaffSpec]
    cases: list[CaseSpec]
    logins: list[DemoLogin]

    def person_usernames(self) -> dict[str, str]:
        people = [*self.members, *self.physicians, *self.experts, *self.staff]
        return {p.key: p.username for p in people if p.username}
