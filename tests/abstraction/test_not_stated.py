"""Absent evidence answers "not stated" (None), never a guess."""

from consilium.engines.abstraction import SUMMARY_FIELDS, abstract


def test_empty_text():
    result = abstract("")
    assert all(value is None for value in result.summary().values())
    assert result.facts == []


def test_unrelated_text():
    result = abstract("The patient was seen in clinic today. Follow-up in three months.")
    assert all(result.summary()[name] is None for name in SUMMARY_FIELDS)


def test_conflicting_receptor_statements_answer_nothing():
    result = abstract("ER: positive. Repeat testing: ER negative.")
    assert result.er is None


def test_breast_size_with_chest_wall_invasion_does_not_infer_t():
    result = abstract(
        "DIAGNOSIS: Right breast: invasive ductal carcinoma, 3.0 cm, invading the chest wall."
    )
    assert result.pT is None
