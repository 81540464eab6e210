"""The member's start page lists their own cases only, in plain words, with what is missing."""

from django.urls import reverse
from django.utils import timezone

from consilium.apps.access.models import AuditEvent
from consilium.apps.reports.models import Report
from consilium.apps.reviews.models import Opinion
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


def test_member_sees_only_their_own_cases(client, world):
    mine_new = f.case(world.program, mem=world.member, status=Status.REQUESTED)
    someone_else = f.case(world.program, status=Status.INTAKE)
    client.force_login(world.member.user)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert world.case.reference in body
    assert mine_new.reference in body
    assert someone_else.reference not in body
    assert world.other_case.reference not in body
    assert "An expert is reviewing your case" in body  # world.case is IN_REVIEW
    assert "We received your request" in body
    assert "Request an expert review" in body
    assert reverse("cases:detail", args=[mine_new.pk]) in body
    assert AuditEvent.objects.filter(
        actor_id=world.member.user.pk, action="case.list", outcome="allowed"
    ).exists()


def test_member_home_says_what_is_needed(client, world):
    waiting = f.case(world.program, mem=world.member, status=Status.INTAKE)
    client.force_login(world.member.user)

    body = client.get(reverse("portal:home")).content.decode()

    assert "We are gathering your records" in body
    assert "Your consent" in body
    assert "Your medical records" in body

    f.consent(waiting)
    f.pathology(waiting)
    body = client.get(reverse("portal:home")).content.decode()
    assert "We need from you" not in body.split(waiting.reference)[1].split("</section>")[0]


def test_summary_link_appears_once_delivered(client, world):
    case = f.case(world.program, mem=world.member, exp=world.expert, status=Status.REPORT_DELIVERED)
    opinion = Opinion.objects.create(case=case, author=world.expert)
    Report.objects.create(case=case, opinion=opinion, kind="member", html="<p>x</p>")
    client.force_login(world.member.user)
    summary_url = reverse("reports:view", args=[case.pk, "member"])

    assert summary_url not in client.get(reverse("portal:home")).content.decode()

    Report.objects.filter(case=case).update(delivered_at=timezone.now())
    body = client.get(reverse("portal:home")).content.decode()
    assert summary_url in body
    assert "Your summary is ready" in body


def test_other_roles_cannot_use_the_member_request_form(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse("portal:request")).status_code == 403
