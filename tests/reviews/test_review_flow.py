"""A case from request to closed through the services, as the pages and API drive it."""

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases import services as cases
from consilium.apps.cases.services import RuleError
from consilium.apps.records.services import add_document
from consilium.apps.reports import services as reports
from consilium.apps.reviews import services as reviews
from consilium.apps.reviews.models import Opinion, SignedOpinionError
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


@pytest.fixture
def people(db):
    prog = f.program()
    return {
        "program": prog,
        "coordinator": f.user("coordinator", prog),
        "member": f.member(prog),
        "expert": f.expert(),
        "physician": f.physician(),
    }


def test_case_goes_from_request_to_closed(people):
    member_actor = f.actor(people["member"].user)
    coord = f.actor(people["coordinator"])
    expert = f.actor(people["expert"].user)

    case = cases.open_case(
        member_actor,
        cases.NewCase(
            member=people["member"],
            origin="member_request",
            cancer_type_code="IDC",
            questions=["Is surgery first right?"],
            physician=people["physician"],
        ),
    )
    assert case.status == Status.REQUESTED

    cases.transition(coord, case, "start_intake")
    cases.sign_consent(member_actor, case, "expert_review", "Maria Lopez", "electronic")
    assert cases.run_coverage_check(coord, case).covered
    add_document(
        member_actor,
        case,
        data=f.PATHOLOGY_TEXT.encode(),
        filename="path.txt",
        kind="pathology_report",
    )
    cases.assign_expert(coord, case, people["expert"])
    case = cases.transition(coord, case, "mark_ready")
    assert case.due_date is not None

    case = cases.transition(expert, case, "start_review")
    draft = reviews.OpinionDraft(
        diagnosis_assessment="refined",
        treatment_assessment="modify",
        discrepancy="minor",
        narrative="Add genomic testing.",
        member_summary="Your diagnosis is right.",
        answers=["Yes, with a test first."],
        recommendations=[{"kind": "test", "text": "Oncotype DX recurrence score"}],
    )
    reviews.save_draft(expert, case, draft)
    opinion = reviews.sign(expert, case)
    case.refresh_from_db()
    assert case.status == Status.OPINION_SIGNED
    assert opinion.is_signed
    assert case.reports.count() == 2

    opinion.narrative = "changed"
    with pytest.raises(SignedOpinionError):
        opinion.save()
    with pytest.raises(RuleError):
        reviews.save_draft(expert, case, draft)

    case = cases.transition(coord, case, "deliver_report")
    summary = reports.read_report(member_actor, case, "member")
    assert "Oncotype DX" in summary.html
    reports.ask_followup(member_actor, case, "Should I wait for the test?")
    with pytest.raises(RuleError) as refused:
        cases.transition(coord, case, "close")
    assert "follow-up questions are still unanswered" in refused.value.reasons
    q = case.followups.get()
    reports.answer_followup(expert, case, q, "Yes, it takes two weeks.")
    case = cases.transition(coord, case, "close")
    assert case.status == Status.CLOSED
    assert [e.to_status for e in case.timeline.filter(kind="status")] == [
        "INTAKE",
        "READY_FOR_REVIEW",
        "IN_REVIEW",
        "OPINION_SIGNED",
        "REPORT_DELIVERED",
        "CLOSED",
    ]
    assert AuditEvent.objects.filter(case_id=case.pk, outcome="allowed").count() >= 12
    assert Opinion.objects.get(case=case).signed_by == people["expert"].user
