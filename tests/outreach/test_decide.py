"""What a scan's finding becomes on the worklist (engines/claims/outreach.decide), and the
trigger wording filled from the rule file: plain functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from consilium.engines.claims import rules as claims_rules
from consilium.engines.claims.outreach import (
    Demographics,
    Evidence,
    Finding,
    Prior,
    Status,
    Wording,
    decide,
    demographics_by_person,
    describe,
)

AS_OF = dt.date(2025, 6, 30)


def finding(triggers=("new_diagnosis",), score=3.0, enrolled=True, claims=("C1",)):
    return Finding(
        person_id="P1",
        qualifies_by="outpatient",
        cancer_group="breast",
        oncotree_tissue="Breast",
        metastatic=False,
        first_qualifying_date=AS_OF,
        triggers=tuple(triggers),
        score=score,
        enrolled=enrolled,
        evidence=tuple(Evidence(t, c, AS_OF, "C509") for t in triggers for c in claims),
    )


def prior(f: Finding, status=Status.PENDING, as_of=AS_OF - dt.timedelta(days=30), **kw):
    return Prior(status, as_of, f.triggers, f.fingerprint(), **kw)


def test_a_new_member_is_pending_or_auto_opened_at_the_threshold():
    assert decide(finding(), AS_OF, None, None, None).status is Status.PENDING
    assert decide(finding(score=3), AS_OF, None, None, 3).auto_open
    d = decide(finding(score=2.5), AS_OF, None, None, 3)
    assert d.status is Status.PENDING and not d.auto_open and d.change == "new"


def test_not_enrolled_and_open_case_come_before_auto_open():
    d = decide(finding(enrolled=False, score=9), AS_OF, None, None, 3)
    assert (d.status, d.skipped, d.auto_open) == (Status.NOT_ENROLLED, "not enrolled", False)
    d = decide(finding(score=9), AS_OF, None, "CR-000007", 3)
    assert d.status is Status.CASE_OPEN and "CR-000007" in d.reason and not d.auto_open


def test_same_or_changed_finding():
    f = finding()
    assert decide(f, AS_OF, prior(f), None, None).change == "unchanged"
    g = finding(claims=("C1", "C2"))
    assert decide(g, AS_OF, prior(f), None, None).change == "updated"


def test_a_dismissal_holds_until_a_new_trigger():
    f = finding()
    held = decide(f, AS_OF, prior(f, Status.DISMISSED, reason="in hospice"), None, 1)
    assert held.status is Status.DISMISSED and held.reason == "in hospice" and not held.auto_open
    more = finding(triggers=("new_diagnosis", "metastatic"), score=6)
    again = decide(more, AS_OF, prior(f, Status.DISMISSED), None, None)
    assert again.status is Status.PENDING and again.reason.endswith("metastatic")


def test_an_older_scan_never_replaces_a_newer_finding():
    f = finding()
    d = decide(f, AS_OF, prior(f, as_of=AS_OF + dt.timedelta(days=1)), None, 0)
    assert (d.status, d.current, d.auto_open) == (Status.SUPERSEDED, False, False)


def test_wording_is_filled_from_the_rules():
    w = Wording()
    rules = claims_rules.load()
    assert set(w.because) == set(rules.triggers)
    assert f"{rules.recent_days} days" in w.because["new_diagnosis"]
    assert "$50,000" in w.because["high_cost"]
    assert "lung, colorectal or melanoma" in w.because["biomarker_testing_missing"]
    reasons = w.reasons(["radiation_started", "metastatic"], [])
    assert [r.trigger for r in reasons] == ["metastatic", "radiation_started"]  # heaviest first


def test_wording_refuses_a_trigger_without_words(tmp_path):
    path = tmp_path / "outreach.yaml"
    path.write_text("version: x\ntriggers:\n  metastatic: {because: a, question: b}\n")
    with pytest.raises(ValueError, match="no wording for triggers"):
        Wording(path=path)


def test_evidence_in_words():
    assert describe(Evidence("high_cost", "rx:9", AS_OF, "paid 60000 in recent days")) == (
        "pharmacy claim 9 on 2025-06-30"
    )
    assert describe(Evidence("metastatic", "C7", AS_OF, "C787")) == "claim C7 on 2025-06-30 (C787)"


def test_demographics_come_from_the_span_covering_the_as_of_date():
    rows = [
        {
            "person_id": "P",
            "start": dt.date(2020, 1, 1),
            "end": dt.date(2024, 12, 31),
            "first_name": "Old",
            "last_name": "Name",
            "state": "oh",
            "gender": "F",
        },
        {
            "person_id": "P",
            "start": dt.date(2025, 1, 1),
            "end": None,
            "first_name": "Ann",
            "last_name": "Avery",
            "state": "OH",
            "gender": "F",
            "member_id": "M1",
            "plan": "gold",
        },
        {
            "person_id": "Q",
            "start": dt.date(2020, 1, 1),
            "end": dt.date(2021, 1, 1),
            "state": "Ohio",
            "gender": "x",
        },
    ]
    people = demographics_by_person(rows, AS_OF)
    p = people["P"]
    assert (p.first_name, p.member_id, p.sex, p.state) == ("Ann", "M1", "female", "OH")
    assert [s.start.year for s in p.spans] == [2020, 2025]
    q = people["Q"]  # no span covers the date: the latest one; an unusable state is left out
    assert (q.state, q.sex) == ("", "unknown")
    assert q.missing_for_member() == ["first_name", "last_name", "birth_date", "state"]
    assert (
        Demographics(
            first_name="A", last_name="B", birth_date=AS_OF, state="OH"
        ).missing_for_member()
        == []
    )
