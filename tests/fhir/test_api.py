"""POST /api/v1/cases/{id}/fhir, GET .../fhir/summary and .../fhir/opinion."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consilium.apps.preparation.models import CaseFact
from tests import factories
from tests.api.conftest import API, token_client
from tests.fhir import builders as b


def _url(case, tail=""):
    return f"{API}/cases/{case.pk}/fhir{tail}"


def test_post_bundle_returns_the_report(world):
    client = token_client(world.coordinator)
    bundle = b.bundle(b.breast_case_resources(world.member))
    bundle["entry"].append({"resource": b.observation("bad", "16112-5")})  # no value: skipped
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "Observation",
                "id": "x",
                "subject": {"reference": "Patient/p1"},
            }
        }
    )
    r = client.post(_url(world.case), json.dumps(bundle), content_type="application/fhir+json")
    assert r.status_code == 200, r.content
    report = r.json()
    assert report["imported_total"] == 9
    assert report["facts"]["created"] == 7 and report["documents"]["created"] == 1
    assert report["errors"] == [
        {
            "where": "request body entry[10]",
            "resource": "Observation/x",
            "reason": report["errors"][0]["reason"],
        }
    ]
    assert "required element missing" in report["errors"][0]["reason"]
    assert report["skipped"][0]["reason"] == "ER result has no value"


def test_post_ndjson_file_and_ndjson_body(world):
    client = token_client(world.coordinator)
    lines = "".join(json.dumps(r) + "\n" for r in b.breast_case_resources(world.member))
    upload = SimpleUploadedFile("export.ndjson", lines.encode(), "application/x-ndjson")
    r = client.post(_url(world.case), {"file": upload})
    assert r.status_code == 200, r.content
    assert r.json()["facts"]["created"] == 7
    r = client.post(_url(world.case), lines, content_type="application/fhir+ndjson")
    assert r.status_code == 200
    assert r.json()["facts"] == {"created": 0, "updated": 0, "unchanged": 7}


def test_refusals(world):
    client = token_client(world.coordinator)
    r = client.post(_url(world.case), "{oops", content_type="application/json")
    assert r.status_code == 422
    assert "not valid JSON" in r.json()["detail"][0]["msg"]
    r = client.post(_url(world.case), "x", content_type="text/plain")
    assert r.status_code == 422
    stranger = json.dumps(b.bundle([b.stranger("p1"), b.condition("c1")]))
    r = client.post(_url(world.case), stranger, content_type="application/fhir+json")
    assert r.status_code == 409
    assert "is the member" in r.json()["detail"]
    assert any("birth date" in reason for reason in r.json()["reasons"])
    assert not CaseFact.objects.filter(case=world.case).exists()


def test_summary_and_opinion(world):
    client = token_client(world.coordinator)
    r = client.get(_url(world.case, "/summary"))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/fhir+json"
    assert r.json()["resourceType"] == "Bundle"
    r = client.get(_url(world.case, "/opinion"))
    assert r.status_code == 409 and "not signed" in r.json()["detail"]
    factories.delivered(world.case)
    r = client.get(_url(world.case, "/opinion"))
    assert r.status_code == 200 and r.json()["type"] == "document"


@pytest.mark.parametrize(
    ("role", "post", "get"),
    [
        ("coordinator", 200, 200),
        ("physician", 200, 200),
        ("expert", 403, 200),
        ("member", 403, 403),
        ("admin", 404, 404),
    ],
)
def test_access_by_role(world, role, post, get):
    client = token_client(world.users()[role])
    bundle = json.dumps(b.bundle(b.breast_case_resources(world.member)))
    assert (
        client.post(_url(world.case), bundle, content_type="application/json").status_code == post
    )
    assert client.get(_url(world.case, "/summary")).status_code == get


def test_another_program_answers_404(world):
    client = token_client(world.coordinator)
    bundle = json.dumps(b.bundle([b.patient(world.other_member)]))
    other = world.other_case
    assert client.post(_url(other), bundle, content_type="application/json").status_code == 404
    assert client.get(_url(other, "/summary")).status_code == 404
    assert client.get(_url(other, "/opinion")).status_code == 404
    assert client.get(f"{API}/cases/999999/fhir/summary").status_code == 404


def test_body_over_the_form_memory_limit_is_still_read(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = token_client(world.coordinator)
    bundle = json.dumps(b.bundle(b.breast_case_resources(world.member)))
    assert len(bundle) > 1000
    r = client.post(_url(world.case), bundle, content_type="application/fhir+json")
    assert r.status_code == 200 and r.json()["imported_total"] == 9


def test_closed_case_refuses_import_but_exports(world):
    world.case.status = "CLOSED"
    world.case.save()
    client = token_client(world.coordinator)
    bundle = json.dumps(b.bundle(b.breast_case_resources(world.member)))
    r = client.post(_url(world.case), bundle, content_type="application/json")
    assert r.status_code == 409 and "closed case" in r.json()["detail"]
    assert client.get(_url(world.case, "/summary")).status_code == 200
