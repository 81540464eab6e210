"""Importing the same output again, or a copy of the same delivery (recognized by its
content hash), changes nothing and says so."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case
from consilium.apps.outreach import services
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(
            OutreachCandidate.objects.order_by("pk").values_list(
                "pk", "scan_id", "person_id", "status", "current", "case_id", "reason"
            )
        ),
        list(Case.objects.order_by("pk").values_list("pk", "member_id", "status")),
        list(ClaimsScan.objects.order_by("pk").values_list("pk", "status", "delivery_hash")),
    )


def test_reimporting_the_same_output_changes_nothing(world, scans, coordinator_actor):
    first = services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    before = snapshot()
    again = services.import_output(coordinator_actor, scans.a, world.program, auto_open_score=6)
    assert not again.changed and again.duplicate_of == first.scan
    assert snapshot() == before


def test_a_duplicate_delivery_is_recognized_by_its_content(world, scans, coordinator_actor):
    first = services.import_output(coordinator_actor, scans.a, world.program)
    before = snapshot()
    dup = services.import_output(coordinator_actor, scans.a_copy, world.program)
    assert not dup.changed and dup.duplicate_of == first.scan
    assert snapshot() == before


def test_the_command_says_nothing_changed(world, scans, capsys):
    call_command("claims", "import", str(scans.a), "--program", "Acme Health")
    capsys.readouterr()
    call_command("claims", "import", str(scans.a_copy), "--program", "Acme Health")
    out = capsys.readouterr().out
    assert "Already imported" in out and "scan #" in out and "Nothing changed" in out
    assert ClaimsScan.objects.count() == 1
    assert AuditEvent.objects.filter(action="outreach.scan").count() == 1


def test_the_same_delivery_in_another_program_is_its_own_import(world, scans):
    from consilium.apps.access.actors import Actor

    services.import_output(Actor(world.coordinator, "cli"), scans.a, world.program)
    other = services.import_output(
        Actor(world.other_coordinator, "cli"), scans.a, world.other_program
    )
    assert other.changed and other.counts["new"] == 5
    assert OutreachCandidate.objects.filter(program=world.other_program).count() == 5


def test_the_database_refuses_a_second_done_scan_of_the_same_delivery(world, scans):
    from django.db import IntegrityError, transaction

    from consilium.apps.access.actors import Actor

    done = services.import_output(Actor(world.coordinator, "cli"), scans.a, world.program).scan
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimsScan.objects.create(
            program=world.program,
            delivery="elsewhere",
            delivery_name="elsewhere",
            delivery_hash=done.delivery_hash,
            as_of=done.as_of,
            status=ClaimsScan.Status.DONE,
        )
