"""Writing FHIR from plain case data: the mCODE STU4 summary Bundle, and the signed
opinion as a document Bundle (Composition + DiagnosticReport).

What the summary holds (the case's current facts, most recent first; the first fact of
each name is the current one):

- CancerPatient (the member: name, birth date, sex, member number);
- PrimaryCancerCondition (cancer_type as an OncoTree coding, with the original code
  when the fact came from FHIR; histology in the histology-morphology-behavior
  extension as ICD-O-3); SecondaryCancerCondition when metastatic is true;
- TNM stage group and T/N/M category Observations (pathologic or clinical);
- TumorMarkerTest Observations, and GenomicVariant Observations in a GenomicsReport for
  gene results (EGFR, KRAS ...); ECOG performance status. A lab measured again over time
  (the serum tumour markers, merged as a series by ``abstraction/merge.py``) is written as
  one TumorMarkerTest per value of its series: the date the value was taken, the number
  with its comparator and unit (UCUM coded when the table knows the unit), and H or N
  when the source says whether it is above its reference range;
- CancerRelatedMedicationRequest for drugs, CancerRelatedSurgicalProcedure for surgery,
  and a Procedure for radiation and for a therapy named only by its kind.

Facts asserted absent or only possible are not written: FHIR has no place for "the
text said maybe". Grade, laterality, margins, tumour size and node counts have no
element in the mCODE resources above and are not written either.

Ids are UUIDs derived from the caller's key and the fact ids (for a value of a series,
the fact that best says it), so exporting the same case twice gives the same resources.
Everything written is validated with the fhir.resources R4B models before it is returned.
"""

from __future__ import annotations

import base64
import html
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from consilium.engines.abstraction.merge import SeriesPoint
from consilium.engines.decision.profile import NON_BIOMARKER_FACTS
from consilium.engines.fhir import codes, validate
from consilium.engines.fhir.mapping import quantity_text
from consilium.engines.fhir.patients import Person
from consilium.engines.knowledge.oncotree import shipped_tree

NAMESPACE = uuid.UUID("6f1c2b8e-3c1a-5d2e-9a57-0c0f7a1d2e31")
SINGLE = (
    "cancer_type",
    "histology",
    "stage_group",
    "pT",
    "pN",
    "pM",
    "cT",
    "cN",
    "cM",
    "metastatic",
    "brain_metastases",
    "ecog",
)
NOT_BIOMARKERS = NON_BIOMARKER_FACTS
WRITTEN_ASSERTIONS = ("present", "historical", "pending")
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL_STATUSES = ("active", "recurrence", "relapse", "inactive", "remission", "resolved")
MEDICATION_STATUSES = ("active", "on-hold", "completed", "stopped", "unknown")
XHTML = "http://www.w3.org/1999/xhtml"


class WriteError(ValueError):
    """What was written is not valid FHIR: a defect of the writer, never of the data."""


# --- the summary ---------------------------------------------------------------------------


class _Bundle:
    def __init__(self, key: str):
        self.key = key
        self.entries: list[dict] = []

    def id(self, *parts: Any) -> str:
        return str(uuid.uuid5(NAMESPACE, ":".join([self.key, *map(str, parts)])))

    def add(self, resource: dict) -> str:
        url = f"urn:uuid:{resource['id']}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


