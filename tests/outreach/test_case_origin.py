"""A proactive case opened from claims says why on its page: the reasons in plain words,
the evidence claims with their dates, the scan (delivery, as-of date) and the score, for
the coordinators and the assigned expert; not for the member or the physician, and not
on cases opened another way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consilium.apps.access.actors import Actor
from consilium.apps.cases.models import Case
from consilium.apps.cases.services import NewCase, open_case
from consilium.apps.outreach import services
from consilium.apps.outreach.models import OutreachCandidate
from tests import factories as f

pytestmark = pytest.mark.django_db
PANEL = "Why this case was opened"


def current(pid):
    return OutreachCandidate.objects.get(person_id=pid, current=True)


@pytest.fixture
def accepted(world, scans, coordinator_actor):
    """Ann Avery (P1), accepted from the worklist; her member record (with a login, so the
    member's own view can be tried) exists already, the physician and expert are set."""
    f.member(world.program, member_number="MP1")
    result = services.import_output(coordinator_actor, scans.a, world.program)
    case = services.accept(coordinator_actor, current("P1").pk).case
    Case.objects.filter(pk=case.pk).update(expert=world.expert, physician=world.physician)
    case.refresh_from_db()
    return case, result.scan


def page(client, user, case) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    return response.status_code, response.content.decode()


def test_the_coordinator_sees_why_with_evidence_scan_and_score(client, world, accepted):
    case, scan = accepted
    status, html = page(client, world.coordinator, case)
    assert status == 200 and PANEL in html
    panel = html[html.index(PANEL) :]
    assert "Metastatic disease." in panel and "secondary (metastatic) cancer code" in panel
    assert "claim A-P1-2 on 2025-06-20 (C787)" in panel
    assert "claim A-P1-1 on 2025-06-10" in panel  # the new diagnosis' evidence
    assert f"{scan.label} of delivery <strong>{scan.delivery_name}</strong>" in panel
    assert "as of Jun 30, 2025" in panel and "Score 6" in panel
    assert f"Accepted by {world.coordinator.display_name}" in panel
    assert f"{reverse('outreach:worklist')}?scan={scan.pk}" in panel


def test_the_assigned_expert_sees_it_without_the_worklist_link(client, world, accepted):
    case, _ = accepted
    status, html = page(client, world.expert.user, case)
    assert status == 200 and PANEL in html and "claim A-P1-2 on 2025-06-20" in html
    assert reverse("outreach:worklist") not in html


@pytest.mark.parametrize("who", ["member", "physician"])
def test_the_member_and_the_physician_do_not(client, world, accepted, who):
    case, _ = accepted
    user = case.member.user if who == "member" else world.physician.user
    status, html = page(client, user, case)
    assert status == 200 and PANEL not in html and 'id="outreach-origin"' not in html


def test_an_automatically_opened_case_says_so(client, world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    case = current("P1").case
    _, html = page(client, world.coordinator, case)
    assert PANEL in html
    assert "Opened automatically: score 6 is at least the auto-open score 6" in html


def test_later_scans_that_find_the_member_again_are_listed(client, world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    case = current("P1").case
    later = services.import_output(coordinator_actor, scans.b, world.program, auto_open_score=6)
    assert current("P1").case == case and current("P1").status == "case_open"
    _, html = page(client, world.coordinator, case)
    assert "Found again while the case is open" in html
    assert f"{later.scan.label}, as of Jun 30, 2025" in html
    assert "Systemic therapy started" in html  # B adds P1's chemotherapy


def test_cases_opened_another_way_have_no_panel(client, world):
    coordinator = Actor(world.coordinator, "web")
    by_hand = open_case(coordinator, NewCase(member=world.member, origin=Case.Origin.PROACTIVE))
    for case in (world.case, by_hand):
        status, html = page(client, world.coordinator, case)
        assert status == 200 and PANEL not in html


def test_the_worklist_links_accepted_and_auto_opened_members_to_their_case(
    client, world, scans, coordinator_actor
):
    services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    auto = current("P1").case
    accepted = services.accept(coordinator_actor, current("P5").pk).case
    client.force_login(world.coordinator)
    for status, case in (("auto_opened", auto), ("accepted", accepted)):
        html = client.get(reverse("outreach:worklist") + f"?status={status}").content.decode()
        assert f'href="{reverse("cases:detail", args=[case.pk])}"' in html
        assert case.reference in html
