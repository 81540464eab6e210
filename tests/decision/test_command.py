"""consilium decision-support --case ID --as USERNAME [--json]: the same result as the
panel, as JSON or text, under the access policy and the audit trail (channel cli)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from consilium.apps.access.models import AuditEvent
from tests.decision.conftest import add_fact

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("decision-support", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_case_profile_gaps_therapies_and_trials(world, lung, trials):
    add_fact(lung, "EGFR", "positive", detail={"variant": "L858R"})
    data = json.loads(run("--case", str(lung.pk), "--as", world.coordinator.username, "--json"))
    assert {"case", "profile", "gaps", "therapies", "trials"} <= set(data)
    assert data["case"]["id"] == lung.pk
    assert data["profile"]["cancer_type_code"] == "LUAD"
    assert data["profile"]["biomarkers"]["EGFR"]["alteration"] == "L858R"
    gaps = {g["id"]: g for g in data["gaps"]}
    assert gaps["test:ros1"]["status"] == "not_stated" and gaps["test:ros1"]["sources"]
    therapy = next(t for t in data["therapies"] if t["id"] == "therapy:nsclc-egfr-sensitizing")
    assert therapy["tier"] == "1" and therapy["sources"][0]["year"] == 2018
    assert data["trials"][0]["nct_id"] == "NCT01234567"
    event = AuditEvent.objects.filter(action="decision.view").last()
    assert event.channel == "cli" and event.actor_id == world.coordinator.pk


def test_text_form_is_readable(world, lung, no_trials):
    text = run("--case", str(lung.pk), "--as", world.expert.user.username)
    assert "Lung Adenocarcinoma (LUAD); stage IV" in text
    assert "TESTING GAPS" in text and "- ROS1 rearrangement [Not stated] (test:ros1)" in text
    assert "THERAPY OPTIONS (0)" in text
    assert "Trial matching is not available." in text


def test_a_hidden_case_and_an_unknown_user_are_refused(world, lung, no_trials):
    with pytest.raises(CommandError, match="no such case visible to"):
        run("--case", str(world.other_case.pk), "--as", world.coordinator.username)
    with pytest.raises(CommandError, match="no active user"):
        run("--case", str(lung.pk), "--as", "nobody")
    with pytest.raises(CommandError, match="decision.view"):
        run("--case", str(lung.pk), "--as", world.physician.user.username)
