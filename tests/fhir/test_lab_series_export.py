"""The mCODE export writes every value of a serum tumour marker's series as its own
TumorMarkerTest Observation (dated when the value was taken, its number with comparator
and UCUM unit, H or N when the source says), with the same ids each time; importing the
Bundle into a fresh case gives back the same series."""

from __future__ import annotations

import json
from datetime import date

import pytest

from consilium.apps.preparation import services
from consilium.apps.preparation.fhir import export_summary, import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.services import add_document
from consilium.engines.casework.lifecycle import Status
from consilium.engines.fhir import open_bytes
from tests import factories as f

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
UCUM = "http://unitsofmeasure.org"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

LAB_JANUARY = (
    "LABORATORY REPORT\nCollected: 2024-01-10\nPSA, total 8.1 ng/mL (reference range 0.0-4.0).\n"
)
# A note of June that gives an earlier value with its own date, and the day's value.
NOTE_JUNE = (
    "UROLOGY FOLLOW-UP NOTE\n"
    "Date of visit: 2024-06-02\n"
    "Seen after radical prostatectomy. PSA on 03/15/2024 was <0.1 ng/mL.\n"
    "Today PSA 0.2 ng/mL, normal.\n"
)
# A record that states no date: its value is undated.
UNDATED = "Outside result: CA 19-9 52 U/mL.\n"


@pytest.fixture
def psa_case(world, django_capture_on_commit_callbacks):
    case = world.case
    case.cancer_type_code, case.cancer_type_label = "PRAD", "Prostate Adenocarcinoma"
    case.save()
    actor = f.actor(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # the uploads' abstraction runs
        for text, name in ((LAB_JANUARY, "lab.txt"), (NOTE_JUNE, "note.txt"), (UNDATED, "x.txt")):
            add_document(actor, case, data=text.encode(), filename=name, kind="clinical_note")
    return case


def _series(case) -> dict[str, list[tuple]]:
    summary = services.prepare(case).summary
    return {
        m.name: [
            (p.on, p.number, p.unit, p.comparator, p.elevated, p.placeholder) for p in m.series
        ]
        for m in summary.facts.values()
        if m.is_series
    }


def _markers(bundle, text: str) -> list[dict]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if MCODE + "mcode-tumor-marker-test" in e["resource"].get("meta", {}).get("profile", [])
        and e["resource"]["code"]["text"] == text
    ]


def test_every_value_of_a_series_is_its_own_dated_observation(psa_case, coordinator_actor):
    assert _series(psa_case) == {
        "PSA": [
            (date(2024, 6, 2), 0.2, "ng/mL", None, False, False),
            (date(2024, 3, 15), 0.1, "ng/mL", "<", None, False),
            (date(2024, 1, 10), 8.1, "ng/mL", None, True, False),
        ],
        "CA 19-9": [(None, 52.0, "U/mL", None, None, False)],
    }
    bundle = export_summary(coordinator_actor, psa_case)
    psa = _markers(bundle, "PSA")
    assert [
        (r.get("effectiveDateTime"), r["valueQuantity"], r.get("interpretation")) for r in psa
    ] == [
        (
            "2024-06-02",
            {"value": 0.2, "unit": "ng/mL", "system": UCUM, "code": "ng/mL"},
            [{"coding": [{"system": V3, "code": "N", "display": "Normal"}]}],
        ),
        # Dated by its own sentence, not by the note it was read from (June).
        (
            "2024-03-15",
            {"value": 0.1, "comparator": "<", "unit": "ng/mL", "system": UCUM, "code": "ng/mL"},
            None,
        ),
        (
            "2024-01-10",
            {"value": 8.1, "unit": "ng/mL", "system": UCUM, "code": "ng/mL"},
            [{"coding": [{"system": V3, "code": "H", "display": "High"}]}],
        ),
    ]
    for r in psa:
        assert r["code"]["coding"][0]["code"] == "2857-1"
        assert r["status"] == "final"
    (ca199,) = _markers(bundle, "CA 19-9")
    assert "effectiveDateTime" not in ca199 and "interpretation" not in ca199
    assert ca199["valueQuantity"] == {"value": 52, "unit": "U/mL", "system": UCUM, "code": "U/mL"}
    assert len({r["id"] for r in [*psa, ca199]}) == 4

    again = export_summary(coordinator_actor, psa_case)
    assert again["entry"] == bundle["entry"] and again["id"] == bundle["id"]


def test_importing_the_export_gives_back_the_same_series(world, psa_case, coordinator_actor):
    # A test still pending is part of the series too (a placeholder, written as registered).
    CaseFact.objects.create(
        case=psa_case,
        source="manual",
        name="CEA",
        value="pending",
        assertion="pending",
        effective_date=date(2024, 6, 20),
        review_status="confirmed",
    )
    # A value a person rejected is not part of the case and is not exported.
    CaseFact.objects.filter(case=psa_case, name="CA 19-9").update(review_status="rejected")
    bundle = export_summary(coordinator_actor, psa_case)
    (cea,) = _markers(bundle, "CEA")
    assert cea["status"] == "registered" and cea["effectiveDateTime"] == "2024-06-20"
    assert _markers(bundle, "CA 19-9") == []

    fresh = f.case(world.program, mem=world.member, status=Status.INTAKE)
    report = import_fhir(
        coordinator_actor, fresh, open_bytes(json.dumps(bundle).encode(), "mcode.json")
    )
    assert report["errors"] == []
    before, after = _series(psa_case), _series(fresh)
    assert after == {k: v for k, v in before.items() if k != "CA 19-9"}
    assert after["CEA"] == [(date(2024, 6, 20), None, None, None, None, True)]
    assert len(after["PSA"]) == 3
    # Imported, each value is dated by its resource and merges as a series, not a conflict.
    merged = services.prepare(fresh).summary.get("PSA")
    assert merged.value == "0.2 ng/mL" and not merged.conflict
    assert {p.dated_by for p in merged.series} == {"resource"}
