"""Grade read by the grading system of the tumour's site (data/grading.yaml)."""

import pytest

from consilium.engines.abstraction import abstract


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        # Renal cell carcinoma: the nuclear grade is the grade.
        ("Kidney: clear cell renal cell carcinoma. Nuclear grade: Fuhrman 4/4.", "G4"),
        ("Kidney: clear cell renal cell carcinoma, nuclear grade IV/IV.", "G4"),
        # Urothelial carcinoma: low or high grade; G3 is unambiguously high grade.
        ("Bladder, cystectomy: urothelial carcinoma. Histologic grade: G3.", "High Grade"),
        ("Bladder, TURBT: high grade papillary urothelial carcinoma.", "High Grade"),
        # Differentiation words.
        ("Stomach: adenocarcinoma, poorly differentiated.", "G3"),
        # A grade on its own stated scale needs no qualifier.
        ("Stomach: adenocarcinoma (grade 2 of 3).", "G2"),
    ],
)
def test_grade(text, grade):
    assert abstract(text).grade == grade


def test_hepatocellular_differentiation_words_do_not_give_the_grade():
    result = abstract("Liver, segment 6: hepatocellular carcinoma, moderately differentiated.")
    assert result.grade is None
    assert [f.value for f in result.facts if f.name == "grade"] == ["G2"]


def test_precursor_lesion_grade_is_not_the_carcinoma_grade():
    result = abstract(
        "Pancreas, Whipple: ductal adenocarcinoma. Margin: low-grade pancreatic. "
        "intraepithelial neoplasia."
    )
    assert result.grade is None


def test_block_key_is_not_a_grade():
    result = abstract(
        "Bladder: invasive urothelial carcinoma. Sections: G1: left para-aortic lymph nodes."
    )
    assert result.grade is None
