"""PSA values from two uploaded records of different dates show on the case summary as
one series (date, value with unit, elevated flag, a link to the sentence), with no
conflict badge; each value is confirmed on its own; the clinical timeline shows them as
lab events; the API gives the series beside the summary's answer. Two different values
of the same date are flagged."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from consilium.apps.preparation import services
from consilium.apps.preparation.facts import merged_facts
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.services import add_document
from tests import factories as f
from tests.api.conftest import API

JANUARY = (
    "LABORATORY REPORT\nCollected: 2024-01-10\nPSA, total 8.1 ng/mL (reference range 0.0-4.0).\n"
)
JUNE = (
    "UROLOGY FOLLOW-UP NOTE\n"
    "Date of visit: 2024-06-02\n"
    "Seen after radical prostatectomy. PSA 0.2 ng/mL, normal.\n"
)


@pytest.fixture
def prostate_case(world):
    world.case.cancer_type_code = "PRAD"
    world.case.cancer_type_label = "Prostate Adenocarcinoma"
    world.case.save()
    return world.case


def _upload(world, case, text, name):
    return add_document(
        f.actor(world.coordinator), case, data=text.encode(), filename=name, kind="clinical_note"
    )


@pytest.fixture
def two_psa_values(world, prostate_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the uploads' background runs
        jan = _upload(world, prostate_case, JANUARY, "lab.txt")
        jun = _upload(world, prostate_case, JUNE, "note.txt")
    return jan, jun


def _page(client, world, case) -> str:
    client.force_login(world.coordinator)
    response = client.get(reverse("preparation:summary", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _psa_section(body: str) -> str:
    start = body.index('id="fact-psa"')
    return body[start : body.index("</article>", start)]


def test_values_of_two_dates_are_one_series_on_the_summary_without_a_conflict(
    world, prostate_case, two_psa_values, client
):
    jan_doc, jun_doc = two_psa_values
    jan = CaseFact.objects.get(case=prostate_case, name="PSA", document=jan_doc)
    jun = CaseFact.objects.get(case=prostate_case, name="PSA", document=jun_doc)
    assert (jan.value, jun.value) == ("8.1 ng/mL", "0.2 ng/mL")
    assert (jan_doc.record_date, jun_doc.record_date) == (date(2024, 1, 10), date(2024, 6, 2))

    prep = services.prepare(prostate_case)
    merged = prep.summary.get("PSA")
    assert merged.value == "0.2 ng/mL" and not merged.conflict
    assert [(p.on, p.value, p.elevated) for p in merged.series] == [
        (date(2024, 6, 2), "0.2 ng/mL", False),
        (date(2024, 1, 10), "8.1 ng/mL", True),
    ]
    # Decision support reads the summary's answer: the latest value comes first.
    first = next(x for x in merged_facts(prostate_case) if x["name"] == "PSA")
    assert first["id"] == jun.pk
    psa_item = next(r for r in prep.checklist.items if r.item.key == "psa")
    assert psa_item.state == "met" and psa_item.fact_id == jun.pk

    body = _page(client, world, prostate_case)
    section = _psa_section(body)
    assert "Conflict between records" not in section and "has-conflict" not in section
    assert "conflict" not in body.split("</h1>", 1)[1].split('<div class="columns')[0]
    rows = section.split('<tr class="series-point')[1:]
    assert len(rows) == 2
    assert "Jun 2, 2024" in rows[0] and "0.2 ng/mL" in rows[0] and "Not elevated" in rows[0]
    assert "Answers the summary" in rows[0]
    assert "Jan 10, 2024" in rows[1] and "8.1 ng/mL" in rows[1] and "Elevated" in rows[1]
    assert "(date of the record; the value's sentence gives none)" in rows[1]
    assert 'title="Date of the record"' in rows[1]
    # The source links open the record with the value and its sentence marked.
    viewer = reverse("records:view", args=[prostate_case.pk, jan_doc.pk])
    assert f'href="{viewer}?hl={jan.start}-{jan.end}&amp;s=' in rows[1]
    assert f'href="#fact-row-{jan.pk}"' in rows[1]
    # The clinical timeline shows both as lab events.
    timeline = body[body.index('id="clinical-timeline"') :]
    assert "PSA 8.1 ng/mL (elevated)" in timeline
    assert "PSA 0.2 ng/mL (not elevated)" in timeline


def test_each_value_is_confirmed_on_its_own_and_the_latest_still_answers(
    world, prostate_case, two_psa_values, client
):
    jan_doc, _ = two_psa_values
    jan = CaseFact.objects.get(case=prostate_case, name="PSA", document=jan_doc)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("preparation:review", args=[prostate_case.pk, jan.pk]), {"action": "confirm"}
    )
    assert response.status_code == 302
    jan.refresh_from_db()
    assert jan.review_status == CaseFact.Review.CONFIRMED

    merged = services.prepare(prostate_case).summary.get("PSA")
    assert merged.value == "0.2 ng/mL" and not merged.conflict
    assert merged.series[1].best.by_person and not merged.series[0].best.by_person
    rows = _psa_section(_page(client, world, prostate_case)).split('<tr class="series-point')[1:]
    assert "Confirmed" in rows[1] and "Proposed" in rows[0]


def test_two_values_of_the_same_date_are_flagged_on_that_date(
    world, prostate_case, two_psa_values, client, django_capture_on_commit_callbacks
):
    other = "OUTSIDE LAB\nCollected: 2024-06-02\nPSA 0.9 ng/mL.\n"
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, prostate_case, other, "outside.txt")
    merged = services.prepare(prostate_case).summary.get("PSA")
    assert merged.conflict and not merged.resolved
    assert [(p.on, p.conflict) for p in merged.series] == [
        (date(2024, 6, 2), True),
        (date(2024, 6, 2), True),
        (date(2024, 1, 10), False),
    ]
    section = _psa_section(_page(client, world, prostate_case))
    assert "Conflict between records" in section
    rows = section.split('<tr class="series-point')[1:]
    assert ["Another value on this date" in r for r in rows] == [True, True, False]


def test_the_api_gives_the_series_beside_the_answer(world, prostate_case, two_psa_values, as_user):
    jan_doc, jun_doc = two_psa_values
    response = as_user(world.expert.user).get(f"{API}/cases/{prostate_case.pk}/facts")
    assert response.status_code == 200, response.content
    body = response.json()
    psa = next(m for m in body["summary"] if m["name"] == "PSA")
    assert psa["value"] == "0.2 ng/mL" and psa["conflict"] is False
    assert "PSA" not in body["conflicts"]
    ids = {x["provenance"]["document_id"]: x["id"] for x in body["facts"] if x["name"] == "PSA"}
    assert psa["series"] == [
        {
            "taken_on": "2024-06-02",
            "dated_by": "record",
            "value": "0.2 ng/mL",
            "number": 0.2,
            "comparator": None,
            "unit": "ng/mL",
            "elevated": False,
            "conflict": False,
            "placeholder": False,
            "chosen": True,
            "fact_ids": [ids[jun_doc.pk]],
            "document_ids": [jun_doc.pk],
        },
        {
            "taken_on": "2024-01-10",
            "dated_by": "record",
            "value": "8.1 ng/mL",
            "number": 8.1,
            "comparator": None,
            "unit": "ng/mL",
            "elevated": True,
            "conflict": False,
            "placeholder": False,
            "chosen": False,
            "fact_ids": [ids[jan_doc.pk]],
            "document_ids": [jan_doc.pk],
        },
    ]
    # Other facts keep their shape, with an empty series.
    assert all(m["series"] == [] for m in body["summary"] if m["name"] != "PSA")
