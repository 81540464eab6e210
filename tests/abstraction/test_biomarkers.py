"""Biomarker statuses and values."""

import pytest

from consilium.engines.abstraction import abstract


@pytest.mark.parametrize(
    ("text", "er", "pr", "her2"),
    [
        (
            "ER positive (95%), PR negative (0%), HER2 2+ (equivocal).",
            "positive",
            "negative",
            "equivocal",
        ),
        (
            "Estrogen receptor: 80% of nuclei. Progesterone receptor: less than 1%. HER2/neu: 3+.",
            "positive",
            "negative",
            "positive",
        ),
        ("ER+/PR+/HER2-", "positive", "positive", "negative"),
        ("ER-POSITIVE, PR-NEGATIVE. HER2 1+ negative.", "positive", "negative", "negative"),
        (
            "Tumor cells are positive for ER and PR and negative for HER2.",
            "positive",
            "positive",
            "negative",
        ),
        (
            "The tumor is negative for estrogen and progesterone receptors.",
            "negative",
            "negative",
            None,
        ),
        ("Her2/neu: Negative (0, scale 0-3+).", None, None, "negative"),
    ],
)
def test_receptor_statuses(text, er, pr, her2):
    result = abstract(text)
    assert (result.er, result.pr, result.her2) == (er, pr, her2)


def test_percent_is_kept_and_status_inferred_from_it():
    result = abstract("Estrogen receptor: 80% of tumour nuclei.")
    er = next(f for f in result.facts if f.name == "ER")
    assert er.value == "positive" and er.detail["percent"] == "80%"
    assert er.basis == "inferred" and "1%" in er.inferred_from


def test_ish_alone_does_not_answer_the_ihc_status():
    result = abstract("HER2 by FISH: not amplified (ratio 1.2).")
    assert result.her2 is None
    fact = next(f for f in result.facts if f.name == "HER2")
    assert fact.value == "negative" and fact.detail["ish"] == "not amplified"


def test_other_markers():
    text = (
        "MOLECULAR: EGFR exon 19 deletion detected. ALK rearrangement: negative. KRAS wild-type. "
        "Ki-67: 30%. PD-L1 (22C3) TPS 60%. MSI: microsatellite stable. MLH1: intact. PMS2: loss. "
        "TMB 12 mut/Mb."
    )
    values = {f.name: f.value for f in abstract(text).facts}
    assert values["EGFR"] == "positive"
    assert values["ALK"] == "negative"
    assert values["KRAS"] == "negative"
    assert values["Ki-67"] == "30%"
    assert values["PD-L1"] == "TPS 60%"
    assert values["MSI"] == "MSS"
    assert values["MLH1"] == "retained"
    assert values["PMS2"] == "loss of expression"
    assert values["TMB"] == "12 mut/Mb"


def test_receptor_found_in_less_than_ten_percent_is_positive():
    # "found" says some nuclei stain; the same form says "not found" for none.
    text = (
        "Estrogen receptors found in over 75% of neoplastic cell nuclei. Progesterone "
        "receptors found in less than 10% of the neoplastic cell nuclei."
    )
    result = abstract(text)
    assert result.er == "positive" and result.pr == "positive"


def test_receptor_below_five_percent_without_found_stays_unanswered():
    text = "Progesterone receptor: <5% of tumour cells."
    assert abstract(text).pr is None
