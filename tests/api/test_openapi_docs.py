"""The API documents itself: the OpenAPI JSON lists every route, and the docs page loads
its Swagger UI files from this server (no CDN)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/v1/me": {"get"},
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{case_id}": {"get"},
    "/api/v1/cases/{case_id}/transitions": {"post"},
    "/api/v1/cases/{case_id}/coverage-checks": {"get", "post"},
    "/api/v1/cases/{case_id}/assignment": {"post"},
    "/api/v1/cases/{case_id}/consents": {"get", "post"},
    "/api/v1/cases/{case_id}/consents/{consent_id}/revoke": {"post"},
    "/api/v1/cases/{case_id}/timeline": {"get"},
    "/api/v1/cases/{case_id}/documents": {"get", "post"},
    "/api/v1/cases/{case_id}/documents/{doc_id}": {"get"},
    "/api/v1/cases/{case_id}/documents/{doc_id}/content": {"get"},
    "/api/v1/cases/{case_id}/opinion": {"get", "put"},
    "/api/v1/cases/{case_id}/opinion/sign": {"post"},
    "/api/v1/cases/{case_id}/opinion/addenda": {"post"},
    "/api/v1/cases/{case_id}/reports/{kind}": {"get"},
    "/api/v1/cases/{case_id}/reports/{kind}/pdf": {"get"},
    "/api/v1/cases/{case_id}/questions": {"get", "post"},
    "/api/v1/cases/{case_id}/questions/{question_id}/answer": {"post"},
    "/api/v1/cases/{case_id}/facts": {"get", "post"},
    "/api/v1/cases/{case_id}/facts/{fact_id}/review": {"post"},
    "/api/v1/cases/{case_id}/checklist": {"get"},
    "/api/v1/cases/{case_id}/abstraction": {"post"},
    "/api/v1/cases/{case_id}/fhir": {"post"},
    "/api/v1/cases/{case_id}/fhir/summary": {"get"},
    "/api/v1/cases/{case_id}/fhir/opinion": {"get"},
    "/api/v1/cases/{case_id}/decision-support": {"get"},
    "/api/v1/cases/{case_id}/decision-support/recommendations": {"post"},
    "/api/v1/outreach/scans": {"get", "post"},
    "/api/v1/outreach/scans/{scan_id}": {"get"},
    "/api/v1/outreach/candidates": {"get"},
    "/api/v1/outreach/candidates/{candidate_id}": {"get"},
    "/api/v1/outreach/candidates/{candidate_id}/accept": {"post"},
    "/api/v1/outreach/candidates/{candidate_id}/dismiss": {"post"},
}


def test_openapi_json_lists_every_route():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Consilium API"
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    assert paths == EXPECTED
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    opinion = schema["components"]["schemas"]["OpinionIn"]["properties"]
    assert opinion["discrepancy"]["enum"] == ["", "none", "minor", "major"]


def test_docs_page_loads_its_assets_from_this_server():
    client = Client()
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith(f"{API}/docs/assets/") for s in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows only 'self'
    for url in sources:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    assert client.get(f"{API}/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get(f"{API}/docs/assets/redoc.standalone.js.map").status_code == 404
