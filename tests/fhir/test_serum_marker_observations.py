"""Serum tumour marker Observations become lab values of a series: each with its value,
comparator, unit and date, and the "elevated" flag its interpretation gives (H or N
against the reference range); every serum marker the text abstraction reads is known by
its LOINC code (plain engine, no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from consilium.engines.abstraction.merge import FactRecord, merge
from consilium.engines.fhir import Importer, Person, open_bytes
from tests.fhir import builders as b

MEMBER = Person("Maria", "Lopez", date(1968, 4, 12), "female")
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
V2 = "http://terminology.hl7.org/CodeSystem/v2-0078"


class _Member:
    first_name, last_name, date_of_birth = "Maria", "Lopez", date(1968, 4, 12)


def _facts(*resources):
    data = json.dumps(b.bundle([b.patient(_Member), *resources])).encode()
    return [f for extract in Importer(open_bytes(data, "x.json"), MEMBER) for f in extract.facts]


def _psa(oid, when, value, flag=None, system=V3, comparator=None):
    quantity = {"value": value, "unit": "ng/mL"}
    if comparator:
        quantity["comparator"] = comparator
    extra = {"valueQuantity": quantity, "effectiveDateTime": when}
    if flag:
        extra["interpretation"] = [{"coding": [{"system": system, "code": flag}]}]
    return b.observation(oid, "2857-1", **extra)


def test_values_carry_their_date_comparator_and_the_flag_of_their_interpretation():
    facts = _facts(
        _psa("o1", "2024-01-10", 8.1, "H"),
        _psa("o2", "2024-06-02", 0.1, "N", system=V2, comparator="<"),
        _psa("o3", "2024-09-01", 0.3, "A"),  # abnormal: says neither way
    )
    got = [
        (f.name, f.value, f.effective_date, f.detail.get("elevated"), f.detail.get("comparator"))
        for f in facts
    ]
    assert got == [
        ("PSA", "8.1 ng/mL", date(2024, 1, 10), True, None),
        ("PSA", "<0.1 ng/mL", date(2024, 6, 2), False, "<"),
        ("PSA", "0.3 ng/mL", date(2024, 9, 1), None, None),
    ]


@pytest.mark.parametrize(
    ("loinc", "unit", "name"),
    [
        ("2532-0", "U/L", "LDH"),
        ("21198-7", "mIU/mL", "beta-hCG"),
        ("6875-9", "U/mL", "CA 15-3"),
        ("17842-6", "U/mL", "CA 27.29"),
        ("24108-3", "U/mL", "CA 19-9"),
    ],
)
def test_every_serum_marker_is_known_by_its_loinc_code(loinc, unit, name):
    (fact,) = _facts(b.observation("o1", loinc, valueQuantity={"value": 410, "unit": unit}))
    assert (fact.name, fact.value) == (name, f"410 {unit}")


def test_observations_of_several_dates_merge_as_a_series_not_a_conflict():
    facts = _facts(_psa("o1", "2024-01-10", 8.1, "H"), _psa("o2", "2024-06-02", 0.2, "N"))
    records = [
        FactRecord(
            id=i,
            name=f.name,
            value=f.value,
            proposed_value=f.value,
            source="fhir",
            effective_date=f.effective_date,
            detail=f.detail,
        )
        for i, f in enumerate(facts, start=1)
    ]
    merged = merge(records).get("PSA")
    assert merged.value == "0.2 ng/mL" and not merged.conflict
    assert [(p.on, p.dated_by, p.label("PSA")) for p in merged.series] == [
        (date(2024, 6, 2), "resource", "PSA 0.2 ng/mL (not elevated)"),
        (date(2024, 1, 10), "resource", "PSA 8.1 ng/mL (elevated)"),
    ]
