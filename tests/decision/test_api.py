"""GET /api/v1/cases/{id}/decision-support and POST .../decision-support/recommendations."""

from __future__ import annotations

import pytest

from consilium.apps.reviews.models import Recommendation
from tests.api.conftest import API, token_client
from tests.decision.conftest import add_fact

pytestmark = pytest.mark.django_db


def url(case, tail=""):
    return f"{API}/cases/{case.pk}/decision-support{tail}"


def test_get_returns_the_same_shape_as_the_command(world, lung, trials):
    add_fact(lung, "ALK", "positive", detail={"alteration": "rearrangement"})
    response = token_client(world.coordinator).get(url(lung))
    assert response.status_code == 200
    data = response.json()
    assert data["case"]["reference"] == lung.reference
    assert any(t["id"] == "therapy:nsclc-alk" and t["tier"] == "1" for t in data["therapies"])
    gap = next(g for g in data["gaps"] if g["id"] == "test:egfr")
    assert gap["recommendation"] == {
        "kind": "test",
        "text": "EGFR mutation testing",
        "rationale": gap["recommendation"]["rationale"],
    }
    assert gap["added"] is False
    assert data["trials"][0]["site"]["distance_km"] == 12.4


def test_post_adds_once_201_then_200(world, lung, no_trials):
    client = token_client(world.expert.user)
    first = client.post(url(lung, "/recommendations"), {"item": "test:egfr"}, "application/json")
    assert first.status_code == 201 and first.json()["created"] is True
    again = client.post(url(lung, "/recommendations"), {"item": "test:egfr"}, "application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Recommendation.objects.filter(opinion__case=lung).count() == 1
    assert token_client(world.expert.user).get(url(lung)).json()["gaps"][0]["added"] is True


def test_an_unknown_item_is_422_naming_the_field(world, lung, no_trials):
    response = token_client(world.expert.user).post(
        url(lung, "/recommendations"), {"item": "therapy:nope"}, "application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "item"


def test_access(world, lung, no_trials):
    assert token_client(world.member.user).get(url(lung)).status_code == 403
    assert token_client(world.other_coordinator).get(url(lung)).status_code == 404
    assert (
        token_client(world.coordinator)
        .post(url(lung, "/recommendations"), {"item": "test:egfr"}, "application/json")
        .status_code
        == 403
    )


def test_a_case_not_in_review_is_a_409(world, lung, no_trials):
    lung.status = "READY_FOR_REVIEW"
    lung.save()
    response = token_client(world.expert.user).post(
        url(lung, "/recommendations"), {"item": "test:egfr"}, "application/json"
    )
    assert response.status_code == 409
