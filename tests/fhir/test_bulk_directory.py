"""A Bulk Data export (a directory of NDJSON files) holds many patients: only the
member's resources are imported, the others are counted as skipped with the reason."""

from __future__ import annotations

import json
from datetime import date

import pytest

from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.engines.fhir import open_path
from tests import factories
from tests.conftest import SHARED_DATA
from tests.fhir import builders as b

SYNTHEA = SHARED_DATA / "fhir" / "synthea-bulk-10"


def test_generated_bulk_directory(world, coordinator_actor, tmp_path):
    export = tmp_path / "export"
    mine = b.breast_case_resources(world.member, pid="p1")
    theirs = [
        b.stranger("p2"),
        b.condition("c2", pid="p2"),
        b.observation("er2", "16112-5", pid="p2", **b.negative()),
        b.medication_request("m2", pid="p2"),
    ]
    b.write_ndjson(export, mine + theirs)
    # The export's log and a licence file are not resources: reported, not read.
    (export / "log.ndjson").write_text(json.dumps({"eventId": "kickoff"}) + "\n")
    (export / "LICENSE").write_text("CC0\n")
    seen = []
    source = open_path(export)
    report = import_fhir(coordinator_actor, world.case, source, progress=seen.append)
    assert report["patients"] == ["Patient/p1"]
    assert report["imported_total"] == len(mine)
    assert report["total"] == len(mine) + len(theirs) == len(seen)
    skipped = {s["reason"]: s["count"] for s in report["skipped"]}
    assert skipped["belongs to another patient than the member"] == 3
    assert skipped["Patient: another person than the member"] == 1
    assert skipped["file not read: not an NDJSON file"] == 1
    assert any(r.startswith("file not read: not FHIR resources") for r in skipped)
    assert report["errors"] == []
    values = {(f.name, f.value) for f in CaseFact.objects.filter(case=world.case)}
    assert ("ER", "positive") in values and ("ER", "negative") not in values
    assert CaseFact.objects.filter(case=world.case, fhir_reference="Observation/er2").count() == 0


def test_ndjson_is_streamed_not_loaded(tmp_path, world):
    """Lines are read one at a time: an NDJSON file with a broken line still yields the
    lines after it, each with its line number."""
    path = tmp_path / "Observation.000.ndjson"
    good = b.observation("o1", "16112-5", **b.positive())
    path.write_text(json.dumps(good) + "\n{broken\n\n" + json.dumps(good | {"id": "o2"}) + "\n")
    entries = list(open_path(path).entries())
    assert [e.where for e in entries] == [
        "Observation.000.ndjson line 1",
        "Observation.000.ndjson line 2",
        "Observation.000.ndjson line 4",
    ]
    assert entries[1].problem.startswith("not valid JSON")


@pytest.mark.skipif(not SYNTHEA.is_dir(), reason=f"shared Synthea export not found at {SYNTHEA}")
def test_synthea_bulk_export(db, tmp_path):
    prog = factories.program()
    coordinator = factories.user("coordinator", prog)
    member = factories.member(prog, date_of_birth=date(1927, 5, 21))
    # Synthea appends digits to names ("Sumiko254 Medhurst46"); the member has none.
    member.first_name, member.last_name = "Sumiko", "Medhurst"
    member.save()
    case = factories.case(prog, mem=member, cancer_type_code="", cancer_type_label="")
    report = import_fhir(factories.actor(coordinator), case, open_path(SYNTHEA))

    assert report["patients"] == ["Patient/129c6ac7-8d06-89de-ad63-0204a93e76c3"]
    assert report["errors"] == []
    # Every line of every resource file is accounted for.
    lines = sum(
        1
        for f in SYNTHEA.glob("*.ndjson")
        if f.name != "log.ndjson"
        for line in f.read_text().splitlines()
        if line.strip()
    )
    assert report["total"] == lines
    assert report["imported_total"] + report["skipped_total"] - 2 == lines  # 2 files skipped
    skipped = {s["reason"]: s["count"] for s in report["skipped"]}
    assert skipped["Patient: another person than the member"] == 12
    assert skipped["belongs to another patient than the member"] > 1000
    assert skipped["Encounter resources are not imported"] == 1215

    facts = CaseFact.objects.filter(case=case)
    cancers = set(facts.filter(name="cancer_type").values_list("value", flat=True))
    assert cancers == {"NSCLC", "BREAST"}
    assert facts.filter(name="stage_group", value="I").exists()
    drugs = set(facts.filter(name="treatment").values_list("value", flat=True))
    assert {"paclitaxel", "cisplatin"} <= drugs
    chemo = facts.filter(name="treatment", value="paclitaxel").first()
    assert chemo.detail["class"] == "chemotherapy" and chemo.detail["recognized_by"] == "code"
    # The clinical notes (base64 text/plain DocumentReferences) became records.
    assert report["documents"]["created"] == 90
    assert Document.objects.filter(case=case, kind="clinical_note").count() == 90
