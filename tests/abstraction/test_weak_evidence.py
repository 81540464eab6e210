"""Weak evidence stays a fact and the summary says "not stated": an incomplete or
historical stage group, a range of grades, a bare G code in the gross description, a
grade on another site's system, a mixed histology, a HER2 result whose method is ISH.
Each rule is checked both ways: the weak wording declines, the strong wording answers."""

import pytest

from consilium.engines.abstraction import abstract


def _facts(result, name):
    return [f for f in result.facts if f.name == name]


# -- stage group ---------------------------------------------------------------------


def test_bare_group_the_site_subdivides_is_a_fact_not_the_answer():
    result = abstract(
        "FINAL DIAGNOSIS: Left breast, lumpectomy: invasive ductal carcinoma, 1.4 cm. "
        "AJCC stage: I (pT1c pN0)."
    )
    assert result.cancer_type == "IDC"
    assert result.stage_group is None
    (fact,) = _facts(result, "stage_group")
    assert fact.value == "I"
    assert fact.confidence < 0.5
    assert "subgroups" in fact.detail["weak"]


def test_complete_group_answers():
    result = abstract(
        "FINAL DIAGNOSIS: Left breast, lumpectomy: invasive ductal carcinoma, 1.4 cm. "
        "AJCC stage: IA (pT1c pN0)."
    )
    assert result.stage_group == "IA"


def test_bare_group_answers_where_the_site_has_no_subgroups():
    result = abstract(
        "DIAGNOSIS: Right kidney, radical nephrectomy: clear cell renal cell carcinoma. "
        "Pathologic stage: II (pT2a pN0)."
    )
    assert result.cancer_type == "CCRCC"
    assert result.stage_group == "II"


def test_complete_group_answers_beside_its_bare_group():
    result = abstract(
        "Lung, right lower lobe, lobectomy: adenocarcinoma of the lung. Stage I. "
        "Pathologic stage: IB (pT2a N0)."
    )
    assert result.stage_group == "IB"


def test_historical_stage_group_is_a_fact_not_the_answer():
    result = abstract(
        "CLINICAL HISTORY: History of stage IIIB carcinoma of the right lung treated with "
        "chemoradiation. DIAGNOSIS: Brain, resection: metastatic carcinoma."
    )
    assert result.stage_group is None
    (fact,) = _facts(result, "stage_group")
    assert fact.value == "IIIB"
    assert fact.assertion == "historical"


# -- grade ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kidney: clear cell renal cell carcinoma. Nuclear grade: Fuhrman 2-3/4.",
        "Pancreas, distal resection: ductal adenocarcinoma, moderately to poorly differentiated.",
        "Cervix, hysterectomy: squamous cell carcinoma (grade 1-2 of 3).",
    ],
)
def test_range_of_grades_is_a_fact_not_the_answer(text):
    result = abstract(text)
    assert result.grade is None
    ranged = [f for f in _facts(result, "grade") if f.detail.get("weak") == "a range of grades"]
    assert ranged and all(f.confidence < 0.5 for f in ranged)


def test_range_within_one_grade_of_the_site_answers():
    # Grades 3 and 4 are both high grade in a two-tier urothelial system.
    result = abstract("Bladder, cystectomy: invasive urothelial carcinoma, grade 3-4/4.")
    assert result.grade == "High Grade"


def test_range_beside_a_single_grade_lets_the_single_grade_answer():
    result = abstract(
        "Stomach, gastrectomy: adenocarcinoma, poorly differentiated. Comment: areas are "
        "moderately to poorly differentiated."
    )
    assert result.grade == "G3"


def test_bare_g_code_in_the_gross_description_is_not_the_grade():
    result = abstract(
        "DIAGNOSIS: Colon, sigmoid, resection: invasive adenocarcinoma. "
        "GROSS DESCRIPTION: Received in formalin a segment of colon. G1. Tumour, inked."
    )
    assert result.grade is None
    (fact,) = _facts(result, "grade")
    assert fact.value == "G1"
    assert "gross" in fact.detail["weak"]


def test_labelled_grade_answers():
    result = abstract(
        "DIAGNOSIS: Colon, sigmoid, resection: invasive adenocarcinoma. Histologic grade: G2."
    )
    assert result.grade == "G2"


def test_grade_on_another_system_than_the_sites_is_a_fact_not_the_answer():
    result = abstract(
        "Liver, right lobe, resection: hepatocellular carcinoma. Histologic grade: grade 2 "
        "of 4 (Edmondson-Steiner)."
    )
    assert result.cancer_type == "HCC"
    assert result.grade is None
    (fact,) = _facts(result, "grade")
    assert fact.value == "G2"
    assert fact.confidence < 0.5


def test_hepatocellular_g_grade_answers():
    result = abstract(
        "Liver, right lobe, resection: hepatocellular carcinoma. Histologic grade: G2."
    )
    assert result.grade == "G2"


# -- histology -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Breast, right, mastectomy: invasive ductal carcinoma, mucinous type, 2.5 cm.",
        "Breast, left, excision: invasive ductal carcinoma with micropapillary "
        "differentiation, 1.9 cm.",
        "Breast, left, lumpectomy: invasive lobular carcinoma, mixed, 3.1 cm.",
        "Breast, right: mixed infiltrating duct and colloid carcinoma, 2.2 cm.",
        "Breast, left: carcinoma ductale invasivum (partim mucinosum), 1.7 cm.",
    ],
)
def test_mixed_histology_is_a_fact_not_the_answer(text):
    result = abstract(text)
    assert result.cancer_type is not None  # the type still answers; only the code declines
    assert result.histology is None
    weak = [f for f in _facts(result, "histology") if f.detail.get("weak")]
    assert weak and weak[0].value in ("8500/3", "8520/3", "8480/3")
    assert weak[0].confidence < 0.5


def test_focal_features_of_another_type_do_not_make_it_mixed():
    result = abstract(
        "Breast, right, mastectomy: invasive ductal carcinoma with focal mucinous features, 2.5 cm."
    )
    assert result.histology == "8500/3"


def test_single_type_answers():
    result = abstract("Breast, right, mastectomy: invasive ductal carcinoma, 2.5 cm.")
    assert result.histology == "8500/3"


# -- HER2 ----------------------------------------------------------------------------


def test_her2_result_whose_method_is_ish_is_not_the_ihc_answer():
    result = abstract(
        "Invasive ductal carcinoma of the breast. Predictive markers. ER: positive. "
        "HER2: Result: negative. Method: FISH. Performed on the core biopsy."
    )
    assert result.er == "positive"
    assert result.her2 is None
    (fact,) = _facts(result, "HER2")
    assert fact.value == "negative"
    assert fact.detail["ish"] == "not amplified"


def test_her2_result_whose_method_is_ihc_answers():
    result = abstract(
        "Invasive ductal carcinoma of the breast. Predictive markers. ER: positive. "
        "HER2: Result: negative. Method: immunohistochemistry. Performed on the core biopsy."
    )
    assert result.her2 == "negative"
