"""The access policy over the API: every role against its own program's case and the
other program's case. Hidden cases are 404 (the same body as a missing one), a visible
case with a forbidden action is 403, and every refused attempt is in the audit trail."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases import services as cases
from consilium.apps.reviews import services as reviews
from tests import factories as f
from tests.api.conftest import API, token_client

ROLES = ("member", "physician", "expert", "coordinator", "admin")

# endpoint -> (method, path under the case, expected status per role on its own case)
ENDPOINTS = {
    "case": ("get", "", dict(member=200, physician=200, expert=200, coordinator=200, admin=404)),
    "documents": (
        "get",
        "/documents",
        dict(member=200, physician=200, expert=200, coordinator=200, admin=404),
    ),
    "timeline": (
        "get",
        "/timeline",
        dict(member=200, physician=200, expert=200, coordinator=200, admin=404),
    ),
    "opinion": (
        "get",
        "/opinion",
        dict(member=403, physician=403, expert=200, coordinator=200, admin=404),
    ),
    "physician report": (
        "get",
        "/reports/physician",
        dict(member=403, physician=200, expert=200, coordinator=200, admin=404),
    ),
    "member report": (
        "get",
        "/reports/member",
        dict(member=200, physician=200, expert=200, coordinator=200, admin=404),
    ),
    # Every role that sees the case may ask; the transition table then refuses (409)
    # all but the coordinator.
    "transition": (
        "post",
        "/transitions",
        dict(member=409, physician=409, expert=409, coordinator=200, admin=404),
    ),
}


@pytest.fixture
def delivered(world):
    """world.case taken to REPORT_DELIVERED, so every read has something to show."""
    case = world.case
    f.consent(case)
    f.pathology(case)
    expert = f.actor(world.expert.user)
    reviews.save_draft(
        expert,
        case,
        reviews.OpinionDraft(
            diagnosis_assessment="confirmed",
            treatment_assessment="agree",
            discrepancy="none",
            narrative="Agree.",
            member_summary="Your plan is right.",
        ),
    )
    reviews.sign(expert, case)
    cases.transition(f.actor(world.coordinator), case, "deliver_report")
    return world


def _call(client, method: str, case_id: int, suffix: str):
    url = f"{API}/cases/{case_id}{suffix}"
    if method == "post":
        return client.post(url, {"name": "close"}, content_type="application/json")
    return client.get(url)


def _denied(user, case_id: int) -> int:
    return AuditEvent.objects.filter(
        actor_id=user.pk, case_id=case_id, outcome="denied", channel="api"
    ).count()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_own_program_case(delivered, endpoint, role):
    method, suffix, expected = ENDPOINTS[endpoint]
    user = delivered.users()[role]
    response = _call(token_client(user), method, delivered.case.pk, suffix)
    assert response.status_code == expected[role], response.content
    if expected[role] in (403, 404):
        assert _denied(user, delivered.case.pk) == 1
    else:
        assert _denied(user, delivered.case.pk) == 0
    if expected[role] == 404:
        assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_program_case_is_hidden(delivered, endpoint, role):
    method, suffix, _ = ENDPOINTS[endpoint]
    user = delivered.users()[role]
    other = delivered.other_case
    response = _call(token_client(user), method, other.pk, suffix)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert _denied(user, other.pk) == 1
    other.refresh_from_db()
    assert other.status == "IN_REVIEW"


def test_hidden_and_missing_cases_answer_alike(delivered):
    client = token_client(delivered.coordinator)
    hidden = client.get(f"{API}/cases/{delivered.other_case.pk}")
    missing = client.get(f"{API}/cases/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert AuditEvent.objects.filter(
        actor_id=delivered.coordinator.pk, outcome="denied", detail="no case 999999"
    ).exists()


def test_member_sees_only_their_own_details(delivered):
    body = token_client(delivered.member.user).get(f"{API}/cases/{delivered.case.pk}").json()
    assert body["member"]["member_number"] == delivered.member.member_number
    expert_view = token_client(delivered.expert.user).get(f"{API}/cases/{delivered.case.pk}").json()
    assert expert_view["member"]["member_number"] is None
    assert expert_view["member"]["date_of_birth"] is None
    assert expert_view["member"]["age"] > 0
