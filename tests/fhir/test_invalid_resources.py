"""Invalid resources are reported one by one (where, which, why) while the valid ones
are imported; nothing is dropped without a count and a reason."""

from __future__ import annotations

import json

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.engines.fhir import open_bytes
from tests.fhir import builders as b


def test_invalid_resources_listed_valid_ones_imported(world, coordinator_actor):
    no_status = b.observation("bad1", "16112-5", **b.positive())
    del no_status["status"]
    bad_date = b.condition("bad2", onsetDateTime="2024-13-45")
    unknown_element = b.medication_request("bad3") | {"dose": "lots"}
    two_values = b.observation("bad4", "16113-3", valueString="positive", valueInteger=1)
    resources = [
        b.patient(world.member),
        b.condition("c1"),
        no_status,
        bad_date,
        unknown_element,
        two_values,
        b.observation("er", "16112-5", **b.positive()),
        {"resourceType": "Nonsense", "id": "x"},
    ]
    data = json.dumps(b.bundle(resources)).encode()
    report = import_fhir(coordinator_actor, world.case, open_bytes(data, "mixed.json"))

    errors = {e["resource"]: e for e in report["errors"]}
    assert set(errors) == {
        "Observation/bad1",
        "Condition/bad2",
        "MedicationRequest/bad3",
        "Observation/bad4",
        "Nonsense/x",
    }
    assert errors["Observation/bad1"]["where"] == "mixed.json entry[2]"
    assert "status: required element missing" in errors["Observation/bad1"]["reason"]
    assert "onsetDateTime" in errors["Condition/bad2"]["reason"]
    assert (
        "dose: not an element of this resource type" in errors["MedicationRequest/bad3"]["reason"]
    )
    assert "got multiple" in errors["Observation/bad4"]["reason"]
    assert "not a FHIR resource type" in errors["Nonsense/x"]["reason"]
    assert report["errors_total"] == 5
    assert report["imported"] == {"Condition": 1, "Observation": 1, "Patient": 1}
    assert {(f.name, f.value) for f in CaseFact.objects.filter(case=world.case)} == {
        ("cancer_type", "BREAST"),
        ("ER", "positive"),
    }
    # The audit event counts them too.
    event = AuditEvent.objects.filter(action="fhir.import").latest("pk")
    assert event.outcome == "allowed" and "5 invalid" in event.detail


def test_bad_ndjson_lines_each_reported(world, coordinator_actor):
    lines = [
        json.dumps(b.patient(world.member)),
        "{not json",
        "[1, 2]",
        json.dumps({"no": "resourceType"}),
        json.dumps(b.observation("er", "16112-5", **b.positive())),
    ]
    data = ("\n".join(lines) + "\n").encode()
    report = import_fhir(coordinator_actor, world.case, open_bytes(data, "x.ndjson"))
    assert [(e["where"], e["reason"].split(":")[0]) for e in report["errors"]] == [
        ("x.ndjson line 2", "not valid JSON"),
        ("x.ndjson line 3", "not a JSON object"),
        ("x.ndjson line 4", "no resourceType"),
    ]
    assert report["imported"] == {"Observation": 1, "Patient": 1}


def test_valid_but_not_for_the_facts_is_skipped_with_reason(world, coordinator_actor):
    resources = [
        b.patient(world.member),
        b.condition("htn", code=("59621000", b.SNOMED, "Essential hypertension")),
        b.observation("bp", "85354-9", valueString="120/80"),
        b.medication_request("lis", drug="lisinopril 10 MG Oral Tablet"),
        b.procedure("xray", text="Plain chest X-ray", code="399208008"),
        {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "AMB"}},
        b.observation("gone", "16112-5", status="entered-in-error", **b.positive()),
    ]
    data = json.dumps(b.bundle(resources)).encode()
    report = import_fhir(coordinator_actor, world.case, open_bytes(data, "x.json"))
    reasons = {s["reason"]: s["examples"] for s in report["skipped"]}
    assert reasons == {
        "Condition is not a cancer in the code tables (SNOMED CT, ICD-10-CM)": ["Condition/htn"],
        "Observation is not a stage, tumor marker, genomic variant or ECOG score in the tables": [
            "Observation/bp"
        ],
        "MedicationRequest: the medication is not a cancer therapy in the drug vocabulary": [
            "MedicationRequest/lis"
        ],
        "Procedure is not a cancer treatment (surgery, radiation, systemic therapy)": [
            "Procedure/xray"
        ],
        "Encounter resources are not imported": ["Encounter/e1"],
        "Observation status is entered-in-error": ["Observation/gone"],
    }
    assert report["imported_total"] == 1 and report["total"] == len(resources)
    assert not CaseFact.objects.filter(case=world.case).exists()
