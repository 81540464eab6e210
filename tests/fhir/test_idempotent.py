"""Importing the same resources again adds nothing; a changed resource updates its
still-proposed facts and leaves reviewed ones alone."""

from __future__ import annotations

import json

from consilium.apps.cases.models import TimelineEvent
from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.engines.fhir import open_bytes
from tests.fhir import builders as b


def _import(actor, case, resources, name="x.json"):
    return import_fhir(actor, case, open_bytes(json.dumps(b.bundle(resources)).encode(), name))


def test_reimport_adds_nothing(world, coordinator_actor):
    resources = b.breast_case_resources(world.member)
    first = _import(coordinator_actor, world.case, resources)
    facts = CaseFact.objects.filter(case=world.case).count()
    records = Document.objects.filter(case=world.case).count()
    events = TimelineEvent.objects.filter(case=world.case).count()
    second = _import(coordinator_actor, world.case, resources)
    assert CaseFact.objects.filter(case=world.case).count() == facts == first["facts"]["created"]
    assert Document.objects.filter(case=world.case).count() == records == 1
    assert second["facts"] == {"created": 0, "updated": 0, "unchanged": facts}
    assert second["documents"] == {"created": 0, "unchanged": 1}
    # A re-import that changed nothing adds no line to the case timeline.
    assert TimelineEvent.objects.filter(case=world.case).count() == events


def test_changed_resource_updates_proposed_fact_keeps_reviewed(world, coordinator_actor):
    resources = [
        b.patient(world.member),
        b.observation("er", "16112-5", **b.positive()),
        b.observation("pr", "16113-3", **b.positive()),
    ]
    _import(coordinator_actor, world.case, resources)
    pr = CaseFact.objects.get(case=world.case, name="PR")
    pr.review_status = CaseFact.Review.CONFIRMED
    pr.save()
    resources[1] = b.observation("er", "16112-5", **b.negative())
    resources[2] = b.observation("pr", "16113-3", **b.negative())
    report = _import(coordinator_actor, world.case, resources)
    assert report["facts"] == {"created": 0, "updated": 1, "unchanged": 0, "kept as reviewed": 1}
    assert CaseFact.objects.get(case=world.case, name="ER").value == "negative"
    assert CaseFact.objects.get(case=world.case, name="PR").value == "positive"


def test_a_resource_known_by_a_long_full_url_is_recognized_again(world, coordinator_actor):
    # No id: the resource is known by its entry's fullUrl, longer than the fact's column.
    er = b.observation("er", "16112-5", **b.positive())
    del er["id"]
    long_url = "https://ehr.example.org/fhir/" + "a" * 200 + "/Observation/"
    bundle = b.bundle([b.patient(world.member)])
    bundle["entry"] += [
        {"fullUrl": long_url + "1", "resource": er},
        {"fullUrl": long_url + "2", "resource": {**er, "effectiveDateTime": "2024-02-01"}},
    ]
    data = json.dumps(bundle).encode()
    first = import_fhir(coordinator_actor, world.case, open_bytes(data, "x.json"))
    second = import_fhir(coordinator_actor, world.case, open_bytes(data, "x.json"))
    assert first["facts"]["created"] == 2  # two resources sharing a long start stay apart
    assert second["facts"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert CaseFact.objects.filter(case=world.case, name="ER").count() == 2
