"""Node counts in the wordings of scanned and dictated reports: a count repeated across
sections read once, a line end kept as a period inside the phrase, OCR's "lymph modes"
and "out or", and nodes stated free of tumour in a few more wordings."""

from consilium.engines.abstraction import abstract, findings
from consilium.engines.abstraction.text import Document


def _n_fact(result):
    return next(f for f in result.facts if f.name == "pN" and f.basis == "inferred")


def _positive_counts(result):
    return sorted(
        (f.value, f.detail.get("examined"))
        for f in result.facts
        if f.name == "lymph_nodes_positive" and "examined" in f.detail
    )


def test_a_fraction_of_several_nodes_written_again_is_the_same_nodes():
    # Frozen section, then the final diagnosis: two positive nodes, not four.
    text = (
        "FROZEN SECTION: Left sentinel node - two of three lymph nodes positive for "
        "metastatic carcinoma (2/3). FINAL DIAGNOSIS: Left breast: Invasive ductal "
        "carcinoma. Left axillary sentinel lymph nodes, excision: Metastatic carcinoma "
        "present in 2 of 3 lymph nodes (2/3). Left axillary contents, resection: No "
        "evidence of metastasis in nine lymph nodes (0/9)."
    )
    result = abstract(text)
    assert result.pN == "N1"
    assert "repeats read once" in _n_fact(result).inferred_from
    assert "2 of 12" in _n_fact(result).inferred_from


def test_the_same_fraction_for_two_specimens_of_one_diagnosis_is_not_read_once():
    # Two specimens of one diagnosis, each "2 of 3", without a level of their own: two
    # nodes or four (N1 or N2), so no answer. (Told in the frozen section and again in
    # the diagnosis, it would be two.)
    text = (
        "DIAGNOSIS: Left breast, mastectomy: Invasive ductal carcinoma. Sentinel lymph "
        "nodes, excision: metastatic carcinoma in 2 of 3 lymph nodes, the largest deposit "
        "4 mm, with no extranodal extension identified. Axillary contents, dissection: "
        "metastatic carcinoma in 2 of 3 lymph nodes, the largest deposit 6 mm. Additional "
        "tissue: five lymph nodes, negative for tumor (0/5)."
    )
    assert abstract(text).pN is None
    totals, _ = findings.node_totals(Document(text))
    assert (totals.positive, totals.at_least, totals.at_most) == (None, 2, 4)


def test_the_same_fraction_at_two_named_axillary_levels_is_added():
    # Level I and level II each "2 of 3": four positive nodes.
    text = (
        "DIAGNOSIS: Left breast, mastectomy: Invasive ductal carcinoma. Axillary level I: "
        "metastatic carcinoma in 2 of 3 lymph nodes, the largest deposit 4 mm, with no "
        "extranodal extension identified. Axillary level II: metastatic carcinoma in 2 of "
        "3 lymph nodes, the largest deposit 6 mm. Axillary level III: five lymph nodes, "
        "negative for tumor (0/5)."
    )
    totals, _ = findings.node_totals(Document(text))
    assert (totals.positive, totals.examined) == (4, 11)
    assert "level of its own" in totals.basis


def test_a_line_end_inside_the_count_phrase():
    text = (
        "FINAL DIAGNOSIS: Left breast, modified radical mastectomy: infiltrating ductal "
        "carcinoma. METASTATIC CARCINOMA IS PRESENT IN 5 OF 18 AXILLARY. LYMPH NODES."
    )
    assert (5, 18) in _positive_counts(abstract(text))


def test_no_carcinoma_in_a_count_of_nodes_across_a_line_end_is_n0():
    text = (
        "DIAGNOSIS: Left breast, mastectomy: Invasive lobular carcinoma. LEFT AXILLARY "
        "DISSECTION: NO CARCINOMA IDENTIFIED IN 15. LYMPH NODES."
    )
    result = abstract(text)
    assert result.pN == "N0"


def test_a_count_over_cores_is_not_a_node_count():
    text = (
        "DIAGNOSIS: Left breast, core biopsy: Invasive ductal carcinoma present in 2 of 3 "
        "cores. Lymph nodes: not sampled."
    )
    result = abstract(text)
    assert _positive_counts(result) == []
    assert result.pN is None


