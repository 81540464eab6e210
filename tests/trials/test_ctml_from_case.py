"""CTML matching for a Consilium case: the case's profile as MatchMiner documents
(engines/trials/from_profile.py) and ``consilium trials match-ctml --case ID``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation.models import CaseFact
from consilium.engines.decision.profile import PatientProfile, profile_from_facts
from consilium.engines.trials.ctml import parse_trial
from consilium.engines.trials.from_profile import (
    patient_from_profile,
    protein_change,
    translate,
)
from consilium.engines.trials.match import Matcher
from tests.conftest import SHARED_DATA
from tests.trials.helpers import AS_OF, trial

BORN = dt.date(1968, 4, 12)


def profile(*facts: dict, cancer_type: str | None = "LUAD", **kw) -> PatientProfile:
    kw.setdefault("birth_date", BORN)
    kw.setdefault("sex", "female")
    return profile_from_facts(list(facts), cancer_type=cancer_type, **kw)


def fact(name: str, value: str, **detail) -> dict:
    return {"name": name, "value": value, "detail": detail}


def genomic(p: PatientProfile) -> list[dict]:
    return translate(p, "S1").genomic


def not_used(p: PatientProfile) -> dict[str, str]:
    return {n.fact: n.reason for n in translate(p, "S1").not_used}


# --- the mapping ----------------------------------------------------------------------


def test_clinical_document():
    patient = patient_from_profile(profile(), "CR-000007")
    assert patient.sample_id == "CR-000007"
    assert patient.clinical == {
        "SAMPLE_ID": "CR-000007",
        "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "Lung Adenocarcinoma",
        "BIRTH_DATE": "1968-04-12",
        "GENDER": "Female",
    }
    assert patient.birth_date == BORN
    assert patient.genomic == []


@pytest.mark.parametrize(
    "value, detail, protein, classification",
    [
        (
            "positive",
            {"alteration": "mutation", "variant": "L858R"},
            "p.L858R",
            "Missense_Mutation",
        ),
        ("L858R", {}, "p.L858R", "Missense_Mutation"),  # a person's entry, the variant alone
        ("p.Leu858Arg", {}, "p.L858R", "Missense_Mutation"),
        ("positive", {"protein_change": "p.E746_A750del"}, "p.E746_A750del", "In_Frame_Del"),
        ("positive", {"variant": "R1068*"}, "p.R1068*", "Nonsense_Mutation"),
        ("positive", {"variant": "L747Sfs*5"}, "p.L747Sfs*5", None),
    ],
)
def test_named_mutation(value, detail, protein, classification):
    [doc] = genomic(profile(fact("EGFR", value, **detail)))
    assert doc["TRUE_HUGO_SYMBOL"] == "EGFR"
    assert doc["VARIANT_CATEGORY"] == "MUTATION"
    assert doc["TRUE_PROTEIN_CHANGE"] == protein
    assert doc.get("TRUE_VARIANT_CLASSIFICATION") == classification
    assert doc["WILDTYPE"] is False


def test_exon_19_deletion_carries_exon_and_classification():
    [doc] = genomic(profile(fact("EGFR", "positive", variant="exon 19 deletion")))
    assert doc["TRUE_TRANSCRIPT_EXON"] == 19
    assert doc["TRUE_VARIANT_CLASSIFICATION"] == "In_Frame_Del"
    assert "TRUE_PROTEIN_CHANGE" not in doc


def test_mutation_without_the_variant_named():
    [doc] = genomic(profile(fact("KRAS", "positive", alteration="mutated")))
    assert doc == {
        "SAMPLE_ID": "S1",
        "TRUE_HUGO_SYMBOL": "KRAS",
        "WILDTYPE": False,
        "VARIANT_CATEGORY": "MUTATION",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("V600E", "p.V600E"),
        ("g12c", "p.G12C"),
        ("Val600Glu", "p.V600E"),
        ("p.Arg213Ter", "p.R213*"),
        ("A775_G776insYVMA", "p.A775_G776insYVMA"),
        ("EML4-ALK fusion", None),
        ("exon 19 deletion", None),
        ("ROS1", None),
    ],
)
def test_protein_change_notation(text, expected):
    assert protein_change(text) == expected


def test_amplification_is_a_high_level_cnv():
    # HER2 by ISH ("amplified") is the gene ERBB2 as MatchMiner names it
    [her2] = genomic(profile(fact("HER2", "positive", ish="amplified"), cancer_type="IDC"))
    [met] = genomic(profile(fact("MET", "amplification")))
    for doc, gene in ((her2, "ERBB2"), (met, "MET")):
        assert doc["TRUE_HUGO_SYMBOL"] == gene
        assert doc["VARIANT_CATEGORY"] == "CNV"
        assert doc["CNV_CALL"] == "High level amplification"


def test_homozygous_deletion_without_a_result_word():
    [doc] = genomic(profile(fact("CDKN2A", "homozygous deletion")))
    assert (doc["VARIANT_CATEGORY"], doc["CNV_CALL"]) == ("CNV", "Homozygous deletion")
    assert genomic(profile(fact("PTEN", "deletion"))) == []  # copy number or sequence?
    assert "PTEN" in " ".join(not_used(profile(fact("PTEN", "deletion"))))


def test_fusion_with_and_without_partner():
    [alk] = genomic(profile(fact("ALK", "positive", alteration="rearrangement")))
    assert alk["VARIANT_CATEGORY"] == "SV" and alk["TRUE_HUGO_SYMBOL"] == "ALK"
    assert "LEFT_PARTNER_GENE" not in alk and "ALK" in alk["STRUCTURAL_VARIANT_COMMENT"]
    [ros1] = genomic(profile(fact("ROS1", "CD74-ROS1 fusion")))
    assert (ros1["LEFT_PARTNER_GENE"], ros1["RIGHT_PARTNER_GENE"]) == ("CD74", "ROS1")
    # ALK positive by IHC/FISH means a rearrangement (the companion diagnostics' reading)
    [bare] = genomic(profile(fact("ALK", "positive")))
    assert bare["VARIANT_CATEGORY"] == "SV"


def test_negative_result_is_wildtype_only_for_a_sequenced_gene():
    [kras] = genomic(profile(fact("KRAS", "wild-type")))
    assert kras == {"SAMPLE_ID": "S1", "TRUE_HUGO_SYMBOL": "KRAS", "WILDTYPE": True}
    # a rearrangement test does not show ALK free of mutations
    p = profile(fact("ALK", "negative"))
    assert genomic(p) == []
    assert "no wildtype call" in not_used(p)["ALK negative"]


@pytest.mark.parametrize(
    "facts, status",
    [
        ([fact("MSI", "MSI-H")], "Deficient (MMR-D / MSI-H)"),
        (
            [fact("MLH1", "loss of expression"), fact("MSH2", "retained")],
            "Deficient (MMR-D / MSI-H)",
        ),
        ([fact("MSI", "MSS")], "Proficient (MMR-P / MSS)"),
        ([fact("MSI", "MSI-L")], "Proficient (MMR-P / MSS)"),
        (
            [fact(g, "retained") for g in ("MLH1", "MSH2", "MSH6", "PMS2")],
            "Proficient (MMR-P / MSS)",
        ),
    ],
)
def test_msi_and_mmr_give_one_mmr_status(facts, status):
    [doc] = genomic(profile(*facts, cancer_type="COAD"))
    assert doc["MMR_STATUS"] == status
    assert doc["TRUE_HUGO_SYMBOL"] is None and doc["VARIANT_CATEGORY"] == "SIGNATURE"


def test_two_proteins_retained_is_not_proficiency():
    p = profile(fact("MLH1", "retained"), fact("PMS2", "retained"), cancer_type="COAD")
    assert genomic(p) == []
    assert any("all four proteins" in r for r in not_used(p).values())


def test_tmb_is_the_clinical_number():
    assert (
        translate(profile(fact("TMB", "14 mut/Mb")), "S1").clinical[
            "TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE"
        ]
        == 14.0
    )
    assert (
        translate(profile(fact("TMB", "12")), "S1").clinical["TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE"]
        == 12.0
    )
    p = profile(fact("TMB", "high"))
    assert "TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE" not in translate(p, "S1").clinical
    assert "TMB high" in not_used(p)


def test_what_does_not_map_is_listed_with_a_reason():
    p = profile(
        fact("ER", "positive", percent="90"),
        fact("PD-L1", "positive", percent="60"),
        fact("EGFR", "pending"),
        fact("NTRK", "positive"),
        {"name": "stage_group", "value": "IV"},
        {"name": "treatment", "value": "carboplatin", "detail": {"class": "chemotherapy"}},
        cancer_type="NSCLC",
    )
    reasons = not_used(p)
    assert genomic(p) == []
    assert "IHC" in reasons["ER positive (90)"]
    assert any(k.startswith("PD-L1") for k in reasons)
    assert reasons["EGFR pending"] == "result pending"
    assert "NTRK1" in reasons["NTRK positive"]
    assert "no key" in reasons["stage IV"]
    assert "prior-treatment" in reasons["treatments (carboplatin)"]


def test_unknown_cancer_type_birth_date_and_sex():
    p = profile(cancer_type="NOT-A-CODE", birth_date=None, sex=None)
    t = translate(p, "S1")
    assert t.clinical == {"SAMPLE_ID": "S1"}
    reasons = {n.fact: n.reason for n in t.not_used}
    assert "not an OncoTree code" in reasons["cancer type NOT-A-CODE"]
    assert "age criteria" in reasons["birth date"]
    assert "gender criteria" in reasons["sex"]
    assert "diagnosis criteria" in not_used(profile(cancer_type=None))["cancer type"]


def test_oncotree_name_is_accepted_as_well_as_a_code():
    p = profile(cancer_type="Colon Adenocarcinoma")
    assert translate(p, "S1").clinical["ONCOTREE_PRIMARY_DIAGNOSIS_NAME"] == "Colon Adenocarcinoma"


# --- matching a profile against CTML ---------------------------------------------------

EGFR_LUNG = {
    "and": [
        {"clinical": {"oncotree_primary_diagnosis": "Non-Small Cell Lung Cancer"}},
        {"clinical": {"age_numerical": ">=18", "gender": "Female"}},
        {
            "or": [
                {"genomic": {"hugo_symbol": "EGFR", "protein_change": "p.L858R"}},
                {"genomic": {"hugo_symbol": "EGFR", "exon": 19, "variant_category": "Mutation"}},
            ]
        },
        {"genomic": {"hugo_symbol": "KRAS", "variant_category": "!Mutation"}},
        {"genomic": {"hugo_symbol": "None", "mmr_status": "MMR-Proficient"}},
        {"clinical": {"tmb_numerical": ">=10"}},
    ]
}


def _match(tree, p: PatientProfile) -> list[dict]:
    trials = [parse_trial(trial(tree, protocol="P-EGFR"), "test")]
    return Matcher(trials, AS_OF).match_all([patient_from_profile(p, "CR-000001")])


def test_profile_matches_a_ctml_trial():
    p = profile(
        fact("EGFR", "positive", alteration="mutation", variant="L858R"),
        fact("KRAS", "negative"),
        fact("MSI", "MSS"),
        fact("TMB", "12 mut/Mb"),
    )
    [m] = _match(EGFR_LUNG, p)
    assert (m["protocol_no"], m["sample_id"], m["match_level"], m["code"]) == (
        "P-EGFR",
        "CR-000001",
        "arm",
        "A",
    )
    assert any("p.L858R" in r["detail"] for r in m["reasons"])
    # the same patient with a KRAS mutation is excluded
    kras = profile(
        fact("EGFR", "L858R"), fact("KRAS", "G12C"), fact("MSI", "MSS"), fact("TMB", "12")
    )
    assert _match(EGFR_LUNG, kras) == []
    # and without the TMB the number criterion cannot be met
    no_tmb = profile(fact("EGFR", "L858R"), fact("MSI", "MSS"))
    assert _match(EGFR_LUNG, no_tmb) == []


def test_structural_variant_and_cnv_criteria():
    sv = [{"genomic": {"hugo_symbol": "ALK", "variant_category": "Structural Variation"}}]
    partner = [
        {
            "genomic": {
                "hugo_symbol": "ROS1",
                "variant_category": "SV",
                "fusion_partner_hugo_symbol": "CD74",
            }
        }
    ]
    amp = [{"genomic": {"hugo_symbol": "ERBB2", "cnv_call": "High Amplification"}}]
    assert _match(sv, profile(fact("ALK", "positive", alteration="rearrangement")))
    assert _match(partner, profile(fact("ROS1", "CD74-ROS1 fusion")))
    assert not _match(partner, profile(fact("ROS1", "SLC34A2-ROS1 fusion")))
    assert _match(amp, profile(fact("HER2", "positive", ish="amplified"), cancer_type="IDC"))
    assert not _match(amp, profile(fact("HER2", "positive", ihc_score="3+"), cancer_type="IDC"))


def test_wildtype_criterion():
    wt = [{"genomic": {"hugo_symbol": "KRAS", "wildtype": True}}]
    assert _match(wt, profile(fact("KRAS", "wild-type")))
    assert not _match(wt, profile(fact("KRAS", "G12D")))
    assert not _match(wt, profile())  # not tested is not wildtype


@pytest.mark.skipif(
    not (SHARED_DATA / "ctml" / "integration_trials").is_dir(),
    reason="MatchMiner's CTML examples (/work/shared/data/ctml) are not on this machine",
)
def test_profile_matches_matchminer_example_trial():
    """MatchMiner's own test trial 10-002: EGFR in-frame deletion, age 18+, lung."""
    from consilium.engines.trials.ctml import load_trials

    trials, _ = load_trials(SHARED_DATA / "ctml" / "integration_trials" / "all_open.json")
    p = profile(fact("EGFR", "positive", alteration="mutation", variant="exon 19 deletion"))
    matches = Matcher(trials, AS_OF).match_all([patient_from_profile(p, "CR-000001")])
    assert {(m["protocol_no"], m["match_level"], m["status"]) for m in matches} == {
        ("10-002", "step", "open"),
        ("10-002", "arm", "open"),
    }
    # L858R is not an in-frame deletion
    other = profile(fact("EGFR", "L858R"))
    assert Matcher(trials, AS_OF).match_all([patient_from_profile(other, "CR-000001")]) == []


