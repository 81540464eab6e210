"""The case preparation API: merged facts with provenance, reviews, manual facts, the
checklist and re-running the abstraction, with the API's error conventions."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation import services
from consilium.apps.preparation.models import AbstractionRun, CaseFact
from tests import factories as f
from tests.api.conftest import API


@pytest.fixture
def case_with_facts(world):
    doc = f.pathology(world.case)
    services.abstract_document(doc)
    return world, doc


def test_facts_come_merged_with_their_provenance_and_runs(case_with_facts, as_user):
    world, doc = case_with_facts
    response = as_user(world.expert.user).get(f"{API}/cases/{world.case.pk}/facts")
    assert response.status_code == 200, response.content
    body = response.json()
    summary = {m["name"]: m for m in body["summary"]}
    assert summary["cancer_type"]["value"] == "IDC"
    assert summary["cancer_type"]["shown"] == "Breast Invasive Ductal Carcinoma (IDC)"
    assert summary["ER"]["conflict"] is False and summary["ER"]["why"] == "the only proposal"
    er = next(x for x in body["facts"] if x["name"] == "ER")
    assert er["provenance"]["document_id"] == doc.pk
    start, end = er["provenance"]["start"], er["provenance"]["end"]
    assert doc.text[start:end] == "ER"
    sentence_at = doc.text.index(er["provenance"]["sentence"])
    sentence_end = sentence_at + len(er["provenance"]["sentence"])
    assert er["provenance"]["viewer_url"].endswith(
        f"?hl={start}-{end}&s={sentence_at}-{sentence_end}#hl"
    )
    assert er["basis"] == "stated" and er["review_status"] == "proposed" and er["reviews"] == []
    assert [r["status"] for r in body["runs"]] == ["done"]
    assert AuditEvent.objects.filter(
        action="facts.view", channel="api", detail="api facts"
    ).exists()


def test_review_through_the_api(case_with_facts, as_user):
    world, doc = case_with_facts
    client = as_user(world.coordinator)
    her2 = CaseFact.objects.get(document=doc, name="HER2")
    url = f"{API}/cases/{world.case.pk}/facts/{her2.pk}/review"
    response = client.post(
        url,
        {"action": "correct", "value": "equivocal", "note": "2+"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["value"], out["proposed_value"], out["review_status"]) == (
        "equivocal",
        "negative",
        "corrected",
    )
    assert out["reviews"][0]["action"] == "corrected" and out["reviews"][0]["note"] == "2+"

    again = client.post(
        url,
        {"action": "correct", "value": "equivocal", "note": "2+"},
        content_type="application/json",
    )
    assert again.status_code == 409 and "already corrected" in again.json()["detail"]

    for payload, where in [
        ({"action": "correct", "value": "", "note": "x"}, None),
        ({"action": "reject"}, None),
        ({"action": "maybe"}, None),
        ({"action": "correct", "value": "probably", "note": "x"}, "value"),
    ]:
        bad = client.post(url, payload, content_type="application/json")
        assert bad.status_code == 422, (payload, bad.content)
        if where:
            assert bad.json()["detail"][0]["loc"][-1] == where

    missing = client.post(
        f"{API}/cases/{world.case.pk}/facts/999999/review",
        {"action": "confirm"},
        content_type="application/json",
    )
    assert missing.status_code == 404


def test_a_manual_fact_through_the_api(world, as_user):
    client = as_user(world.expert.user)
    url = f"{API}/cases/{world.case.pk}/facts"
    response = client.post(
        url,
        {
            "name": "PSA",
            "value": "6.1 ng/mL",
            "note": "Outside lab",
            "effective_date": "2025-02-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["source"] == "manual" and out["review_status"] == "confirmed"
    assert out["reviewed_by"] == world.expert.user.display_name
    bad = client.post(
        url, {"name": "pT", "value": "T8", "note": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "value"
    no_note = client.post(url, {"name": "PSA", "value": "6"}, content_type="application/json")
    assert no_note.status_code == 422


def test_the_checklist_through_the_api(case_with_facts, as_user):
    world, _ = case_with_facts
    response = as_user(world.coordinator).get(f"{API}/cases/{world.case.pk}/checklist")
    assert response.status_code == 200
    body = response.json()
    assert body["checklist"] == "breast" and body["cancer_type"] == "IDC"
    assert body["missing"] == ["breast_imaging"]
    items = {i["key"]: i for i in body["items"]}
    assert items["er"]["state"] == "met" and items["er"]["source_url"].startswith("https://")
    assert items["staging_imaging"]["state"] == "conditional"


def test_rerun_through_the_api_is_idempotent(
    case_with_facts, as_user, django_capture_on_commit_callbacks
):
    world, doc = case_with_facts
    client = as_user(world.coordinator)
    url = f"{API}/cases/{world.case.pk}/abstraction"
    response = client.post(url)
    assert response.status_code == 202
    assert response.json()["up_to_date"] == 1 and response.json()["queued"] == 0
    doc.text += "Ki-67 20%.\n"
    doc.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    body = response.json()
    assert body["queued"] == 1 and body["runs"][0]["status"] == "queued"
    # The commit hands the run to the background worker, which finishes it.
    assert AbstractionRun.objects.get(pk=body["runs"][0]["id"]).status == "done"
    assert AbstractionRun.objects.filter(document=doc).count() == 2
    facts = as_user(world.expert.user).get(f"{API}/cases/{world.case.pk}/facts").json()
    assert any(x["name"] == "Ki-67" for x in facts["facts"])
    assert as_user(world.expert.user).post(url).status_code == 403


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "facts"),
        ("get", "checklist"),
        ("post", "abstraction"),
        ("post", "facts"),
    ],
)
def test_access_follows_the_policy(world, as_user, client, method, path):
    def call(c, case):
        url = f"{API}/cases/{case.pk}/{path}"
        if method == "get":
            return c.get(url)
        return c.post(
            url, {"name": "CEA", "value": "3", "note": "n"}, content_type="application/json"
        )

    assert call(client, world.case).status_code == 401
    assert call(as_user(world.other_coordinator), world.case).status_code == 404
    assert call(as_user(world.admin), world.case).status_code == 404
    assert call(as_user(world.member.user), world.case).status_code == 403
    physician = call(as_user(world.physician.user), world.case).status_code
    assert physician == (200 if method == "get" else 403)
    expert = call(as_user(world.expert.user), world.case).status_code
    assert expert == {"facts": 200 if method == "get" else 201, "checklist": 200}.get(path, 403)
    coordinator = call(as_user(world.coordinator), world.case).status_code
    assert coordinator in (200, 201, 202)
