"""Genomic leaves: gene, protein change, wildcard, variant category and its "!" exclusion,
classification, exon, CNV, wildtype, MMR/MS status, TMB, structural variants, signatures."""

from __future__ import annotations

import pytest

from tests.trials.helpers import matches, mutation


def g(**criteria) -> list:
    return [{"genomic": criteria}]


def test_gene_and_protein_change():
    tree = g(hugo_symbol="KRAS", protein_change="p.G12C")
    assert matches(tree, variants=[mutation("KRAS", "p.G12C")]) is True
    assert matches(tree, variants=[mutation("KRAS", "p.G12D")]) is False
    assert matches(tree, variants=[mutation("NRAS", "p.G12C")]) is False
    assert matches(tree, variants=[]) is False


@pytest.mark.parametrize(
    "prefix, protein, expected",
    [
        ("p.V600", "p.V600E", True),
        ("p.V600", "p.V600K", True),
        ("p.V600", "p.v600e", True),  # case ignored, as MatchMiner's regex does
        ("p.V600", "p.V6001", False),  # a digit after the prefix is another position
        ("p.V600", "p.V60", False),
        ("V600", "p.V600E", True),  # "p." added when missing
        ("p.R911", "p.R911*", False),  # the next character must be a letter
        ("p.R911", "p.R911Q", True),
    ],
)
def test_wildcard_protein_change(prefix, protein, expected):
    tree = g(hugo_symbol="BRAF", wildcard_protein_change=prefix)
    assert matches(tree, variants=[mutation("BRAF", protein)]) is expected


def test_variant_category_negation_is_an_exclusion_of_the_whole_criterion():
    tree = g(hugo_symbol="EGFR", variant_category="!Mutation")
    assert matches(tree, variants=[]) is True  # no EGFR mutation at all
    assert matches(tree, variants=[mutation("KRAS", "p.G12C")]) is True
    assert matches(tree, variants=[mutation("EGFR", "p.L858R")]) is False
    assert (
        matches(
            tree,
            variants=[{"TRUE_HUGO_SYMBOL": "EGFR", "VARIANT_CATEGORY": "CNV", "CNV_CALL": "Gain"}],
        )
        is True
    )


def test_exclusion_reads_every_key_without_the_bang():
    # "no BRAF V600 mutation": a BRAF mutation elsewhere does not exclude
    tree = g(hugo_symbol="BRAF", variant_category="!Mutation", wildcard_protein_change="p.V600")
    assert matches(tree, variants=[mutation("BRAF", "p.G469A")]) is True
    assert matches(tree, variants=[mutation("BRAF", "p.V600E")]) is False


@pytest.mark.parametrize(
    "category, doc_category, expected",
    [
        ("Mutation", "MUTATION", True),
        ("CNV", "CNV", True),
        ("Copy Number Variation", "CNV", True),
        ("Structural Variation", "SV", True),
        ("SV", "SV", True),
        ("Any Variation", "MUTATION", True),
        ("Any Variation", "CNV", True),
        ("Any Variation", "SV", False),
        ("Mutation", "CNV", False),
        ("Signature", "SIGNATURE", True),
    ],
)
def test_variant_categories(category, doc_category, expected):
    doc = {
        "TRUE_HUGO_SYMBOL": "ALK",
        "VARIANT_CATEGORY": doc_category,
        "STRUCTURAL_VARIANT_COMMENT": "EML4-ALK fusion",
    }
    assert matches(g(hugo_symbol="ALK", variant_category=category), variants=[doc]) is expected


def test_variant_classification_and_exon():
    tree = g(hugo_symbol="EGFR", variant_classification="In_Frame_Del", exon=19)
    hit = mutation(
        "EGFR",
        "p.E746_A750del",
        TRUE_VARIANT_CLASSIFICATION="In_Frame_Del",
        TRUE_TRANSCRIPT_EXON=19,
    )
    assert matches(tree, variants=[hit]) is True
    assert matches(tree, variants=[dict(hit, TRUE_TRANSCRIPT_EXON="19")]) is True  # number as text
    assert matches(tree, variants=[dict(hit, TRUE_TRANSCRIPT_EXON=21)]) is False
    assert (
        matches(tree, variants=[dict(hit, TRUE_VARIANT_CLASSIFICATION="Missense_Mutation")])
        is False
    )


@pytest.mark.parametrize(
    "call, doc_call, expected",
    [
        ("High Amplification", "High level amplification", True),
        ("Low Amplification", "Gain", True),
        ("Homozygous Deletion", "Homozygous deletion", True),
        ("Heterozygous Deletion", "Heterozygous deletion", True),
        ("High Amplification", "Gain", False),
        ("!Homozygous Deletion", "Homozygous deletion", False),
        ("!Homozygous Deletion", "Gain", True),
    ],
)
def test_cnv_call(call, doc_call, expected):
    doc = {"TRUE_HUGO_SYMBOL": "ERBB2", "VARIANT_CATEGORY": "CNV", "CNV_CALL": doc_call}
    assert matches(g(hugo_symbol="ERBB2", cnv_call=call), variants=[doc]) is expected


