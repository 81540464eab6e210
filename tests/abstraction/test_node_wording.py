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
    # Two levels of one diagnosis, each "2 of 3": two nodes or four (N1 or N2), so no
    # answer. (Told in the frozen section and again in the diagnosis, it would be two.)
    text = (
        "DIAGNOSIS: Left breast, mastectomy: Invasive ductal carcinoma. Axillary level I: "
        "metastatic carcinoma in 2 of 3 lymph nodes, the largest deposit 4 mm, with no "
        "extranodal extension identified. Axillary level II: metastatic carcinoma in 2 of "
        "3 lymph nodes, the largest deposit 6 mm. Axillary level III: five lymph nodes, "
        "negative for tumor (0/5)."
    )
    assert abstract(text).pN is None
    totals, _ = findings.node_totals(Document(text))
    assert (totals.positive, totals.at_least, totals.at_most) == (None, 2, 4)


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
