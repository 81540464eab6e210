"""Biomarker-matched therapy options: tier 1 when approved in the patient's cancer type,
tier 2 when approved for the biomarker elsewhere (or guideline-supported), tier 3 on
clinical evidence only, R for resistance; possible matches say what is missing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.decision import therapies
from tests.decision.helpers import by_id, marker, profile


def options(code, *markers, **facts):
    facts.setdefault("stage_group", "IV")
    return by_id(therapies.evaluate(profile(code, *markers, **facts)))


def test_egfr_l858r_in_lung_adenocarcinoma_is_tier_1_with_its_fda_source():
    found = options("LUAD", marker("EGFR", "positive", alteration="mutation", variant="L858R"))
    egfr = found["therapy:nsclc-egfr-sensitizing"]
    assert egfr.tier == "1" and egfr.match == therapies.MATCHED
    assert "osimertinib" in egfr.drugs
    assert egfr.evidence == "EGFR L858R"
    assert any(s.kind == "fda" and s.year == 2018 for s in egfr.sources)
    assert not egfr.resistance


def test_exon_19_deletion_written_by_a_person_matches_too():
    found = options("LUAD", marker("EGFR", "exon 19 deletion"))
    assert found["therapy:nsclc-egfr-sensitizing"].match == therapies.MATCHED


def test_a_positive_egfr_without_its_variant_is_a_possible_match_saying_what_is_missing():
    found = options("LUAD", marker("EGFR", "positive"))
    egfr = found["therapy:nsclc-egfr-sensitizing"]
    assert egfr.match == therapies.POSSIBLE
    assert egfr.missing == ("the EGFR alteration is not named",)
    # Acquired T790M is never assumed, nor is resistance.
    assert "therapy:nsclc-egfr-t790m" not in found
    assert not any(o.resistance for o in found.values())


def test_t790m_is_tier_1_for_osimertinib_and_resistance_for_first_generation_drugs():
    found = options("LUAD", marker("EGFR", "T790M"))
    assert found["therapy:nsclc-egfr-t790m"].tier == "1"
    resistance = found["therapy:nsclc-egfr-t790m-resistance"]
    assert resistance.tier == "R" and resistance.resistance
    assert "erlotinib" in resistance.drugs


def test_ras_mutation_in_colorectal_cancer_flags_anti_egfr_resistance():
    found = options("COAD", marker("KRAS", "G12D"))
    assert found["therapy:crc-ras-resistance"].tier == "R"
    assert "therapy:crc-ras-wild-type" not in found


def test_anti_egfr_antibodies_need_both_kras_and_nras_wild_type():
    one = options("READ", marker("KRAS", "negative"))
    assert "therapy:crc-ras-wild-type" not in one
    both = options("READ", marker("KRAS", "negative"), marker("NRAS", "wild type"))
    assert both["therapy:crc-ras-wild-type"].tier == "1"


def test_an_approval_in_another_cancer_type_is_tier_2_there():
    found = options("PAAD", marker("ALK", "positive", alteration="rearrangement"))
    alk = found["therapy:nsclc-alk"]
    assert alk.tier == "2" and alk.approved_elsewhere
    assert "Non-Small Cell Lung Cancer" in alk.note


def test_a_tumour_agnostic_approval_is_tier_1_in_any_solid_tumour():
    found = options("PAAD", marker("NTRK1", "ETV6-NTRK3 fusion"))
    assert found["therapy:solid-ntrk"].tier == "1"


def test_braf_v600e_in_colorectal_cancer_is_not_offered_the_tumour_agnostic_combination():
    found = options("COAD", marker("BRAF", "V600E"))
    assert found["therapy:crc-braf-v600e"].tier == "1"
    assert "therapy:solid-braf-v600e" not in found
    assert "therapy:melanoma-braf-v600" not in found


def test_a_guideline_supported_option_is_tier_2_and_clinical_evidence_tier_3():
    met = options("LUAD", marker("MET", "amplification"))["therapy:nsclc-met-amplification"]
    assert met.tier == "2" and met.sources[0].kind == "guideline"
    her2 = options("IDC", marker("ERBB2", "L755S"))["therapy:breast-erbb2-mutation"]
    assert her2.tier == "3" and her2.sources[0].kind == "trial"


def test_pd_l1_immunotherapy_alone_is_not_offered_with_an_egfr_mutation():
    tps = marker("PD-L1", "TPS 80%", tps="80%")
    assert "therapy:nsclc-pdl1-high" in options("LUAD", tps)
    assert "therapy:nsclc-pdl1-high" not in options("LUAD", tps, marker("EGFR", "L858R"))


def test_msi_high_from_a_lost_mmr_protein_matches_immunotherapy():
    found = options("COAD", marker("MSH2", "loss of expression"))
    assert found["therapy:crc-msi-h"].tier == "1"
    assert options("COAD", marker("MSI", "MSS")).get("therapy:crc-msi-h") is None


def test_her2_low_without_an_ihc_score_is_possible_and_with_1_plus_matched():
    possible = options("IDC", marker("HER2", "negative"))["therapy:breast-her2-low"]
    assert possible.match == therapies.POSSIBLE
    assert "IHC score" in possible.missing[0]
    matched = options("IDC", marker("HER2", "negative", ihc_score="1+"))["therapy:breast-her2-low"]
    assert matched.match == therapies.MATCHED


def test_options_are_ordered_by_tier_with_resistance_last():
    found = therapies.evaluate(
        profile("COAD", marker("KRAS", "G12C"), marker("MLH1", "loss"), stage_group="IV")
    )
    tiers = [o.tier for o in found]
    assert tiers == sorted(tiers, key=therapies.TIER_ORDER.__getitem__)
    assert tiers[-1] == "R"


def test_an_early_stage_patient_gets_adjuvant_options_not_metastatic_ones():
    found = options("LUAD", marker("EGFR", "L858R"), stage_group="IIA")
    assert "therapy:nsclc-egfr-adjuvant" in found
    assert "therapy:nsclc-egfr-sensitizing" not in found


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=100))
def test_the_tps_threshold_decides_between_the_pd_l1_options(tps):
    found = options("LUAD", marker("PD-L1", f"TPS {tps}%", tps=f"{tps}%"))
    high, low = "therapy:nsclc-pdl1-high" in found, "therapy:nsclc-pdl1-positive" in found
    assert high == (tps >= 50)
    assert low == (1 <= tps <= 49)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0, max_value=60, allow_nan=False).map(lambda x: round(x, 1)))
def test_tmb_high_starts_at_10_mutations_per_megabase(tmb):
    found = options("PAAD", marker("TMB", f"{tmb} mut/Mb"))
    assert ("therapy:solid-tmb-high" in found) == (tmb >= 10)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["G12C", "G12D", "G12V", "G13D", "Q61H"]))
def test_only_g12c_matches_the_kras_g12c_inhibitors(variant):
    found = options("LUAD", marker("KRAS", variant))
    assert ("therapy:nsclc-kras-g12c" in found) == (variant == "G12C")