def summary_bundle(
    person: Person,
    facts: Iterable[Mapping[str, Any]],
    *,
    key: str,
    now: datetime,
    cancer_type: str | None = None,
    series: Mapping[str, Sequence[SeriesPoint]] | None = None,
) -> dict:
    """The mCODE patient bundle of ``facts`` (dicts with name, value, assertion, detail,
    effective_date and id, most recent first). ``cancer_type`` (an OncoTree code) is
    written when no fact names the cancer type. ``series`` holds the case summary's lab
    series by fact name (``MergedFact.series``): a name in it is written as one
    Observation per value of its series instead of from ``facts``."""
    b = _Bundle(key)
    series = series or {}
    chosen, markers, treatments = _choose(f for f in facts if str(f["name"]) not in series)
    patient = b.add(_patient(person, b.id("patient")))

    condition_url = None
    cancer = chosen.get("cancer_type")
    code = str(cancer["value"]) if cancer else cancer_type
    if code:
        condition = _primary_condition(b, patient, cancer, code, chosen.get("histology"))
        condition_url = b.add(condition)
    if chosen.get("metastatic") and _true(chosen["metastatic"]["value"]):
        b.add(
            _secondary_condition(b, patient, chosen["metastatic"], chosen.get("brain_metastases"))
        )

    _staging(b, patient, condition_url, chosen)
    variants = []
    for fact in markers:
        symbol = str(fact["name"])
        if symbol.upper() in codes.genes():
            variants.append(b.add(_genomic_variant(b, patient, condition_url, fact)))
        else:
            b.add(_tumor_marker(b, patient, condition_url, fact))
    for name, points in series.items():
        for point in points:
            resource = _lab_value(b, patient, condition_url, name, point)
            if resource is not None:
                b.add(resource)
    if variants:
        b.add(_genomics_report(b, patient, variants))
    if chosen.get("ecog"):
        b.add(_ecog(b, patient, chosen["ecog"]))
    for fact in treatments:
        b.add(_treatment(b, patient, condition_url, fact))

    bundle = {
        "resourceType": "Bundle",
        "id": b.id("bundle"),
        "meta": {"profile": [codes.profile_url("patient_bundle")]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{b.id('bundle')}"},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": b.entries,
    }
    check(bundle)
    return bundle


def _choose(facts: Iterable[Mapping[str, Any]]):
    chosen: dict[str, Mapping[str, Any]] = {}
    markers: dict[str, Mapping[str, Any]] = {}
    treatments: list[Mapping[str, Any]] = []
    seen_treatments = set()
    for fact in facts:
        if (fact.get("assertion") or "present") not in WRITTEN_ASSERTIONS:
            continue
        name = str(fact["name"])
        if name in SINGLE:
            chosen.setdefault(name, fact)
        elif name == "treatment":
            detail = fact.get("detail") or {}
            mark = (str(fact["value"]).lower(), codes.fact_class(detail.get("class")), _date(fact))
            if mark not in seen_treatments:
                seen_treatments.add(mark)
                treatments.append(fact)
        elif name not in NOT_BIOMARKERS:
            markers.setdefault(name.upper(), fact)
    return chosen, list(markers.values()), treatments


def _true(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "yes", "1", "present", "positive")


def _date(fact: Mapping[str, Any]) -> str | None:
    detail = fact.get("detail") or {}
    if fact.get("name") == "treatment" and detail.get("date"):
        return str(detail["date"])[:10]
    value = fact.get("effective_date")
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str) and value:
        return value[:10]
    return None


def _effective(resource: dict, fact: Mapping[str, Any] | None, element: str) -> dict:
    when = _date(fact) if fact else None
    if when:
        resource[element] = when
    return resource


def _patient(person: Person, rid: str) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": rid,
        "meta": {"profile": [codes.profile_url("cancer_patient")]},
        "name": [{"use": "official", "family": person.last_name, "given": [person.first_name]}],
        "birthDate": person.birth_date.isoformat(),
    }
    if person.identifier:
        resource["identifier"] = [
            {
                "system": person.identifier_system or "urn:consilium:member",
                "value": person.identifier,
            }
        ]
    if person.sex in ("female", "male", "other", "unknown"):
        resource["gender"] = person.sex
    return resource


def _coding(entry: Mapping[str, Any] | None) -> dict | None:
    if not isinstance(entry, Mapping):
        return None
    out = {k: str(entry[k]) for k in ("system", "code", "display") if entry.get(k)}
    return out if out.get("code") and out.get("system") else None


