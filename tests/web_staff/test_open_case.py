"""A coordinator opens a case for a member of their program."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case
from tests import factories as f


def test_open_a_proactive_case(world, as_user):
    client = as_user(world.coordinator)
    assert client.get(reverse("cases:open")).status_code == 200
    response = client.post(
        reverse("cases:open"),
        {
            "member_number": world.member.member_number.lower(),
            "origin": "proactive",
            "cancer_type_code": "LUAD",
            "questions": "Is immunotherapy right?\nShould EGFR be tested?\n",
            "clinical_summary": "Stage III lung adenocarcinoma from claims.",
            "physician": world.physician.pk,
            "urgent": "on",
        },
    )
    case = Case.objects.exclude(pk__in=[world.case.pk, world.other_case.pk]).get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert case.member == world.member and case.origin == "proactive" and case.urgent
    assert case.questions == ["Is immunotherapy right?", "Should EGFR be tested?"]
    assert case.cancer_type_label == "Lung Adenocarcinoma"
    assert case.physician == world.physician


def test_a_member_of_another_program_is_not_found(world, as_user):
    response = as_user(world.coordinator).post(
        reverse("cases:open"),
        {"member_number": world.other_member.member_number, "origin": "proactive"},
    )
    assert response.status_code == 400
    assert "No member with number" in response.content.decode()
    assert (
        not Case.objects.filter(member=world.other_member).exclude(pk=world.other_case.pk).exists()
    )


def test_member_search_is_audited_and_scoped(world, as_user):
    client = as_user(world.coordinator)
    response = client.get(reverse("cases:open"), {"find": "Lopez"})
    html = response.content.decode()
    assert world.member.member_number in html
    assert world.other_member.member_number not in html
    assert AuditEvent.objects.filter(action="member.lookup", actor_id=world.coordinator.pk).exists()
    partial = client.get(
        reverse("cases:open"), {"find": world.member.member_number}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode()
    assert world.member.full_name in partial.content.decode()


def test_choosing_a_match_prefills_the_member(world, as_user):
    response = as_user(world.coordinator).get(
        reverse("cases:open"), {"member_number": world.member.member_number}
    )
    assert f"<strong>{world.member.full_name}</strong>" in response.content.decode()


def test_other_roles_cannot_open_here(world, as_user):
    response = as_user(world.member.user).get(reverse("cases:open"))
    assert response.status_code == 302
    f.member(world.program)  # nothing else to check: no case was made
    assert Case.objects.count() == 2