def test_wildtype():
    tree = g(hugo_symbol="KRAS", wildtype=True)
    assert matches(tree, variants=[{"TRUE_HUGO_SYMBOL": "KRAS", "WILDTYPE": True}]) is True
    assert matches(tree, variants=[{"TRUE_HUGO_SYMBOL": "KRAS", "WILDTYPE": "true"}]) is True
    assert matches(tree, variants=[{"TRUE_HUGO_SYMBOL": "KRAS", "WILDTYPE": False}]) is False


@pytest.mark.parametrize(
    "criterion, doc_status, expected",
    [
        ({"mmr_status": "MMR-Deficient"}, "Deficient (MMR-D / MSI-H)", True),
        ({"ms_status": "MSI-H"}, "Deficient (MMR-D / MSI-H)", True),
        ({"ms_status": "MSS"}, "Proficient (MMR-P / MSS)", True),
        ({"mmr_status": "MMR-Proficient"}, "Deficient (MMR-D / MSI-H)", False),
        ({"ms_status": "!MSI-H"}, "Proficient (MMR-P / MSS)", True),
        ({"ms_status": "MSI-H"}, "MSI-H", True),  # short spellings in patient files too
    ],
)
def test_mmr_and_ms_status(criterion, doc_status, expected):
    assert matches(g(**criterion), variants=[{"MMR_STATUS": doc_status}]) is expected


def test_tmb_in_a_genomic_criterion():
    assert matches(g(tmb=">=10"), variants=[{"TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE": 12.5}]) is True
    assert matches(g(tmb=">=10"), variants=[{"TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE": 3}]) is False


def test_one_document_must_meet_all_keys_of_a_criterion():
    tree = g(hugo_symbol="BRAF", protein_change="p.V600E")
    split = [mutation("BRAF", "p.G469A"), mutation("KRAS", "p.V600E")]
    assert matches(tree, variants=split) is False


def test_different_criteria_may_be_met_by_different_documents():
    tree = [{"and": [{"genomic": {"hugo_symbol": "BRAF"}}, {"genomic": {"hugo_symbol": "KRAS"}}]}]
    assert matches(tree, variants=[mutation("BRAF", "p.V600E"), mutation("KRAS", "p.G12C")]) is True
    assert matches(tree, variants=[mutation("BRAF", "p.V600E")]) is False


def test_structural_variants_structured_and_unstructured():
    sv = {"VARIANT_CATEGORY": "SV", "LEFT_PARTNER_GENE": "EML4", "RIGHT_PARTNER_GENE": "ALK"}
    assert (
        matches(g(hugo_symbol="ALK", variant_category="Structural Variation"), variants=[sv])
        is True
    )
    assert (
        matches(
            g(
                hugo_symbol="ALK",
                variant_category="Structural Variation",
                fusion_partner_hugo_symbol="EML4",
            ),
            variants=[sv],
        )
        is True
    )
    assert (
        matches(
            g(
                hugo_symbol="ALK",
                variant_category="Structural Variation",
                fusion_partner_hugo_symbol="KIF5B",
            ),
            variants=[sv],
        )
        is False
    )
    assert (
        matches(
            g(
                hugo_symbol="any_gene",
                variant_category="Structural Variation",
                fusion_partner_hugo_symbol="ALK",
            ),
            variants=[sv],
        )
        is True
    )
    assert (
        matches(g(hugo_symbol="ROS1", variant_category="Structural Variation"), variants=[sv])
        is False
    )
    comment = {
        "VARIANT_CATEGORY": "SV",
        "STRUCTURAL_VARIANT_COMMENT": "EGFR (NM_005228) - SEPT14 fusion",
    }
    assert (
        matches(g(hugo_symbol="EGFR", variant_category="Structural Variation"), variants=[comment])
        is True
    )
    assert (
        matches(g(hugo_symbol="GFR", variant_category="Structural Variation"), variants=[comment])
        is False
    )
    assert (
        matches(g(hugo_symbol="EGFR", variant_category="!Structural Variation"), variants=[comment])
        is False
    )


def test_signatures_have_no_gene():
    tree = g(hugo_symbol="None", temozolomide_signature="Yes")
    assert (
        matches(tree, variants=[{"VARIANT_CATEGORY": "SIGNATURE", "TEMOZOLOMIDE_STATUS": "Yes"}])
        is True
    )
    assert (
        matches(tree, variants=[{"VARIANT_CATEGORY": "SIGNATURE", "TEMOZOLOMIDE_STATUS": "No"}])
        is False
    )


def test_gene_given_as_a_number_never_matches_text():
    # MatchMiner's massive_match_clause example curates hugo_symbol: 1
    assert (
        matches(
            g(hugo_symbol=1, mmr_status="MMR-Deficient"),
            variants=[{"TRUE_HUGO_SYMBOL": "MLH1", "MMR_STATUS": "Deficient (MMR-D / MSI-H)"}],
        )
        is False
    )


def test_display_name_is_ignored():
    assert (
        matches(
            g(hugo_symbol="KRAS", display_name="KRAS anything"),
            variants=[mutation("KRAS", "p.G12C")],
        )
        is True
    )
