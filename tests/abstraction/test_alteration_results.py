"""An alteration word names what was tested ("ALK rearrangement", "EGFR mutation",
"HER2 amplification"); the result is the word that follows it, or a "no" before the
marker. A negative molecular result must never read as the alteration being present."""

from __future__ import annotations

import pytest

from consilium.engines.abstraction import abstract


def _marker(text: str, name: str):
    facts = [f for f in abstract("MOLECULAR STUDIES: " + text).facts if f.name == name]
    assert facts, f"no {name} fact in {text!r}"
    return facts[0]


@pytest.mark.parametrize(
    "text, marker",
    [
        ("ALK rearrangement negative.", "ALK"),
        ("ROS1 fusion negative by FISH.", "ROS1"),
        ("EGFR mutation not detected.", "EGFR"),
        ("KRAS mutation negative.", "KRAS"),
        ("BRAF mutation: not detected.", "BRAF"),
        ("No ALK rearrangement was identified.", "ALK"),
        ("No EGFR mutation detected in exons 18-21.", "EGFR"),
        ("ALK rearrangement was not identified.", "ALK"),
    ],
)
def test_negative_alteration_results(text, marker):
    fact = _marker(text, marker)
    assert fact.value == "negative"
    assert "alteration" not in fact.detail


def test_her2_amplification_not_detected_is_not_amplified():
    fact = _marker("HER2 amplification not detected by FISH.", "HER2")
    assert fact.value == "negative"
    assert fact.detail.get("ish") == "not amplified"


@pytest.mark.parametrize(
    "text, marker, alteration",
    [
        ("EGFR mutation detected (exon 19 deletion).", "EGFR", "mutation"),
        ("BRAF V600E mutation detected.", "BRAF", "mutation"),
        ("ALK rearrangement detected by FISH.", "ALK", "rearrangement"),
        ("KRAS G12C mutation present.", "KRAS", "mutation"),
    ],
)
def test_positive_alteration_results_keep_the_alteration(text, marker, alteration):
    fact = _marker(text, marker)
    assert fact.value == "positive"
    assert fact.detail.get("alteration") == alteration


def test_pending_after_the_alteration_word_is_pending():
    fact = _marker("EGFR mutation analysis pending.", "EGFR")
    assert fact.value == "pending"
