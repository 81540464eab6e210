"""Case commands in their contract form (no --as) act as the first active coordinator of
the case's program, through the policy, and leave that user in the audit trail."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consilium.apps.access.models import AuditEvent
from tests import factories


@pytest.mark.parametrize(
    "argv",
    [
        ["trials", "match", "--case", "{pk}", "--json"],
        ["decision-support", "--case", "{pk}", "--json"],
    ],
)
def test_contract_form_acts_as_the_programs_coordinator(world, capsys, argv):
    call_command(*[a.format(pk=world.case.pk) for a in argv])
    json.loads(capsys.readouterr().out)  # the output is JSON
    event = AuditEvent.objects.filter(action="decision.view").latest("pk")
    assert event.actor_id == world.coordinator.pk
    assert event.channel == "cli"


def test_a_case_with_no_coordinator_needs_as(world):
    lonely = factories.case(factories.program())
    with pytest.raises(CommandError, match="no active coordinator"):
        call_command("trials", "match", "--case", str(lonely.pk), "--json")


def test_another_programs_case_is_not_visible(world):
    with pytest.raises(CommandError, match="no such case visible to"):
        call_command(
            "decision-support",
            "--case",
            str(world.other_case.pk),
            "--as",
            world.coordinator.username,
        )
