"""The seeded database keeps the invariants the services enforce."""

from django.contrib.auth import authenticate
from django.utils.html import escape

from consilium.apps.cases.models import Case
from consilium.apps.cases.services import facts_for
from consilium.apps.demo import seed
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.apps.reports.models import Report
from consilium.engines.casework.calendar import add_business_days
from consilium.engines.casework.lifecycle import MAIN_PATH, Status
from consilium.engines.synthetic import DEFAULT_CASES

REVIEWED = MAIN_PATH[MAIN_PATH.index(Status.READY_FOR_REVIEW) :]
SIGNED = MAIN_PATH[MAIN_PATH.index(Status.OPINION_SIGNED) :]


def check_invariants(result):
    program = result.demo.program
    cases = list(Case.objects.filter(program=program).select_related("member", "program"))
    assert {c.status for c in cases} == {s.value for s in Status}
    for case in cases:
        status = Status(case.status)
        facts = facts_for(case)
        assert case.documents.exists(), case
        if status in REVIEWED:
            assert facts.consent_active, case
            assert facts.coverage_passed, case
            assert facts.has_pathology_report, case
            assert case.due_date == add_business_days(
                _local(case.ready_at), program.review_due_business_days
            )
        if status in SIGNED:
            assert facts.opinion_complete and facts.opinion_signed, case
            assert facts.reports_ready, case
            assert case.opinion.signed_by == case.expert.user
            assert case.opinion.recommendations.exists()
        if status in (Status.REPORT_DELIVERED, Status.CLOSED):
            assert all(r.delivered_at for r in case.reports.all()), case
        if status is Status.CLOSED:
            assert facts.open_followup_questions == 0
        if status is Status.IN_REVIEW:
            assert facts.expert_assigned
        last = case.timeline.filter(kind="status").last()
        assert (last.to_status if last else Status.REQUESTED.value) == case.status
        assert case.timeline.filter(kind="created").count() == 1
    scans = []
    for doc in Document.objects.filter(case__program=program):
        data = storage.read(doc.sha256)
        assert len(data) == doc.size
        if doc.ocr_involved:  # the fax scan: read by OCR in the background after the seed
            scans.append(doc)
            assert doc.case.status == Status.INTAKE and doc.kind == "pathology_report"
            continue
        assert doc.text_status == "extracted" and doc.text
    assert len(scans) <= 1
    assert Document.objects.filter(case__program=program, file_type="pdf").exists()
    for report in Report.objects.filter(case__program=program):
        assert escape(report.case.member.full_name) in report.html or report.kind == "physician"


def _local(value):
    from django.utils import timezone

    return timezone.localtime(value).date()


def test_a_small_seeded_program_keeps_the_invariants(db):
    check_invariants(seed.seed(seed=11, cases=14))


def test_the_demo_logins_sign_in_and_see_their_cases(db):
    result = seed.seed(seed=7, cases=12)
    by_role = {e["role"]: e["username"] for e in result.demo.logins}
    users = {
        role: authenticate(username=name, password=result.passwords[name])
        for role, name in by_role.items()
    }
    assert all(users.values())
    assert {u.role for u in users.values()} == set(by_role)
    assert Case.objects.filter(
        member__user=users["member"], status=Status.REPORT_DELIVERED
    ).exists()
    assert Case.objects.filter(
        physician__user=users["physician"], status__in=[Status.REPORT_DELIVERED, Status.CLOSED]
    ).exists()
    expert_cases = Case.objects.filter(expert__user=users["expert"])
    assert expert_cases.filter(status=Status.READY_FOR_REVIEW).exists()
    assert expert_cases.filter(status=Status.IN_REVIEW).exists()
    assert users["coordinator"].program_id == result.demo.program_id
    # The rest of the cast cannot sign in.
    others = result.demo.program.members.exclude(user=None).exclude(user=users["member"])
    assert others.exists()
    assert not any(m.user.has_usable_password() for m in others)


def test_the_full_default_program_keeps_the_invariants(db):
    result = seed.seed()
    assert result.demo.cases == DEFAULT_CASES
    assert 36 <= result.demo.program.members.count() <= 44
    check_invariants(result)
