"""The case lifecycle: one transition table, each transition with who may make it and
what must hold first.

Everything here is plain data. The cases app builds a ``CaseFacts`` snapshot from the
database, asks this module what is allowed, and persists the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from consilium.engines.casework.roles import Role


class Status(StrEnum):
    REQUESTED = "REQUESTED"
    INTAKE = "INTAKE"
    READY_FOR_REVIEW = "READY_FOR_REVIEW"
    IN_REVIEW = "IN_REVIEW"
    OPINION_SIGNED = "OPINION_SIGNED"
    REPORT_DELIVERED = "REPORT_DELIVERED"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"
    DECLINED = "DECLINED"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.DECLINED})
# Statuses in which the review clock runs: a case here past its due date is overdue.
CLOCK_RUNNING = frozenset({Status.READY_FOR_REVIEW, Status.IN_REVIEW})
# The order a case normally moves through, for progress displays.
MAIN_PATH = (
    Status.REQUESTED,
    Status.INTAKE,
    Status.READY_FOR_REVIEW,
    Status.IN_REVIEW,
    Status.OPINION_SIGNED,
    Status.REPORT_DELIVERED,
    Status.CLOSED,
)


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about one case, read from wherever it is stored."""

    status: Status
    consent_active: bool = False
    coverage_passed: bool = False
    has_pathology_report: bool = False
    expert_assigned: bool = False
    opinion_complete: bool = False
    opinion_signed: bool = False
    reports_ready: bool = False
    open_followup_questions: int = 0


@dataclass(frozen=True)
class Guard:
    """A condition that must hold before a transition; ``unmet`` says what is missing."""

    key: str
    holds: Callable[[CaseFacts], bool]
    unmet: str


CONSENT = Guard("consent", lambda f: f.consent_active, "the member's consent is not signed")
COVERAGE = Guard(
    "coverage",
    lambda f: f.coverage_passed,
    "no passing coverage check (the member must have an expert-review benefit)",
)
PATHOLOGY = Guard(
    "pathology",
    lambda f: f.has_pathology_report,
    "no pathology report among the records",
)
EXPERT = Guard("expert", lambda f: f.expert_assigned, "no expert is assigned")
OPINION_COMPLETE = Guard(
    "opinion_complete",
    lambda f: f.opinion_complete,
    "the opinion needs a diagnosis assessment, a treatment assessment and a discrepancy grade",
)
OPINION_SIGNED = Guard("opinion_signed", lambda f: f.opinion_signed, "the opinion is not signed")
REPORTS_READY = Guard(
    "reports_ready", lambda f: f.reports_ready, "the expert report and member summary are missing"
)
QUESTIONS_ANSWERED = Guard(
    "questions_answered",
    lambda f: f.open_followup_questions == 0,
    "follow-up questions are still unanswered",
)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False
    # Made only as the effect of another action (signing an opinion), never as a bare
    # status change, so pages and the API do not offer it as a button.
    implicit: bool = False


_ACTIVE_BEFORE_OPINION = frozenset(
    {Status.REQUESTED, Status.INTAKE, Status.READY_FOR_REVIEW, Status.IN_REVIEW}
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "start_intake",
        "Start intake",
        frozenset({Status.REQUESTED}),
        Status.INTAKE,
        frozenset({Role.COORDINATOR}),
    ),
    Transition(
        "mark_ready",
        "Ready for review",
        frozenset({Status.INTAKE}),
        Status.READY_FOR_REVIEW,
        frozenset({Role.COORDINATOR}),
        (CONSENT, COVERAGE, PATHOLOGY),
    ),
    Transition(
        "reopen_intake",
        "Back to intake",
        frozenset({Status.READY_FOR_REVIEW}),
        Status.INTAKE,
        frozenset({Role.COORDINATOR}),
        needs_reason=True,
    ),
    Transition(
        "start_review",
        "Start review",
        frozenset({Status.READY_FOR_REVIEW}),
        Status.IN_REVIEW,
        frozenset({Role.EXPERT, Role.COORDINATOR}),
        (CONSENT, EXPERT),
    ),
    Transition(
        "return_to_queue",
        "Return to queue",
        frozenset({Status.IN_REVIEW}),
        Status.READY_FOR_REVIEW,
        frozenset({Role.EXPERT, Role.COORDINATOR}),
        needs_reason=True,
    ),
    Transition(
        "sign_opinion",
        "Sign opinion",
        frozenset({Status.IN_REVIEW}),
        Status.OPINION_SIGNED,
        frozenset({Role.EXPERT}),
        (CONSENT, OPINION_COMPLETE),
        implicit=True,
    ),
    Transition(
        "deliver_report",
        "Deliver report",
        frozenset({Status.OPINION_SIGNED}),
        Status.REPORT_DELIVERED,
        frozenset({Role.COORDINATOR}),
        (OPINION_SIGNED, REPORTS_READY),
    ),
    Transition(
        "close",
        "Close case",
        frozenset({Status.REPORT_DELIVERED}),
        Status.CLOSED,
        frozenset({Role.COORDINATOR}),
        (QUESTIONS_ANSWERED,),
    ),
    Transition(
        "decline",
        "Decline",
        frozenset({Status.REQUESTED, Status.INTAKE, Status.READY_FOR_REVIEW}),
        Status.DECLINED,
        frozenset({Role.COORDINATOR}),
        needs_reason=True,
    ),
    Transition(
        "withdraw",
        "Withdraw",
        _ACTIVE_BEFORE_OPINION,
        Status.WITHDRAWN,
        frozenset({Role.MEMBER, Role.PHYSICIAN, Role.COORDINATOR}),
        needs_reason=True,
    ),
)

BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}


@dataclass(frozen=True)
class Verdict:
    """Whether ``role`` may make ``transition`` now, and if not, every reason why not."""

    transition: Transition
    allowed: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


class UnknownTransition(KeyError):
    pass


def get(name: str) -> Transition:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownTransition(name) from None


def evaluate(transition: Transition, role: Role, facts: CaseFacts) -> Verdict:
    reasons: list[str] = []
    if facts.status not in transition.sources:
        reasons.append(
            f"a case in {facts.status.label.lower()} cannot be moved by '{transition.label}'"
        )
    if role not in transition.roles:
        reasons.append(f"a {role.label.lower()} may not '{transition.label}'")
    reasons.extend(g.unmet for g in transition.guards if not g.holds(facts))
    return Verdict(transition, not reasons, tuple(reasons))


def available(role: Role, facts: CaseFacts, *, include_implicit: bool = False) -> list[Verdict]:
    """Transitions leaving the current status that ``role`` may make, each with its verdict
    (guards may still be unmet: pages show those as a checklist)."""
    return [
        evaluate(t, role, facts)
        for t in TRANSITIONS
        if facts.status in t.sources and role in t.roles and (include_implicit or not t.implicit)
    ]
