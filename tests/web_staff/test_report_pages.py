"""Reports as HTML and PDF for those allowed, and follow-up questions after delivery."""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from consilium.apps.access.models import AuditEvent
from consilium.apps.reports.models import FollowUpQuestion
from consilium.engines.casework.lifecycle import Status
from tests.web_staff.conftest import messages_of, signed_case


def test_physician_report_html_inside_the_bar(world, as_user):
    case = signed_case(world)
    response = as_user(world.coordinator).get(reverse("reports:view", args=[case.pk, "physician"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert html.count("<body") == 1
    assert 'class="report-bar"' in html
    assert reverse("reports:pdf", args=[case.pk, "physician"]) in html
    assert "Oncotype DX recurrence score" in html
    assert AuditEvent.objects.filter(
        action="report.physician.view", case_id=case.pk, outcome="allowed"
    ).exists()


def test_physician_report_pdf(world, as_user):
    case = signed_case(world)
    response = as_user(world.expert.user).get(reverse("reports:pdf", args=[case.pk, "physician"]))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{case.reference}-expert-report.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert world.member.full_name in text
    assert "Diagnosis refined" in text
    assert "Oncotype DX recurrence score" in text


def test_unknown_kind_is_404(world, as_user):
    case = signed_case(world)
    client = as_user(world.coordinator)
    assert client.get(reverse("reports:view", args=[case.pk, "secret"])).status_code == 404
    assert client.get(reverse("reports:pdf", args=[case.pk, "secret"])).status_code == 404


def test_member_waits_for_delivery(world, as_user):
    case = signed_case(world)
    client = as_user(world.member.user)
    response = client.get(reverse("reports:view", args=[case.pk, "member"]), follow=True)
    assert "The report is not available yet" in messages_of(response)
    assert client.get(reverse("reports:view", args=[case.pk, "physician"])).status_code == 403


def test_member_reads_the_delivered_summary(world, as_user):
    case = signed_case(world, deliver=True)
    client = as_user(world.member.user)
    response = client.get(reverse("reports:view", args=[case.pk, "member"]))
    assert "Your expert review summary" in response.content.decode()
    pdf = client.get(reverse("reports:pdf", args=[case.pk, "member"]))
    assert pdf.content.startswith(b"%PDF")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("reports:view", args=[case.pk, "member"]) in page
    assert "You can ask 3 more questions" in page


def test_member_asks_and_expert_answers(world, as_user):
    case = signed_case(world, deliver=True)
    member = as_user(world.member.user)
    response = member.post(
        reverse("reports:ask", args=[case.pk]), {"text": "Should I wait for the test?"}, follow=True
    )
    assert any("Your question was sent" in m for m in messages_of(response))
    assert "You can ask 2 more questions" in response.content.decode()
    question = FollowUpQuestion.objects.get(case=case)

    expert = as_user(world.expert.user)
    page = expert.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("reports:answer", args=[case.pk, question.pk]) in page
    expert.post(
        reverse("reports:answer", args=[case.pk, question.pk]),
        {"answer": "Yes, it takes two weeks."},
    )
    question.refresh_from_db()
    assert question.is_answered and question.answer == "Yes, it takes two weeks."


def test_the_question_limit_is_shown_and_enforced(world, as_user):
    case = signed_case(world, deliver=True)
    member = as_user(world.member.user)
    for n in range(settings.FOLLOWUP_QUESTION_LIMIT):
        member.post(reverse("reports:ask", args=[case.pk]), {"text": f"Question {n}?"})
    response = member.post(
        reverse("reports:ask", args=[case.pk]), {"text": "One more?"}, follow=True
    )
    assert FollowUpQuestion.objects.filter(case=case).count() == settings.FOLLOWUP_QUESTION_LIMIT
    assert any("follow-up questions this case allows" in m for m in messages_of(response))
    assert "You have asked the 3 questions" in response.content.decode()


def test_asking_before_delivery_is_refused(world, as_user):
    case = signed_case(world)
    assert case.status == Status.OPINION_SIGNED
    response = as_user(world.member.user).post(
        reverse("reports:ask", args=[case.pk]), {"text": "Already?"}, follow=True
    )
    assert not FollowUpQuestion.objects.filter(case=case).exists()
    assert any("once the report is delivered" in m for m in messages_of(response))


def test_only_the_assigned_expert_answers(world, as_user):
    case = signed_case(world, deliver=True)
    as_user(world.member.user).post(reverse("reports:ask", args=[case.pk]), {"text": "Q?"})
    question = FollowUpQuestion.objects.get(case=case)
    response = as_user(world.coordinator).post(
        reverse("reports:answer", args=[case.pk, question.pk]), {"answer": "Not mine"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.is_answered
