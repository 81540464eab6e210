"""An input with no Patient resource (a lab's Observations referring to "Patient/123")
cannot be matched by name and birth date. Its records go into the case the coordinator
chose when every resource refers to one and the same patient; resources referring to
different patients are refused with the patient each refers to, never merged into one
case. An earlier import of the case that matched the member's Patient anchors later
inputs: that patient's resources are imported, any other patient's are skipped, named."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.services import RuleError
from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.engines.fhir import Importer, PatientMismatch, Person, open_bytes
from consilium.engines.fhir.importer import MAX_REASONS
from tests.fhir import builders as b


def _import(actor, case, resources, name="labs.json"):
    return import_fhir(actor, case, open_bytes(json.dumps(b.bundle(resources)).encode(), name))


def _ndjson(actor, case, resources, name="labs.ndjson"):
    data = "".join(json.dumps(r) + "\n" for r in resources).encode()
    return import_fhir(actor, case, open_bytes(data, name))


def test_one_patient_throughout_goes_into_the_chosen_case(world, coordinator_actor):
    resources = [
        b.observation("er", "16112-5", pid="123", **b.positive()),
        b.observation("pr", "16113-3", pid="123", **b.negative()),
        b.document_reference("d1", pid="123"),
    ]
    # The same patient written as an absolute reference is still the one patient.
    resources[1]["subject"] = {"reference": "https://ehr.example.org/fhir/Patient/123"}
    report = _import(coordinator_actor, world.case, resources)
    assert report["patients"] == ["Patient/123"]
    assert report["patient_match"] == (
        "the case chosen: labs.json holds no Patient resource, and every resource in it "
        "refers to Patient/123"
    )
    assert report["imported_total"] == 3 and report["skipped_total"] == 0
    facts = CaseFact.objects.filter(case=world.case)
    assert sorted(facts.values_list("name", "value")) == [("ER", "positive"), ("PR", "negative")]
    assert {f.detail["patient"] for f in facts} == {"Patient/123"}
    assert Document.objects.get(case=world.case).metadata["fhir_patient"] == "Patient/123"
    # A later input without a Patient is tied to it by that earlier import.
    later = _import(coordinator_actor, world.case, [b.procedure("s1", pid="123")])
    assert later["patient_match"] == "an earlier import of this case"
    assert later["facts"]["created"] == 1


@pytest.mark.parametrize("read", [_import, _ndjson], ids=["bundle", "ndjson"])
def test_two_patients_without_a_patient_resource_are_refused(world, coordinator_actor, read):
    resources = [
        b.observation("er", "16112-5", pid="123", **b.positive()),
        b.observation("pr", "16113-3", pid="123", **b.negative()),
        b.observation("her2", "48676-1", pid="456", **b.negative()),
    ]
    with pytest.raises(RuleError) as refused:
        read(coordinator_actor, world.case, resources)
    name = "labs.json" if read is _import else "labs.ndjson"
    where = "entry[{}]" if read is _import else "line {}"
    assert refused.value.message == (
        f"{name} holds no Patient resource and its resources refer to 2 different patients "
        "(Patient/123, Patient/456): which one is the member cannot be told, so nothing "
        "was imported. Import each patient's records into their own case, or include the "
        "member's Patient"
    )
    n = (lambda i: i) if read is _import else (lambda i: i + 1)
    assert list(refused.value.reasons) == [
        f"{name} {where.format(n(0))}: Observation/er refers to Patient/123",
        f"{name} {where.format(n(2))}: Observation/her2 refers to Patient/456",
        f"{name} {where.format(n(1))}: Observation/pr refers to Patient/123",
    ]
    assert not CaseFact.objects.filter(case=world.case).exists()
    assert AuditEvent.objects.filter(action="fhir.import").latest("pk").outcome == "failed"


def test_after_an_earlier_match_another_patients_resources_are_skipped(world, coordinator_actor):
    _import(coordinator_actor, world.case, [b.patient(world.member, "p1"), b.condition("c1")])
    resources = [
        b.observation("er", "16112-5", pid="p1", **b.positive()),
        b.observation("her2", "48676-1", pid="p9", **b.negative()),
        b.observation("pr", "16113-3", pid="p9", **b.negative()),
    ]
    report = _import(coordinator_actor, world.case, resources)
    assert report["patients"] == ["Patient/p1"]
    assert report["imported"] == {"Observation": 1}
    assert report["skipped"] == [
        {
            "reason": "refers to Patient/p9, another patient: the member is Patient/p1 "
            "(matched by an earlier import of this case), and this input holds no Patient "
            "resource",
            "count": 2,
            "examples": ["Observation/her2", "Observation/pr"],
        }
    ]
    assert set(CaseFact.objects.filter(case=world.case).values_list("name", flat=True)) == {
        "cancer_type",
        "ER",
    }


def test_only_another_patient_than_the_earlier_match_is_refused(world, coordinator_actor):
    _import(coordinator_actor, world.case, [b.patient(world.member, "p1"), b.condition("c1")])
    stray = [b.observation("er", "16112-5", pid="p9", **b.positive())]
    with pytest.raises(RuleError) as refused:
        _import(coordinator_actor, world.case, stray, "er.json")
    assert refused.value.message == (
        "er.json holds no Patient resource and refers to Patient/p9, but earlier FHIR "
        "imports of this case matched the member to Patient/p1: nothing was imported. "
        "Include the member's Patient so the records can be matched by name and birth date"
    )
    assert refused.value.reasons == ("er.json entry[0]: Observation/er refers to Patient/p9",)
    assert not CaseFact.objects.filter(case=world.case, name="ER").exists()


def test_no_patient_anywhere_is_refused(world, coordinator_actor):
    er = b.observation("er", "16112-5", **b.positive())
    del er["subject"]
    with pytest.raises(RuleError, match="none of its resources says whose record it is"):
        _import(coordinator_actor, world.case, [er])
    assert not CaseFact.objects.filter(case=world.case).exists()


def test_every_patient_shows_among_the_first_reasons():
    member = Person("Maria", "Lopez", date(1968, 4, 12))
    many = [b.observation(f"o{i}", "16112-5", pid="123", **b.positive()) for i in range(30)]
    odd = b.observation("x", "16112-5", pid="456", **b.positive())
    source = open_bytes(json.dumps(b.bundle([*many, odd])).encode(), "labs.json")
    with pytest.raises(PatientMismatch) as refused:
        Importer(source, member).prepare()
    reasons = refused.value.reasons
    assert len(reasons) == MAX_REASONS + 1
    assert reasons[1] == "labs.json entry[30]: Observation/x refers to Patient/456"
    assert reasons[-1] == f"and {31 - MAX_REASONS} more resources"


def test_the_command_says_how_the_records_were_tied_to_the_member(world, tmp_path):
    path = tmp_path / "labs.ndjson"
    path.write_text(json.dumps(b.observation("er", "16112-5", pid="123", **b.positive())) + "\n")
    out = StringIO()
    call_command("fhir", "import", str(path), "--case", str(world.case.pk), stdout=out)
    assert (
        "tied to the member by the case chosen: labs.ndjson holds no Patient resource, and "
        "every resource in it refers to Patient/123"
    ) in out.getvalue()