def _primary_condition(b, patient, fact, code, histology) -> dict:
    node = shipped_tree().by_code(code)
    name = node.name if node else code
    codings = [{"system": codes.ONCOTREE, "code": code, "display": name}]
    original = _coding((fact or {}).get("detail", {}).get("code"))
    if original and original.get("system") != codes.ONCOTREE:
        codings.append(original)
    detail = (fact or {}).get("detail") or {}
    status = detail.get("clinical_status")
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": b.id("condition", (fact or {}).get("id", code)),
        "meta": {"profile": [codes.profile_url("primary_cancer_condition")]},
        "clinicalStatus": {
            "coding": [
                {
                    "system": CLINICAL_STATUS,
                    "code": status if status in CLINICAL_STATUSES else "active",
                }
            ]
        },
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        "code": {"coding": codings, "text": name},
        "subject": {"reference": patient},
    }
    if histology:
        resource["extension"] = [
            {
                "url": codes.profile_url("histology_morphology_behavior"),
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": codes.ICDO3,
                            "code": str(histology["value"]),
                            "display": histology.get("display") or str(histology["value"]),
                        }
                    ],
                    "text": histology.get("display") or str(histology["value"]),
                },
            }
        ]
    if fact:
        _effective(resource, fact, "recordedDate")
    return resource


def _secondary_condition(b, patient, fact, brain) -> dict:
    detail = fact.get("detail") or {}
    original = _coding(detail.get("code"))
    site = detail.get("site") or ""
    if brain and _true(brain["value"]):
        site = site or "brain"
        original = original or {
            "system": codes.SNOMED,
            "code": "94225005",
            "display": "Secondary malignant neoplasm of brain (disorder)",
        }
    coding = original or {
        "system": codes.SNOMED,
        "code": "128462008",
        "display": "Secondary malignant neoplastic disease (disorder)",
    }
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": b.id("metastatic", fact.get("id", "")),
        "meta": {"profile": [codes.profile_url("secondary_cancer_condition")]},
        "clinicalStatus": {"coding": [{"system": CLINICAL_STATUS, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        "code": {"coding": [coding], "text": fact.get("display") or "Metastatic disease"},
        "subject": {"reference": patient},
    }
    if site and site != "unspecified":
        resource["bodySite"] = [{"text": site}]
    return _effective(resource, fact, "recordedDate")


_ARABIC = {"0": "0", "I": "1", "II": "2", "III": "3", "IV": "4"}


def _ajcc_stage(stage: str) -> str:
    """AJCC's code for a stage group: "IIIA" -> "3A"."""
    roman = stage.rstrip("ABCabc12")
    return _ARABIC.get(roman.upper(), roman) + stage[len(roman) :]


def _staging(b, patient, condition_url, chosen) -> None:
    stage = chosen.get("stage_group")
    members = []
    for prefix in ("p", "c"):
        for axis, key in (
            ("T", "tnm_primary_tumor_category"),
            ("N", "tnm_regional_nodes_category"),
            ("M", "tnm_distant_metastases_category"),
        ):
            fact = chosen.get(f"{prefix}{axis}")
            if not fact:
                continue
            staging = "clinical" if prefix == "c" else "pathologic"
            code, display = codes.staging_code(f"{prefix}{axis}", staging, axis)
            value = str(fact["value"])
            shown_prefix = (fact.get("detail") or {}).get("prefix") or prefix
            resource = {
                "resourceType": "Observation",
                "id": b.id("tnm", fact.get("id", f"{prefix}{axis}")),
                "meta": {"profile": [codes.profile_url(key)]},
                "status": "final",
                "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}]},
                "subject": {"reference": patient},
                "valueCodeableConcept": {
                    "coding": [{"system": codes.AJCC, "code": f"{shown_prefix}{value}"}],
                    "text": value,
                },
            }
            if condition_url:
                resource["focus"] = [{"reference": condition_url}]
            members.append(b.add(_effective(resource, fact, "effectiveDateTime")))
    if not stage:
        return
    detail = stage.get("detail") or {}
    staging = "clinical" if detail.get("staging") == "clinical" else "pathologic"
    code, display = codes.staging_code("stage_group", staging)
    value = str(stage["value"])
    resource = {
        "resourceType": "Observation",
        "id": b.id("stage", stage.get("id", "")),
        "meta": {"profile": [codes.profile_url("tnm_stage_group")]},
        "status": "final",
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}]},
        "subject": {"reference": patient},
        "valueCodeableConcept": {
            "coding": [{"system": codes.AJCC, "code": _ajcc_stage(value)}],
            "text": value,
        },
    }
    if condition_url:
        resource["focus"] = [{"reference": condition_url}]
    if members:
        resource["hasMember"] = [{"reference": m} for m in members]
    url = b.add(_effective(resource, stage, "effectiveDateTime"))
    # The cancer condition points at its stage (mCODE: Condition.stage.assessment).
    if condition_url:
        for entry in b.entries:
            if entry["fullUrl"] == condition_url:
                entry["resource"]["stage"] = [{"assessment": [{"reference": url}]}]


