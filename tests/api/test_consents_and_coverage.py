"""Intake over the API: consents signed, recorded and revoked; coverage checked by the
coordinator only."""

from __future__ import annotations

from consilium.apps.access.models import AuditEvent
from consilium.engines.casework.lifecycle import Status
from tests import factories as f
from tests.api.conftest import API, token_client

JSON = "application/json"


def test_member_signs_and_revokes_consent(world):
    case = f.case(world.program, mem=world.member, status=Status.INTAKE)
    member = token_client(world.member.user)
    url = f"{API}/cases/{case.pk}/consents"
    signed = member.post(
        url, {"scope": "expert_review", "signed_by_name": "Maria Lopez"}, content_type=JSON
    )
    assert signed.status_code == 201, signed.content
    consent = signed.json()
    assert consent["method"] == "electronic" and consent["active"] is True

    revoked = member.post(
        f"{url}/{consent['id']}/revoke", {"reason": "Changed my mind"}, content_type=JSON
    )
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    again = member.post(f"{url}/{consent['id']}/revoke", {}, content_type=JSON)
    assert again.status_code == 409
    assert member.post(f"{url}/999999/revoke", {}, content_type=JSON).status_code == 404
    assert [c["active"] for c in member.get(url).json()] == [False]


def test_coordinator_records_paper_consent_but_cannot_sign_electronically(world):
    coord = token_client(world.coordinator)
    url = f"{API}/cases/{world.case.pk}/consents"
    electronic = coord.post(
        url, {"scope": "expert_review", "signed_by_name": "Maria"}, content_type=JSON
    )
    assert electronic.status_code == 409
    paper = coord.post(
        url,
        {"scope": "expert_review", "signed_by_name": "Maria", "method": "paper"},
        content_type=JSON,
    )
    assert paper.status_code == 201
    assert paper.json()["method"] == "paper"


def test_physician_may_read_but_not_sign_consents(world):
    physician = token_client(world.physician.user)
    url = f"{API}/cases/{world.case.pk}/consents"
    assert physician.get(url).status_code == 200
    response = physician.post(
        url, {"scope": "expert_review", "signed_by_name": "Dr"}, content_type=JSON
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor_id=world.physician.user.pk, outcome="denied", action="consent.record"
    ).exists()


def test_coverage_is_checked_and_read_by_the_coordinator_only(world):
    coord = token_client(world.coordinator)
    url = f"{API}/cases/{world.case.pk}/coverage-checks"
    check = coord.post(url)
    assert check.status_code == 201
    assert check.json()["covered"] is True
    assert check.json()["checked_by"] == world.coordinator.username
    assert [c["id"] for c in coord.get(url).json()] == [check.json()["id"]]
    member = token_client(world.member.user)
    assert member.get(url).status_code == 403
    assert member.post(url).status_code == 403


def test_assignment_needs_a_known_expert_and_the_right_state(world):
    coord = token_client(world.coordinator)
    case = f.case(world.program, status=Status.INTAKE)
    url = f"{API}/cases/{case.pk}/assignment"
    unknown = coord.post(url, {"expert_id": 999999}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "expert_id"
    done = coord.post(url, {"expert_id": world.expert.pk}, content_type=JSON)
    assert done.status_code == 200
    assert done.json()["expert"]["id"] == world.expert.pk
    in_review = coord.post(
        f"{API}/cases/{world.case.pk}/assignment",
        {"expert_id": world.other_expert.pk},
        content_type=JSON,
    )
    assert in_review.status_code == 409
