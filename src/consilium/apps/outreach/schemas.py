"""API shapes for proactive outreach: claims scans and the members they found."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from consilium.apps.outreach.forms import STATUS_FILTERS
from consilium.engines.claims import rules as claims_rules

CandidateStatus = Literal[tuple(value for value, _label in STATUS_FILTERS)]  # type: ignore[valid-type]
TriggerName = Literal[tuple(claims_rules.load().triggers)]  # type: ignore[valid-type]
# Surrounding blanks dropped first, so "  " is as missing as "".
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ScanOut(Schema):
    """One delivery scanned. Counts come from the scan's summary once it is done;
    ``lines_processed`` and ``progress`` move while it runs."""

    id: int
    label: str
    delivery_name: str
    source: Literal["inbox", "import"]
    status: Literal["queued", "running", "done", "failed", "duplicate"]
    status_label: str
    stalled: bool = Field(description="Queued or running with no live worker (killed).")
    error: str
    duplicate_of: int | None
    as_of_requested: dt.date | None
    as_of: dt.date | None
    engine: str
    rules_version: str
    requested_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    stage: str
    progress: float
    lines_processed: int
    rows_read: dict[str, int]
    rows_quarantined: dict[str, int]
    quarantine_reasons: dict[str, dict[str, int]]
    members_qualified: int | None
    members_enrolled: int | None
    seconds: float | None
    lines_per_second: float | None
    import_counts: dict = Field(
        description="new, updated, unchanged, pending, cases_opened and skipped {reason: n}."
    )


class ScanIn(Schema):
    delivery: Text = Field(max_length=200, description="A folder of your program's claims inbox.")
    as_of: dt.date | None = Field(None, description="Empty: the latest claim date in the delivery.")


class EvidenceOut(Schema):
    claim_id: str
    date: dt.date | None
    detail: str = Field(description="The code that triggered, when there is one.")
    text: str = Field(description="The claim in words, e.g. 'claim A-1 on 2025-06-20 (C787)'.")


class ReasonOut(Schema):
    trigger: str
    label: str
    because: str = Field(description="Why the trigger matters, in plain words.")
    evidence: list[EvidenceOut]


class CandidateOut(Schema):
    id: int
    scan_id: int
    scan_as_of: dt.date | None
    person_id: str
    member_number: str
    name: str
    birth_date: dt.date | None
    sex: str
    state: str
    cancer_group: str
    oncotree_tissue: str
    metastatic: bool
    qualifies_by: str
    first_qualifying_date: dt.date | None
    score: float
    enrolled: bool
    status: str
    status_label: str
    current: bool = Field(description="False: history, a later scan's finding replaced it.")
    reason: str
    decided_by: str | None
    decided_at: dt.datetime | None
    case_id: int | None
    case_reference: str | None
    reasons: list[ReasonOut]


class CandidateFilters(Schema):
    status: CandidateStatus | None = Field(
        None, description="Default: pending (all statuses with `scan`)."
    )
    trigger: TriggerName | None = None
    cancer_group: str | None = Field(None, description="e.g. breast, lung, colorectal.")
    scan: int | None = Field(None, ge=1, description="Every member one scan found.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class CandidatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CandidateOut]


class AcceptOut(Schema):
    case_id: int
    case_reference: str
    candidate: CandidateOut


class DismissIn(Schema):
    reason: Text = Field(max_length=2000, description="Why no outreach, e.g. in hospice care.")
