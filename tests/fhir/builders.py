"""FHIR resources for the tests, built from a member so the Patient matches (or not)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def patient(member, pid: str = "p1", **changes) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"family": member.last_name, "given": [member.first_name]}],
        "birthDate": member.date_of_birth.isoformat(),
        "gender": "female",
    }
    resource.update(changes)
    return resource


def stranger(pid: str = "p2") -> dict:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"family": "Nobody", "given": ["Some"]}],
        "birthDate": "1950-01-01",
    }


def subject(pid: str = "p1") -> dict:
    return {"reference": f"Patient/{pid}"}


def condition(
    cid="c1",
    code=("254837009", SNOMED, "Malignant neoplasm of breast"),
    pid="p1",
    profile=None,
    **extra,
) -> dict:
    r = {
        "resourceType": "Condition",
        "id": cid,
        "code": {"coding": [{"code": code[0], "system": code[1], "display": code[2]}]},
        "subject": subject(pid),
        "onsetDateTime": "2024-01-05",
    }
    if profile:
        r["meta"] = {"profile": [MCODE + profile]}
    r.update(extra)
    return r


def observation(oid, loinc=None, pid="p1", profile=None, text=None, **value) -> dict:
    code = {}
    if loinc:
        code["coding"] = [{"system": LOINC, "code": loinc}]
    if text:
        code["text"] = text
    r = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": code,
        "subject": subject(pid),
        "effectiveDateTime": "2024-01-10",
    }
    if profile:
        r["meta"] = {"profile": [MCODE + profile]}
    r.update(value)
    return r


def positive() -> dict:
    return {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "10828004"}]}}


def negative() -> dict:
    return {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "260385009"}]}}


def medication_request(mid, drug="PACLitaxel 100 MG Injection", pid="p1", profile=None):
    r = {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": "completed",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": "583214", "display": drug}],
            "text": drug,
        },
        "subject": subject(pid),
        "authoredOn": "2024-02-01",
    }
    if profile:
        r["meta"] = {"profile": [MCODE + profile]}
    return r


def procedure(prid, text="Lumpectomy of breast", code="392021009", pid="p1", profile=None, **extra):
    r = {
        "resourceType": "Procedure",
        "id": prid,
        "status": "completed",
        "code": {"coding": [{"system": SNOMED, "code": code, "display": text}], "text": text},
        "subject": subject(pid),
        "performedDateTime": "2024-01-20",
    }
    if profile:
        r["meta"] = {"profile": [MCODE + profile]}
    r.update(extra)
    return r


def document_reference(
    did,
    text="Pathology: invasive ductal carcinoma.",
    pid="p1",
    content_type="text/plain",
    loinc="11526-1",
) -> dict:
    return {
        "resourceType": "DocumentReference",
        "id": did,
        "status": "current",
        "type": {"coding": [{"system": LOINC, "code": loinc}], "text": "Pathology study"},
        "subject": subject(pid),
        "date": "2024-01-07T10:00:00Z",
        "content": [
            {
                "attachment": {
                    "contentType": content_type,
                    "data": base64.b64encode(text.encode()).decode(),
                    "title": "Pathology report",
                }
            }
        ],
    }


def bundle(resources, btype="collection", full_urls=False) -> dict:
    entries = []
    for r in resources:
        entry = {"resource": r}
        if full_urls:
            entry["fullUrl"] = f"urn:uuid:{r['resourceType'].lower()}-{r.get('id', 'x')}"
        if btype == "transaction":
            entry["request"] = {"method": "POST", "url": r["resourceType"]}
        if btype == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": btype, "entry": entries}


def breast_case_resources(member, pid="p1") -> list[dict]:
    """A small mCODE record: a breast cancer with stage, markers, a drug and surgery."""
    return [
        patient(member, pid),
        condition("c1", pid=pid, profile="mcode-primary-cancer-condition"),
        observation(
            "stage",
            "21902-2",
            pid=pid,
            profile="mcode-tnm-stage-group",
            valueCodeableConcept={"coding": [{"system": "http://cancerstaging.org", "code": "2B"}]},
        ),
        observation(
            "t",
            "21899-0",
            pid=pid,
            profile="mcode-tnm-primary-tumor-category",
            valueCodeableConcept={
                "coding": [{"system": "http://cancerstaging.org", "code": "pT2"}]
            },
        ),
        observation("er", "16112-5", pid=pid, profile="mcode-tumor-marker-test", **positive()),
        observation("her2", "48676-1", pid=pid, **negative()),
        medication_request("m1", pid=pid),
        procedure("s1", pid=pid, profile="mcode-cancer-related-surgical-procedure"),
        document_reference("d1", pid=pid),
    ]


def write_ndjson(directory: Path, resources: list[dict]) -> None:
    """A Bulk Data export: one file per resource type."""
    directory.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[dict]] = {}
    for r in resources:
        by_type.setdefault(r["resourceType"], []).append(r)
    for kind, items in by_type.items():
        (directory / f"{kind}.000.ndjson").write_text("".join(json.dumps(r) + "\n" for r in items))
