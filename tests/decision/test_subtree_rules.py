"""Rules cover OncoTree subtrees: a rule for NSCLC applies to LUAD (and every code below
NSCLC) but not to SCLC; codes a rule leaves out (LUSC) are left out with their subtree;
a diagnosis broader than the rule (NSCLC for a non-squamous rule, LUNG for an NSCLC
rule) makes the rule conditional, saying what it depends on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.decision import testing
from consilium.engines.decision.rules import SOLID, Scope
from consilium.engines.knowledge.oncotree import shipped_tree
from tests.decision.helpers import by_id, marker, profile

TREE = shipped_tree()
NON_SQUAMOUS = sorted(TREE.descendants("NSCLC") - TREE.descendants("LUSC"))
NOT_NSCLC = sorted(
    c for c in (n.code for n in TREE.iter_nodes()) if c not in TREE.descendants("NSCLC")
)


def lung_tests(code: str):
    return by_id(testing.evaluate(profile(code, stage_group="IV")))


def test_a_rule_for_nsclc_applies_to_lung_adenocarcinoma():
    tests = lung_tests("LUAD")
    assert {"test:egfr", "test:alk", "test:ros1", "test:kras", "test:pdl1"} <= set(tests)
    assert tests["test:egfr"].applies_if == ()
    assert "nsclc-advanced-nonsquamous" in tests["test:egfr"].rules


def test_no_nsclc_rule_applies_to_small_cell_lung_cancer():
    assert lung_tests("SCLC") == {}


def test_squamous_nsclc_gets_pd_l1_but_not_the_non_squamous_panel():
    tests = lung_tests("LUSC")
    assert set(tests) == {"test:pdl1"}


def test_a_broader_diagnosis_makes_the_non_squamous_rule_conditional():
    tests = lung_tests("NSCLC")
    assert tests["test:egfr"].applies_if == (
        "if not Lung Squamous Cell Carcinoma (the cancer type on file is broader)",
    )
    assert tests["test:pdl1"].applies_if == ()  # the PD-L1 rule covers all of NSCLC


def test_lung_cancer_unspecified_is_conditional_on_being_non_small_cell():
    egfr = lung_tests("LUNG")["test:egfr"]
    assert any("Non-Small Cell Lung Cancer" in c for c in egfr.applies_if)


def test_a_cancer_type_name_is_resolved_to_its_code():
    assert set(lung_tests("Lung Adenocarcinoma")) == set(lung_tests("LUAD"))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NON_SQUAMOUS))
def test_every_non_squamous_nsclc_code_gets_the_egfr_rule(code):
    egfr = lung_tests(code)["test:egfr"]
    assert egfr.status == testing.NOT_STATED


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NOT_NSCLC))
def test_no_code_outside_nsclc_gets_an_nsclc_rule_unconditionally(code):
    for item in testing.evaluate(profile(code, stage_group="IV", metastatic="true")):
        if any(r.startswith("nsclc-") for r in item.rules):
            # Only a broader diagnosis (an ancestor of NSCLC) may see it, conditionally.
            assert code in TREE.ancestors("NSCLC")
            assert item.applies_if


def test_solid_scope_covers_solid_tumours_not_blood_cancers():
    scope = Scope((SOLID,), ("COADREAD",))
    assert scope.check(TREE, "LUAD").holds is True
    assert scope.check(TREE, "AML").holds is False
    assert scope.check(TREE, "COAD").holds is False  # left out with its subtree
    assert scope.check(TREE, None).holds is False


def test_a_breast_rule_covers_lobular_carcinoma_under_invasive_breast_carcinoma():
    tests = by_id(testing.evaluate(profile("ILC", marker("ER", "positive"))))
    assert tests["test:er"].status == testing.DONE
    assert tests["test:her2"].status == testing.NOT_STATED