_LAB = [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "laboratory"}]}]


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _result_value(resource: dict, fact: Mapping[str, Any], kind: str) -> None:
    value = str(fact["value"])
    detail = fact.get("detail") or {}
    status = value.lower()
    if (fact.get("assertion") == "pending") or status == "pending":
        resource["status"] = "registered"
        return
    coding = codes.write_result(kind, status)
    if coding:
        resource["valueCodeableConcept"] = {"coding": [coding], "text": status}
        return
    if status in ("positive", "negative", "equivocal"):
        resource["valueCodeableConcept"] = {"text": status}
        return
    if str(fact["name"]).upper() == "MSI" and codes.msi_value(value):
        resource["valueCodeableConcept"] = {"text": value}
        return
    number, unit = detail.get("value"), detail.get("unit") or ""
    percent = _PERCENT.fullmatch(value)
    if number is None and percent:  # "20%" as the text abstraction writes a percentage
        number, unit = percent.group(1), "%"
    if number is not None and value == quantity_text(str(number), unit):
        try:
            amount = float(number)
        except (TypeError, ValueError):
            amount = None
        if amount is not None:
            quantity: dict[str, Any] = {"value": int(amount) if amount.is_integer() else amount}
            if unit:
                quantity["unit"] = unit
            if unit == "%":
                quantity |= {"system": "http://unitsofmeasure.org", "code": "%"}
            resource["valueQuantity"] = quantity
            return
    resource["valueString"] = value


def _detail_components(detail: Mapping[str, Any]) -> list[dict]:
    out = []
    if detail.get("variant"):
        code, display = codes.genomic("amino_acid_change")
        out.append(
            {
                "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}]},
                "valueCodeableConcept": {"text": str(detail["variant"])},
            }
        )
    if detail.get("alteration"):
        out.append({"code": {"text": "alteration"}, "valueString": str(detail["alteration"])})
    return out


def _marker_observation(b, patient, condition_url, symbol: str, fact_id: Any) -> dict:
    """A TumorMarkerTest Observation of ``symbol`` without its value yet."""
    known = codes.marker_code(symbol)
    concept: dict[str, Any] = {"text": symbol}
    if known:
        concept["coding"] = [{"system": codes.LOINC, "code": known[0], "display": known[1]}]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": b.id("marker", fact_id),
        "meta": {"profile": [codes.profile_url("tumor_marker_test")]},
        "status": "final",
        "category": _LAB,
        "code": concept,
        "subject": {"reference": patient},
    }
    if condition_url:
        resource["focus"] = [{"reference": condition_url}]
    return resource


def _tumor_marker(b, patient, condition_url, fact) -> dict:
    symbol = str(fact["name"])
    resource = _marker_observation(b, patient, condition_url, symbol, fact.get("id", symbol))
    _result_value(resource, fact, "tumor_marker")
    components = _detail_components(fact.get("detail") or {})
    if components:
        resource["component"] = components
    return _effective(resource, fact, "effectiveDateTime")


