"""Ranking open trials for a patient: eligibility first (not eligible last), then a score
of met criteria, relevance, phase and distance to the nearest recruiting site."""

from __future__ import annotations

import datetime as dt

from consilium.engines.trials.ctgov import parse_records
from consilium.engines.trials.eligibility import parse_criteria
from consilium.engines.trials.index import TrialIndex, entry_from_study
from consilium.engines.trials.rank import ELIGIBLE, NOT_ELIGIBLE, POSSIBLY, rank
from tests.trials.registry import AS_OF, CLEVELAND, demo, egfr_patient, site, study

COLUMBUS = (39.9612, -82.9988)
HOUSTON = (29.7604, -95.3698)


def index_of(records) -> TrialIndex:
    entries = []
    for p in parse_records(records, "test"):
        s = p.study
        criteria = parse_criteria(
            s.inclusion,
            s.exclusion,
            min_age=s.min_age_years,
            max_age=s.max_age_years,
            sex=s.sex,
            condition_codes=s.oncotree_codes,
            conditions=s.conditions,
        )
        entries.append(entry_from_study(s, criteria))
    return TrialIndex.build(entries)


def test_ranked_dicts_have_exactly_the_agreed_keys():
    (top,) = rank(index_of(demo()), egfr_patient(), as_of=AS_OF, limit=1)
    d = top.as_dict()
    assert set(d) == {
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
    assert set(d["site"]) == {"facility", "city", "state", "distance_km", "status", "contact"}
    assert all(set(c) == {"text", "verdict", "reason"} for c in d["criteria"])
    assert d["eligibility"] in (ELIGIBLE, POSSIBLY, NOT_ELIGIBLE)


def test_the_egfr_trial_ranks_first_and_contradicted_trials_last():
    ranked = rank(index_of(demo()), egfr_patient(), as_of=AS_OF, limit=20)
    assert ranked[0].entry.nct_id == "NCT09900001"  # EGFR-mutant, after osimertinib
    labels = [r.eligibility for r in ranked]
    tiers = [{ELIGIBLE: 2, POSSIBLY: 1, NOT_ELIGIBLE: 0}[x] for x in labels]
    assert tiers == sorted(tiers, reverse=True)
    by_id = {r.entry.nct_id: r for r in ranked}
    # The first-line PD-L1 trial excludes EGFR-mutant disease.
    assert by_id["NCT09900002"].eligibility == NOT_ELIGIBLE
    reasons = [v.reason for v in by_id["NCT09900002"].verdicts if v.verdict == "not_met"]
    assert any("EGFR" in r for r in reasons)
    # Breast, prostate and closed trials are not candidates at all.
    assert not {"NCT09900005", "NCT09900011", "NCT09900019"} & set(by_id)


def test_not_eligible_can_be_left_out():
    ranked = rank(
        index_of(demo()), egfr_patient(), as_of=AS_OF, limit=20, include_not_eligible=False
    )
    assert ranked and all(r.eligibility != NOT_ELIGIBLE for r in ranked)


def _twins(**kw):
    base = dict(eligibility="Inclusion Criteria:\n* Age 18 years or older\n* ECOG 0-1\n")
    base.update(kw)
    return base


def test_phase_breaks_a_tie_of_eligibility():
    records = [
        study("NCT09990001", phases=("PHASE1",), **_twins()),
        study("NCT09990002", phases=("PHASE3",), **_twins()),
    ]
    ranked = rank(index_of(records), egfr_patient(), as_of=AS_OF)
    assert [r.entry.nct_id for r in ranked] == ["NCT09990002", "NCT09990001"]


def test_nearer_recruiting_site_ranks_higher_and_only_recruiting_sites_count():
    far = study("NCT09990001", sites=[site("Far", "Houston", "Texas", *HOUSTON)], **_twins())
    near_closed = site("Near but closed", "Cleveland", "Ohio", *CLEVELAND, status="COMPLETED")
    near = study(
        "NCT09990002",
        sites=[near_closed, site("Columbus", "Columbus", "Ohio", *COLUMBUS)],
        **_twins(),
    )
    ranked = rank(index_of([far, near]), egfr_patient(), as_of=AS_OF)
    assert [r.entry.nct_id for r in ranked] == ["NCT09990002", "NCT09990001"]
    chosen = ranked[0].as_dict()["site"]
    assert chosen["facility"] == "Columbus"  # the closed Cleveland site does not count
    assert 195 < chosen["distance_km"] < 210
    assert ranked[1].as_dict()["site"]["distance_km"] > 1500


def test_eligibility_outranks_distance():
    contradicting = study(
        "NCT09990001",
        eligibility="Inclusion Criteria:\n* ECOG performance status of 0\n",
        phases=("PHASE3",),
    )
    eligible_far = study(
        "NCT09990002",
        sites=[site("Far", "Houston", "Texas", *HOUSTON)],
        eligibility="Inclusion Criteria:\n* ECOG 0-1\n",
        phases=("PHASE1",),
    )
    ranked = rank(index_of([contradicting, eligible_far]), egfr_patient(), as_of=AS_OF)
    assert [r.entry.nct_id for r in ranked] == ["NCT09990002", "NCT09990001"]
    assert ranked[1].eligibility == NOT_ELIGIBLE


def test_no_home_means_no_distance_and_closed_trials_are_never_candidates():
    closed = study("NCT09990001", status="COMPLETED")
    open_one = study("NCT09990002")
    ranked = rank(index_of([closed, open_one]), egfr_patient(home=None), as_of=AS_OF)
    assert [r.entry.nct_id for r in ranked] == ["NCT09990002"]
    assert ranked[0].as_dict()["site"]["distance_km"] is None


def test_text_relevance_finds_trials_without_a_mapped_condition():
    unmapped = study(
        "NCT09990003",
        title="Drug Y for patients whose tumours carry EGFR L858R",
        conditions=("Carcinoma",),
    )
    ranked = rank(index_of([unmapped]), egfr_patient(), as_of=AS_OF)
    assert [r.entry.nct_id for r in ranked] == ["NCT09990003"]


def test_a_patient_without_a_cancer_type_still_gets_text_matches_or_nothing():
    index = index_of(demo())
    from consilium.engines.decision.profile import PatientProfile

    assert rank(index, PatientProfile(), as_of=dt.date(2025, 1, 1)) == []
