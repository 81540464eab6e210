"""mCODE resources are recognized by the profile they declare and, without one, by
their codes (plain engine, no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from consilium.engines.fhir import Importer, Person, open_bytes
from tests.fhir import builders as b

MEMBER = Person("Maria", "Lopez", date(1968, 4, 12), "female")


class _Member:
    first_name, last_name, date_of_birth = "Maria", "Lopez", date(1968, 4, 12)


def _facts(*resources):
    data = json.dumps(b.bundle([b.patient(_Member), *resources])).encode()
    importer = Importer(open_bytes(data, "x.json"), MEMBER)
    facts = [f for extract in importer for f in extract.facts]
    return facts, importer.report


def _one(*resources):
    facts, report = _facts(*resources)
    assert len(facts) == 1, (facts, report.to_dict()["skipped"])
    return facts[0]


# --- by profile -------------------------------------------------------------------------


def test_primary_cancer_condition_by_profile_with_histology():
    cond = b.condition(
        "c1",
        code=("C50.911", b.ICD10, "Malignant neoplasm of unspecified site of right female breast"),
        profile="mcode-primary-cancer-condition",
        extension=[
            {
                "url": b.MCODE + "mcode-histology-morphology-behavior",
                "valueCodeableConcept": {"coding": [{"system": b.SNOMED, "code": "82711006"}]},
            }
        ],
    )
    facts, _ = _facts(cond)
    by_name = {f.name: f for f in facts}
    assert by_name["cancer_type"].value == "BREAST"
    assert by_name["cancer_type"].detail["recognized_by"] == "profile"
    assert by_name["cancer_type"].detail["profile"].endswith("mcode-primary-cancer-condition")
    assert by_name["histology"].value == "8500/3"
    assert by_name["cancer_type"].effective_date == date(2024, 1, 5)


def test_secondary_cancer_condition_by_profile():
    cond = b.condition(
        "m1",
        code=("94381002", b.SNOMED, "Secondary malignant neoplasm of liver"),
        profile="mcode-secondary-cancer-condition",
        bodySite=[{"text": "liver"}],
    )
    fact = _one(cond)
    assert (fact.name, fact.value, fact.detail["site"]) == ("metastatic", "true", "liver")


def test_tnm_category_by_profile_without_loinc_and_stu2_names():
    t = b.observation(
        "t",
        profile="mcode-tnm-primary-tumor-category",
        text="T category",
        valueCodeableConcept={"coding": [{"system": "http://cancerstaging.org", "code": "cT3"}]},
    )
    fact = _one(t)
    assert (fact.name, fact.value, fact.detail["prefix"]) == ("cT", "T3", "c")
    older = b.observation(
        "n",
        profile="mcode-tnm-pathological-regional-nodes-category",
        text="N",
        valueCodeableConcept={"text": "pN1a"},
    )
    fact = _one(older)
    assert (fact.name, fact.value) == ("pN", "N1a")


def test_tumor_marker_test_profile_names_the_marker_in_words():
    ki67 = b.observation(
        "k",
        profile="mcode-tumor-marker-test",
        text="Ki-67 nuclear Ag",
        valueQuantity={"value": 20, "unit": "%"},
    )
    fact = _one(ki67)
    assert (fact.name, fact.value, fact.detail["value"]) == ("Ki-67", "20%", "20")


def test_medication_request_by_profile_for_a_drug_the_vocabulary_lacks():
    med = b.medication_request(
        "m1",
        drug="Zolbetuximab 100 MG Injection",
        profile="mcode-cancer-related-medication-request",
    )
    fact = _one(med)
    assert fact.name == "treatment" and fact.value == "zolbetuximab 100 mg injection"
    assert fact.detail["recognized_by"] == "profile" and fact.detail["class"] is None


# --- by code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            ("C34.12", b.ICD10, "Malignant neoplasm of upper lobe, left lung"),
            ("cancer_type", "LUNG"),
        ),
        (("C61", b.ICD10, "Malignant neoplasm of prostate"), ("cancer_type", "PROSTATE")),
        (("254637007", b.SNOMED, "Non-small cell lung cancer"), ("cancer_type", "NSCLC")),
        (("C78.7", b.ICD10, "Secondary malignant neoplasm of liver"), ("metastatic", "true")),
    ],
)
def test_condition_by_code(code, expected):
    fact = _one(b.condition("c1", code=code))
    assert (fact.name, fact.value) == expected
    assert fact.detail["recognized_by"] == "code"


def test_brain_metastasis_code_gives_two_facts():
    facts, _ = _facts(b.condition("c1", code=("C79.31", b.ICD10, "Secondary ... of brain")))
    assert {(f.name, f.value) for f in facts} == {
        ("metastatic", "true"),
        ("brain_metastases", "true"),
    }


def test_staged_condition_code_gives_stage_group():
    facts, _ = _facts(b.condition("c1", code=("424132000", b.SNOMED, "NSCLC, TNM stage 1")))
    assert {(f.name, f.value) for f in facts} == {("cancer_type", "NSCLC"), ("stage_group", "I")}


@pytest.mark.parametrize(
    ("loinc", "value", "expected"),
    [
        ("21908-9", {"valueCodeableConcept": {"text": "Stage IIIA"}}, ("stage_group", "IIIA")),
        (
            "21902-2",
            {"valueCodeableConcept": {"coding": [{"code": "3A"}]}},
            ("stage_group", "IIIA"),
        ),
        ("21899-0", {"valueCodeableConcept": {"text": "T1c"}}, ("pT", "T1c")),
        ("21906-3", {"valueCodeableConcept": {"text": "N2"}}, ("cN", "N2")),
        ("21901-4", {"valueCodeableConcept": {"text": "M1b"}}, ("pM", "M1b")),
        ("16112-5", b.positive(), ("ER", "positive")),
        ("85319-2", {"valueCodeableConcept": {"text": "Equivocal (2+)"}}, ("HER2", "equivocal")),
        ("81695-9", {"valueCodeableConcept": {"text": "MSI-H"}}, ("MSI", "MSI-H")),
        ("94076-7", {"valueQuantity": {"value": 12.0, "unit": "mut/Mb"}}, ("TMB", "12 mut/Mb")),
        ("89247-1", {"valueInteger": 1}, ("ecog", "1")),
    ],
)
def test_observation_by_loinc(loinc, value, expected):
    fact = _one(b.observation("o1", loinc, **value))
    assert (fact.name, fact.value) == expected
    assert fact.detail.get("recognized_by", "code") == "code"


def test_genomic_variant_by_code():
    variant = b.observation(
        "v1",
        "69548-6",
        valueCodeableConcept={"coding": [{"system": b.LOINC, "code": "LA9633-4"}]},
        component=[
            {
                "code": {"coding": [{"system": b.LOINC, "code": "48018-6"}]},
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": "http://www.genenames.org/geneId",
                            "code": "HGNC:3236",
                            "display": "EGFR",
                        }
                    ]
                },
            },
            {
                "code": {"coding": [{"system": b.LOINC, "code": "48005-3"}]},
                "valueCodeableConcept": {"text": "p.Leu858Arg"},
            },
        ],
    )
    fact = _one(variant)
    assert (fact.name, fact.value, fact.detail["variant"]) == ("EGFR", "positive", "p.Leu858Arg")


def test_drug_by_name_and_surgery_by_code():
    facts, _ = _facts(
        b.medication_request("m1", drug="trastuzumab 150 MG Injection"),
        b.procedure("s1"),
    )
    got = {(f.value, f.detail["class"]) for f in facts}
    assert got == {("trastuzumab", "targeted"), ("lumpectomy of breast", "surgery")}


def test_procedure_for_a_cancer_is_read_by_its_words():
    cond = b.condition("c1")
    proc = b.procedure(
        "p1",
        text="Stereotactic body radiation therapy of lung",
        code="1234567",
        reasonReference=[{"reference": "Condition/c1"}],
    )
    unrelated = b.procedure("p2", text="Radiation therapy consult", code="7654321")
    facts, report = _facts(cond, proc, unrelated)
    treatment = [f for f in facts if f.name == "treatment"]
    assert [(f.value, f.detail["class"]) for f in treatment] == [
        ("stereotactic body radiation therapy of lung", "radiation")
    ]
    assert (
        report.skipped["Procedure is not a cancer treatment (surgery, radiation, systemic therapy)"]
        == 1
    )


def test_synthea_chemoradiation_code():
    fact = _one(
        b.procedure(
            "p1", text="Combined chemotherapy and radiation therapy (procedure)", code="703423002"
        )
    )
    assert fact.value == "combined chemotherapy and radiation therapy"
    assert fact.detail["classes"] == ["chemotherapy", "radiation"]


def test_attachment_by_link_is_reported_not_fetched():
    doc = b.document_reference("d1")
    doc["content"] = [
        {"attachment": {"contentType": "application/pdf", "url": "https://example.org/report.pdf"}}
    ]
    facts, report = _facts(doc)
    assert facts == []
    [(reason, count)] = report.skipped.items()
    assert reason.startswith("attachment 0 is a link (https://example.org/report.pdf)")
