"""Each structured criterion against a patient profile: met, not met or unknown, with the
reason; a missing fact is unknown, never taken as "no"."""

from __future__ import annotations

import datetime as dt

import pytest

from consilium.engines.decision.profile import Biomarker, PatientProfile, Treatment
from consilium.engines.trials.eligibility import (
    EXCLUSION,
    INCLUSION,
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    evaluate,
    parse_bullet,
)
from tests.trials.registry import AS_OF, egfr_patient


def verdict(text: str, profile: PatientProfile, section: str = INCLUSION, kind: str | None = None):
    criteria = [c for c in parse_bullet(text, section) if c.structured]
    if kind:
        criteria = [c for c in criteria if c.kind == kind]
    assert len(criteria) == 1, [c.kind for c in criteria]
    return evaluate(criteria[0], profile, as_of=AS_OF)


@pytest.mark.parametrize(
    ("text", "section", "expected"),
    [
        ("EGFR exon 19 deletion or L858R mutation", INCLUSION, MET),
        ("EGFR exon 20 insertion", INCLUSION, NOT_MET),
        ("Known EGFR mutation or ALK rearrangement", EXCLUSION, NOT_MET),
        ("EGFR wild-type", INCLUSION, NOT_MET),
        ("ECOG performance status 0-1", INCLUSION, MET),
        ("ECOG performance status of 0", INCLUSION, NOT_MET),
        ("Untreated brain metastases", EXCLUSION, MET),
        ("Measurable disease per RECIST 1.1", INCLUSION, MET),
        ("Stage IV", INCLUSION, MET),
        ("Stage I-III", INCLUSION, NOT_MET),
        ("Progression on prior osimertinib", INCLUSION, MET),
        ("Prior treatment with an EGFR TKI", EXCLUSION, NOT_MET),
        ("Age 18 to 60 years", INCLUSION, NOT_MET),  # 64 on the as-of date
        ("Age ≥ 18 years", INCLUSION, MET),
        ("Histologically confirmed non-small cell lung cancer", INCLUSION, MET),
        ("Histologically confirmed small cell lung cancer", INCLUSION, NOT_MET),
        # One regimen on record does not show there were not more.
        ("More than 2 prior lines of systemic therapy", EXCLUSION, UNKNOWN),
    ],
)
def test_verdicts_for_an_egfr_patient(text, section, expected):
    v = verdict(text, egfr_patient(), section)
    assert v.verdict == expected, v.reason
    assert v.reason


def test_unknowns_say_what_is_missing():
    bare = PatientProfile(cancer_type="LUAD")
    cases = {
        "EGFR exon 19 deletion": "EGFR not on record",
        "ECOG performance status 0-1": "Performance status not on record",
        "Untreated brain metastases": "not recorded",
        "Stage IV": "Stage not on record",
        "Age ≥ 18 years": "Date of birth not on record",
        "Prior platinum-based chemotherapy": "No treatments on record",
    }
    for text, words in cases.items():
        section = EXCLUSION if "brain" in text else INCLUSION
        v = verdict(text, bare, section)
        assert v.verdict == UNKNOWN and words in v.reason, (text, v.reason)


def test_a_treatment_not_recorded_is_not_taken_as_never_given():
    v = verdict("Prior platinum-based chemotherapy", egfr_patient())
    assert v.verdict == UNKNOWN and "confirm" in v.reason


def test_positive_without_the_variant_is_unknown_for_a_specific_variant():
    p = egfr_patient(biomarkers={"EGFR": Biomarker("EGFR", "positive", "mutation")})
    assert verdict("EGFR L858R mutation", p).verdict == UNKNOWN
    assert verdict("EGFR mutation", p).verdict == MET


def test_sensitizing_means_the_labelled_variants():
    p = egfr_patient(biomarkers={"EGFR": Biomarker("EGFR", "positive", "exon 19 deletion")})
    assert verdict("Sensitizing EGFR mutation", p).verdict == MET
    q = egfr_patient(biomarkers={"EGFR": Biomarker("EGFR", "positive", "exon 20 insertion")})
    assert verdict("Sensitizing EGFR mutation", q).verdict == NOT_MET


