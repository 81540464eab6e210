"""A serum tumour marker written in an uploaded record becomes a case fact after the
background abstraction: shown among the tumour markers with its value and sentence, and
satisfying the checklist item that asks for it (CEA for colorectal cancer)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consilium.apps.preparation import services
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.services import add_document
from tests import factories as f

NOTE = (
    "ONCOLOGY CLINIC NOTE\n"
    "Sigmoid colon adenocarcinoma, referred after resection.\n"
    "Preoperative CEA 8.1 ng/mL on 2025-01-06 (normal <3.0). Staging CT showed no metastases.\n"
)


@pytest.fixture
def colorectal_case(world):
    world.case.cancer_type_code = "COAD"
    world.case.cancer_type_label = "Colon Adenocarcinoma"
    world.case.save()
    return world.case


def _upload(world, case, text, kind="clinical_note"):
    return add_document(
        f.actor(world.coordinator), case, data=text.encode(), filename="note.txt", kind=kind
    )


def _cea_item(prep):
    return next(r for r in prep.checklist.items if r.item.key == "cea")


def test_an_uploaded_cea_value_is_a_fact_on_the_summary_and_meets_the_checklist(
    world, colorectal_case, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the upload's background run
        doc = _upload(world, colorectal_case, NOTE)

    fact = CaseFact.objects.get(case=colorectal_case, name="CEA")
    assert fact.document_id == doc.pk and fact.source == CaseFact.Source.TEXT
    assert fact.value == "8.1 ng/mL"
    assert fact.detail == {
        "value": 8.1,
        "unit": "ng/mL",
        "comparator": None,
        "date": "2025-01-06",
        "elevated": True,
    }
    assert doc.text[fact.start : fact.end] == "8.1 ng/mL"
    assert fact.sentence == "Preoperative CEA 8.1 ng/mL on 2025-01-06 (normal <3.0)."

    prep = services.prepare(colorectal_case)
    merged = prep.summary.get("CEA")
    assert merged.group == "labs" and merged.value == "8.1 ng/mL"
    assert prep.checklist.checklist.key == "colorectal"
    item = _cea_item(prep)
    # Met by the fact itself, not by the pattern fallback over the record's text.
    assert item.state == "met" and item.fact_id == fact.pk
    assert item.met_by.startswith("CEA: 8.1 ng/mL")

    client.force_login(world.coordinator)
    body = client.get(reverse("preparation:summary", args=[colorectal_case.pk])).content.decode()
    assert "Tumour markers and labs" in body
    assert "8.1 ng/mL (2025-01-06, elevated)" in body
    assert "Preoperative CEA <mark>8.1 ng/mL</mark> on 2025-01-06" in body


def test_a_cea_stain_on_tissue_is_no_cea_fact(
    world, colorectal_case, django_capture_on_commit_callbacks
):
    report = (
        "SURGICAL PATHOLOGY REPORT\n"
        "Diagnosis: Colon, sigmoid: adenocarcinoma.\n"
        "Immunohistochemistry: tumor cells are positive for CK20, CDX2 and CEA, negative "
        "for CK7.\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, colorectal_case, report, kind="pathology_report")

    assert not CaseFact.objects.filter(case=colorectal_case, name="CEA").exists()
    prep = services.prepare(colorectal_case)
    assert prep.summary.get("CEA") is None
    # No fact answers the item (the checklist's own text pattern is another matter).
    assert _cea_item(prep).fact_id is None


def test_one_value_written_with_and_without_its_unit_is_no_conflict():
    from consilium.engines.abstraction.merge import FactRecord, merge

    def cea(i, value):
        return FactRecord(id=i, name="CEA", value=value, document_id=i)

    same = merge([cea(1, "5.0"), cea(2, "5 ng/mL")]).get("CEA")
    assert not same.conflict and len(same.values) == 1
    other = merge([cea(1, "4.2 ng/mL"), cea(2, "5.1 ng/mL")]).get("CEA")
    assert other.conflict
    assert merge([cea(1, "<0.1 ng/mL"), cea(2, "0.1 ng/mL")]).get("CEA").conflict
