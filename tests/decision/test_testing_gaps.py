"""Testing gaps: each recommended test is done (any result, negative included), pending,
not performed, equivocal, unclear or not stated; every gap says why and cites its
source; settings (advanced, HR-positive, stage) decide which rules apply."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.decision import testing
from tests.decision.helpers import by_id, marker, profile


def lung(*markers, **facts):
    facts.setdefault("stage_group", "IV")
    return by_id(testing.evaluate(profile("LUAD", *markers, **facts)))


def test_a_negative_result_is_not_a_gap():
    egfr = lung(marker("EGFR", "negative"))["test:egfr"]
    assert egfr.status == testing.DONE and not egfr.gap
    assert egfr.result == "EGFR negative"


def test_a_pending_result_is_shown_as_pending():
    kras = lung(marker("KRAS", "pending"))["test:kras"]
    assert kras.status == testing.PENDING and kras.gap
    assert kras.status_label == "Pending"
    assert "pending" in kras.reason


def test_not_performed_and_nothing_on_file_are_gaps_with_reason_and_source():
    tests = lung(marker("ALK", "not_performed"))
    alk, ros1 = tests["test:alk"], tests["test:ros1"]
    assert alk.status == "not_performed" and "not performed" in alk.reason
    assert ros1.status == testing.NOT_STATED
    assert "no result on file" in ros1.reason
    assert "advanced or metastatic non-squamous" in ros1.reason
    assert ros1.sources and all(s.citation for s in ros1.sources)


def test_a_positive_result_with_its_variant_is_done():
    egfr = lung(marker("EGFR", "positive", alteration="mutation", variant="L858R"))["test:egfr"]
    assert egfr.status == testing.DONE
    assert egfr.result == "EGFR L858R"


def test_an_equivocal_her2_is_a_gap_asking_for_a_confirmatory_test():
    tests = by_id(testing.evaluate(profile("IDC", marker("HER2", "equivocal", ihc_score="2+"))))
    her2 = tests["test:her2"]
    assert her2.status == "equivocal"
    assert "confirmatory" in her2.reason


def test_a_result_that_says_neither_is_unclear():
    egfr = lung(marker("EGFR", "see comment"))["test:egfr"]
    assert egfr.status == "unclear"


def test_mismatch_repair_proteins_answer_the_msi_test():
    tests = by_id(testing.evaluate(profile("COAD", marker("MLH1", "retained"))))
    assert tests["test:msi"].status == testing.DONE


def test_early_stage_lung_cancer_gets_the_resectable_rule_not_the_advanced_one():
    tests = lung(stage_group="IIA")
    assert set(tests) == {"test:egfr", "test:alk", "test:pdl1"}
    assert tests["test:egfr"].rules == ["nsclc-resectable"]


def test_when_the_stage_is_unknown_the_rule_is_shown_with_its_condition():
    tests = by_id(testing.evaluate(profile("LUAD")))
    assert "if advanced or metastatic (the stage is not stated)" in tests["test:ros1"].applies_if


def test_advanced_hr_positive_her2_negative_breast_cancer_needs_pik3ca_and_esr1():
    base = [marker("ER", "positive"), marker("HER2", "negative", ihc_score="0")]
    tests = by_id(testing.evaluate(profile("IDC", *base, stage_group="IV")))
    assert tests["test:pik3ca"].status == testing.NOT_STATED
    assert tests["test:pik3ca"].applies_if == ()
    assert "test:gbrca" in tests


def test_hr_negative_breast_cancer_gets_no_pik3ca_rule():
    base = [marker("ER", "negative"), marker("PR", "negative"), marker("HER2", "negative")]
    tests = by_id(testing.evaluate(profile("IDC", *base, stage_group="IV")))
    assert "test:pik3ca" not in tests
    assert "test:pdl1-cps" in tests  # triple-negative: PD-L1 CPS instead


def test_endometrial_carcinoma_needs_mmr_p53_and_pole_at_every_stage():
    tests = by_id(testing.evaluate(profile("UEC", stage_group="IA")))
    assert {"test:msi", "test:p53", "test:pole"} <= set(tests)


def test_melanoma_braf_testing_starts_at_stage_iii():
    assert "test:braf" not in by_id(testing.evaluate(profile("SKCM", stage_group="IIB")))
    assert "test:braf" in by_id(testing.evaluate(profile("SKCM", stage_group="IIIC")))


def test_no_cancer_type_means_no_rule():
    assert testing.evaluate(profile(None, marker("EGFR", "positive"))) == []


RESULT_WORDS = {
    "negative": testing.DONE,
    "positive": testing.DONE,
    "wild type": testing.DONE,
    "not detected": testing.DONE,
    "L858R": testing.DONE,
    "exon 19 deletion": testing.DONE,
    "pending": testing.PENDING,
    "not_performed": "not_performed",
    "equivocal": "equivocal",
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(RESULT_WORDS)), st.sampled_from(["LUAD", "NSCLCPD", "LUACC"]))
def test_any_recorded_answer_closes_the_gap_and_nothing_else_does(word, code):
    egfr = by_id(testing.evaluate(profile(code, marker("EGFR", word), stage_group="IV")))[
        "test:egfr"
    ]
    assert egfr.status == RESULT_WORDS[word]
    assert egfr.gap == (RESULT_WORDS[word] != testing.DONE)