def test_pd_l1_threshold_and_her2_low():
    high = egfr_patient(biomarkers={"PD-L1": Biomarker("PD-L1", "positive", None, "60")})
    low = egfr_patient(biomarkers={"PD-L1": Biomarker("PD-L1", "positive", None, "10")})
    assert verdict("PD-L1 TPS ≥ 50%", high).verdict == MET
    assert verdict("PD-L1 TPS ≥ 50%", low).verdict == NOT_MET
    her2_1 = PatientProfile(biomarkers={"HER2": Biomarker("HER2", "negative", None, "1+")})
    her2_3 = PatientProfile(biomarkers={"HER2": Biomarker("HER2", "positive", None, "3+")})
    assert verdict("HER2-low breast cancer", her2_1, kind="biomarker").verdict == MET
    assert verdict("HER2-low breast cancer", her2_3, kind="biomarker").verdict == NOT_MET


def test_hormone_receptor_and_mismatch_repair():
    er_pos = PatientProfile(biomarkers={"ER": Biomarker("ER", "positive")})
    tn = PatientProfile(
        biomarkers={"ER": Biomarker("ER", "negative"), "PR": Biomarker("PR", "negative")}
    )
    assert verdict("Hormone receptor-positive", er_pos).verdict == MET
    assert verdict("Hormone receptor-positive", tn).verdict == NOT_MET
    dmmr = PatientProfile(biomarkers={"MLH1": Biomarker("MLH1", "loss of expression")})
    assert verdict("MSI-high or mismatch repair deficient tumor", dmmr).verdict == MET
    mss = PatientProfile(biomarkers={"MSI": Biomarker("MSI", "mss")})
    assert verdict("MSI-high or mismatch repair deficient tumor", mss).verdict == NOT_MET


def test_cancer_type_within_broader_narrower_and_baskets():
    luad = PatientProfile(cancer_type="LUAD")
    nsclc = PatientProfile(cancer_type="NSCLC")
    aml = PatientProfile(cancer_type="AML")

    def crit(codes):
        return Criterion("cancer_type", INCLUSION, {"codes": codes}, "Conditions")

    assert evaluate(crit(["NSCLC"]), luad, as_of=AS_OF).verdict == MET
    assert evaluate(crit(["LUAD"]), nsclc, as_of=AS_OF).verdict == UNKNOWN  # narrower: confirm
    assert evaluate(crit(["BRCA"]), luad, as_of=AS_OF).verdict == NOT_MET
    assert evaluate(crit(["_SOLID_"]), luad, as_of=AS_OF).verdict == MET
    assert evaluate(crit(["_SOLID_"]), aml, as_of=AS_OF).verdict == NOT_MET
    assert evaluate(crit(["_LIQUID_"]), aml, as_of=AS_OF).verdict == MET


def test_lines_counted_from_systemic_regimens():
    two = egfr_patient(
        treatments=(
            Treatment("carboplatin", "chemotherapy", dt.date(2023, 1, 1)),
            Treatment("pemetrexed", "chemotherapy", dt.date(2023, 1, 1)),
            Treatment("osimertinib", "targeted_therapy", dt.date(2024, 3, 1)),
            Treatment("lobectomy", "surgery", dt.date(2022, 6, 1)),
        )
    )
    assert verdict("At least 2 prior lines of systemic therapy", two).verdict == MET
    assert verdict("No more than 1 prior line of therapy", two).verdict == NOT_MET
    assert verdict("Prior platinum-based chemotherapy", two).verdict == MET


def test_metastatic_and_locally_advanced():
    stage3 = PatientProfile(stage_group="IIIB", metastatic=False)
    assert verdict("Locally advanced or metastatic NSCLC", stage3, kind="metastatic").verdict == MET
    assert verdict("Metastatic NSCLC", stage3, kind="metastatic").verdict == NOT_MET
    assert verdict("Evidence of distant metastases", stage3, EXCLUSION).verdict == MET


def test_sex_from_the_registry():
    c = Criterion("sex", INCLUSION, {"sex": "male"}, "Sex: male only", "registry")
    assert evaluate(c, egfr_patient(), as_of=AS_OF).verdict == NOT_MET
    assert evaluate(c, PatientProfile(), as_of=AS_OF).verdict == UNKNOWN
