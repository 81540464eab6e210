"""Invalid input is a 422 that names the field at fault (ninja's validation body)."""

from __future__ import annotations

import pytest

from consilium.apps.reviews.models import Opinion
from tests import factories as f
from tests.api.conftest import API

JSON = "application/json"


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {str(err["loc"][-1]) for err in response.json()["detail"]}


@pytest.fixture
def expert(world, as_user):
    return as_user(world.expert.user)


def test_bad_enum_in_the_opinion_names_the_field(world, expert):
    response = expert.put(
        f"{API}/cases/{world.case.pk}/opinion",
        {"diagnosis_assessment": "probably", "discrepancy": "major"},
        content_type=JSON,
    )
    assert _fields(response) == {"diagnosis_assessment"}
    assert not Opinion.objects.exists()


def test_bad_recommendation_kind_names_the_nested_field(world, expert):
    response = expert.put(
        f"{API}/cases/{world.case.pk}/opinion",
        {"recommendations": [{"kind": "prayer", "text": "x"}]},
        content_type=JSON,
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-3:] == ["recommendations", 0, "kind"]


def test_missing_field_is_named(world, as_user):
    client = as_user(world.coordinator)
    response = client.post(
        f"{API}/cases/{world.case.pk}/transitions", {"reason": "x"}, content_type=JSON
    )
    assert _fields(response) == {"name"}


def test_unknown_field_is_refused(world, as_user):
    client = as_user(world.coordinator)
    response = client.post(
        f"{API}/cases/{world.case.pk}/transitions",
        {"name": "decline", "reson": "typo"},
        content_type=JSON,
    )
    assert _fields(response) == {"reson"}
    world.case.refresh_from_db()
    assert world.case.status == "IN_REVIEW"


def test_blank_addendum_and_question_are_422(world, expert, as_user):
    assert _fields(
        expert.post(
            f"{API}/cases/{world.case.pk}/opinion/addenda", {"text": "  "}, content_type=JSON
        )
    ) == {"text"}
    member = as_user(world.member.user)
    assert _fields(
        member.post(f"{API}/cases/{world.case.pk}/questions", {}, content_type=JSON)
    ) == {"text"}


def test_list_filters_are_validated(world, as_user):
    client = as_user(world.coordinator)
    assert _fields(client.get(f"{API}/cases", {"status": "DONE"})) == {"status"}
    assert _fields(client.get(f"{API}/cases", {"limit": 500})) == {"limit"}
    assert _fields(client.get(f"{API}/cases", {"offset": -1})) == {"offset"}


def test_unknown_report_kind_is_422(world, as_user):
    client = as_user(world.coordinator)
    assert _fields(client.get(f"{API}/cases/{world.case.pk}/reports/everyone")) == {"kind"}


def test_unknown_transition_name_is_a_rule_refusal(world, as_user):
    client = as_user(world.coordinator)
    response = client.post(
        f"{API}/cases/{world.case.pk}/transitions", {"name": "teleport"}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Unknown transition 'teleport'"


def test_signing_is_not_a_bare_transition(world, expert):
    # sign_opinion only happens by signing (which freezes the opinion and renders the
    # reports); asking for the bare status change is refused even when it would be allowed.
    f.consent(world.case)
    draft = {
        "diagnosis_assessment": "confirmed",
        "treatment_assessment": "agree",
        "discrepancy": "none",
    }
    assert (
        expert.put(f"{API}/cases/{world.case.pk}/opinion", draft, content_type=JSON).status_code
        == 200
    )
    response = expert.post(
        f"{API}/cases/{world.case.pk}/transitions", {"name": "sign_opinion"}, content_type=JSON
    )
    assert response.status_code == 409
    world.case.refresh_from_db()
    assert world.case.status == "IN_REVIEW"
    assert "signing the opinion" in response.json()["detail"]
