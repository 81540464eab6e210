"""A physician's start page lists their patients' cases only, with the delivered report."""

from django.urls import reverse
from django.utils import timezone

from consilium.apps.reports.models import Report
from consilium.apps.reviews.models import Opinion
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


def test_physician_sees_only_their_patients(client, world):
    unrelated = f.case(world.program, phys=f.physician(), status=Status.INTAKE)
    no_physician = f.case(world.program, status=Status.INTAKE)
    client.force_login(world.physician.user)

    response = client.get(reverse("physician:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert world.case.reference in body
    assert world.member.full_name in body
    for hidden in (unrelated, no_physician, world.other_case):
        assert hidden.reference not in body


def test_report_link_only_when_delivered(client, world):
    case = f.case(
        world.program, phys=world.physician, exp=world.expert, status=Status.REPORT_DELIVERED
    )
    opinion = Opinion.objects.create(case=case, author=world.expert)
    report = Report.objects.create(case=case, opinion=opinion, kind="physician", html="<p>x</p>")
    client.force_login(world.physician.user)
    link = reverse("reports:view", args=[case.pk, "physician"])

    assert link not in client.get(reverse("physician:home")).content.decode()

    report.delivered_at = timezone.now()
    report.save()
    assert link in client.get(reverse("physician:home")).content.decode()
