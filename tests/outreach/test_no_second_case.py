"""A member never gets a second case while one is open: not from the import's automatic
openings, not from a coordinator's Accept, not from a later scan."""

from __future__ import annotations

import pytest

from consilium.apps.cases.models import Case
from consilium.apps.cases.services import NewCase, RuleError, open_case
from consilium.apps.outreach import services
from consilium.apps.outreach.models import OutreachCandidate
from consilium.engines.casework.lifecycle import Status
from tests.outreach.conftest import open_case_for

pytestmark = pytest.mark.django_db


def current(person_id):
    return OutreachCandidate.objects.get(person_id=person_id, current=True)


def test_a_member_with_an_open_case_is_marked_not_reopened(world, scans, coordinator_actor):
    existing = open_case_for(world, "MP5")
    result = services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=3)
    p5 = current("P5")
    assert p5.status == "case_open" and p5.case == existing
    assert existing.reference in p5.reason
    assert Case.objects.filter(member__member_number="MP5").count() == 1
    assert result.counts["skipped"]["case already open"] == 1


def test_accept_opens_one_case_and_a_second_accept_is_refused(world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program)
    pk = current("P1").pk
    accepted = services.accept(coordinator_actor, pk)
    assert accepted.status == "accepted" and accepted.case.origin == Case.Origin.PROACTIVE
    assert accepted.decided_by == world.coordinator
    with pytest.raises(RuleError, match="not pending"):
        services.accept(coordinator_actor, pk)
    assert Case.objects.filter(member__member_number="MP1").count() == 1


def test_accept_after_a_case_was_opened_elsewhere_links_it(world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program)
    c = current("P2")
    # Meanwhile another coordinator opened a case for the member from the case pages.
    member = services._member_for(c)
    other = open_case(coordinator_actor, NewCase(member=member, origin=Case.Origin.PROACTIVE))
    result = services.accept(coordinator_actor, c.pk)
    assert result.status == "case_open" and result.case == other
    assert Case.objects.filter(member=member).count() == 1


def test_a_later_scan_keeps_the_open_case(world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    first = current("P1").case
    assert first is not None
    result = services.import_output(coordinator_actor, scans.b, world.program, auto_open_score=6)
    p1 = current("P1")
    assert p1.status == "case_open" and p1.case == first
    assert Case.objects.filter(member__member_number="MP1").count() == 1
    assert result.counts["cases_opened"] == 0


def test_once_the_case_is_closed_a_later_scan_proposes_the_member_again(
    world, scans, coordinator_actor
):
    services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    first = current("P1").case
    Case.objects.filter(pk=first.pk).update(status=Status.CLOSED.value)
    services.import_output(coordinator_actor, scans.b, world.program)
    assert current("P1").status == "pending"
