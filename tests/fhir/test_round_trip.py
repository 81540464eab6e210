"""Export a case as mCODE, import the Bundle into a fresh case of the same member: the
same facts come back, and decision support sees the same patient."""

from __future__ import annotations

import json
from datetime import date

from consilium.apps.preparation.facts import current_facts, patient_profile
from consilium.apps.preparation.fhir import export_summary, import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.engines.casework.lifecycle import Status
from consilium.engines.fhir import open_bytes
from tests import factories

D = date(2024, 1, 5)
FACTS = [
    ("cancer_type", "IDC", {}, D),
    ("histology", "8500/3", {}, D),
    ("stage_group", "IIIA", {"staging": "pathologic"}, date(2024, 1, 12)),
    ("pT", "T2", {"prefix": "p"}, date(2024, 1, 12)),
    ("pN", "N2a", {"prefix": "p"}, date(2024, 1, 12)),
    ("cM", "M0", {"prefix": "c"}, date(2024, 1, 3)),
    ("ER", "positive", {}, date(2024, 1, 10)),
    ("PR", "negative", {}, date(2024, 1, 10)),
    ("HER2", "equivocal", {}, date(2024, 1, 10)),
    ("Ki-67", "20%", {"percent": "20%"}, date(2024, 1, 10)),
    ("TMB", "12 mut/Mb", {"value": "12", "unit": "mut/Mb"}, None),
    ("MSI", "MSS", {}, None),
    ("PIK3CA", "positive", {"variant": "H1047R", "alteration": "mutation"}, None),
    ("BRCA1", "negative", {}, None),
    ("ecog", "1", {}, date(2024, 1, 15)),
    ("metastatic", "true", {}, date(2024, 2, 1)),
    ("treatment", "lumpectomy", {"class": "surgery", "date": "2024-01-20"}, None),
    ("treatment", "doxorubicin", {"class": "chemotherapy", "date": "2024-02-10"}, None),
    ("treatment", "trastuzumab", {"class": "targeted_therapy", "date": "2024-03-01"}, None),
    ("treatment", "tamoxifen", {"class": "hormone_therapy", "date": None}, None),
    ("treatment", "radiation therapy", {"class": "radiation", "date": "2024-04-01"}, None),
]
CLASSES = {"targeted_therapy": "targeted", "hormone_therapy": "hormone"}


def _key(fact: dict) -> tuple:
    detail = fact["detail"] or {}
    extra = ()
    if fact["name"] == "treatment":
        extra = (CLASSES.get(detail.get("class"), detail.get("class")), detail.get("date"))
    elif "variant" in detail:
        extra = (detail["variant"], detail.get("alteration"))
    when = fact["effective_date"] if fact["name"] != "treatment" else None
    return (fact["name"], fact["value"], fact["assertion"], when, *extra)


def test_export_then_import_gives_the_same_facts(world, coordinator_actor):
    for name, value, detail, when in FACTS:
        CaseFact.objects.create(
            case=world.case,
            source="manual",
            name=name,
            value=value,
            detail=detail,
            effective_date=when,
            review_status="confirmed",
        )
    # A rejected fact is not part of the case and is not exported.
    CaseFact.objects.create(
        case=world.case, source="text", name="ALK", value="positive", review_status="rejected"
    )
    bundle = export_summary(coordinator_actor, world.case)

    fresh = factories.case(world.program, mem=world.member, status=Status.INTAKE)
    report = import_fhir(
        coordinator_actor, fresh, open_bytes(json.dumps(bundle).encode(), "mcode.json")
    )
    assert report["errors"] == []
    before = sorted(map(_key, current_facts(world.case)), key=repr)
    after = sorted(map(_key, current_facts(fresh)), key=repr)
    assert after == before
    assert all(f["source"] == "fhir" for f in current_facts(fresh))

    one, two = patient_profile(world.case), patient_profile(fresh)
    assert (one.cancer_type, one.stage_group, one.pT, one.pN, one.metastatic, one.ecog) == (
        two.cancer_type,
        two.stage_group,
        two.pT,
        two.pN,
        two.metastatic,
        two.ecog,
    )
    assert dict(one.biomarkers) == dict(two.biomarkers)
    assert {(t.name, t.date) for t in one.treatments} == {(t.name, t.date) for t in two.treatments}


def test_round_trip_of_an_imported_record(world, coordinator_actor):
    """A FHIR import, exported and imported again, keeps its codes and facts."""
    from tests.fhir import builders as b

    resources = b.breast_case_resources(world.member)
    data = json.dumps(b.bundle(resources)).encode()
    import_fhir(coordinator_actor, world.case, open_bytes(data, "in.json"))
    bundle = export_summary(coordinator_actor, world.case)
    condition = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
    )
    systems = {c["system"] for c in condition["code"]["coding"]}
    assert systems == {"https://oncotree.mskcc.org", "http://snomed.info/sct"}
    fresh = factories.case(world.program, mem=world.member, status=Status.INTAKE)
    import_fhir(coordinator_actor, fresh, open_bytes(json.dumps(bundle).encode(), "out.json"))
    assert sorted(map(_key, current_facts(fresh)), key=repr) == sorted(
        map(_key, current_facts(world.case)), key=repr
    )
