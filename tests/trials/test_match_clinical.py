"""Clinical leaves: OncoTree subtree semantics, _SOLID_/_LIQUID_, negation, age, gender, TMB."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.trials.helpers import matches


def dx(name: str, **extra) -> dict:
    return {"ONCOTREE_PRIMARY_DIAGNOSIS_NAME": name, **extra}


@pytest.mark.parametrize(
    "trial_dx, patient_dx, expected",
    [
        ("Non-Small Cell Lung Cancer", "Lung Adenocarcinoma", True),  # descendant
        ("Non-Small Cell Lung Cancer", "Non-Small Cell Lung Cancer", True),  # itself
        ("Lung Adenocarcinoma", "Non-Small Cell Lung Cancer", False),  # ancestor is not within
        ("Non-Small Cell Lung Cancer", "Small Cell Lung Cancer", False),  # sibling
        ("Lung", "Pleuropulmonary Blastoma", True),  # tissue names cover the tissue
        ("Melanoma", "Cutaneous Melanoma", True),
        ("Melanoma", "Uveal Melanoma", False),  # another branch (Eye)
        ("Glioblastoma Multiforme", "Glioblastoma, IDH-Wildtype", True),  # older release's name
        ("Multiple Myeloma", "Plasma Cell Myeloma", True),
        ("Acute Lymphoid Leukemia", "B-Lymphoblastic Leukemia/Lymphoma", True),
        (
            "B-Lymphoblastic Leukemia/Lymphoma",
            "Acute Lymphoid Leukemia",
            False,
        ),  # a group is not within one member
        ("Not A Tumour Type", "Not A Tumour Type", True),  # unknown names compare as text
        ("Not A Tumour Type", "Lung Adenocarcinoma", False),
    ],
)
def test_oncotree_subtree(trial_dx, patient_dx, expected):
    tree = [{"clinical": {"oncotree_primary_diagnosis": trial_dx}}]
    assert matches(tree, **dx(patient_dx)) is expected


@pytest.mark.parametrize(
    "keyword, patient_dx, expected",
    [
        ("_SOLID_", "Lung Adenocarcinoma", True),
        ("_SOLID_", "Acute Myeloid Leukemia", False),
        ("_LIQUID_", "Acute Myeloid Leukemia", True),
        ("_LIQUID_", "Diffuse Large B-Cell Lymphoma, NOS", True),
        ("_LIQUID_", "Breast Invasive Ductal Carcinoma", False),
        ("_SOLID_", "Something Unknown", False),  # neither when the name is not in OncoTree
        ("_LIQUID_", "Something Unknown", False),
        ("!_SOLID_", "Acute Myeloid Leukemia", True),
        ("!_LIQUID_", "Acute Myeloid Leukemia", False),
    ],
)
def test_solid_and_liquid(keyword, patient_dx, expected):
    assert (
        matches([{"clinical": {"oncotree_primary_diagnosis": keyword}}], **dx(patient_dx))
        is expected
    )


def test_negated_diagnosis_excludes_the_subtree():
    tree = [{"clinical": {"oncotree_primary_diagnosis": "!Non-Small Cell Lung Cancer"}}]
    assert matches(tree, **dx("Lung Squamous Cell Carcinoma")) is False
    assert matches(tree, **dx("Small Cell Lung Cancer")) is True


def test_missing_diagnosis_never_meets_a_positive_criterion():
    assert matches([{"clinical": {"oncotree_primary_diagnosis": "Lung"}}]) is False


AS_OF = dt.date(2025, 6, 15)


@pytest.mark.parametrize(
    "limit, birth, expected",
    [
        (">=18", "2007-06-15", True),  # 18th birthday on the as-of date
        (">=18", "2007-06-16", False),  # one day short
        (">18", "2007-06-15", False),  # strictly older than 18 years
        (">18", "2007-06-14", True),
        ("<18", "2007-06-15", False),
        ("<18", "2007-06-16", True),
        ("<=18", "2007-06-15", True),
        ("<65", "1960-06-16", True),
        ("<65", "1960-06-15", False),
        (">=0.5", "2024-12-15", True),  # half a year = six months
        (">=0.5", "2024-12-16", False),
        (">= 21", "2004-06-15", True),  # spaces tolerated
    ],
)
def test_age_from_birth_date_and_as_of(limit, birth, expected):
    assert (
        matches([{"clinical": {"age_numerical": limit}}], BIRTH_DATE=birth, as_of=AS_OF) is expected
    )


def test_age_depends_on_the_as_of_date():
    tree = [{"clinical": {"age_numerical": ">=18"}}]
    assert matches(tree, BIRTH_DATE="2007-06-15", as_of=dt.date(2025, 6, 14)) is False
    assert matches(tree, BIRTH_DATE="2007-06-15", as_of=dt.date(2025, 6, 15)) is True


def test_age_with_leap_day_birth_and_other_date_forms():
    tree = [{"clinical": {"age_numerical": ">=18"}}]
    # born 29 Feb 2008: the cut-off for 28 Feb 2026 is 28 Feb 2008, so not yet 18
    assert matches(tree, BIRTH_DATE="2008-02-29", as_of=dt.date(2026, 2, 28)) is False
    assert matches(tree, BIRTH_DATE="2008-02-29", as_of=dt.date(2026, 3, 1)) is True
    assert matches(tree, BIRTH_DATE="1970-01-01T00:00:00Z") is True
    assert matches(tree, BIRTH_DATE={"$date": "1970-01-01T00:00:00Z"}) is True
    assert matches(tree, BIRTH_DATE=None, BIRTH_DATE_INT=19700101) is True


def test_no_birth_date_never_meets_an_age_limit():
    assert matches([{"clinical": {"age_numerical": ">=18"}}], BIRTH_DATE=None) is False


def test_gender():
    tree = [{"clinical": {"gender": "Male"}}]
    assert matches(tree, GENDER="Male") is True
    assert matches(tree, GENDER="Female") is False
    assert matches([{"clinical": {"gender": "!Male"}}], GENDER="Female") is True


@pytest.mark.parametrize(
    "limit, tmb, expected",
    [
        (">=10", 10, True),
        (">10", 10, False),
        ("<=40", 40, True),
        ("<40", 40, False),
        ("==40", 40.0, True),
        (">=10", None, False),
    ],
)
def test_tmb(limit, tmb, expected):
    assert (
        matches([{"clinical": {"tmb_numerical": limit}}], TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE=tmb)
        is expected
    )


def test_keys_of_one_clinical_criterion_all_apply():
    tree = [
        {
            "clinical": {
                "age_numerical": ">=18",
                "oncotree_primary_diagnosis": "Breast",
                "gender": "Female",
            }
        }
    ]
    assert matches(tree, **dx("Breast Invasive Ductal Carcinoma")) is True
    assert matches(tree, **dx("Breast Invasive Ductal Carcinoma"), GENDER="Male") is False
    assert matches(tree, **dx("Breast Invasive Ductal Carcinoma"), BIRTH_DATE="2015-01-01") is False


def test_ignored_keys_do_not_restrict():
    # MatchMiner skips her2_status and similar curated-only keys
    assert matches([{"clinical": {"her2_status": False}}]) is True
    tree = [{"clinical": {"oncotree_primary_diagnosis": "Breast", "her2_status": "Positive"}}]
    assert matches(tree, **dx("Breast Invasive Ductal Carcinoma")) is True


def test_unknown_clinical_keys_compare_with_the_upper_case_field():
    assert matches([{"clinical": {"vital_status": "alive"}}], VITAL_STATUS="alive") is True
    assert matches([{"clinical": {"disease_stage": "IV"}}], DISEASE_STAGE="III") is False
