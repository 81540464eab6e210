"""The one case page shows each role the sections the policy allows, and is audited."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from tests import factories as f
from tests.web_staff.conftest import signed_case


def _page(as_user, user, case):
    response = as_user(user).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_coordinator_sees_the_intake_panel(world, as_user):
    f.coverage(world.case, covered=False)
    html = _page(as_user, world.coordinator, world.case)
    assert 'id="intake"' in html
    assert "Run coverage check" in html or "Check again" in html
    assert 'class="badge bad">Not covered' in html
    assert world.member.member_number in html
    assert 'id="timeline"' in html
    assert 'id="opinion"' in html  # coordinators read the opinion summary
    assert "Return to queue" in html  # a transition the coordinator may make in review


def test_member_sees_friendly_words_and_no_coverage_details(world, as_user):
    f.coverage(world.case, covered=False)
    html = _page(as_user, world.member.user, world.case)
    assert "We are reviewing your records" in html
    assert 'id="intake"' not in html
    assert "Not covered" not in html
    assert "Coverage" not in html  # the internal timeline step is hidden too
    assert 'id="opinion"' not in html
    assert world.member.member_number not in html
    # the member signs consent on this page
    assert 'name="signed_by_name"' in html
    assert reverse("cases:consent", args=[world.case.pk]) in html


def test_expert_sees_the_opinion_link_and_no_intake(world, as_user):
    html = _page(as_user, world.expert.user, world.case)
    assert reverse("reviews:opinion", args=[world.case.pk]) in html
    assert "Write the opinion" in html
    assert 'id="intake"' not in html
    assert "Return to queue" in html


def test_physician_sees_the_case_but_not_the_opinion(world, as_user):
    html = _page(as_user, world.physician.user, world.case)
    assert 'id="opinion"' not in html
    assert 'id="intake"' not in html
    assert 'id="documents"' in html


def test_unmet_guards_are_listed(world, as_user):
    case = f.case(world.program, status=f.Status.INTAKE)
    html = _page(as_user, world.coordinator, case)
    assert "Ready for review" in html
    assert '<li class="unmet">The member&#x27;s consent is not signed</li>' in html
    assert '<li class="unmet">No pathology report among the records</li>' in html


def test_reports_show_to_the_member_only_once_delivered(world, as_user):
    case = signed_case(world)
    html = _page(as_user, world.member.user, case)
    assert reverse("reports:view", args=[case.pk, "member"]) not in html
    html = _page(as_user, world.coordinator, case)
    assert reverse("reports:view", args=[case.pk, "physician"]) in html
    assert "Not delivered yet" in html


def test_every_view_is_audited(world, as_user):
    before = AuditEvent.objects.filter(
        case_id=world.case.pk, action="case.view", outcome="allowed"
    ).count()
    _page(as_user, world.coordinator, world.case)
    after = AuditEvent.objects.filter(
        case_id=world.case.pk, action="case.view", outcome="allowed"
    ).count()
    assert after == before + 1


def test_another_programs_coordinator_gets_404(world, as_user):
    response = as_user(world.other_coordinator).get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(case_id=world.case.pk, outcome="denied").exists()


def test_the_edit_and_upload_forms_are_audited_views(world, as_user):
    client = as_user(world.coordinator)
    for name in ("cases:edit", "records:upload"):
        before = AuditEvent.objects.filter(case_id=world.case.pk, action="case.view").count()
        assert client.get(reverse(name, args=[world.case.pk])).status_code == 200
        assert (
            AuditEvent.objects.filter(
                case_id=world.case.pk, action="case.view", outcome="allowed"
            ).count()
            == before + 1
        ), name
