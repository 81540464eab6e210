"""Explicit TNM statements, including OCR noise, become stated pT/pN/pM."""

import pytest

from consilium.engines.abstraction import abstract


@pytest.mark.parametrize(
    ("text", "t", "n", "m"),
    [
        ("Pathologic stage: pT2 pN0 M0.", "T2", "N0", "M0"),
        ("TNM: ypT1c ypN1a.", "T1c", "N1a", None),
        ("AJCC stage: T3N1M0.", "T3", "N1", "M0"),
        ("Primary tumor (pT): pT2. Regional lymph nodes (pN): pN2a.", "T2", "N2a", None),
        ("Classification: pT 2, pN 0 (0/15), pMX, R 0.", "T2", "N0", None),
        ("Summary: G III, p T2 pNO(0/13) LOVORO.", "T2", "N0", None),
        ("Summary classification: pTlc (1.5 cm), pN0 sn, MX.", "T1c", "N0", None),
        ("AJCC/UICC stage: pT2aN1bMX.", "T2a", "N1b", None),
        ("Grade: 2. T Stage: 3 N Stage: 1 M Stage: 0.", "T3", "N1", "M0"),
    ],
)
def test_explicit_categories(text, t, n, m):
    result = abstract(text)
    assert (result.pT, result.pN, result.pM) == (t, n, m)
    stated = [f for f in result.facts if f.name == "pT"]
    assert stated and all(f.basis == "stated" for f in stated)


def test_mx_is_a_fact_but_not_an_answer():
    result = abstract("Final diagnosis: pT2 pN0 pMX.")
    assert result.pM is None
    assert [f.value for f in result.facts if f.name == "pM"] == ["MX"]


def test_clinical_category_does_not_answer_pathologic():
    result = abstract("Clinical history: cT3 cN1 by imaging. No resection performed.")
    assert result.pT is None and result.pN is None
    assert {f.name for f in result.facts} >= {"cT", "cN"}


def test_bare_t_without_context_is_not_a_category():
    result = abstract("MRI: T2 weighted images show a lesion. Slide T1 reviewed.")
    assert result.pT is None