# --- the command --------------------------------------------------------------------


def add_fact(case, name: str, value: str, **kw) -> CaseFact:
    return CaseFact.objects.create(
        case=case, source=CaseFact.Source.MANUAL, name=name, value=value, **kw
    )


@pytest.fixture
def lung_case(world):
    case = world.case
    case.cancer_type_code = "LUAD"
    case.cancer_type_label = "Lung Adenocarcinoma"
    case.save()
    add_fact(case, "EGFR", "positive", detail={"alteration": "mutation", "variant": "L858R"})
    add_fact(case, "KRAS", "negative")
    add_fact(case, "MSI", "MSS")
    add_fact(case, "TMB", "12 mut/Mb")
    add_fact(case, "ecog", "1")
    return case


@pytest.fixture
def trial_dir(tmp_path):
    folder = tmp_path / "trials"
    folder.mkdir()
    (folder / "egfr.json").write_text(json.dumps(trial(EGFR_LUNG, protocol="P-EGFR")))
    return str(folder)


def _run(capsys, *args):
    call_command("trials", "match-ctml", *args)
    return capsys.readouterr()


def test_command_matches_a_case_as_json(world, lung_case, trial_dir, capsys):
    out = _run(
        capsys,
        "--trials",
        trial_dir,
        "--case",
        str(lung_case.pk),
        "--as",
        world.coordinator.username,
        "--as-of",
        "2025-06-15",
        "--json",
    )
    [m] = json.loads(out.out)
    assert set(m) == {
        "protocol_no",
        "nct_id",
        "sample_id",
        "match_level",
        "code",
        "status",
        "reasons",
    }
    assert (m["protocol_no"], m["sample_id"], m["match_level"], m["status"]) == (
        "P-EGFR",
        lung_case.reference,
        "arm",
        "open",
    )
    assert "not used: ECOG 1" in out.err  # stdout stays the JSON array
    event = AuditEvent.objects.filter(action="decision.view", case_id=lung_case.pk).latest("pk")
    assert event.outcome == AuditEvent.Outcome.ALLOWED
    assert event.actor_username == world.coordinator.username
    assert event.channel == "cli" and "CTML matching: 1 match(es)" in event.detail


