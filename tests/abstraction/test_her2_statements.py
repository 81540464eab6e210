"""HER2 read where reports put it: in a results block whose interpretation comes a few
labels after the heading; not from general statements about the test (policies,
cautions, alternatives, the scoring scale); the method named first is the result's."""

import pytest

from consilium.engines.abstraction import abstract


def _her2_facts(text):
    return [f for f in abstract(text).facts if f.name == "HER2"]


@pytest.mark.parametrize(
    ("text", "her2"),
    [
        # A results block: heading, then specimen and block labels, then the result.
        (
            "HER2 STATUS RESULTS. Specimen: Excision. Block Number: C4. "
            "Interpretation: EQUIVOCAL. Intensity: 2+. % Tumor Staining: 20%.",
            "equivocal",
        ),
        (
            "HER-2 RESULTS. Immunohistochemistry. Specimen: Core biopsy. Block Number: A2. "
            "Interpretation: Positive. Intensity: 3+.",
            "positive",
        ),
        # "by IHC: equivocal, block sent for FISH": an IHC result; the FISH is ordered.
        ("Her2/neu by IHC: EQUIVOCAL, block B3 sent for FISH.", "equivocal"),
        ("HER2 equivocal, block sent for FISH testing.", "equivocal"),
        # The assay's name after a dash is not a minus sign.
        (
            "HER-2/NEU - DAKO HERCEPTEST: strong complete membrane staining in most cells. "
            "HER-2/NEU is interpreted as positive (score 3+).",
            "positive",
        ),
    ],
)
def test_her2_result(text, her2):
    assert abstract(text).her2 == her2


@pytest.mark.parametrize(
    "text",
    [
        # A policy: FISH for every 2+ result.
        "Reflex HER2 gene amplification testing will be ordered for all HER2 IHC 2+ results.",
        # A caution printed under every report.
        "A HER2 2+ staining result interpreted as equivocal may not indicate amplification.",
        # Alternatives, as in an eligibility note.
        "Patients whose HER2 tumor status was IHC 3+ or FISH positive received trastuzumab.",
        # The scale, with two scores.
        "HER2 by IHC is interpreted as negative (score 0/1+), equivocal (score 2+).",
        # A definition.
        "HER2 positive cases are those with strong complete membrane staining (3+).",
        # The run's controls (OCR reads controls as "controis").
        "HER-2/NEU REPORT. Using appropriate positive and negative controis, the test was run.",
    ],
)
def test_general_statements_are_not_results(text):
    assert abstract(text).her2 is None
    assert not [f for f in _her2_facts(text) if f.value in ("positive", "negative", "equivocal")]


def test_a_stated_result_wins_over_the_boilerplate_around_it():
    text = (
        "ER/PR/HER2 Results. ER: Positive. PR: Positive. HER2: Negative by IHC. "
        "COMMENT: A HER2 2+ staining result interpreted as equivocal may not indicate gene "
        "amplification; reflex HER2 gene amplification will be ordered for all HER2 IHC 2+ "
        "results. HER2 tumor status was determined as IHC 3+ or FISH positive in the trial."
    )
    assert abstract(text).her2 == "negative"


def test_results_block_fact_keeps_its_score_and_says_where_it_was_read():
    text = (
        "HER2 STATUS RESULTS. Specimen: Excision. Block Number: C4. "
        "Interpretation: NEGATIVE. Intensity: 1+."
    )
    (fact,) = [f for f in _her2_facts(text) if f.value == "negative"]
    assert fact.detail["ihc_score"] == "1+"
    assert fact.detail["read_from"] == "results block"


@pytest.mark.parametrize(
    ("text", "her2"),
    [
        # The report's own interpretation of its score (the pre-2007 HercepTest key).
        ("HER-2/NEU IS INTERPRETED AS WEAKLY POSITIVE (SCORE 2+).", "positive"),
        ("HER-2/NEU IS INTERPRETED AS POSITIVE (SCORE 2+).", "positive"),
        ("HER-2/NEU IS INTERPRETED AS NEGATIVE (SCORE 1+).", "negative"),
        # A score without an interpretation reads by today's scale.
        ("HER-2/NEU: SCORE 2+.", "equivocal"),
    ],
)
def test_a_stated_interpretation_of_the_score_is_the_result(text, her2):
    facts = _her2_facts(text)
    assert [f.value for f in facts] == [her2]
    assert facts[0].detail.get("ihc_score") in ("1+", "2+")
