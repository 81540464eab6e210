"""The expert writes the opinion on its page: save a draft, sign, then add an addendum."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consilium.apps.reviews.models import Opinion
from consilium.engines.casework.lifecycle import Status
from tests import factories as f
from tests.web_staff.conftest import messages_of


def form_data(**overrides) -> dict:
    data = {
        "opinion_form": "1",
        "diagnosis_assessment": "refined",
        "diagnosis_comment": "Grade 2 confirmed; add Ki-67.",
        "treatment_assessment": "modify",
        "treatment_comment": "Decide on chemotherapy after genomic testing.",
        "discrepancy": "minor",
        "answer_0": "Yes, with added detail.",
        "answer_1": "Only if the recurrence score is high.",
        "narrative": "Full narrative for the physician.",
        "member_summary": "Your diagnosis is right.",
        "rec-0-kind": "test",
        "rec-0-text": "Oncotype DX",
        "rec-0-rationale": "ER+ HER2-",
        "rec-1-kind": "",
        "rec-1-text": "",
        "rec-1-rationale": "",
        "rec-2-kind": "therapy",
        "rec-2-text": "",
        "rec-2-rationale": "",
        "rec-3-kind": "referral",
        "rec-3-text": "Genetic counselling",
        "rec-3-rationale": "",
        "rec-4-kind": "",
        "rec-4-text": "",
        "rec-4-rationale": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def expert(world, as_user):
    f.consent(world.case)
    f.pathology(world.case)
    return as_user(world.expert.user)


def test_the_form_sits_beside_the_records(world, expert):
    response = expert.get(reverse("reviews:opinion", args=[world.case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="columns opinion-page"' in html
    doc = world.case.documents.get()
    assert "path.txt" in html
    assert reverse("records:view", args=[world.case.pk, doc.pk]) in html
    assert html.count('class="rec-row"') == 5
    assert "Is the diagnosis right?" in html  # one answer box per case question
    assert "I have reviewed the records and sign this opinion" in html


def test_save_draft_ignores_blank_rows(world, expert):
    response = expert.post(reverse("reviews:opinion", args=[world.case.pk]), form_data())
    assert response.status_code == 302
    opinion = Opinion.objects.get(case=world.case)
    assert not opinion.is_signed
    assert [(r.kind, r.text) for r in opinion.recommendations.all()] == [
        ("test", "Oncotype DX"),
        ("referral", "Genetic counselling"),
    ]
    assert opinion.answers[1] == {
        "question": "Is chemotherapy needed?",
        "answer": "Only if the recurrence score is high.",
    }
    # Saved values come back in the form, with two blank rows to add to (still at least 5).
    html = expert.get(reverse("reviews:opinion", args=[world.case.pk])).content.decode()
    assert "Oncotype DX" in html and html.count('class="rec-row"') == 5


def test_a_row_without_a_kind_is_explained_and_nothing_saved(world, expert):
    response = expert.post(
        reverse("reviews:opinion", args=[world.case.pk]),
        form_data(**{"rec-1-text": "Radiotherapy"}),
    )
    assert response.status_code == 400
    assert "Choose what kind of recommendation this is." in response.content.decode()
    assert not Opinion.objects.filter(case=world.case).exists()


def test_add_row_returns_a_blank_row_and_moves_the_button(world, expert):
    response = expert.get(
        reverse("reviews:opinion", args=[world.case.pk]), {"row": "7"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'name="rec-7-text"' in html
    assert 'hx-swap-oob="true"' in html and "?row=8" in html


def test_signing_needs_the_confirmation(world, expert):
    response = expert.post(reverse("reviews:sign", args=[world.case.pk]), form_data())
    assert response.status_code == 400
    assert "to sign" in response.content.decode()
    assert not Opinion.objects.filter(case=world.case, signed_at__isnull=False).exists()
    world.case.refresh_from_db()
    assert world.case.status == Status.IN_REVIEW


def test_an_incomplete_opinion_is_not_signed(world, expert):
    response = expert.post(
        reverse("reviews:sign", args=[world.case.pk]),
        form_data(discrepancy="", confirm="on"),
        follow=True,
    )
    opinion = Opinion.objects.get(case=world.case)  # the draft is kept
    assert not opinion.is_signed
    assert any("the opinion needs a diagnosis assessment" in m for m in messages_of(response))


def test_save_sign_and_addendum(world, expert):
    url = reverse("reviews:opinion", args=[world.case.pk])
    expert.post(url, form_data())
    response = expert.post(
        reverse("reviews:sign", args=[world.case.pk]), form_data(confirm="on"), follow=True
    )
    opinion = Opinion.objects.get(case=world.case)
    assert opinion.is_signed and opinion.signed_by == world.expert.user
    world.case.refresh_from_db()
    assert world.case.status == Status.OPINION_SIGNED
    assert world.case.reports.count() == 2
    html = response.content.decode()
    assert "Opinion signed." in html
    assert 'name="opinion_form"' not in html  # read-only now
    assert "Diagnosis refined" in html and "Add an addendum" in html

    # saving again is refused by the service, the signed opinion is untouched
    response = expert.post(url, form_data(narrative="changed"))
    assert response.status_code in (400, 403)
    assert Opinion.objects.get(case=world.case).narrative == "Full narrative for the physician."

    response = expert.post(
        reverse("reviews:addendum", args=[world.case.pk]),
        {"text": "Ki-67 came back at 12%."},
        follow=True,
    )
    assert opinion.addenda.get().text == "Ki-67 came back at 12%."
    assert "Ki-67 came back at 12%." in world.case.reports.get(kind="physician").html
    assert "Addendum added" in response.content.decode()


def test_empty_addendum_is_refused(world, expert):
    expert.post(reverse("reviews:sign", args=[world.case.pk]), form_data(confirm="on"))
    response = expert.post(reverse("reviews:addendum", args=[world.case.pk]), {"text": " "})
    assert response.status_code == 400
    assert "The addendum is empty." in response.content.decode()


def test_coordinator_reads_but_cannot_write(world, as_user):
    client = as_user(world.coordinator)
    assert client.get(reverse("reviews:opinion", args=[world.case.pk])).status_code == 200
    response = client.post(reverse("reviews:opinion", args=[world.case.pk]), form_data())
    assert response.status_code == 403
    assert not Opinion.objects.filter(case=world.case).exists()


def test_workspace_groups_the_experts_cases(world, as_user):
    ready = f.ready_case(world.program, exp=world.expert)
    ready.status = Status.READY_FOR_REVIEW.value
    ready.save()
    f.case(world.other_program, exp=f.expert(), status=Status.READY_FOR_REVIEW)
    response = as_user(world.expert.user).get(reverse("reviews:workspace"))
    assert [c.pk for c in response.context["to_start"]] == [ready.pk]
    assert [c.pk for c in response.context["in_review"]] == [world.case.pk]
    html = response.content.decode()
    assert "Start review" in html and reverse("reviews:opinion", args=[ready.pk]) in html


def test_start_review_from_the_workspace_goes_to_the_opinion(world, as_user):
    ready = f.ready_case(world.program, exp=world.expert)
    ready.status = Status.READY_FOR_REVIEW.value
    ready.save()
    response = as_user(world.expert.user).post(
        reverse("cases:transition", args=[ready.pk]),
        {"name": "start_review", "next": reverse("reviews:opinion", args=[ready.pk])},
    )
    assert response.url == reverse("reviews:opinion", args=[ready.pk])
    ready.refresh_from_db()
    assert ready.status == Status.IN_REVIEW
