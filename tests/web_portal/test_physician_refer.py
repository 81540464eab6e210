"""A physician refers a patient found by member number and date of birth."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case
from tests import factories as f


def _referral(member, **changes):
    data = {
        "member_number": member.member_number,
        "date_of_birth": member.date_of_birth.isoformat(),
        "cancer_type": "LUAD",
        "question_1": "Is osimertinib the right first-line choice?",
        "clinical_summary": "Stage IV EGFR exon 19 deletion.",
        "urgent": "on",
    }
    data.update(changes)
    return data


def test_referral_for_a_found_member_opens_the_case(client, world):
    patient = f.member(world.program, with_login=False)
    client.force_login(world.physician.user)
    pathology = SimpleUploadedFile("path.txt", f.PATHOLOGY_TEXT.encode(), "text/plain")

    response = client.post(reverse("physician:refer"), _referral(patient, pathology=pathology))

    case = Case.objects.get(member=patient)
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert case.origin == Case.Origin.PHYSICIAN_REFERRAL
    assert case.physician == world.physician
    assert case.requested_by == world.physician.user
    assert case.cancer_type_code == "LUAD"
    assert case.urgent
    assert case.documents.get().kind == "pathology_report"
    assert AuditEvent.objects.filter(
        case_id=case.pk, action="case.refer", outcome="allowed"
    ).exists()
    assert AuditEvent.objects.filter(action="member.lookup", object_id=str(patient.pk)).exists()


def test_unknown_member_is_refused_clearly(client, world):
    patient = f.member(world.program, with_login=False)
    client.force_login(world.physician.user)
    cases_before = Case.objects.count()

    wrong_birthday = _referral(patient, date_of_birth=date(1970, 1, 1).isoformat())
    response = client.post(reverse("physician:refer"), wrong_birthday)

    assert response.status_code == 200
    assert "No member with that number and date of birth" in response.content.decode()
    assert Case.objects.count() == cases_before
    assert AuditEvent.objects.filter(action="member.lookup", detail__contains="no match").exists()


def test_referral_needs_a_question(client, world):
    patient = f.member(world.program, with_login=False)
    client.force_login(world.physician.user)

    response = client.post(reverse("physician:refer"), _referral(patient, question_1=""))

    assert response.status_code == 200
    assert not Case.objects.filter(member=patient).exists()


def test_members_cannot_refer(client, world):
    client.force_login(world.member.user)
    assert client.get(reverse("physician:refer")).status_code == 403
