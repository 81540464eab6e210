"""What the generated program contains: every status, realistic people, coherent cases."""

from collections import Counter
from datetime import datetime

import pytest

from consilium.engines.casework.calendar import add_business_days, is_overdue
from consilium.engines.casework.coverage import EligibilitySpan, check_coverage
from consilium.engines.casework.lifecycle import MAIN_PATH, Status
from consilium.engines.knowledge.cancer_types import by_code
from consilium.engines.synthetic import generate
from consilium.engines.synthetic.facts import load

NOW = datetime(2025, 6, 11, 14, 30)
REVIEWED = {s.value for s in MAIN_PATH[MAIN_PATH.index(Status.READY_FOR_REVIEW) :]}
SIGNED = {s.value for s in MAIN_PATH[MAIN_PATH.index(Status.OPINION_SIGNED) :]}


@pytest.fixture(scope="module")
def program():
    return generate(7, now=NOW)


def test_about_forty_members_and_fifty_cases(program):
    assert len(program.cases) == 50
    assert 36 <= len(program.members) <= 44
    assert 10 <= len(program.physicians) <= 14
    assert 8 <= len(program.experts) <= 12
    assert Counter(s.role for s in program.staff) == {"coordinator": 3, "admin": 1}


@pytest.mark.parametrize("size", [9, 12, 50, 80])
def test_every_status_has_cases(size):
    statuses = Counter(c.status for c in generate(3, now=NOW, cases=size).cases)
    assert set(statuses) == {s.value for s in Status}


def test_fewer_cases_than_statuses_is_refused():
    with pytest.raises(ValueError):
        generate(7, now=NOW, cases=5)


def test_sex_matches_the_cancer_and_ages_are_plausible(program):
    members = {m.key: m for m in program.members}
    cancers = load("cancers")
    for case in program.cases:
        member = members[case.member]
        spec = cancers[case.cancer_type_code]
        if spec["sex"] != "any":
            assert member.sex == spec["sex"], case
        lo, _, hi = spec["age"]
        age = (case.request_date - member.date_of_birth).days // 365
        assert lo - 1 <= age <= hi + 1, (case.cancer_type_code, age)
    codes = {c.cancer_type_code for c in program.cases}
    assert {"IDC", "LUAD", "COAD", "PRAD", "PAAD", "SKCM"} <= codes
    assert codes & {"DLBCLNOS", "FL"}
    assert codes & {"GIST", "CHOL", "LMS", "PLMESO"}
    assert all(by_code(code) is not None for code in codes)


def test_members_live_mostly_around_the_great_lakes(program):
    states = Counter(m.state for m in program.members)
    assert sum(states[s] for s in ("OH", "MI", "IN", "IL", "PA")) >= 0.8 * len(program.members)


def test_origins_are_mixed_and_some_cases_are_urgent_or_overdue(program):
    assert set(Counter(c.origin for c in program.cases)) == {
        "member_request",
        "physician_referral",
        "proactive",
    }
    assert any(c.urgent for c in program.cases)
    overdue = [
        c
        for c in program.cases
        if c.status in ("READY_FOR_REVIEW", "IN_REVIEW") and is_overdue(c.due_date, NOW.date())
    ]
    assert overdue


def test_reviewed_cases_carry_what_their_status_implies(program):
    members = {m.key: m for m in program.members}
    for case in program.cases:
        kinds = {d.kind for d in case.documents}
        assert case.documents, case.key
        if case.status in REVIEWED:
            assert any(c.scope == "expert_review" and c.revoked_at is None for c in case.consents)
            assert case.coverage_checks and case.coverage_checks[-1].covered
            assert "pathology_report" in kinds
            assert case.expert or case.status == "READY_FOR_REVIEW"  # one waits to be assigned
            assert case.due_date == add_business_days(case.ready_at.date(), 5)
        if case.status in SIGNED:
            assert case.opinion and case.opinion.signed_at and case.opinion.is_complete
            assert len(case.opinion.answers) == len(case.questions)
        if case.status in ("REPORT_DELIVERED", "CLOSED"):
            assert case.delivered_at
        if case.status == "CLOSED":
            assert all(q.answered_at for q in case.followups)
        if case.status == "DECLINED" and case.closed_reason.startswith("Not covered"):
            spans = [
                EligibilitySpan(s.start, s.end, s.plan, s.expert_review_benefit)
                for s in members[case.member].spans
            ]
            assert not check_coverage(spans, case.request_date).covered
            assert not case.coverage_checks[-1].covered
    declined = [c for c in program.cases if c.status == "DECLINED"]
    assert any(c.closed_reason.startswith("Not covered") for c in declined)


def test_history_follows_the_transition_table_and_time(program):
    from consilium.engines.casework.lifecycle import TRANSITIONS

    allowed = {(s.value, t.target.value) for t in TRANSITIONS for s in t.sources}
    for case in program.cases:
        steps = [(h.from_status, h.to_status) for h in case.history]
        assert all(step in allowed for step in steps), (case.key, steps)
        final = case.history[-1].to_status if case.history else "REQUESTED"
        assert final == case.status
        times = [case.created_at, *(h.at for h in case.history)]
        assert times == sorted(times)
        assert max(times) <= NOW


def test_documents_read_like_their_cancer(program):
    words = {
        "IDC": "Estrogen receptor",
        "LUAD": "EGFR",
        "COAD": "Mismatch repair",
        "PRAD": "Gleason",
    }
    for case in program.cases:
        pathology = [d for d in case.documents if d.kind == "pathology_report"]
        if case.cancer_type_code in words and pathology:
            assert words[case.cancer_type_code] in pathology[0].text
        for doc in case.documents:
            assert "{" not in doc.text and "}" not in doc.text
    pdfs = [d for c in program.cases for d in c.documents if d.as_pdf]
    assert 8 <= len(pdfs) <= 16


def test_demo_logins_have_something_to_show(program):
    cases = {c.key: c for c in program.cases}
    logins = {login.role: login for login in program.logins}
    assert set(logins) == {"member", "physician", "coordinator", "expert", "admin"}
    assert cases[logins["member"].case].status == "REPORT_DELIVERED"
    assert cases[logins["member"].case].member == logins["member"].person
    physician_cases = [c for c in program.cases if c.physician == logins["physician"].person]
    assert {"REPORT_DELIVERED", "CLOSED"} & {c.status for c in physician_cases}
    expert_statuses = {c.status for c in program.cases if c.expert == logins["expert"].person}
    assert {"READY_FOR_REVIEW", "IN_REVIEW"} <= expert_statuses


def test_every_opinion_fits_its_case():
    for seed in (1, 2, 3, 7):
        for case in generate(seed, now=NOW).cases:
            if case.opinion is None:
                continue
            text = case.opinion.diagnosis_comment + case.opinion.narrative
            if "higher than reported" in text:  # a prostate upgrade
                pathology = next(d for d in case.documents if d.kind == "pathology_report")
                assert ("Grade Group 1" in pathology.text) or ("Grade Group 2" in pathology.text)
            if "HER2-low status explicitly" in text:
                pathology = next(d for d in case.documents if d.kind == "pathology_report")
                assert "HER2 (IHC): 0 (negative)" not in pathology.text
