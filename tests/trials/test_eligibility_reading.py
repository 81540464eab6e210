"""From the registry's eligibility text to bullets, and from bullets to structured
criteria linked to their sentence; the rest kept as text. Never crashes on any text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consilium.engines.trials.eligibility import (
    EXCLUSION,
    INCLUSION,
    KINDS,
    REGISTRY,
    TEXT,
    parse_bullet,
    parse_criteria,
    split_criteria,
)


def test_sections_bullets_nesting_and_continuations():
    text = (
        "Key Inclusion Criteria:\n\n"
        "1. Age \\>= 18 years\n"
        "2. Adequate organ function:\n\n"
        "   * ANC \\>= 1.5 x 10^9/L\n"
        "   * Platelets \\>= 100 x 10^9/L, measured\n"
        "     within 14 days\n"
        "\n"
        "Patient Exclusion Criteria:\n\n"
        "* Pregnancy\n"
        "\n"
        "Donor Inclusion Criteria:\n\n"
        "* Donor aged 18 to 60 years\n"
    )
    inclusion, exclusion = split_criteria(text)
    assert inclusion == (
        "Age >= 18 years",
        "Adequate organ function:",
        "ANC >= 1.5 x 10^9/L",
        "Platelets >= 100 x 10^9/L, measured within 14 days",
    )
    # The donor's criteria are not the patient's.
    assert exclusion == ("Pregnancy",)


def test_text_without_headings_counts_as_inclusion_and_long_prose_is_split():
    prose = (
        "Patients must have histologically confirmed melanoma. Age at least 18 years. "
        "ECOG performance status of 0 or 1. Adequate bone marrow function with neutrophils "
        "above 1500 per microliter and platelets above 100000 per microliter. "
        "Signed informed consent."
    )
    inclusion, exclusion = split_criteria(prose)
    assert exclusion == ()
    assert len(inclusion) == 5 and inclusion[2] == "ECOG performance status of 0 or 1"


def test_participants_are_eligible_headings():
    inclusion, exclusion = split_criteria(
        "Participants are eligible to be included in the study only if all of the following "
        "criteria apply:\n* Stage IV\nParticipants are excluded from the study if any of the "
        "following criteria apply:\n* Prior PARP inhibitor"
    )
    assert inclusion == ("Stage IV",) and exclusion == ("Prior PARP inhibitor",)


def _one(text: str, section: str = INCLUSION):
    found = [c for c in parse_bullet(text, section) if c.structured]
    assert found, f"nothing read from {text!r}"
    return found


@pytest.mark.parametrize(
    ("text", "kind", "polarity", "params"),
    [
        ("ECOG performance status 0-1", "ecog", INCLUSION, {"min": 0, "max": 1}),
        ("ECOG PS ≤ 2", "ecog", INCLUSION, {"min": 0, "max": 2}),
        ("Eastern Cooperative Oncology Group score of 0, 1, or 2", "ecog", INCLUSION, {"max": 2}),
        ("Karnofsky performance status ≥ 70%", "ecog", INCLUSION, {"max": 1, "karnofsky": 70}),
        ("Age ≥ 18 years", "age", INCLUSION, {"min": 18, "max": None}),
        ("Aged 18 to 75 years", "age", INCLUSION, {"min": 18, "max": 75}),
        (
            "Stage IIIB-IV non-small cell lung cancer",
            "stage",
            INCLUSION,
            {"stages": ["IIIB", "IIIC", "IV"]},
        ),
        (
            "Untreated brain metastases",
            "brain_metastases",
            EXCLUSION,
            {"qualifiers": ["untreated"]},
        ),
        ("At least one measurable lesion per RECIST 1.1", "measurable_disease", INCLUSION, {}),
        ("At least 2 prior lines of systemic therapy", "lines", INCLUSION, {"min": 2, "max": None}),
        ("No more than 3 prior regimens", "lines", INCLUSION, {"min": None, "max": 3}),
        ("Previously untreated", "lines", INCLUSION, {"min": None, "max": 0}),
        ("Postmenopausal women with breast cancer", "sex", INCLUSION, {"sex": "female"}),
    ],
)
def test_criteria_read_from_one_sentence(text, kind, polarity, params):
    section = EXCLUSION if kind == "brain_metastases" else INCLUSION
    found = [c for c in _one(text, section) if c.kind == kind]
    assert found, f"no {kind} in {[c.kind for c in _one(text, section)]}"
    c = found[0]
    assert c.polarity == polarity
    assert c.text == text  # linked to its source sentence
    for key, value in params.items():
        assert c.params[key] == value, (key, c.params)


def test_biomarkers_with_gene_alteration_and_polarity():
    (egfr,) = [c for c in _one("Documented EGFR exon 19 deletion or exon 21 L858R mutation")]
    assert egfr.kind == "biomarker" and egfr.polarity == INCLUSION
    (marker,) = egfr.params["markers"]
    assert marker["gene"] == "EGFR"
    assert marker["alterations"] == ["exon 19 deletion", "exon 21 L858R"]

    (excl,) = [c for c in _one("Known EGFR mutation or ALK rearrangement", EXCLUSION)]
    assert excl.polarity == EXCLUSION and excl.params["any"] is True
    assert [m["gene"] for m in excl.params["markers"]] == ["EGFR", "ALK"]
    assert excl.params["markers"][1]["alterations"] == ["fusion"]

    (tnbc,) = [
        c for c in _one("ER-negative, PR-negative and HER2-negative") if c.kind == "biomarker"
    ]
    assert [(m["gene"], m["status"]) for m in tnbc.params["markers"]] == [
        ("ER", "negative"),
        ("PR", "negative"),
        ("HER2", "negative"),
    ]
    assert tnbc.params["any"] is False

    (pdl1,) = [c for c in _one("PD-L1 tumor proportion score (TPS) ≥ 50%") if c.kind == "biomarker"]
    assert pdl1.params["markers"][0]["min_value"] == 50

    (low,) = [c for c in _one("HER2-low (IHC 1+ or IHC 2+ with negative ISH)")]
    assert low.params["markers"][0]["status"] == "low"


def test_examples_do_not_restrict_the_alteration():
    (c,) = [
        c
        for c in _one("Confirmed EGFR mutation [e.g., T790M, exon 19 deletion, L858R]")
        if c.kind == "biomarker"
    ]
    assert c.params["markers"][0]["alterations"] == []


def test_a_drug_class_named_after_a_gene_is_a_therapy_not_a_biomarker():
    found = _one("Disease progression on a prior EGFR TKI")
    assert [c.kind for c in found] == ["prior_therapy"]
    assert found[0].params["classes"] == ["egfr_tki"]


def test_negation_flips_polarity():
    (c,) = [
        c for c in _one("No prior anti-PD-1 or anti-PD-L1 therapy") if c.kind == "prior_therapy"
    ]
    assert c.polarity == EXCLUSION
    (b,) = [c for c in _one("Patients without brain metastases")]
    assert b.kind == "brain_metastases" and b.polarity == EXCLUSION


def test_permissive_conditional_and_washout_sentences_are_left_as_text():
    for text in (
        "Patients with treated, stable brain metastases are eligible",
        "If the subject has brain metastases treated with radiation, 4 weeks must pass",
        "Chemotherapy within 21 days prior to the first dose",
        "Unresolved toxicity from previous anti-cancer therapy",
    ):
        kinds = [c.kind for c in parse_bullet(text, EXCLUSION)]
        assert "brain_metastases" not in kinds and "prior_therapy" not in kinds, (text, kinds)


def test_therapy_setting_is_not_a_metastatic_requirement():
    kinds = [c.kind for c in parse_bullet("Prior systemic therapy for metastatic NSCLC", EXCLUSION)]
    assert "metastatic" not in kinds and "prior_therapy" in kinds


def test_cancer_type_from_a_diagnosis_sentence_and_not_from_other_cancers():
    (c,) = [
        c
        for c in _one("Histologically confirmed diffuse large B-cell lymphoma")
        if c.kind == "cancer_type"
    ]
    assert c.params["codes"] == ["DLBCLNOS"]
    assert all(
        c.kind != "cancer_type"
        for c in parse_bullet("History of another malignancy within 5 years", EXCLUSION)
    )
    (x,) = [
        c
        for c in parse_bullet(
            "Small cell lung cancer (including mixed with non-small cell lung cancer)", EXCLUSION
        )
        if c.kind == "cancer_type"
    ]
    assert x.params["codes"] == ["SCLC"]


def test_a_trial_does_not_exclude_its_own_disease():
    criteria = parse_criteria(
        [],
        ["Patient has acute promyelocytic leukemia or leukemia with CNS involvement"],
        condition_codes=["AML"],
        conditions=["Acute Myeloid Leukemia"],
    )
    excluded = [c for c in criteria if c.kind == "cancer_type" and c.polarity == EXCLUSION]
    assert [c.params["codes"] for c in excluded] == [["APLPMLRARA"]]


def test_registry_fields_become_criteria_and_unread_bullets_stay_as_text():
    criteria = parse_criteria(
        ["Signed informed consent"],
        [],
        min_age=18,
        max_age=75,
        sex="FEMALE",
        condition_codes=["BRCA"],
        conditions=["Breast Cancer"],
    )
    assert [(c.kind, c.section) for c in criteria] == [
        ("cancer_type", REGISTRY),
        ("age", REGISTRY),
        ("sex", REGISTRY),
        (TEXT, INCLUSION),
    ]
    assert criteria[1].params == {"min": 18, "max": 75}
    assert criteria[-1].text == "Signed informed consent"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_read_without_crashing(text):
    inclusion, exclusion = split_criteria(text)
    for section, bullets in ((INCLUSION, inclusion), (EXCLUSION, exclusion)):
        for bullet in bullets:
            for c in parse_bullet(bullet, section):
                assert c.kind in (*KINDS, TEXT)
                assert c.text == bullet


_WORDS = st.sampled_from(
    [
        "ECOG",
        "0",
        "1",
        "-",
        "≤",
        "≥",
        "stage",
        "IV",
        "IIIB",
        "EGFR",
        "ALK",
        "positive",
        "negative",
        "no",
        "prior",
        "brain",
        "metastases",
        "measurable",
        "disease",
        "years",
        "age",
        "18",
        "lines",
        "of",
        "therapy",
        "PD-L1",
        "50%",
        "HER2-low",
        "or",
        "and",
        ",",
        ";",
        ".",
        "Karnofsky",
        "metastatic",
        "NSCLC",
        "not",
        "untreated",
        "(",
        ")",
        "e.g.",
        "cancer",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=30).map(" ".join), st.sampled_from([INCLUSION, EXCLUSION]))
def test_clinical_word_salad_is_read_without_crashing(text, section):
    for c in parse_bullet(text, section):
        assert c.polarity in (INCLUSION, EXCLUSION)