def _lab_value(b, patient, condition_url, name: str, point: SeriesPoint) -> dict | None:
    """One value of a lab series as a TumorMarkerTest: dated by the day the value was
    taken (the series' date, not the record's), its id from the fact that best says it
    (so the same case gives the same ids). None when the value is not a result FHIR can
    hold (asserted absent, only possible, or a test not performed)."""
    best = point.best
    assertion = best.assertion or "present"
    if assertion not in WRITTEN_ASSERTIONS:
        return None
    if point.placeholder or point.number is None:
        # A pending test, or a value in words: written as any other marker's result.
        fact = {
            "id": best.id,
            "name": name,
            "value": point.value,
            "assertion": assertion,
            "detail": best.detail or {},
            "effective_date": point.on,
        }
        return _tumor_marker(b, patient, condition_url, fact)
    resource = _marker_observation(b, patient, condition_url, name, best.id)
    number = point.number
    quantity: dict[str, Any] = {"value": int(number) if number.is_integer() else number}
    if point.comparator:
        quantity["comparator"] = point.comparator
    if point.unit:
        quantity["unit"] = point.unit
        ucum = codes.ucum(point.unit)
        if ucum:
            quantity |= {"system": codes.UCUM, "code": ucum}
    resource["valueQuantity"] = quantity
    if point.elevated is not None:
        resource["interpretation"] = [{"coding": [codes.range_interpretation(point.elevated)]}]
    if point.on is not None:
        resource["effectiveDateTime"] = point.on.isoformat()
    return resource


def _genomic_variant(b, patient, condition_url, fact) -> dict:
    detail = fact.get("detail") or {}
    gene = str(detail.get("gene") or fact["name"])
    code, display = codes.genomic("variant")
    gene_code, gene_display = codes.genomic("gene_studied")
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": b.id("variant", fact.get("id", gene)),
        "meta": {"profile": [codes.profile_url("genomic_variant")]},
        "status": "final",
        "category": _LAB,
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}]},
        "subject": {"reference": patient},
        "component": [
            {
                "code": {
                    "coding": [{"system": codes.LOINC, "code": gene_code, "display": gene_display}]
                },
                "valueCodeableConcept": {"text": gene},
            },
            *_detail_components(detail),
        ],
    }
    if condition_url:
        resource["focus"] = [{"reference": condition_url}]
    _result_value(resource, fact, "genomic")
    return _effective(resource, fact, "effectiveDateTime")


def _genomics_report(b, patient, variants: list[str]) -> dict:
    code, display = codes.genomic("report")
    return {
        "resourceType": "DiagnosticReport",
        "id": b.id("genomics-report"),
        "meta": {"profile": [codes.profile_url("genomics_report")]},
        "status": "final",
        "category": [{"coding": [{"system": codes.V2_0074, "code": "GE"}]}],
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}]},
        "subject": {"reference": patient},
        "result": [{"reference": v} for v in variants],
    }


def _ecog(b, patient, fact) -> dict:
    code, display = codes.ecog_code()
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": b.id("ecog", fact.get("id", "")),
        "meta": {"profile": [codes.profile_url("ecog_performance_status")]},
        "status": "final",
        "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [{"system": codes.LOINC, "code": code, "display": display}]},
        "subject": {"reference": patient},
        "valueInteger": int(str(fact["value"]).strip()[:1]),
    }
    return _effective(resource, fact, "effectiveDateTime")


def _is_drug(fact: Mapping[str, Any]) -> bool:
    """A MedicationRequest names a drug; a therapy named by its kind is a Procedure."""
    code = (fact.get("detail") or {}).get("code") or {}
    if code.get("system") == codes.RXNORM:
        return True
    if code.get("system") == codes.SNOMED:
        return False
    general = {w.lower() for w in codes.load("treatments")["general_words"]}
    value = str(fact["value"]).lower()
    if value in general:
        return False
    found = codes.therapies_in(value)
    if not found:
        return True  # a drug the vocabulary does not know, named by the profile
    return any(t.name not in general for t in found)


