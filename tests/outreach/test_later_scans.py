"""Across scans, each member has one worklist entry: the latest scan's. A later scan's
evidence replaces a pending entry (kept as history); a dismissal holds until something
new appears; an older delivery imported late never replaces a newer finding."""

from __future__ import annotations

import pytest

from consilium.apps.outreach import services
from consilium.apps.outreach.models import OutreachCandidate

pytestmark = pytest.mark.django_db


def entries(person_id):
    return list(OutreachCandidate.objects.filter(person_id=person_id).order_by("scan_id"))


def test_a_later_scan_updates_a_pending_member(world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program)
    result = services.import_output(coordinator_actor, scans.b, world.program)
    old, new = entries("P1")
    assert (old.status, old.current) == ("superseded", False)
    assert (new.status, new.current) == ("pending", True)
    assert new.triggers == ["metastatic", "new_diagnosis", "systemic_therapy_started"]
    assert any(e["claim_id"] == "B-P1-3" for e in new.evidence)
    c = result.counts
    assert (c["new"], c["updated"], c["unchanged"]) == (1, 2, 3)  # P6; P1, P2; P3, P4, P5


def test_a_dismissal_holds_until_a_new_reason_appears(world, scans, coordinator_actor):
    services.import_output(coordinator_actor, scans.a, world.program)
    for pid in ("P4", "P2"):
        services.dismiss(coordinator_actor, entries(pid)[0].pk, "Already seen by our oncologist")
    services.import_output(coordinator_actor, scans.b, world.program)
    p4 = entries("P4")[-1]  # nothing new for P4
    assert (p4.status, p4.current) == ("dismissed", True)
    assert p4.reason == "Already seen by our oncologist" and p4.decided_by == world.coordinator
    p2 = entries("P2")[-1]  # P2 now has a metastatic code
    assert p2.status == "pending" and "new since it was dismissed: metastatic" in p2.reason
    assert entries("P2")[0].status == "dismissed"  # the decision stays in the history


def test_an_older_delivery_imported_late_does_not_replace_a_newer_finding(
    world, scans, coordinator_actor
):
    services.import_output(coordinator_actor, scans.a, world.program)
    late = services.import_output(coordinator_actor, scans.a_earlier, world.program)
    newer, older = entries("P1")
    assert newer.current and newer.scan.as_of > older.scan.as_of
    assert (older.status, older.current) == ("superseded", False)
    assert late.counts["skipped"]["a later scan is current"] == late.scan.members_qualified
