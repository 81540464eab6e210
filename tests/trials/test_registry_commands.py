"""``consilium trials import | sync | match`` and ``rank_for_case`` (what the decision
support panel calls)."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consilium.apps.access.models import AuditEvent
from consilium.apps.trials import services
from consilium.apps.trials.demo import ensure_demo_registry
from consilium.apps.trials.models import Trial
from consilium.engines.trials.ctgov import parse_records
from tests.trials.fake_ctgov import FakeRegistry, serve
from tests.trials.registry import add_fact, demo, study

pytestmark = pytest.mark.django_db


def _breast_facts(case):
    add_fact(case, "cancer_type", "IDC")
    add_fact(case, "ER", "positive", percent="90%")
    add_fact(case, "PR", "positive")
    add_fact(case, "HER2", "negative", ihc_score="1+")
    add_fact(case, "metastatic", "true")
    add_fact(case, "ecog", "1")
    add_fact(case, "treatment", "letrozole", **{"class": "hormone_therapy"})


def test_import_prints_counts_and_each_refused_record(tmp_path, capsys):
    bad = study("NCT09990002")
    bad["protocolSection"]["statusModule"]["overallStatus"] = "MAYBE"
    (tmp_path / "page.json").write_text(json.dumps({"studies": [*demo()[:3], bad]}))
    call_command("trials", "import", str(tmp_path))
    out = capsys.readouterr()
    assert "4 record(s): 3 new, 0 updated, 0 unchanged, 1 refused" in out.out
    assert (
        "refused: page.json record 4 (NCT09990002): protocolSection.statusModule.overallStatus"
        in out.out
    )
    assert "importing trials" in out.err  # the progress bar is on stderr
    call_command("trials", "import", str(tmp_path / "page.json"))
    assert "0 new, 0 updated, 3 unchanged, 1 refused" in capsys.readouterr().out


def test_import_of_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("trials", "import", str(tmp_path / "nothing.json"))


def test_sync_against_a_local_server_with_errors_injected(capsys, monkeypatch):
    records = demo()
    fake = FakeRegistry(
        [records[:10], records[10:]],
        errors=[(503, {"Retry-After": "0"}), (429, {"Retry-After": "0"})],
    )
    with serve(fake) as url:
        call_command("trials", "sync", "--url", url, "--since", "2025-01-01", "--page-size", "10")
    out = capsys.readouterr().out
    assert "page 1: 10 studies of 22" in out and "page 2: 12 studies" in out
    assert "Fetched 22 studies in 2 page(s): 22 new" in out
    assert "Registry current to 2025-05-01" in out
    assert fake.requests[0]["pageSize"] == "10"
    assert Trial.objects.count() == 22


def test_sync_that_cannot_reach_the_registry_says_so(monkeypatch):
    monkeypatch.setattr("consilium.apps.trials.sync.time.sleep", lambda s: None)
    with (
        serve(FakeRegistry([[]], errors=[(502, {})] * 10)) as url,
        pytest.raises(CommandError, match="sync stopped: .*gave up"),
    ):
        call_command("trials", "sync", "--url", url)


def test_match_prints_the_ranked_json_and_audits(world, capsys):
    ensure_demo_registry()
    _breast_facts(world.case)
    call_command(
        "trials",
        "match",
        "--case",
        str(world.case.pk),
        "--as",
        world.expert.user.username,
        "--json",
        "--as-of",
        "2025-06-01",
    )
    ranked = json.loads(capsys.readouterr().out)
    assert ranked and set(ranked[0]) == {
        "nct_id",
        "title",
        "phase",
        "status",
        "score",
        "eligibility",
        "criteria",
        "site",
        "url",
    }
    ids = [t["nct_id"] for t in ranked]
    assert ids[0] == "NCT09900005"  # HER2-low, hormone receptor-positive, after endocrine therapy
    neoadjuvant = next(t for t in ranked if t["nct_id"] == "NCT09900006")
    assert (
        neoadjuvant["eligibility"] == "not eligible"
    )  # early disease only; this one is metastatic
    assert ranked[0]["site"]["distance_km"] is not None  # home placed from the member's state
    event = AuditEvent.objects.filter(action="decision.view", case_id=world.case.pk).last()
    assert event.outcome == "allowed" and event.channel == "cli"


def test_match_refuses_users_who_may_not_see_the_case(world):
    with pytest.raises(CommandError, match="no such case"):
        call_command(
            "trials",
            "match",
            "--case",
            str(world.other_case.pk),
            "--as",
            world.expert.user.username,
        )
    with pytest.raises(CommandError, match="may not"):
        call_command(
            "trials", "match", "--case", str(world.case.pk), "--as", world.member.user.username
        )
    with pytest.raises(CommandError, match="no active user"):
        call_command("trials", "match", "--case", str(world.case.pk), "--as", "nobody")


def test_match_in_text_lists_what_is_not_met(world, capsys):
    ensure_demo_registry()
    _breast_facts(world.case)
    call_command(
        "trials", "match", "--case", str(world.case.pk), "--as", world.coordinator.username
    )
    out = capsys.readouterr().out
    assert " 1. NCT09900005 [" in out and "not_met:" in out


def test_rank_for_case_uses_the_members_home_and_the_cached_index(world):
    ensure_demo_registry()
    _breast_facts(world.case)
    member = world.case.member
    member.city, member.state, member.postal_code = "Columbus", "OH", "43210"
    member.save()
    ranked = services.rank_for_case(world.case, limit=3)
    assert ranked[0]["site"]["city"] == "Columbus" and ranked[0]["site"]["distance_km"] < 1
    index = services.registry()
    assert services.registry() is index  # nothing changed: the same index
    services.import_parsed(
        parse_records([study("NCT09990001", conditions=("Breast Cancer",))], "t"), source="t"
    )
    assert services.registry() is not index  # the registry changed: rebuilt
    assert "NCT09990001" in [t["nct_id"] for t in services.rank_for_case(world.case, limit=30)]


def test_rank_for_case_on_an_empty_registry_is_an_empty_list(world):
    assert services.rank_for_case(world.case) == []


def test_a_slow_index_is_not_rebuilt_after_every_page_of_a_sync(world, monkeypatch):
    ensure_demo_registry()
    first = services.registry()
    monkeypatch.setattr(first, "build_seconds", 60.0)  # as if the registry were large
    services.import_parsed(parse_records([study("NCT09990001")], "t"), source="t")
    assert services.registry() is first  # built a moment ago: kept for now
    monkeypatch.setattr(first, "built_at", first.built_at - 601)
    assert services.registry() is not first  # ten build times later: rebuilt


def test_building_the_index_logs_nothing(world, caplog):
    """bm25s turns its own logger to DEBUG on import; its chatter would reach every
    handler (Django's console handler has no level) and so every command's output."""
    caplog.set_level(logging.DEBUG)
    ensure_demo_registry()
    _breast_facts(world.case)
    call_command("trials", "match", "--case", str(world.case.pk), "--json")
    assert not [r for r in caplog.records if r.name.startswith("bm25s")]
