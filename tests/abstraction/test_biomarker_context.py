"""Biomarker results read in context: the words around a marker can make it a reference
range, a method note, a population in the literature, a control, an instruction or an
older cut-off rather than this tumour's result."""

import pytest

from consilium.engines.abstraction import abstract


def _facts(result, name):
    return [f for f in result.facts if f.name == name]


@pytest.mark.parametrize(
    ("text", "er", "pr", "her2"),
    [
        # The hormone's name alone labels its receptor when a result follows at once.
        (
            "Estrogen: positive, 80% of nuclei. Progesterone: negative.",
            "positive",
            "negative",
            None,
        ),
        ("Estrogen is negative. Progesterone is negative.", "negative", "negative", None),
        # "No ... receptors found": a negated finding is a negative result.
        (
            "No estrogen receptors found in tumour cell nuclei. No progesterone receptors "
            "detected in tumour cell nuclei.",
            "negative",
            "negative",
            None,
        ),
        # One status word shared along a chain of markers of different kinds.
        ("Immunostains: ER/PR/HER2 - negative.", "negative", "negative", "negative"),
        # "negative for overexpression" is HER2's own result, not a statement about a
        # following marker; "overexpression" alone is not a positive result.
        ("HER2: negative for protein overexpression (score 1+).", None, None, "negative"),
        ("The tumour is indeterminate for HER2 protein overexpression.", None, None, "equivocal"),
    ],
)
def test_statuses_in_context(text, er, pr, her2):
    result = abstract(text)
    assert (result.er, result.pr, result.her2) == (er, pr, her2)


@pytest.mark.parametrize(
    "text",
    [
        "Reference range: estrogen receptor and progesterone receptor: <1% = negative.",
        "Interpretation: ER negative < 6.5, positive >= 6.5; PR negative < 5.5.",
        "The Allred score for estrogen and progesterone receptors is calculated by adding "
        "the proportion and intensity scores; a negative result is a score of 0 to 2.",
        "Trastuzumab improves survival of women with HER2-positive breast cancer.",
        "HER2 amplified control tissue was stained alongside. Carcinomas with staining "
        "scores of 2 are considered borderline.",
        "If invasive carcinoma, please obtain HER2; for all 2+ IHC results please do FISH.",
    ],
)
def test_keys_notes_and_instructions_are_not_results(text):
    result = abstract(text)
    assert (result.er, result.pr, result.her2) == (None, None, None)


def test_positive_and_negative_controls_are_not_the_result():
    result = abstract(
        "Using appropriate positive and negative controls, HER2 is interpreted as "
        "negative (score 1+)."
    )
    assert result.her2 == "negative"


def test_normal_tissue_that_checks_the_stain_is_not_the_result():
    text = (
        "Progesterone Receptor: NEGATIVE (less than 1% immunoreactive cells present). "
        "Non-neoplastic mammary epithelial cells are immunoreactive for estrogen and "
        "progesterone receptors (internal. control)."
    )
    result = abstract(text)
    assert [f.value for f in _facts(result, "PR")] == ["negative"]
    assert _facts(result, "ER") == []
    assert result.pr == "negative"


def test_benign_tissue_named_in_the_sentence_before_does_not_hide_the_result():
    text = "Location of calcifications: DCIS. Benign epithelium. ER: Positive. PR: Positive."
    result = abstract(text)
    assert (result.er, result.pr) == ("positive", "positive")


def test_status_by_an_older_cut_off_is_a_fact_not_an_answer():
    result = abstract("Progesterone receptor: negative (5% weak nuclear staining).")
    assert result.pr is None
    fact = _facts(result, "PR")[0]
    assert fact.value == "negative" and "ASCO/CAP" in fact.detail["conflict"]


def test_a_less_than_percent_above_one_does_not_decide():
    result = abstract("PR: negative (<5% of cells).")
    assert result.pr is None


def test_allred_proportion_score_decides_against_the_one_percent_threshold():
    assert abstract("ER: Allred score 8 = proportion score 5 + intensity 3.").er == "positive"
    conflicting = abstract("PR: negative. Allred score 4 = proportion score 2 + intensity 2.")
    assert conflicting.pr is None
    assert _facts(conflicting, "PR")[0].detail["allred_proportion_score"] == "2"


def test_her2_gene_expression_score_is_not_the_ihc_result():
    result = abstract("Recurrence score panel: HER2 score: 9.8 negative.")
    assert result.her2 is None
    assert _facts(result, "HER2")[0].value == "negative"


def test_her2_plus_by_fish_is_an_ish_result():
    result = abstract("Clinical history: ER+, PR+, HER2+ by FISH.")
    assert result.her2 is None
    assert _facts(result, "HER2")[0].detail["ish"] == "amplified"


def test_a_dash_before_a_clone_name_is_not_a_negative_sign():
    result = abstract("Progesterone receptor protein (PR- clone 1E2): POSITIVE, 60% of nuclei.")
    assert result.pr == "positive"


def test_a_test_ordered_before_with_its_result_is_the_result():
    result = abstract(
        "Invasive ductal carcinoma of the breast. ESTROGEN RECEPTORS: Previously ordered and "
        "positive. PROGESTERONE RECEPTORS: Previously ordered and negative."
    )
    assert (result.er, result.pr) == ("positive", "negative")
    # Ordered and not yet read stays pending.
    result = abstract(
        "Invasive ductal carcinoma of the breast. ESTROGEN RECEPTORS: ordered, to follow."
    )
    assert [f.assertion for f in result.facts_named("ER")] == ["pending"]
