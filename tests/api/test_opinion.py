"""The opinion over the API: drafts replace each other, signing needs a complete opinion
and freezes it, later words go in addenda."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import API, token_client

JSON = "application/json"
COMPLETE = {
    "diagnosis_assessment": "confirmed",
    "treatment_assessment": "agree",
    "discrepancy": "none",
    "narrative": "Agree with the plan.",
}


@pytest.fixture
def expert(world):
    f.consent(world.case)
    return token_client(world.expert.user)


def test_draft_is_replaced_then_signed_then_frozen(world, expert):
    url = f"{API}/cases/{world.case.pk}/opinion"
    assert expert.get(url).status_code == 404  # nothing saved yet
    first = expert.put(
        url,
        {
            "narrative": "First thoughts",
            "recommendations": [{"kind": "trial", "text": "NCT00000000"}],
        },
        content_type=JSON,
    )
    assert first.status_code == 200
    assert first.json()["complete"] is False

    incomplete = expert.post(f"{url}/sign")
    assert incomplete.status_code == 409
    assert any("diagnosis assessment" in r for r in incomplete.json()["reasons"])

    second = expert.put(url, COMPLETE, content_type=JSON).json()
    assert second["recommendations"] == []
    assert second["narrative"] == "Agree with the plan."

    signed = expert.post(f"{url}/sign")
    assert signed.status_code == 200
    assert signed.json()["signed_by"] == world.expert.user.display_name

    assert expert.put(url, COMPLETE, content_type=JSON).status_code == 409
    addendum = expert.post(
        f"{url}/addenda", {"text": "Pathology re-read agrees."}, content_type=JSON
    )
    assert addendum.status_code == 201
    body = expert.get(url).json()
    assert [a["text"] for a in body["addenda"]] == ["Pathology re-read agrees."]
    assert body["narrative"] == "Agree with the plan."


def test_addendum_before_signing_is_refused(world, expert):
    response = expert.post(
        f"{API}/cases/{world.case.pk}/opinion/addenda", {"text": "x"}, content_type=JSON
    )
    assert response.status_code == 409


def test_coordinator_reads_but_cannot_write(world, expert):
    url = f"{API}/cases/{world.case.pk}/opinion"
    expert.put(url, COMPLETE, content_type=JSON)
    coord = token_client(world.coordinator)
    assert coord.get(url).json()["discrepancy"] == "none"
    assert coord.put(url, COMPLETE, content_type=JSON).status_code == 403
    assert coord.post(f"{url}/sign").status_code == 403
