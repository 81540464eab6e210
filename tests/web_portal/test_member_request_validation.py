"""A request missing its questions or the consent creates nothing and says why."""

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case, Consent
from consilium.apps.records.models import Document

VALID = {
    "cancer_type": "",
    "question_1": "Is surgery the right first step?",
    "clinical_summary": "",
    "consent_name": "Maria Lopez",
    "consent_expert_review": "on",
    "record_kind": "pathology_report",
}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"question_1": "   "}, "Please write at least one question for the expert."),
        (
            {"consent_expert_review": None},
            "The expert cannot review your case without this consent.",
        ),
        ({"consent_name": ""}, "Please type your full name to sign."),
        ({"cancer_type": "NOT_A_TYPE"}, "Select a valid choice."),
    ],
)
def test_invalid_request_creates_nothing(client, world, change, message):
    client.force_login(world.member.user)
    data = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    cases_before = Case.objects.count()

    response = client.post(reverse("portal:request"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Case.objects.count() == cases_before
    assert not Consent.objects.exists()
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action="case.request").exists()


def test_valid_request_without_a_cancer_type_is_accepted(client, world):
    client.force_login(world.member.user)

    response = client.post(reverse("portal:request"), VALID)

    assert response.status_code == 302
    case = Case.objects.exclude(pk=world.case.pk).get(member=world.member)
    assert case.cancer_type_code == ""
