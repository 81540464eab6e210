"""The transition table: every transition allowed when its conditions hold, refused
with reasons when they do not."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consilium.engines.casework import lifecycle
from consilium.engines.casework.lifecycle import TRANSITIONS, CaseFacts, Status
from consilium.engines.casework.roles import Role

ALL_MET = CaseFacts(
    status=Status.REQUESTED,
    consent_active=True,
    coverage_passed=True,
    has_pathology_report=True,
    expert_assigned=True,
    opinion_complete=True,
    opinion_signed=True,
    reports_ready=True,
    open_followup_questions=0,
)

CASES = [(t, source, role) for t in TRANSITIONS for source in sorted(t.sources) for role in Role]


@pytest.mark.parametrize(
    ("transition", "source", "role"), CASES, ids=[f"{t.name}-{s}-{r}" for t, s, r in CASES]
)
def test_allowed_exactly_for_its_roles_when_guards_hold(transition, source, role):
    verdict = lifecycle.evaluate(transition, role, replace(ALL_MET, status=source))
    assert verdict.allowed is (role in transition.roles)
    if not verdict.allowed:
        assert any("may not" in r for r in verdict.reasons)


ELSEWHERE = [(t, s) for t in TRANSITIONS for s in Status if s not in t.sources]


@pytest.mark.parametrize(
    ("transition", "status"), ELSEWHERE, ids=[f"{t.name}-from-{s}" for t, s in ELSEWHERE]
)
def test_refused_from_any_other_status(transition, status):
    role = next(iter(transition.roles))
    verdict = lifecycle.evaluate(transition, role, replace(ALL_MET, status=status))
    assert not verdict.allowed
    assert any("cannot be moved" in r for r in verdict.reasons)


@pytest.mark.parametrize(
    "transition",
    [t for t in TRANSITIONS if t.guards],
    ids=[t.name for t in TRANSITIONS if t.guards],
)
def test_each_unmet_guard_refuses_with_its_own_reason(transition):
    role = next(iter(transition.roles))
    source = next(iter(transition.sources))
    for guard in transition.guards:
        facts = _break(replace(ALL_MET, status=source), guard.key)
        verdict = lifecycle.evaluate(transition, role, facts)
        assert not verdict.allowed
        assert verdict.reasons == (guard.unmet,)


def _break(facts: CaseFacts, key: str) -> CaseFacts:
    field = {
        "consent": ("consent_active", False),
        "coverage": ("coverage_passed", False),
        "pathology": ("has_pathology_report", False),
        "expert": ("expert_assigned", False),
        "opinion_complete": ("opinion_complete", False),
        "opinion_signed": ("opinion_signed", False),
        "reports_ready": ("reports_ready", False),
        "questions_answered": ("open_followup_questions", 2),
    }[key]
    return replace(facts, **{field[0]: field[1]})


def test_ready_for_review_needs_consent_coverage_and_pathology():
    verdict = lifecycle.evaluate(
        lifecycle.get("mark_ready"), Role.COORDINATOR, CaseFacts(status=Status.INTAKE)
    )
    assert not verdict.allowed
    assert len(verdict.reasons) == 3


def test_terminal_statuses_have_no_way_out():
    for status in lifecycle.TERMINAL:
        assert not [t for t in TRANSITIONS if status in t.sources]


def test_every_status_is_reachable_from_requested():
    seen, frontier = {Status.REQUESTED}, [Status.REQUESTED]
    while frontier:
        current = frontier.pop()
        for t in TRANSITIONS:
            if current in t.sources and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(Status)


@given(
    status=st.sampled_from(list(Status)),
    role=st.sampled_from(list(Role)),
    flags=st.lists(st.booleans(), min_size=7, max_size=7),
    open_questions=st.integers(0, 3),
)
def test_available_only_offers_transitions_from_here_for_this_role(
    status, role, flags, open_questions
):
    facts = CaseFacts(status, *flags, open_followup_questions=open_questions)
    for verdict in lifecycle.available(role, facts):
        assert status in verdict.transition.sources
        assert role in verdict.transition.roles
        assert not verdict.transition.implicit
        # Whatever is refused here is refused for a guard, never silently.
        assert verdict.allowed or verdict.reasons


def test_admin_makes_no_transition():
    assert all(Role.ADMIN not in t.roles for t in TRANSITIONS)