def _treatment(b, patient, condition_url, fact) -> dict:
    detail = fact.get("detail") or {}
    kind = codes.fact_class(detail.get("class"))
    name = str(fact["value"])
    when = _date(fact)
    reason = [{"reference": condition_url}] if condition_url else None
    if kind in codes.systemic_classes() and _is_drug(fact):
        concept: dict[str, Any] = {"text": name}
        original = _coding(detail.get("code"))
        if original:
            concept["coding"] = [original]
        status = detail.get("status")
        resource: dict[str, Any] = {
            "resourceType": "MedicationRequest",
            "id": b.id("treatment", fact.get("id", name)),
            "meta": {"profile": [codes.profile_url("cancer_related_medication_request")]},
            "status": status if status in MEDICATION_STATUSES else "completed",
            "intent": "order",
            "medicationCodeableConcept": concept,
            "subject": {"reference": patient},
            # US Core (and so mCODE) requires a requester; the case facts do not know it.
            "requester": {"extension": [{"url": codes.DATA_ABSENT, "valueCode": "unknown"}]},
        }
        if when:
            resource["authoredOn"] = when
        if reason:
            resource["reasonReference"] = reason
        return resource
    original = _coding(detail.get("code"))
    class_code = codes.procedure_code_for(kind) if kind else None
    if original is None and class_code:
        original = {"system": codes.SNOMED, "code": class_code[0], "display": class_code[1]}
    concept = {"text": name}
    if original:
        concept["coding"] = [original]
    resource = {
        "resourceType": "Procedure",
        "id": b.id("treatment", fact.get("id", name)),
        "status": "completed",
        "code": concept,
        "subject": {"reference": patient},
    }
    if kind == "surgery":
        resource["meta"] = {"profile": [codes.profile_url("cancer_related_surgical_procedure")]}
    if when:
        resource["performedDateTime"] = when
    if reason:
        resource["reasonReference"] = reason
    return resource


# --- the opinion ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    kind: str
    text: str
    rationale: str = ""


