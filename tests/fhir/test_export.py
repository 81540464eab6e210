"""The mCODE summary and the opinion document are valid FHIR (fhir.resources R4B) and
carry the mCODE profiles; the opinion is exported only once signed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fhir.resources.R4B import get_fhir_model_class

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.services import RuleError
from consilium.apps.preparation.fhir import export_opinion, export_summary
from consilium.apps.preparation.models import CaseFact
from consilium.engines.fhir import validate
from consilium.engines.fhir.write import WriteError, check
from tests import factories

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"


def _facts(case):
    for name, value, detail in [
        ("cancer_type", "LUAD", {}),
        ("stage_group", "IV", {}),
        ("pT", "T3", {"prefix": "p"}),
        ("pN", "N1", {"prefix": "p"}),
        ("pM", "M1a", {"prefix": "p"}),
        ("EGFR", "positive", {"variant": "L858R"}),
        ("PD-L1", "TPS 60%", {"tps": "60%"}),
        ("treatment", "osimertinib", {"class": "targeted", "date": "2024-03-01"}),
        ("treatment", "lobectomy", {"class": "surgery", "date": "2024-01-15"}),
    ]:
        CaseFact.objects.create(
            case=case,
            source="manual",
            name=name,
            value=value,
            detail=detail,
            effective_date=date(2024, 1, 10),
        )


def _profiles(bundle) -> set[str]:
    return {
        p.removeprefix(MCODE)
        for e in bundle["entry"]
        for p in e["resource"].get("meta", {}).get("profile", [])
    }


def test_summary_is_valid_mcode(world, coordinator_actor):
    _facts(world.case)
    bundle = export_summary(coordinator_actor, world.case)
    assert bundle["type"] == "collection"
    assert bundle["meta"]["profile"] == [MCODE + "mcode-patient-bundle"]
    get_fhir_model_class("Bundle").model_validate(bundle)  # the whole Bundle parses
    for entry in bundle["entry"]:
        assert validate.problems(entry["resource"]) == [], entry["resource"]["resourceType"]
    assert {
        "mcode-cancer-patient",
        "mcode-primary-cancer-condition",
        "mcode-tnm-stage-group",
        "mcode-tnm-primary-tumor-category",
        "mcode-tnm-regional-nodes-category",
        "mcode-tnm-distant-metastases-category",
        "mcode-tumor-marker-test",
        "mcode-genomic-variant",
        "mcode-genomics-report",
        "mcode-cancer-related-medication-request",
        "mcode-cancer-related-surgical-procedure",
    } <= _profiles(bundle)
    patient = bundle["entry"][0]["resource"]
    assert patient["birthDate"] == world.member.date_of_birth.isoformat()
    assert patient["name"][0]["family"] == world.member.last_name
    # Every reference inside the Bundle resolves to one of its entries.
    urls = {e["fullUrl"] for e in bundle["entry"]}
    refs = [
        v["reference"]
        for e in bundle["entry"]
        for v in _walk(e["resource"])
        if isinstance(v, dict) and "reference" in v
    ]
    assert refs and set(refs) <= urls
    event = AuditEvent.objects.filter(action="fhir.export").latest("pk")
    assert event.outcome == "allowed" and event.case_id == world.case.pk


def _walk(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_same_case_same_resource_ids(world, coordinator_actor):
    _facts(world.case)
    one = export_summary(coordinator_actor, world.case)
    two = export_summary(coordinator_actor, world.case)
    assert [e["fullUrl"] for e in one["entry"]] == [e["fullUrl"] for e in two["entry"]]


def test_case_without_facts_still_has_patient_and_case_cancer_type(world, coordinator_actor):
    bundle = export_summary(coordinator_actor, world.case)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Patient", "Condition"]
    code = bundle["entry"][1]["resource"]["code"]["coding"][0]
    assert (code["system"], code["code"]) == ("https://oncotree.mskcc.org", "IDC")


def test_opinion_only_once_signed(world, coordinator_actor):
    with pytest.raises(RuleError, match="not signed"):
        export_opinion(coordinator_actor, world.case)
    assert AuditEvent.objects.filter(action="fhir.export", outcome="failed").exists()


def test_signed_opinion_is_a_fhir_document(world, coordinator_actor):
    factories.delivered(world.case)
    bundle = export_opinion(coordinator_actor, world.case)
    assert bundle["type"] == "document"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Composition", "Patient", "Practitioner", "DiagnosticReport"]
    get_fhir_model_class("Bundle").model_validate(bundle)
    composition = bundle["entry"][0]["resource"]
    assert composition["status"] == "final"
    assert composition["attester"][0]["mode"] == "legal"
    titles = [s["title"] for s in composition["section"]]
    assert titles == ["Assessment", "Opinion", "Answers to the questions", "Recommendations"]
    report = bundle["entry"][3]["resource"]
    assert "Consider genomic testing" in report["conclusion"]
    assert report["presentedForm"][0]["contentType"] == "text/html"


def test_physician_gets_the_opinion_once_the_report_is_delivered(world):
    physician = factories.actor(world.physician.user)
    factories.delivered(world.case)
    report = world.case.reports.get(kind="physician")
    report.delivered_at = None
    report.save()
    with pytest.raises(RuleError, match="not delivered"):
        export_opinion(physician, world.case)
    report.delivered_at = datetime.now(UTC)
    report.save()
    assert export_opinion(physician, world.case)["type"] == "document"


def test_writer_refuses_what_is_not_valid():
    bad = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Observation"}}],
    }
    with pytest.raises(WriteError, match=r"entry\[0\] Observation: .*required element missing"):
        check(bad)
