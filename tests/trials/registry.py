"""Builders for ClinicalTrials.gov API v2 study records made by the tests themselves, and
for patients and cases the registry tests rank trials for."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from consilium.engines.decision.profile import Biomarker, PatientProfile, Treatment
from consilium.engines.trials.demo import demo_records

AS_OF = dt.date(2025, 6, 1)
CLEVELAND = (41.4993, -81.6944)

ELIGIBILITY = """Inclusion Criteria:

* Age 18 years or older
* Histologically confirmed metastatic non-small cell lung cancer
* EGFR exon 19 deletion or L858R mutation
* ECOG performance status 0-1

Exclusion Criteria:

* Untreated brain metastases
"""


def study(
    nct_id: str = "NCT09990001",
    *,
    title: str = "A test study of drug X in EGFR-mutant NSCLC",
    status: str = "RECRUITING",
    phases: tuple[str, ...] = ("PHASE2",),
    conditions: tuple[str, ...] = ("Non-small Cell Lung Cancer",),
    eligibility: str = ELIGIBILITY,
    last_update: str | None = "2025-03-01",
    sites: list[dict[str, Any]] | None = None,
    min_age: str | None = "18 Years",
    sex: str = "ALL",
) -> dict[str, Any]:
    status_module: dict[str, Any] = {"overallStatus": status}
    if last_update:
        status_module["lastUpdatePostDateStruct"] = {"date": last_update, "type": "ACTUAL"}
    eligibility_module: dict[str, Any] = {"eligibilityCriteria": eligibility, "sex": sex}
    if min_age:
        eligibility_module["minimumAge"] = min_age
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title},
            "statusModule": status_module,
            "conditionsModule": {"conditions": list(conditions)},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": list(phases)},
            "eligibilityModule": eligibility_module,
            "contactsLocationsModule": {
                "locations": sites
                if sites is not None
                else [site("Lakeshore Test Hospital", "Cleveland", "Ohio", *CLEVELAND)]
            },
        }
    }


def site(
    facility: str,
    city: str,
    state: str,
    lat: float | None,
    lon: float | None,
    status: str = "RECRUITING",
    zip_code: str = "",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "facility": facility,
        "city": city,
        "state": state,
        "country": "United States",
        "status": status,
        "contacts": [{"name": "Trial Office", "phone": "555-0100", "email": "t@x.example.org"}],
    }
    if zip_code:
        out["zip"] = zip_code
    if lat is not None:
        out["geoPoint"] = {"lat": lat, "lon": lon}
    return out


def demo() -> list[dict[str, Any]]:
    return copy.deepcopy(demo_records())


def egfr_patient(**changes) -> PatientProfile:
    base = dict(
        cancer_type="LUAD",
        stage_group="IV",
        metastatic=True,
        biomarkers={"EGFR": Biomarker("EGFR", "positive", "L858R")},
        treatments=(Treatment("osimertinib", "targeted_therapy", dt.date(2024, 3, 1)),),
        ecog=1,
        brain_metastases=False,
        measurable_disease=True,
        birth_date=dt.date(1961, 2, 3),
        sex="female",
        home=CLEVELAND,
    )
    base.update(changes)
    return PatientProfile(**base)


def add_fact(case, name: str, value: str, **detail) -> None:
    from consilium.apps.preparation.models import CaseFact

    CaseFact.objects.create(
        case=case, source=CaseFact.Source.MANUAL, name=name, value=value, detail=detail
    )
