"""`claims import`: enrolled qualifying members land on the worklist with their reasons,
evidence and eligibility details; proactive cases open automatically at or above the
auto-open score, creating the member from eligibility; not-enrolled members are reported
but not put on the worklist."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case
from consilium.apps.outreach import services
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate, OutreachSettings
from consilium.apps.people.models import Member
from consilium.engines.casework.lifecycle import Status

pytestmark = pytest.mark.django_db


def by_person(scan=None):
    qs = OutreachCandidate.objects.all() if scan is None else scan.candidates.all()
    return {c.person_id: c for c in qs}


def test_import_puts_enrolled_members_on_the_worklist(world, scans, coordinator_actor):
    result = services.import_output(coordinator_actor, scans.a, world.program)
    scan = result.scan
    assert scan.status == ClaimsScan.Status.DONE and scan.source == "import"
    assert scan.as_of == date(2025, 6, 30) and len(scan.delivery_hash) == 64
    assert scan.rows_read["medical_claim"] == 12 and scan.members_qualified == 5
    assert scan.members_enrolled == 4
    recorded = scan.seconds  # the summary's figure is kept on the scan
    assert recorded is not None

    c = by_person()
    assert set(c) == {"P1", "P2", "P3", "P4", "P5"}
    assert {p for p, x in c.items() if x.status == "pending"} == {"P1", "P2", "P4", "P5"}
    assert c["P3"].status == "not_enrolled" and "2025-06-30" in c["P3"].reason
    assert result.counts == {
        "new": 5,
        "updated": 0,
        "unchanged": 0,
        "pending": 4,
        "cases_opened": 0,
        "skipped": {"not enrolled": 1},
    }
    p1 = c["P1"]
    assert (p1.first_name, p1.last_name, p1.member_number) == ("Ann", "Avery", "MP1")
    assert p1.birth_date == date(1961, 3, 14) and p1.sex == "female" and p1.state == "OH"
    assert p1.triggers == ["metastatic", "new_diagnosis"] and p1.score == 6
    assert p1.cancer_group == "breast" and p1.oncotree_tissue == "Breast" and p1.metastatic
    evidence = {"trigger": "metastatic", "claim_id": "A-P1-2", "date": "2025-06-20"}
    assert evidence | {"detail": "C787"} in p1.evidence
    assert p1.trigger_keys == ",metastatic,new_diagnosis,"
    assert Case.objects.filter(origin=Case.Origin.PROACTIVE).count() == 0
    event = AuditEvent.objects.get(action="outreach.scan")
    assert event.outcome == "allowed" and event.channel == "cli" and "5 new" in event.detail


def test_auto_open_at_or_above_the_score(world, scans, coordinator_actor):
    result = services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    c = by_person()
    assert c["P1"].status == "auto_opened" and c["P3"].status == "not_enrolled"
    assert {p for p, x in c.items() if x.status == "pending"} == {"P2", "P4", "P5"}
    assert result.counts["cases_opened"] == 1

    case = c["P1"].case
    assert case.origin == Case.Origin.PROACTIVE and case.status == Status.REQUESTED.value
    assert case.requested_by == world.coordinator
    assert "Metastatic disease" in case.clinical_summary and "A-P1-2" in case.clinical_summary
    assert any("metastatic disease" in q for q in case.questions)
    member = case.member
    assert (member.member_number, member.first_name, member.last_name) == ("MP1", "Ann", "Avery")
    assert member.date_of_birth == date(1961, 3, 14) and member.state == "OH"
    assert member.program == world.program and member.user is None
    assert [(s.start, s.end) for s in member.eligibility_spans.all()] == [(date(2020, 1, 1), None)]
    decided = AuditEvent.objects.filter(action="outreach.decide", outcome="allowed")
    assert decided.count() == 1 and "auto-opened" in decided.get().detail
    assert AuditEvent.objects.filter(action="case.open", case_id=case.pk).exists()


def test_an_existing_member_is_used_not_duplicated(world, scans, coordinator_actor):
    existing = Member.objects.create(
        program=world.program,
        member_number="MP1",
        first_name="Ann",
        last_name="Avery-Smith",
        date_of_birth=date(1961, 3, 14),
        sex="female",
        state="OH",
    )
    services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    assert by_person()["P1"].case.member == existing
    assert Member.objects.filter(member_number="MP1").count() == 1


def test_no_names_in_eligibility_leaves_the_member_pending_with_the_reason(
    world, scans, coordinator_actor
):
    result = services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=3)
    c = by_person()
    assert c["P4"].status == "pending"
    assert "no first_name, last_name, state" in c["P4"].reason
    assert result.counts["skipped"] == {
        "not enrolled": 1,
        "auto-open not possible: no name, birth date or state in the eligibility file": 1,
    }
    assert {p for p, x in c.items() if x.status == "auto_opened"} == {"P1", "P5"}
    failed = AuditEvent.objects.get(action="outreach.decide", outcome="failed")
    assert "MP4" in failed.detail


def test_threshold_from_program_then_site(world, scans, coordinator_actor, settings):
    settings.OUTREACH_AUTO_OPEN_SCORE = 100
    assert services.auto_open_threshold(world.program) == 100
    OutreachSettings.objects.create(program=world.program, auto_open_score=6)
    assert services.auto_open_threshold(world.program) == 6
    services.import_output(coordinator_actor, scans.a, world.program)
    assert by_person()["P1"].status == "auto_opened"


def test_command_prints_counts_and_acts_as_the_first_coordinator(world, scans, capsys):
    call_command(
        "claims", "import", str(scans.a), "--program", "acme-health", "--auto-open-score", "6"
    )
    out = capsys.readouterr().out
    assert "5 new, 0 updated, 0 unchanged" in out and "1 proactive case opened" in out
    assert "skipped: not enrolled: 1" in out
    assert by_person()["P1"].decided_by == world.coordinator
    assert AuditEvent.objects.filter(actor_id=world.coordinator.pk, action="case.open").exists()


def test_command_refuses_a_user_who_is_not_a_coordinator_of_the_program(world, scans):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a coordinator of Acme Health"):
        call_command(
            "claims",
            "import",
            str(scans.a),
            "--program",
            "Acme Health",
            "--as",
            world.other_coordinator.username,
        )
    with pytest.raises(CommandError, match="no such program; programs: acme-health"):
        call_command("claims", "import", str(scans.a), "--program", "nope")
    assert not ClaimsScan.objects.exists()
