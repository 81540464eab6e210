"""A member's request opens the case, signs consent and stores the first record."""

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case, Consent
from consilium.apps.records.models import Document
from tests import factories as f


def _form(**changes):
    data = {
        "cancer_type": "IDC",
        "question_1": "Is my diagnosis right?",
        "question_2": "",
        "question_3": "Do I need chemotherapy?",
        "clinical_summary": "Lumpectomy in March; my doctor suggests chemotherapy.",
        "physician_name": "",
        "urgent": "on",
        "consent_name": "Maria Lopez",
        "consent_expert_review": "on",
        "consent_share_with_physician": "on",
        "record_kind": "pathology_report",
        "record": SimpleUploadedFile("pathology.txt", f.PATHOLOGY_TEXT.encode(), "text/plain"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_request_opens_case_with_consent_and_record(client, world):
    physician = f.physician()
    client.force_login(world.member.user)

    response = client.post(
        reverse("portal:request"), _form(physician_name=physician.name.removeprefix("Dr. "))
    )

    case = Case.objects.exclude(pk=world.case.pk).get(member=world.member)
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert case.origin == Case.Origin.MEMBER_REQUEST
    assert case.cancer_type_code == "IDC"
    assert case.questions == ["Is my diagnosis right?", "Do I need chemotherapy?"]
    assert case.urgent
    assert case.physician == physician
    assert set(case.consents.values_list("scope", flat=True)) == {
        Consent.Scope.EXPERT_REVIEW,
        Consent.Scope.SHARE_WITH_PHYSICIAN,
    }
    assert case.consents.get(scope="expert_review").method == Consent.Method.ELECTRONIC
    document = case.documents.get()
    assert document.kind == Document.Kind.PATHOLOGY
    assert "Invasive ductal carcinoma" in document.text
    actions = set(
        AuditEvent.objects.filter(case_id=case.pk, outcome="allowed").values_list(
            "action", flat=True
        )
    )
    assert {"case.request", "consent.sign", "document.upload"} <= actions


def test_unknown_physician_name_is_kept_for_the_coordinator(client, world):
    client.force_login(world.member.user)

    client.post(reverse("portal:request"), _form(physician_name="Dr. Nobody Known", record=None))

    case = Case.objects.exclude(pk=world.case.pk).get(member=world.member)
    assert case.physician is None
    assert "Nobody Known" in case.clinical_summary


def test_rejected_upload_still_opens_the_case(client, world):
    client.force_login(world.member.user)
    bogus = SimpleUploadedFile(
        "scan.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream"
    )

    response = client.post(reverse("portal:request"), _form(record=bogus), follow=False)

    case = Case.objects.exclude(pk=world.case.pk).get(member=world.member)
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert not case.documents.exists()
    assert case.consents.filter(scope="expert_review").exists()
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Your record was not added" in t for t in texts)
