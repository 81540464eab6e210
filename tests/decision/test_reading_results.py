"""Results reach the profile in many shapes (the abstraction engine's, a FHIR import's, a
person's words); every rule reads them through one reading."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consilium.engines.decision.markers import read_one
from consilium.engines.decision.profile import Biomarker


def reading(name, status, alteration=None, value=None):
    return read_one(name, Biomarker(name, status, alteration, value))


@pytest.mark.parametrize(
    "name,status,result",
    [
        ("MSI", "msi-h", "positive"),
        ("MSI", "mss", "negative"),
        ("MSI", "msi-l", "negative"),
        ("MSI", "microsatellite instability-high", "positive"),
        ("MLH1", "loss of expression", "positive"),
        ("PMS2", "retained", "negative"),
        ("MLH1", "positive", "negative"),  # the protein is there: proficient
        ("MMR", "deficient", "positive"),
        ("MMR", "proficient", "negative"),
        ("MSI", "pending", "pending"),
    ],
)
def test_microsatellite_and_mismatch_repair_words(name, status, result):
    assert reading(name, status).result == result


def test_pd_l1_scores_and_a_value_below_one_percent():
    assert reading("PD-L1", "tps 60%").scores == {"TPS": 60.0}
    low = reading("PD-L1", "tps <1%")
    assert low.result == "negative" and low.scores["TPS"] < 1
    both = reading("PD-L1", "tps 5%, cps 12")
    assert both.scores == {"TPS": 5.0, "CPS": 12.0} and both.result == "positive"


def test_her2_ihc_score_comes_from_the_value():
    r = reading("HER2", "negative", value="1+")
    assert (r.result, r.ihc, r.text) == ("negative", "1+", "HER2 negative (IHC 1+)")


def test_a_variant_written_as_the_value_is_a_positive_result_naming_it():
    r = reading("KRAS", "g12c")
    assert (r.result, r.alteration, r.text) == ("positive", "G12C", "KRAS G12C")


def test_not_detected_is_negative_not_positive():
    assert reading("ALK", "not detected").result == "negative"
    assert reading("ALK", "no fusion detected").result == "negative"


@given(st.floats(min_value=0, max_value=99, allow_nan=False))
def test_tmb_reads_its_number(n):
    r = reading("TMB", f"{n:.1f} mut/mb")
    assert r.scores["TMB"] == pytest.approx(round(n, 1))
    assert r.result == ("positive" if round(n, 1) >= 10 else "negative")
