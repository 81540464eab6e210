"""MatchMiner's public CTML examples (../shared/data/ctml, from dfci/matchengine-V2,
Apache-2.0): every trial file loads, the integration trials match the patients each was
written to test as MatchMiner's rules say, the boolean cases expand into the expected
and-paths, and our OncoTree subtrees agree with MatchMiner's own name mapping."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from consilium.engines.knowledge.oncotree import shipped_tree
from consilium.engines.trials.ctml import load_file, load_trials, match_paths, parse_tree
from consilium.engines.trials.match import Compiler, Context, Matcher
from consilium.engines.trials.patients import Patient, build_patients, load_patients
from tests.conftest import SHARED_DATA

CTML = SHARED_DATA / "ctml"
AS_OF = dt.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def _needs_ctml():
    if not CTML.is_dir():
        pytest.skip(f"MatchMiner's CTML examples are not at {CTML} (../shared/data/ctml)")


def _match(name: str, clinical: list[dict], genomic: list[dict]) -> set[tuple]:
    trials = load_file(CTML / "integration_trials" / name)
    patients, _ = build_patients(clinical, genomic)
    return {
        (m["sample_id"], m["match_level"], m["code"], m["status"])
        for m in Matcher(trials, AS_OF).match_all(patients)
    }


ADULT = "1970-01-01"
EGFR_DEL = {
    "TRUE_HUGO_SYMBOL": "EGFR",
    "VARIANT_CATEGORY": "MUTATION",
    "TRUE_VARIANT_CLASSIFICATION": "In_Frame_Del",
    "TRUE_PROTEIN_CHANGE": "p.E746_A750del",
}


def _lung_patients():
    clinical = [
        {
            "SAMPLE_ID": "LUAD",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
        {
            "SAMPLE_ID": "PPB",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Pleuropulmonary Blastoma",
        },
        {
            "SAMPLE_ID": "LUAD-NO-EGFR",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
        {
            "SAMPLE_ID": "CHILD",
            "BIRTH_DATE": "2015-01-01",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
    ]
    genomic = [dict(EGFR_DEL, SAMPLE_ID=s) for s in ("LUAD", "PPB", "CHILD")]
    return clinical, genomic


@pytest.mark.parametrize(
    "name, expected",
    [
        # step (Lung), ARM 1 (Non-Small Cell Lung Cancer), dose LEVEL 1 (Pleuropulmonary Blastoma)
        (
            "all_open.json",
            {
                ("LUAD", "step", "1", "open"),
                ("LUAD", "arm", "ARM 1", "open"),
                ("PPB", "step", "1", "open"),
                ("PPB", "dose", "LEVEL 1", "open"),
            },
        ),
        (
            "all_closed.json",
            {
                ("LUAD", "step", "1", "closed"),
                ("LUAD", "arm", "ARM 1", "closed"),
                ("PPB", "step", "1", "closed"),
                ("PPB", "dose", "LEVEL 1", "closed"),
            },
        ),
        (
            "all_closed_trial_closed.json",
            {
                ("LUAD", "step", "1", "closed"),
                ("LUAD", "arm", "ARM 1", "closed"),
                ("PPB", "step", "1", "closed"),
                ("PPB", "dose", "LEVEL 1", "closed"),
            },
        ),
        (
            "closed_dose.json",
            {
                ("LUAD", "step", "1", "open"),
                ("LUAD", "arm", "ARM 1", "open"),
                ("PPB", "step", "1", "open"),
                ("PPB", "dose", "LEVEL 1", "closed"),
            },
        ),
        (
            "closed_step_arm.json",
            {
                ("LUAD", "step", "1", "closed"),
                ("LUAD", "arm", "ARM 1", "closed"),
                ("PPB", "step", "1", "closed"),
                ("PPB", "dose", "LEVEL 1", "open"),
            },
        ),
        ("run_log_arm_open.json", {("LUAD", "arm", "ARM 1", "open")}),
        ("run_log_arm_closed.json", {("LUAD", "arm", "ARM 1", "closed")}),
        ("run_log_arm_open_criteria_change.json", {("LUAD", "arm", "ARM 1", "open")}),
        (
            "run_log_two_arms.json",
            {("LUAD", "arm", "ARM 1", "open"), ("PPB", "arm", "ARM 2", "closed")},
        ),
    ],
)
def test_open_and_closed_levels(name, expected):
    assert _match(name, *_lung_patients()) == expected


def test_ages():
    clinical = [
        {"SAMPLE_ID": "EXACTLY-18", "BIRTH_DATE": "2007-06-15"},
        {"SAMPLE_ID": "OLDER", "BIRTH_DATE": "2007-06-14"},
        {"SAMPLE_ID": "YOUNGER", "BIRTH_DATE": "2007-06-16"},
    ]
    assert _match("older_than_18.json", clinical, []) == {("OLDER", "arm", "DOSE", "open")}
    assert _match("younger_than_18.json", clinical, []) == {("YOUNGER", "arm", "DOSE", "open")}


def test_wildcard_protein_change():
    clinical = [
        {"SAMPLE_ID": s, "BIRTH_DATE": ADULT}
        for s in ("V600E", "V600K", "G469A", "R911Q", "R911STOP")
    ]
    genomic = [
        {
            "SAMPLE_ID": "V600E",
            "TRUE_HUGO_SYMBOL": "BRAF",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.V600E",
        },
        {
            "SAMPLE_ID": "V600K",
            "TRUE_HUGO_SYMBOL": "BRAF",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.V600K",
        },
        {
            "SAMPLE_ID": "G469A",
            "TRUE_HUGO_SYMBOL": "BRAF",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.G469A",
        },
        {
            "SAMPLE_ID": "R911Q",
            "TRUE_HUGO_SYMBOL": "ARID1A",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.R911Q",
        },
        {
            "SAMPLE_ID": "R911STOP",
            "TRUE_HUGO_SYMBOL": "ARID1A",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.R911*",
        },
    ]
    assert _match("wildcard_protein_found.json", clinical, genomic) == {
        ("V600E", "step", "1", "open"),
        ("V600K", "step", "1", "open"),
    }
    assert _match("wildcard_protein_not_found.json", clinical, genomic) == {
        ("R911Q", "step", "1", "open")
    }


def test_tmb():
    clinical = [
        {"SAMPLE_ID": "LOW", "TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE": 2.0},
        {"SAMPLE_ID": "HIGH", "TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE": 55.0},
        {"SAMPLE_ID": "NONE"},
    ]
    # the or of >=10, >15, <=40, <40, ==40 covers every number
    assert _match("tmb.json", clinical, []) == {
        ("LOW", "arm", "DOSE", "open"),
        ("HIGH", "arm", "DOSE", "open"),
    }


def test_structural_variants():
    clinical = [
        {
            "SAMPLE_ID": "FUSION",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Cutaneous Melanoma",
        },
        {
            "SAMPLE_ID": "TP53-SV",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Cutaneous Melanoma",
        },
        {
            "SAMPLE_ID": "MERKEL",
            "BIRTH_DATE": ADULT,
            "GENDER": "Male",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Merkel Cell Carcinoma",
        },
        {"SAMPLE_ID": "EGFR-TEXT", "BIRTH_DATE": ADULT},
    ]
    kif5b_alk = {
        "VARIANT_CATEGORY": "SV",
        "LEFT_PARTNER_GENE": "KIF5B",
        "RIGHT_PARTNER_GENE": "ALK",
    }
    genomic = [
        dict(kif5b_alk, SAMPLE_ID="FUSION"),
        dict(kif5b_alk, SAMPLE_ID="TP53-SV"),
        {
            "SAMPLE_ID": "TP53-SV",
            "VARIANT_CATEGORY": "SV",
            "LEFT_PARTNER_GENE": "TP53",
            "RIGHT_PARTNER_GENE": "intergenic",
        },
        {
            "SAMPLE_ID": "EGFR-TEXT",
            "VARIANT_CATEGORY": "SV",
            "STRUCTURAL_VARIANT_COMMENT": "EGFR-SEPT14 fusion (exon 24)",
        },
    ]
    found = _match("structured_sv.json", clinical, genomic)
    assert ("FUSION", "arm", "DOSE", "open") in found
    assert not any(s == "TP53-SV" for s, *_ in found)  # a TP53 SV excludes arm one
    assert ("MERKEL", "arm", "DOSE", "open") in found  # no EML4 / CLIP4-ALK SV
    assert _match("unstructured_sv.json", clinical, genomic) == {
        ("EGFR-TEXT", "arm", "DOSE", "open")
    }


def test_signatures():
    clinical = [{"SAMPLE_ID": "TMZ"}, {"SAMPLE_ID": "NOTHING"}]
    genomic = [{"SAMPLE_ID": "TMZ", "VARIANT_CATEGORY": "SIGNATURE", "TEMOZOLOMIDE_STATUS": "Yes"}]
    assert _match("signatures.json", clinical, genomic) == {("TMZ", "arm", "DOSE", "open")}


def test_massive_match_clause():
    clinical = [
        # 10-year-old, solid, lung: the first or (>=6 solid), <21, and Lung under 12
        {
            "SAMPLE_ID": "CHILD-LUNG",
            "BIRTH_DATE": "2015-01-01",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Pleuropulmonary Blastoma",
        },
        # 15-year-old girl with breast cancer: the Breast, >=12, Female branch
        {
            "SAMPLE_ID": "TEEN-BREAST",
            "BIRTH_DATE": "2010-01-01",
            "GENDER": "Female",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Breast Invasive Ductal Carcinoma",
        },
        # 15-year-old with lung cancer: needs KRAS and one of the genomic alternatives
        {
            "SAMPLE_ID": "TEEN-LUNG-KRAS-MSI",
            "BIRTH_DATE": "2010-01-01",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
        {
            "SAMPLE_ID": "TEEN-LUNG",
            "BIRTH_DATE": "2010-01-01",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
        # 7-year-old with leukaemia: liquid needs >=8
        {
            "SAMPLE_ID": "CHILD-LIQUID",
            "BIRTH_DATE": "2018-01-01",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Acute Myeloid Leukemia",
        },
        {
            "SAMPLE_ID": "ADULT-LUNG",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
    ]
    genomic = [
        {
            "SAMPLE_ID": "TEEN-LUNG-KRAS-MSI",
            "TRUE_HUGO_SYMBOL": "KRAS",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.G12C",
        },
        {"SAMPLE_ID": "TEEN-LUNG-KRAS-MSI", "MMR_STATUS": "Deficient (MMR-D / MSI-H)"},
        {
            "SAMPLE_ID": "TEEN-LUNG",
            "TRUE_HUGO_SYMBOL": "KRAS",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.G12C",
        },
        {
            "SAMPLE_ID": "TEEN-LUNG",
            "TRUE_HUGO_SYMBOL": "FAAP20",
            "VARIANT_CATEGORY": "CNV",
            "CNV_CALL": "Gain",
        },
    ]
    assert {s for s, *_ in _match("massive_match_clause.json", clinical, genomic)} == {
        "CHILD-LUNG",
        "TEEN-BREAST",
        "TEEN-LUNG-KRAS-MSI",
    }


def test_every_example_trial_file_loads():
    for folder in ("trials", "yaml", "integration_trials"):
        trials, _ = load_trials(CTML / folder)
        assert trials and all(t.clauses for t in trials), folder
    json_trials = {t.protocol_no: t for t in load_trials(CTML / "trials")[0]}
    yaml_trials = {t.protocol_no: t for t in load_trials(CTML / "yaml")[0]}
    # the YAML examples are the JSON examples written in YAML
    assert json_trials["11-112"].clauses == yaml_trials["11-112"].clauses
    assert json_trials["11-111"].clauses == yaml_trials["11-111"].clauses
    assert set(json_trials) == {"11-111", "11-112", "22-222"}


def test_example_trials_against_melanoma_patients():
    clinical = [
        {
            "SAMPLE_ID": "BRAF-MEL",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Cutaneous Melanoma",
        },
        {
            "SAMPLE_ID": "MUCOSAL",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Anorectal Mucosal Melanoma",
        },
        {
            "SAMPLE_ID": "BRAF-CHILD",
            "BIRTH_DATE": "2015-01-01",
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Cutaneous Melanoma",
        },
        {
            "SAMPLE_ID": "NRAS",
            "BIRTH_DATE": ADULT,
            "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        },
    ]
    genomic = [
        {
            "SAMPLE_ID": "BRAF-MEL",
            "TRUE_HUGO_SYMBOL": "BRAF",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.V600E",
        },
        {
            "SAMPLE_ID": "BRAF-CHILD",
            "TRUE_HUGO_SYMBOL": "BRAF",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.V600E",
        },
        {
            "SAMPLE_ID": "NRAS",
            "TRUE_HUGO_SYMBOL": "NRAS",
            "VARIANT_CATEGORY": "MUTATION",
            "TRUE_PROTEIN_CHANGE": "p.G12D",
        },
    ]
    trials, _ = load_trials(CTML / "yaml")
    patients, _ = build_patients(clinical, genomic)
    got = {
        (m["protocol_no"], m["sample_id"], m["code"])
        for m in Matcher(trials, AS_OF).match_all(patients)
    }
    assert got == {
        ("11-112", "BRAF-MEL", "ARM1"),  # BRAF V600 mutation, adult melanoma
        ("11-112", "MUCOSAL", "ARM2"),  # adult melanoma without a BRAF V600 mutation
        ("11-111", "BRAF-MEL", "EXP 3"),  # no NRAS p.G12D mutation
        ("11-111", "MUCOSAL", "EXP 3"),
        ("11-111", "BRAF-CHILD", "EXP 3"),
    }


def test_shipped_patient_examples():
    # MatchMiner's example patients carry only a sample id and a birth date
    patients, _ = load_patients(
        CTML / "clinical_json" / "test_patient_1.json",
        CTML / "genomic_json" / "test_patient_1.json",
    )
    trials = load_file(CTML / "integration_trials" / "younger_than_18.json") + load_file(
        CTML / "trials" / "11-111.json"
    )
    got = {(m["protocol_no"], m["sample_id"]) for m in Matcher(trials, AS_OF).match_all(patients)}
    assert got == {("18-0000", "11-22-3333"), ("11-111", "11-22-3333")}


def _kinds(path):
    return [[leaf.kind for leaf in p] for p in path]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("and_and_and.json", [["g1", "c1", "g2", "c2", "g3", "c8"]]),
        ("and_and_or.json", [["g1", "c1", "g2", "c3", "g4"], ["g1", "c1", "g2", "c3", "c5"]]),
        ("and_or_and.json", [["g1", "c1", "g2"], ["g1", "c1", "c2"], ["g1", "c1", "g3", "c3"]]),
        (
            "and_or_or.json",
            [["g1", "c1", "g2"], ["g1", "c1", "c3"], ["g1", "c1", "g4"], ["g1", "c1", "c5"]],
        ),
        ("or_and_and.json", [["g1", "c2"], ["g2", "c3", "g4", "c5"]]),
        ("or_and_or.json", [["g1", "c1"], ["g2", "c2", "g3"], ["g2", "c2", "c3"]]),
        ("or_or_and.json", [["g1", "c1"], ["g2"], ["c2"], ["g3", "c3"]]),
        ("or_or_or.json", [["g1", "c1"], ["g2"], ["c2"], ["g3"], ["c3"]]),
    ],
)
def test_boolean_cases_expand_into_and_paths(name, expected):
    tree = parse_tree(json.loads((CTML / "ctml_boolean_cases" / name).read_text()))
    assert _kinds(match_paths(tree)) == expected


def test_all_boolean_cases_count():
    # and-part: 1 x 3 x 4 x (1 x 2 x 1) = 24 paths; or-part: 1 + 2 + 5 = 8; together 24 x 8
    tree = parse_tree(json.loads((CTML / "ctml_boolean_cases" / "all_cases.json").read_text()))
    assert len(match_paths(tree)) == 192


def test_oncotree_subtrees_agree_with_matchminers_mapping():
    """MatchMiner ships its name -> names mapping (oncotree_mapping.json, an earlier
    OncoTree). Over every (trial name, patient name) pair our tree must give the same
    answer except where OncoTree itself was reorganised since."""
    mapping = json.loads((CTML / "oncotree_mapping.json").read_text())
    names = set(mapping).union(*mapping.values()) - {"_SOLID_", "_LIQUID_"}
    compiler, ctx = Compiler(), Context(AS_OF, shipped_tree())
    agree = total = 0
    for key, members in mapping.items():
        leaf = compiler.leaf(parse_tree({"clinical": {"oncotree_primary_diagnosis": key}}), key)
        for name in names:
            met, _ = leaf.evaluate(Patient("s", {"ONCOTREE_PRIMARY_DIAGNOSIS_NAME": name}), ctx)
            agree += met == (name in members)
            total += 1
    assert total > 300_000
    assert agree / total > 0.999, f"{total - agree} of {total} pairs disagree"
