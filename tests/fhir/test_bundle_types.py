"""Bundles of type transaction, collection and searchset, a single resource and NDJSON
all import the same facts; other Bundle types are refused as a whole."""

from __future__ import annotations

import json

import pytest

from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.engines.fhir import InputError, open_bytes
from tests.fhir import builders as b

EXPECTED = {
    ("cancer_type", "BREAST"),
    ("stage_group", "IIB"),
    ("pT", "T2"),
    ("ER", "positive"),
    ("HER2", "negative"),
    ("treatment", "paclitaxel"),
    ("treatment", "lumpectomy of breast"),
}


def _facts(case):
    return {(f.name, f.value) for f in CaseFact.objects.filter(case=case)}


@pytest.mark.parametrize("btype", ["transaction", "collection", "searchset", "batch"])
def test_bundle_types_import_the_same_facts(world, coordinator_actor, btype):
    resources = b.breast_case_resources(world.member)
    data = json.dumps(b.bundle(resources, btype, full_urls=btype == "transaction")).encode()
    report = import_fhir(coordinator_actor, world.case, open_bytes(data, f"{btype}.json"))
    assert _facts(world.case) == EXPECTED
    assert report["imported"] == {
        "Condition": 1,
        "DocumentReference": 1,
        "MedicationRequest": 1,
        "Observation": 4,
        "Patient": 1,
        "Procedure": 1,
    }
    assert report["errors"] == [] and report["skipped_total"] == 0
    assert report["facts"]["created"] == len(EXPECTED)
    assert report["documents"]["created"] == 1
    assert report["total"] == len(resources)


def test_transaction_references_by_full_url(world, coordinator_actor):
    """In a transaction the resources may have no id and refer to the Patient by its
    fullUrl (urn:uuid); the facts then keep the fullUrl as their reference."""
    pat = b.patient(world.member)
    del pat["id"]
    cond = b.condition("c1")
    del cond["id"]
    cond["subject"] = {"reference": "urn:uuid:0000-patient"}
    data = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:0000-patient",
                "resource": pat,
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:0000-cond",
                "resource": cond,
                "request": {"method": "POST", "url": "Condition"},
            },
        ],
    }
    import_fhir(coordinator_actor, world.case, open_bytes(json.dumps(data).encode(), "tx.json"))
    fact = CaseFact.objects.get(case=world.case, name="cancer_type")
    assert fact.fhir_reference == "urn:uuid:0000-cond"
    assert fact.detail["patient"] == "urn:uuid:0000-patient"


def test_single_resource_and_ndjson(world, coordinator_actor):
    resources = b.breast_case_resources(world.member)
    ndjson = "".join(json.dumps(r) + "\n" for r in resources).encode()
    # NDJSON recognized by its content even under a .json name
    report = import_fhir(coordinator_actor, world.case, open_bytes(ndjson, "export.json"))
    assert report["imported_total"] == len(resources)
    assert _facts(world.case) == EXPECTED
    # A single resource later: its subject is the Patient matched by the earlier import.
    marker = b.observation("pr", "16113-3", **b.positive())
    single = json.dumps(marker).encode()
    report = import_fhir(coordinator_actor, world.case, open_bytes(single, "pr.json"))
    assert report["imported"] == {"Observation": 1}
    assert ("PR", "positive") in _facts(world.case)


@pytest.mark.parametrize("btype", ["document", "message", "history", "transaction-response"])
def test_other_bundle_types_are_refused(btype):
    data = json.dumps({"resourceType": "Bundle", "type": btype, "entry": []}).encode()
    with pytest.raises(InputError, match=f"type '{btype}' is not imported"):
        open_bytes(data, "x.json")


def test_unreadable_input_says_what_and_where():
    with pytest.raises(InputError, match="x.json is not valid JSON"):
        open_bytes(b"{not json", "x.json")
    with pytest.raises(InputError, match="expected a JSON object"):
        open_bytes(b"[1, 2]", "x.json")


def test_attachment_becomes_a_record_with_the_resource_date(world, coordinator_actor):
    html = "<html><body><h1>Pathology</h1><p>Invasive ductal carcinoma, grade 2.</p></body></html>"
    doc = b.document_reference("d1", text=html, content_type="text/html")
    data = json.dumps(b.bundle([b.patient(world.member), doc])).encode()
    import_fhir(coordinator_actor, world.case, open_bytes(data, "docs.json"))
    record = Document.objects.get(case=world.case)
    assert record.kind == "pathology_report"
    assert record.record_date.isoformat() == "2024-01-07"
    assert record.metadata["fhir"] == "DocumentReference/d1"
    assert record.metadata["fhir_content_type"] == "text/html"
    assert "Invasive ductal carcinoma, grade 2." in record.text
    assert "<p>" not in record.text
