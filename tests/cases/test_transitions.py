"""Every lifecycle transition through the case service: allowed when the table and the
case allow it, refused with reasons otherwise; each change leaves a timeline event."""

from datetime import date

import pytest

from consilium.apps.access.policy import Forbidden, NotFound
from consilium.apps.cases import services
from consilium.apps.cases.services import RuleError
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


@pytest.fixture
def w(world):
    return world


def _set(case, status):
    case.status = status.value
    case.save()
    return case


def _go(w, who, case, name, reason="because"):
    return services.transition(f.actor(w.users()[who]), case, name, reason)


def test_start_intake(w):
    case = _set(w.case, Status.REQUESTED)
    case = _go(w, "coordinator", case, "start_intake")
    assert case.status == Status.INTAKE
    event = case.timeline.get(kind="status")
    assert (event.from_status, event.to_status) == ("REQUESTED", "INTAKE")
    assert event.actor == w.coordinator


def test_mark_ready_refused_until_consent_coverage_and_pathology(w):
    case = _set(w.case, Status.INTAKE)
    with pytest.raises(RuleError) as refused:
        _go(w, "coordinator", case, "mark_ready")
    assert set(refused.value.reasons) == {
        "the member's consent is not signed",
        "no passing coverage check (the member must have an expert-review benefit)",
        "no pathology report among the records",
    }
    case.refresh_from_db()
    assert case.status == Status.INTAKE
    assert not case.timeline.filter(kind="status").exists()


def test_mark_ready_sets_the_due_date_in_business_days(w):
    case = _set(w.case, Status.INTAKE)
    f.consent(case), f.coverage(case), f.pathology(case)
    case = _go(w, "coordinator", case, "mark_ready")
    assert case.status == Status.READY_FOR_REVIEW
    assert case.due_date is not None and case.due_date.weekday() < 5
    assert (case.due_date - case.ready_at.date()).days >= 5


def test_failed_coverage_blocks_ready(w):
    case = _set(w.case, Status.INTAKE)
    f.consent(case), f.coverage(case, covered=False), f.pathology(case)
    with pytest.raises(RuleError, match="Cannot ready for review"):
        _go(w, "coordinator", case, "mark_ready")


def test_start_review_by_the_assigned_expert(w):
    case = _set(w.case, Status.READY_FOR_REVIEW)
    f.consent(case)
    assert _go(w, "expert", case, "start_review").status == Status.IN_REVIEW


def test_start_review_needs_an_expert(w):
    case = _set(w.case, Status.READY_FOR_REVIEW)
    f.consent(case)
    case.expert = None
    case.save()
    with pytest.raises(RuleError, match="Cannot start review"):
        _go(w, "coordinator", case, "start_review")


def test_expert_returning_a_case_unassigns_them(w):
    case = _set(w.case, Status.IN_REVIEW)
    case = _go(w, "expert", case, "return_to_queue", "conflict of interest")
    assert case.status == Status.READY_FOR_REVIEW
    assert case.expert is None


def test_reopen_intake_needs_a_reason(w):
    case = _set(w.case, Status.READY_FOR_REVIEW)
    with pytest.raises(RuleError, match="needs a reason"):
        _go(w, "coordinator", case, "reopen_intake", reason="  ")
    assert _go(w, "coordinator", case, "reopen_intake", "missing CT").status == Status.INTAKE


def test_sign_opinion_is_never_a_bare_status_change(w):
    case = _set(w.case, Status.IN_REVIEW)
    f.consent(case)
    with pytest.raises(RuleError, match="happens by its own action"):
        _go(w, "expert", case, "sign_opinion")
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW


def test_signing_an_incomplete_opinion_is_refused(w):
    from consilium.apps.reviews import services as reviews

    case = _set(w.case, Status.IN_REVIEW)
    f.consent(case)
    expert = f.actor(w.expert.user)
    reviews.save_draft(expert, case, reviews.OpinionDraft(diagnosis_assessment="confirmed"))
    with pytest.raises(RuleError) as refused:
        reviews.sign(expert, case)
    assert any("diagnosis assessment" in r for r in refused.value.reasons)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert not case.opinion.is_signed


def test_deliver_report_needs_a_signed_opinion_and_reports(w):
    case = _set(w.case, Status.OPINION_SIGNED)
    with pytest.raises(RuleError) as refused:
        _go(w, "coordinator", case, "deliver_report")
    assert "the opinion is not signed" in refused.value.reasons


@pytest.mark.parametrize("status", [Status.REQUESTED, Status.INTAKE, Status.READY_FOR_REVIEW])
def test_decline_records_the_reason(w, status):
    case = _set(w.case, status)
    case = _go(w, "coordinator", case, "decline", "no expert-review benefit")
    assert case.status == Status.DECLINED
    assert case.closed_reason == "no expert-review benefit"


@pytest.mark.parametrize("who", ["member", "physician", "coordinator"])
def test_withdraw_by_member_physician_or_coordinator(w, who):
    case = _set(w.case, Status.INTAKE)
    assert _go(w, who, case, "withdraw", "decided not to").status == Status.WITHDRAWN


def test_nothing_leaves_a_terminal_status(w):
    for status in (Status.CLOSED, Status.WITHDRAWN, Status.DECLINED):
        case = _set(w.case, status)
        for name in ("start_intake", "withdraw", "decline", "close"):
            with pytest.raises(RuleError):
                _go(w, "coordinator", case, name)


@pytest.mark.parametrize(
    ("who", "name", "status"),
    [
        ("member", "start_intake", Status.REQUESTED),
        ("physician", "mark_ready", Status.INTAKE),
        ("expert", "deliver_report", Status.OPINION_SIGNED),
        ("member", "close", Status.REPORT_DELIVERED),
        ("expert", "decline", Status.READY_FOR_REVIEW),
    ],
)
def test_role_not_in_the_table_is_refused(w, who, name, status):
    case = _set(w.case, status)
    with pytest.raises(RuleError) as refused:
        _go(w, who, case, name)
    assert any("may not" in r for r in refused.value.reasons)
    case.refresh_from_db()
    assert case.status == status


def test_admin_cannot_even_see_the_case(w):
    with pytest.raises(NotFound):
        _go(w, "admin", w.case, "start_intake")


def test_other_programs_coordinator_gets_not_found(w):
    with pytest.raises(NotFound):
        services.transition(f.actor(w.other_coordinator), w.case, "start_intake")


def test_unknown_transition_name(w):
    with pytest.raises(RuleError, match="Unknown transition"):
        _go(w, "coordinator", w.case, "teleport")


def test_overdue_only_while_the_clock_runs(w):
    case = _set(w.case, Status.IN_REVIEW)
    case.due_date = date(2020, 1, 1)
    assert case.is_overdue()
    case.status = Status.CLOSED.value
    assert not case.is_overdue()


def test_member_cannot_record_consent_for_another_member(w):
    with pytest.raises(NotFound):
        services.sign_consent(f.actor(w.other_member.user), w.case, "expert_review", "X", "paper")


def test_coordinator_cannot_sign_electronically_for_the_member(w):
    with pytest.raises(RuleError, match="Only the member can sign electronically"):
        services.sign_consent(
            f.actor(w.coordinator), w.case, "expert_review", "Maria", "electronic"
        )


def test_physician_cannot_record_consent(w):
    with pytest.raises(Forbidden):
        services.sign_consent(f.actor(w.physician.user), w.case, "expert_review", "Maria", "paper")
