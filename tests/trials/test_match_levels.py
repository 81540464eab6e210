"""And/or nesting, match levels (step, arm, dose) and open vs closed status."""

from __future__ import annotations

from consilium.engines.trials.ctml import match_paths, parse_tree
from tests.trials.helpers import matches, mutation, patient, run, trial

LUAD = {"ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma"}


def test_and_or_nesting():
    tree = [
        {
            "and": [
                {"clinical": {"oncotree_primary_diagnosis": "Lung"}},
                {
                    "or": [
                        {"genomic": {"hugo_symbol": "EGFR", "protein_change": "p.L858R"}},
                        {
                            "and": [
                                {
                                    "genomic": {
                                        "hugo_symbol": "ALK",
                                        "variant_category": "Structural Variation",
                                    }
                                },
                                {"clinical": {"age_numerical": ">=18"}},
                            ]
                        },
                    ]
                },
            ]
        }
    ]
    alk = {
        "TRUE_HUGO_SYMBOL": "ALK",
        "VARIANT_CATEGORY": "SV",
        "LEFT_PARTNER_GENE": "EML4",
        "RIGHT_PARTNER_GENE": "ALK",
    }
    assert matches(tree, variants=[mutation("EGFR", "p.L858R")], **LUAD) is True
    assert matches(tree, variants=[alk], **LUAD) is True
    assert matches(tree, variants=[alk], BIRTH_DATE="2015-01-01", **LUAD) is False
    assert (
        matches(
            tree,
            variants=[mutation("EGFR", "p.L858R")],
            ONCOTREE_PRIMARY_DIAGNOSIS_NAME="Cutaneous Melanoma",
        )
        is False
    )
    assert matches(tree, variants=[], **LUAD) is False


def test_an_object_with_several_keys_is_a_conjunction():
    tree = {
        "and": [{"clinical": {"gender": "Female"}}],
        "or": [{"clinical": {"age_numerical": "<18"}}, {"genomic": {"hugo_symbol": "TP53"}}],
    }
    assert matches(tree, variants=[mutation("TP53")]) is True
    assert matches(tree, variants=[mutation("TP53")], GENDER="Male") is False
    assert matches(tree, variants=[]) is False


def test_match_paths_expand_or_into_alternatives():
    tree = parse_tree(
        [{"and": [{"genomic": {"g": 1}}, {"or": [{"clinical": {"c": 1}}, {"clinical": {"c": 2}}]}]}]
    )
    paths = match_paths(tree)
    assert [[leaf.criteria for leaf in path] for path in paths] == [
        [{"g": 1}, {"c": 1}],
        [{"g": 1}, {"c": 2}],
    ]


def test_reasons_name_each_met_criterion():
    tree = [
        {
            "and": [
                {"clinical": {"oncotree_primary_diagnosis": "Lung"}},
                {"genomic": {"hugo_symbol": "EGFR", "variant_category": "Mutation"}},
                {"genomic": {"hugo_symbol": "KRAS", "variant_category": "!Mutation"}},
            ]
        }
    ]
    c, g = patient(variants=[mutation("EGFR", "p.L858R")], **LUAD)
    [m] = run(trial(tree), c, g)
    kinds = [(r["type"], r["exclusion"]) for r in m["reasons"]]
    assert kinds == [("clinical", False), ("genomic", False), ("genomic", True)]
    assert "Lung Adenocarcinoma" in m["reasons"][0]["detail"]
    assert "EGFR p.L858R (MUTATION)" in m["reasons"][1]["detail"]
    assert m["reasons"][2]["criterion"] == {"hugo_symbol": "KRAS", "variant_category": "!Mutation"}


def _three_levels(arm_suspended="N", level_suspended="N", status=None):
    lung = [{"clinical": {"oncotree_primary_diagnosis": "Lung"}}]
    doc = {
        "protocol_no": "L-1",
        "treatment_list": {
            "step": [
                {
                    "step_code": "S1",
                    "match": lung,
                    "arm": [
                        {
                            "arm_code": "ARM A",
                            "arm_suspended": arm_suspended,
                            "match": lung,
                            "dose_level": [
                                {
                                    "level_code": "DL1",
                                    "level_suspended": level_suspended,
                                    "match": lung,
                                }
                            ],
                        },
                        {"arm_code": "ARM B", "arm_suspended": arm_suspended, "match": []},
                    ],
                }
            ]
        },
    }
    if status:
        doc["status"] = status
    return doc


def _levels(doc):
    c, g = patient(**LUAD)
    return [(m["match_level"], m["code"], m["status"]) for m in run(doc, c, g)]


def test_each_level_is_its_own_match():
    assert _levels(_three_levels()) == [
        ("step", "S1", "open"),
        ("arm", "ARM A", "open"),
        ("dose", "DL1", "open"),
    ]


def test_suspended_arm_closes_the_arm_and_a_step_whose_arms_are_all_suspended():
    # MatchMiner: a dose level keeps its own status under a suspended arm
    assert _levels(_three_levels(arm_suspended="Y")) == [
        ("step", "S1", "closed"),
        ("arm", "ARM A", "closed"),
        ("dose", "DL1", "open"),
    ]


def test_suspended_dose_level():
    assert _levels(_three_levels(level_suspended="Y")) == [
        ("step", "S1", "open"),
        ("arm", "ARM A", "open"),
        ("dose", "DL1", "closed"),
    ]


def test_a_trial_not_open_to_accrual_closes_everything():
    assert {s for _, _, s in _levels(_three_levels(status="Closed to Accrual"))} == {"closed"}
    assert {s for _, _, s in _levels(_three_levels(status="Open to Accrual"))} == {"open"}


def test_output_fields():
    c, g = patient(**LUAD)
    [m] = run(
        trial([{"clinical": {"oncotree_primary_diagnosis": "Lung"}}], status="open to accrual"),
        c,
        g,
    )
    assert set(m) == {
        "protocol_no",
        "nct_id",
        "sample_id",
        "match_level",
        "code",
        "status",
        "reasons",
    }
    assert (m["protocol_no"], m["nct_id"], m["sample_id"], m["match_level"], m["code"]) == (
        "T-1",
        "NCT00000001",
        "S1",
        "arm",
        "A",
    )


def test_deceased_patients_are_not_matched():
    assert matches([{"clinical": {"gender": "Female"}}], VITAL_STATUS="deceased") is False
    assert matches([{"clinical": {"gender": "Female"}}], VITAL_STATUS="alive") is True
