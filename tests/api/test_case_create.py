"""Opening a case over the API: the member for themself, the physician for a patient
named by member number and date of birth, the coordinator for a member of the program."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case
from tests.api.conftest import API, token_client

JSON = "application/json"
BASE = {
    "cancer_type_code": "IDC",
    "questions": ["Is the plan right?"],
    "clinical_summary": "Biopsy in May.",
    "urgent": True,
}


def _post(user, body):
    return token_client(user).post(f"{API}/cases", body, content_type=JSON)


def test_member_requests_for_themself(world):
    response = _post(world.member.user, BASE)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.member == world.member
    assert case.origin == "member_request"
    assert case.urgent is True
    assert body["cancer_type_label"] == "Breast Invasive Ductal Carcinoma"
    assert body["questions"] == ["Is the plan right?"]
    assert AuditEvent.objects.filter(
        action="case.request", outcome="allowed", case_id=case.pk, channel="api"
    ).exists()


def test_physician_refers_a_patient_by_number_and_birth_date(world):
    body = dict(
        BASE,
        member_number=world.other_member.member_number,
        date_of_birth=str(world.other_member.date_of_birth),
    )
    response = _post(world.physician.user, body)
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.member == world.other_member
    assert case.program == world.other_program
    assert case.physician == world.physician
    assert case.origin == "physician_referral"


def test_physician_with_wrong_birth_date_learns_nothing(world):
    body = dict(BASE, member_number=world.member.member_number, date_of_birth="1900-01-01")
    response = _post(world.physician.user, body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "member_number"
    assert Case.objects.count() == 2
    assert AuditEvent.objects.filter(action="member.lookup", outcome="failed").exists()


def test_physician_needs_the_identification_fields(world):
    response = _post(world.physician.user, BASE)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "member_number"


def test_coordinator_opens_for_a_program_member(world):
    response = _post(
        world.coordinator, dict(BASE, member_id=world.member.pk, physician_id=world.physician.pk)
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.origin == "proactive"
    assert case.physician == world.physician


def test_coordinator_cannot_open_for_another_programs_member(world):
    response = _post(world.coordinator, dict(BASE, member_id=world.other_member.pk))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "member_id"
    assert Case.objects.count() == 2


def test_unknown_cancer_type_is_a_rule_refusal(world):
    response = _post(world.member.user, dict(BASE, cancer_type_code="NOPE"))
    assert response.status_code == 409
    assert "Unknown cancer type code" in response.json()["detail"]


@pytest.mark.parametrize("role", ["expert", "admin"])
def test_other_roles_may_not_open_cases(world, role):
    response = _post(world.users()[role], BASE)
    assert response.status_code == 403
    assert Case.objects.count() == 2
    assert AuditEvent.objects.filter(actor_id=world.users()[role].pk, outcome="denied").exists()