@dataclass(frozen=True)
class OpinionData:
    """A signed opinion as plain data (labels already in words)."""

    case_reference: str
    signed_at: datetime
    expert_name: str
    expert_credentials: str = ""
    diagnosis: str = ""
    diagnosis_comment: str = ""
    treatment: str = ""
    treatment_comment: str = ""
    discrepancy: str = ""
    narrative: str = ""
    answers: tuple[tuple[str, str], ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    addenda: tuple[tuple[datetime, str, str], ...] = ()  # (when, who, text)
    cancer_type: str = ""
    report_html: str = ""  # the rendered physician report, attached when given
    extra: dict[str, Any] = field(default_factory=dict)


CONSULT_NOTE = ("11488-4", "Consult note")


def _div(*blocks: str) -> dict:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{"".join(blocks)}</div>'}


def _p(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br/>") + "</p>"


def opinion_bundle(person: Person, opinion: OpinionData, *, key: str, now: datetime) -> dict:
    """A FHIR document (Bundle of type document): the Composition first, then the
    Patient, the expert (Practitioner) and the DiagnosticReport that carries the
    conclusion and, when given, the rendered report."""
    b = _Bundle(key)
    patient_id, expert_id = b.id("patient"), b.id("expert")
    report_id, composition_id = b.id("opinion-report"), b.id("composition")
    patient_url, expert_url = f"urn:uuid:{patient_id}", f"urn:uuid:{expert_id}"
    report_url = f"urn:uuid:{report_id}"
    signed = _instant(opinion.signed_at)
    practitioner = {
        "resourceType": "Practitioner",
        "id": expert_id,
        "name": [{"text": opinion.expert_name}],
    }
    if opinion.expert_credentials:
        practitioner["name"][0]["suffix"] = [opinion.expert_credentials]

    conclusion_parts = [
        x
        for x in (
            opinion.diagnosis and f"Diagnosis: {opinion.diagnosis}.",
            opinion.treatment and f"Treatment plan: {opinion.treatment}.",
            opinion.discrepancy and f"Discrepancy: {opinion.discrepancy}.",
        )
        if x
    ]
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": report_id,
        "status": "final",
        "code": {
            "coding": [
                {"system": codes.LOINC, "code": CONSULT_NOTE[0], "display": CONSULT_NOTE[1]}
            ],
            "text": "Expert second opinion",
        },
        "subject": {"reference": patient_url},
        "issued": signed,
        "effectiveDateTime": signed,
        "performer": [{"reference": expert_url}],
        "resultsInterpreter": [{"reference": expert_url}],
        "conclusion": " ".join(
            conclusion_parts + ([opinion.narrative] if opinion.narrative else [])
        )
        or "Signed expert opinion",
    }
    if opinion.report_html:
        report["presentedForm"] = [
            {
                "contentType": "text/html",
                "title": f"Expert report {opinion.case_reference}",
                "data": base64.b64encode(opinion.report_html.encode("utf-8")).decode("ascii"),
            }
        ]

    sections = [
        {
            "title": "Assessment",
            "text": _div(
                *(_p(x) for x in conclusion_parts),
                *(_p(x) for x in (opinion.diagnosis_comment, opinion.treatment_comment) if x),
            ),
            "entry": [{"reference": report_url}],
        }
    ]
    if opinion.narrative:
        sections.append({"title": "Opinion", "text": _div(_p(opinion.narrative))})
    if opinion.answers:
        sections.append(
            {
                "title": "Answers to the questions",
                "text": _div(
                    *(_p(f"Q: {q}") + _p(f"A: {a}") for q, a in opinion.answers),
                ),
            }
        )
    if opinion.recommendations:
        items = "".join(
            "<li>"
            + html.escape(f"{r.kind}: {r.text}")
            + (html.escape(f" ({r.rationale})") if r.rationale else "")
            + "</li>"
            for r in opinion.recommendations
        )
        sections.append({"title": "Recommendations", "text": _div(f"<ul>{items}</ul>")})
    if opinion.addenda:
        sections.append(
            {
                "title": "Addenda",
                "text": _div(
                    *(_p(f"{_instant(at)} {who}: {text}") for at, who, text in opinion.addenda)
                ),
            }
        )
    composition = {
        "resourceType": "Composition",
        "id": composition_id,
        "status": "final",
        "type": {
            "coding": [{"system": codes.LOINC, "code": CONSULT_NOTE[0], "display": CONSULT_NOTE[1]}]
        },
        "subject": {"reference": patient_url},
        "date": signed,
        "author": [{"reference": expert_url}],
        "title": f"Expert opinion, case {opinion.case_reference}"
        + (f" ({opinion.cancer_type})" if opinion.cancer_type else ""),
        "attester": [{"mode": "legal", "time": signed, "party": {"reference": expert_url}}],
        "section": sections,
    }
    patient = _patient(person, patient_id)
    bundle = {
        "resourceType": "Bundle",
        "id": b.id("opinion-bundle"),
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{b.id('opinion-bundle')}",
        },
        "type": "document",
        "timestamp": _instant(now),
        "entry": [
            {"fullUrl": f"urn:uuid:{composition_id}", "resource": composition},
            {"fullUrl": patient_url, "resource": patient},
            {"fullUrl": expert_url, "resource": practitioner},
            {"fullUrl": report_url, "resource": report},
        ],
    }
    check(bundle)
    return bundle


# --- validation ----------------------------------------------------------------------------


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise WriteError("an instant needs a time zone")
    return moment.isoformat(timespec="seconds")


def check(bundle: dict) -> None:
    """Validate every resource, then the Bundle; raise ``WriteError`` with the reasons."""
    problems = []
    for i, entry in enumerate(bundle.get("entry") or []):
        resource = entry["resource"]
        reason = validate.reason(resource)
        if reason:
            problems.append(f"entry[{i}] {resource['resourceType']}: {reason}")
    shell = {**bundle, "entry": []}
    reason = validate.reason(shell)
    if reason:
        problems.append(f"Bundle: {reason}")
    if problems:
        raise WriteError("; ".join(problems))