def test_lymph_modes_is_read_as_lymph_nodes():
    text = (
        "FINAL DIAGNOSIS: Right breast: infiltrating ductal carcinoma. METASTATIC CARCINOMA "
        "TO 1 OF 15 AXILLARY LYMPH MODES."
    )
    result = abstract(text)
    assert result.pN == "N1"


def test_out_or_is_read_as_out_of():
    # Read as "nineteen nodes, positive" this would be 19 of 19.
    text = (
        "FINAL DIAGNOSIS: Left breast: infiltrating duct carcinoma. - SIX (6) OUT or "
        "NINETEEN (19) LYMPH NODES, POSITIVE FOR METASTATIC CARCINOMA."
    )
    result = abstract(text)
    assert (6, 19) in _positive_counts(result)
    assert (19, 19) not in _positive_counts(result)
    assert _n_fact(result).value == "N2"


def test_nodes_stated_free_of_tumour_in_more_wordings():
    for statement in (
        "Lymph nodes: There is no lymph nodes metastasis.",
        "PARTS B AND E LEFT AXILLARY SENTINEL LYMPH NODES: LYMPH NODES WITH NO EVIDENCE "
        "OF METASTATIC DISEASE.",
    ):
        text = f"DIAGNOSIS: Left breast, lumpectomy: Invasive ductal carcinoma. {statement}"
        result = abstract(text)
        assert result.pN == "N0", statement


def test_a_total_of_nodes_containing_metastatic_carcinoma_stated_zero_is_n0():
    text = (
        "DIAGNOSIS: Right lung, upper lobe, lobectomy: squamous cell carcinoma. Lymph node "
        "status: Total number of lymph nodes received: 12. Total number of lymph nodes "
        "containing metastatic carcinoma: 0."
    )
    result = abstract(text)
    assert result.pN == "N0"
    assert any(f.name == "lymph_nodes_positive" and f.value == 0 for f in result.facts)


def test_lymph_node_status_negative_is_n0():
    text = (
        "DIAGNOSIS: Left lung, lower lobe, lobectomy: squamous cell carcinoma, moderately "
        "differentiated. Lymph node status: Negative."
    )
    assert abstract(text).pN == "N0"


def test_a_fraction_of_nodes_with_granulomas_is_not_a_count_of_positive_nodes():
    text = (
        "DIAGNOSIS: Right lung, lower lobe, lobectomy: adenocarcinoma, acinar predominant. "
        "Lymph nodes, right lobar and intralobar, excision: Granuloma (1/8)."
    )
    result = abstract(text)
    assert (1, 8) not in _positive_counts(result)
    assert not any(f.name == "pN" and f.value == "N1" for f in result.facts)


def test_a_count_and_its_total_in_brackets_before_the_site():
    text = (
        "DIAGNOSIS: Breast, left, mastectomy and axillary dissection: Invasive lobular "
        "carcinoma. Margins are negative for invasive carcinoma by 1.2 cm, deep margin. "
        "Multiple (10 of 19) left axillary lymph nodes are. positive for metastatic "
        "carcinoma."
    )
    assert _positive_counts(abstract(text)) == [(10, 19)]


def test_a_single_node_of_a_bracketed_total():
    # "A single (of 12) ... node is positive": one node of twelve; with the five negative
    # high axillary nodes, one of seventeen (N1).
    text = (
        "DIAGNOSIS: Breast, left, mastectomy: Invasive ductal carcinoma. Lymph nodes, "
        "left high axillary, dissection: Multiple (5) left high axillary lymph nodes are. "
        "negative for tumor. Lymph nodes, left mid/low axillary, dissection: A single (of "
        "12) left mid/low axillary lymph. node is positive for metastatic adenocarcinoma."
    )
    result = abstract(text)
    assert (1, 12) in _positive_counts(result)
    assert result.pN == "N1"
    assert "1 of 17" in _n_fact(result).inferred_from


def test_a_word_count_with_its_bracketed_total():
    text = (
        "DIAGNOSIS: Breast, right, lumpectomy: Invasive ductal carcinoma. Lymph nodes, "
        "right axillary, sentinel biopsies: Two (of 3) axillary sentinel lymph nodes are "
        "positive for metastatic carcinoma."
    )
    assert _positive_counts(abstract(text)) == [(2, 3)]


