"""Fixtures for decision support on a case: the world's case as advanced lung
adenocarcinoma, facts on it, and a stand-in for the trial registry's ranking."""

from __future__ import annotations

import pytest

from consilium.apps.decision import services
from consilium.apps.preparation.models import CaseFact

# The shape consilium.apps.trials.services.rank_for_case(case, limit) returns.
TRIAL = {
    "nct_id": "NCT01234567",
    "title": "Osimertinib plus a new agent in EGFR-mutant lung cancer",
    "phase": "Phase 2",
    "status": "RECRUITING",
    "score": 0.82,
    "eligibility": "possibly eligible",
    "criteria": [
        {"text": "EGFR sensitizing mutation", "verdict": "met", "reason": "EGFR L858R on file"},
        {"text": "ECOG 0-1", "verdict": "unknown", "reason": "ECOG not stated"},
    ],
    "site": {
        "facility": "University Cancer Center",
        "city": "Columbus",
        "state": "OH",
        "distance_km": 12.4,
        "status": "RECRUITING",
        "contact": "Trial Office, 555-0100",
    },
    "url": "https://clinicaltrials.gov/study/NCT01234567",
}


def add_fact(case, name: str, value: str, **kw) -> CaseFact:
    return CaseFact.objects.create(
        case=case, source=CaseFact.Source.MANUAL, name=name, value=value, **kw
    )


@pytest.fixture
def lung(world):
    """The world's case (in review, expert assigned) as stage IV lung adenocarcinoma."""
    case = world.case
    case.cancer_type_code = "LUAD"
    case.cancer_type_label = "Lung Adenocarcinoma"
    case.save()
    add_fact(case, "stage_group", "IV")
    return case


@pytest.fixture
def trials(monkeypatch):
    """Trial ranking available, answering ``TRIAL``; ``calls`` records each call."""
    calls = []

    def rank_for_case(case, limit=10):
        calls.append((case.pk, limit))
        return [dict(TRIAL)]

    monkeypatch.setattr(services, "_rank_for_case", lambda: rank_for_case)
    return calls


@pytest.fixture
def no_trials(monkeypatch):
    """Trial ranking not installed."""
    monkeypatch.setattr(services, "_rank_for_case", lambda: None)