def test_command_text_output_for_a_case(lung_case, trial_dir, capsys):
    # without --as: the program's first coordinator acts
    out = _run(capsys, "--trials", trial_dir, "--case", str(lung_case.pk), "--as-of", "2025-06-15")
    assert f"{lung_case.reference}\tP-EGFR\tarm A\topen" in out.out
    assert "1 match(es): 1 patient(s) x 1 trial(s)" in out.out
    assert "Not used (the match could not see these):" in out.out
    assert "ECOG 1: CTML match trees have no key for it" in out.out


def test_command_files_form_still_works(tmp_path, trial_dir, capsys):
    clinical = tmp_path / "clinical.json"
    genomic_file = tmp_path / "genomic.json"
    clinical.write_text(json.dumps([{"SAMPLE_ID": "A", "BIRTH_DATE": "1970-01-01"}]))
    genomic_file.write_text("[]")
    out = _run(
        capsys,
        "--trials",
        trial_dir,
        "--clinical",
        str(clinical),
        "--genomic",
        str(genomic_file),
        "--json",
    )
    assert json.loads(out.out) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--case", "1", "--clinical", "c.json", "--genomic", "g.json"], "not both"),
        (["--case", "1", "--clinical", "c.json"], "not both"),
        ([], "--clinical FILE --genomic FILE, or --case ID"),
        (["--clinical", "c.json"], "--genomic is missing"),
        (["--genomic", "g.json"], "--clinical is missing"),
        (["--clinical", "c.json", "--genomic", "g.json", "--as", "x"], "goes with --case"),
    ],
)
def test_exactly_one_form(db, trial_dir, args, message):
    with pytest.raises(CommandError, match=message.replace("-", r"\-")):
        call_command("trials", "match-ctml", "--trials", trial_dir, *args)


def test_another_programs_case_is_refused(world, trial_dir):
    add_fact(world.other_case, "EGFR", "L858R")
    before = AuditEvent.objects.filter(case_id=world.other_case.pk, outcome="allowed").count()
    with pytest.raises(CommandError, match="no such case visible to"):
        call_command(
            "trials",
            "match-ctml",
            "--trials",
            trial_dir,
            "--case",
            str(world.other_case.pk),
            "--as",
            world.coordinator.username,
            "--json",
        )
    after = AuditEvent.objects.filter(case_id=world.other_case.pk, outcome="allowed").count()
    assert after == before


def test_unknown_user_and_missing_case(world, trial_dir):
    with pytest.raises(CommandError, match="no active user"):
        call_command(
            "trials",
            "match-ctml",
            "--trials",
            trial_dir,
            "--case",
            str(world.case.pk),
            "--as",
            "nobody-here",
        )
    with pytest.raises(CommandError, match="--case 999999"):
        call_command(
            "trials",
            "match-ctml",
            "--trials",
            trial_dir,
            "--case",
            "999999",
            "--as",
            world.coordinator.username,
        )
