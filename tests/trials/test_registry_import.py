"""Importing study records into the registry: idempotent by NCT number and last update
date, counts of new, updated, unchanged and refused (with reasons), sites and criteria
stored, one transaction per batch."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from consilium.apps.trials import services
from consilium.apps.trials.models import Trial, TrialCriterion, TrialSite
from consilium.engines.trials.ctgov import parse_records
from tests.conftest import SHARED_DATA
from tests.trials.registry import demo, study

pytestmark = pytest.mark.django_db
CTGOV = SHARED_DATA / "trials" / "ctgov-v2"


def _import(records, source="test"):
    return services.import_parsed(parse_records(records, source), source=source)


def test_import_stores_trials_sites_and_criteria_and_is_idempotent():
    first = _import(demo())
    assert (first.new, first.updated, first.unchanged, first.refused) == (22, 0, 0, [])
    trial = Trial.objects.get(nct_id="NCT09900001")
    assert trial.oncotree_codes == ["NSCLC", "LUAD"] and trial.codes_text == " NSCLC LUAD "
    assert trial.phase == "Phase 2" and trial.overall_status == "RECRUITING"
    assert trial.raw["protocolSection"]["identificationModule"]["nctId"] == "NCT09900001"
    assert trial.sites.count() == 4 and trial.sites.first().lat == pytest.approx(41.4993)
    kinds = set(trial.criteria.values_list("kind", flat=True))
    assert {"biomarker", "ecog", "brain_metastases", "cancer_type", "age"} <= kinds
    again = _import(demo())
    assert (again.new, again.updated, again.unchanged) == (0, 0, 22)
    assert Trial.objects.count() == 22


def test_a_later_update_replaces_the_trial_and_its_sites_and_criteria():
    _import([study("NCT09990001", last_update="2025-01-01")])
    old_criteria = set(TrialCriterion.objects.values_list("pk", flat=True))
    newer = study(
        "NCT09990001",
        last_update="2025-02-01",
        status="ACTIVE_NOT_RECRUITING",
        eligibility="Inclusion Criteria:\n* ECOG 0-2\n",
    )
    result = _import([newer])
    assert result.updated == 1
    trial = Trial.objects.get()
    assert trial.overall_status == "ACTIVE_NOT_RECRUITING"
    assert trial.inclusion == ["ECOG 0-2"]
    assert not old_criteria & set(TrialCriterion.objects.values_list("pk", flat=True))
    assert TrialSite.objects.count() == 1


def test_an_older_or_undated_copy_never_replaces_a_dated_one():
    _import([study("NCT09990001", last_update="2025-02-01", title="Current title")])
    older = _import([study("NCT09990001", last_update="2025-01-01", title="Old title")])
    undated = _import([study("NCT09990001", last_update=None, title="Slice title")])
    assert older.unchanged == undated.unchanged == 1
    assert Trial.objects.get().title == "Current title"


def test_bad_records_are_refused_with_reasons_and_the_rest_import():
    bad = study("NCT09990002")
    bad["protocolSection"]["designModule"]["phases"] = ["PHASE7"]
    result = _import([study("NCT09990001"), bad, {"hello": "world"}], source="mixed.json")
    assert result.new == 1
    assert [p.position for p in result.refused] == [2, 3]
    assert "PHASE7" in result.refused[0].message and result.refused[0].nct_id == "NCT09990002"
    assert "protocolSection" in result.refused[1].field


def test_a_failing_batch_leaves_nothing_of_itself(monkeypatch):
    calls = {"n": 0}
    real_write = services._write

    def flaky(study_, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_write(study_, *args)

    monkeypatch.setattr(services, "_write", flaky)
    records = [study(f"NCT0999000{i}") for i in range(1, 7)]
    with pytest.raises(RuntimeError):
        services.import_parsed(parse_records(records, "t"), source="t", batch_size=4)
    assert Trial.objects.count() == 0  # the batch of four rolled back whole


def test_a_new_vocabulary_rereads_stored_records():
    _import([study("NCT09990001")])
    with mock.patch.object(services, "parser_version", return_value="e-next"):
        result = _import([study("NCT09990001")])
    assert result.updated == 1
    assert Trial.objects.get().parser_version == "e-next"


def test_import_path_reads_a_directory(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"studies": demo()[:3]}))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text(json.dumps(demo()[3]))
    (tmp_path / "notes.txt").write_text("not json")
    result = services.import_path(tmp_path)
    assert result.new == 4 and services.count_records(tmp_path) == 4


@pytest.mark.skipif(not CTGOV.is_dir(), reason=f"real registry exports not found at {CTGOV}")
def test_real_exports_import_twice_without_change():
    first = services.import_path(CTGOV)
    assert first.refused == [] and Trial.objects.count() == 267
    second = services.import_path(CTGOV)
    assert (second.new, second.updated) == (0, 0)


def test_the_demo_registry_loads_once():
    from consilium.apps.trials.demo import ensure_demo_registry
    from consilium.apps.trials.models import RegistryRun

    first = ensure_demo_registry()
    assert first.new == 22 and first.refused == []
    assert ensure_demo_registry() is None
    assert RegistryRun.objects.filter(kind="demo").count() == 1
