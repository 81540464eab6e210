"""The records must be the member's: the Patient's name and birth date must match, or
the import is refused as a whole with the reason, and nothing is stored."""

from __future__ import annotations

import json
from datetime import date

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.services import RuleError
from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.engines.fhir import open_bytes
from consilium.engines.fhir.patients import Person, mismatch, patient_from
from tests.fhir import builders as b


def _data(resources) -> bytes:
    return json.dumps(b.bundle(resources)).encode()


def test_another_patient_is_refused_and_nothing_stored(world, coordinator_actor):
    resources = b.breast_case_resources(world.member)
    resources[0] = b.stranger("p1")  # same id, someone else
    with pytest.raises(RuleError) as refused:
        import_fhir(coordinator_actor, world.case, open_bytes(_data(resources), "x.json"))
    assert "No Patient in x.json is the member" in refused.value.message
    assert any("birth date differs" in r for r in refused.value.reasons)
    assert not CaseFact.objects.filter(case=world.case).exists()
    assert not Document.objects.filter(case=world.case).exists()
    event = AuditEvent.objects.filter(action="fhir.import").latest("pk")
    assert event.outcome == "failed"


def test_same_birth_date_other_name_is_refused(world, coordinator_actor):
    other = b.patient(world.member, name=[{"family": "Someone", "given": ["Else"]}])
    with pytest.raises(RuleError) as refused:
        import_fhir(coordinator_actor, world.case, open_bytes(_data([other]), "x.json"))
    assert any("the name differs" in r for r in refused.value.reasons)


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Sumiko254", "Medhurst46"),
        ("SUMIKO", "medhurst"),
        ("Súmiko", "Medhurst"),
        ("Sumiko Larue", "Medhurst"),
    ],
)
def test_names_compare_without_case_accents_digits(given, family):
    member = Person("Sumiko", "Medhurst", date(1927, 5, 21))
    patient = patient_from(
        {
            "resourceType": "Patient",
            "id": "x",
            "birthDate": "1927-05-21",
            "name": [{"family": family, "given": given.split()}],
        },
        None,
        "here",
    )
    assert mismatch(member, patient) is None


def test_maiden_name_entry_matches():
    member = Person("Ana", "Cummerata", date(1963, 7, 15))
    patient = patient_from(
        {
            "resourceType": "Patient",
            "id": "x",
            "birthDate": "1963-07-15",
            "name": [
                {"use": "official", "family": "Cummings", "given": ["Ana"]},
                {"use": "maiden", "family": "Cummerata", "given": ["Ana"]},
            ],
        },
        None,
        "here",
    )
    assert mismatch(member, patient) is None