def test_a_line_end_inside_lymph_node_and_after_the_total():
    # Neck levels of one dissection: 1 + 2 + 1 positive nodes, 0 of 9 at level IV.
    text = (
        "DIAGNOSIS: Tonsil, left: Squamous cell carcinoma. LEFT NECK (MODIFIED "
        "DISSECTION): LEVEL I: METASTATIC CARCINOMA INVOLVING ONE (1) OF SEVEN (7) LYMPH. "
        "NODES. LEVEL II: METASTATIC CARCINOMA INVOLVING TWO (2) OF NINE (9) LYMPH. NODES. "
        "LEVEL III: METASTATIC CARCINOMA INVOLVING ONE (1) OF SEVENTEEN (17). LYMPH NODES. "
        "HISTOLOGICALLY UNREMARKABLE SKELETAL MUSCLE. LEVEL IV: NINE (9) LYMPH NODES AND "
        "ASSOCIATED. FIBROADIPOSE TISSUE, NEGATIVE FOR TUMOR."
    )
    assert _positive_counts(abstract(text)) == [(0, 9), (1, 7), (1, 17), (2, 9)]


def test_nodes_with_their_fibroadipose_tissue_across_a_line_end_are_negative():
    text = (
        "FINAL DIAGNOSIS: Lung, right upper lobe, lobectomy: Squamous cell carcinoma. ONE "
        "(1) HILAR LYMPH NODE AND. ASSOCIATED FIBROADIPOSE TISSUE, NEGATIVE FOR TUMOR. THE "
        "UNINVOLVED. LUNG PARENCHYMA DEMONSTRATES EMPHYSEMATOUS CHANGE. 2. LYMPH NODE, "
        "STATION 5 (BX) : ONE (1) LYMPH NODE AND ASSOCIATED. FIBROADIPOSE TISSUE, NEGATIVE "
        "FOR TUMOR."
    )
    result = abstract(text)
    assert _positive_counts(result) == [(0, 1), (0, 1)]
    assert result.pN == "N0"


def test_a_positive_nodes_size_is_not_a_count():
    totals, _ = findings.node_totals(
        Document(
            "A single (of 23) left axillary lymph node is positive for metastatic carcinoma. "
            "The positive lymph. node (1.7 cm in greatest dimension) shows extranodal "
            "extension. Multiple (2) left high axillary lymph nodes are. negative for tumor."
        )
    )
    assert (totals.positive, totals.examined) == (1, 25)


def test_number_with_metastases_and_number_examined():
    text = (
        "DIAGNOSIS: Colon, transverse, resection: Adenocarcinoma. The pathologic stage is "
        "pT4. Lymph nodes: Number with metastases: 1; Number examined: 23."
    )
    result = abstract(text)
    assert result.pN == "N1"
    assert [f.value for f in result.facts_named("lymph_nodes_examined")] == [23]


def test_the_same_count_at_two_named_neck_levels_is_two_nodes():
    # "1 of 3" at level II and "1 of 3" at level III: two positive nodes (N2 in the
    # head and neck), not one node told twice.
    text = (
        "DIAGNOSIS: Tongue, partial glossectomy: Invasive squamous cell carcinoma, "
        "moderately differentiated. JUGULAR CHAIN LYMPH NODE, LEVELS II, III AND IV: "
        "METASTATIC SQUAMOUS CARCINOMA IN 1 OF 3 LYMPH NODES FROM LEVEL II. METASTATIC "
        "SQUAMOUS CARCINOMA IN 1 OF 3 LYMPH NODES FROM LEVEL III. Two lymph nodes from "
        "level IV, no tumor present."
    )
    result = abstract(text)
    assert _positive_counts(result) == [(1, 3), (1, 3)]
    assert result.pN == "N2"


def test_the_same_count_told_again_for_the_same_level_is_read_once():
    # The level named after the first count belongs to it; the next part's label ("Level
    # III: benign") is not the first count's level.
    text = (
        "DIAGNOSIS: Tongue: squamous cell carcinoma. Neck, level II: metastatic carcinoma "
        "in 1 of 3 lymph nodes. Level III: benign lymph nodes. FINAL: Metastatic carcinoma "
        "in 1 of 3 lymph nodes from level II."
    )
    totals, _ = findings.node_totals(Document(text))
    assert (totals.positive, totals.examined) == (1, 3)
