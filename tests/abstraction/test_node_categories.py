"""pN from node counts: answered where a miscount cannot change the category (the site's
first positive category, or both ends of an uncertain count in one category, or a floor
already in the highest count category); proposed otherwise."""

from consilium.engines.abstraction import abstract


def _n_fact(result):
    return next(f for f in result.facts if f.name == "pN" and f.basis == "inferred")


def test_breast_one_to_three_nodes_summed_across_specimens_is_n1():
    text = (
        "DIAGNOSIS: A. Left breast, mastectomy: Invasive ductal carcinoma. "
        "B. Sentinel lymph node #1: metastatic carcinoma in one of one lymph node (1/1). "
        "C. Axillary contents: eleven lymph nodes, negative for tumor (0/11)."
    )
    result = abstract(text)
    assert result.pN == "N1"
    assert "1 of 12" in _n_fact(result).inferred_from


def test_breast_four_or_more_summed_nodes_are_proposed_not_answered():
    text = (
        "DIAGNOSIS: A. Left breast, mastectomy: Invasive ductal carcinoma. "
        "B. Sentinel lymph node: metastatic carcinoma in two of two lymph nodes (2/2). "
        "C. Axillary contents: metastatic carcinoma in three of nine lymph nodes (3/9)."
    )
    result = abstract(text)
    assert _n_fact(result).value == "N2"
    assert result.pN is None


def test_repeated_fractions_answer_when_both_readings_agree():
    # The same sentinel count appears in two sections: one node or two, N1 either way.
    text = (
        "FROZEN SECTION DIAGNOSIS: Sentinel lymph node: metastatic carcinoma (1/1). "
        "FINAL DIAGNOSIS: Left breast: Invasive ductal carcinoma. Sentinel lymph node: "
        "metastatic carcinoma involving one of one lymph node (1/1). Axillary lymph "
        "nodes: nine benign lymph nodes (0/9)."
    )
    result = abstract(text)
    assert result.pN == "N1"
    assert "1 to 2" in _n_fact(result).inferred_from


def test_counts_written_without_fractions():
    text = (
        "DIAGNOSIS: Right breast: Invasive lobular carcinoma. Lymph node, right axilla "
        "sentinel node, biopsy: - Carcinoma in 1 sentinel node. Lymph nodes, right axilla, "
        "dissection: - No evidence of carcinoma in 14 lymph nodes."
    )
    result = abstract(text)
    assert result.pN == "N1"
    assert "1 of 15" in _n_fact(result).inferred_from


def test_thyroid_any_positive_node_is_n1_whatever_the_count():
    text = (
        "DIAGNOSIS: Thyroid, total thyroidectomy: Papillary thyroid carcinoma, classic type. "
        "(B) Central neck: metastatic papillary thyroid carcinoma in two of five lymph "
        "nodes (2/5). Summary: metastatic papillary carcinoma in lymph nodes (2/5), "
        "(2/5)."
    )
    result = abstract(text)
    assert result.cancer_type == "THPA"
    assert result.pN == "N1"


def test_head_and_neck_several_positive_nodes_are_n2_one_node_is_left_open():
    several = (
        "DIAGNOSIS: Tongue, partial glossectomy: Squamous cell carcinoma of the oral tongue. "
        "Left neck dissection: metastatic squamous carcinoma involving 4 of 19 lymph nodes."
    )
    result = abstract(several)
    assert result.pN == "N2"
    one = (
        "DIAGNOSIS: Tongue, partial glossectomy: Squamous cell carcinoma of the oral tongue. "
        "Left neck dissection: metastatic squamous carcinoma in 1 of 19 lymph nodes."
    )
    result = abstract(one)
    # One node is N1 or N2a by its size: the count cannot say which.
    assert result.pN is None


def test_no_positive_node_stays_n0():
    text = (
        "DIAGNOSIS: Thyroid, lobectomy: Papillary thyroid carcinoma. Six lymph nodes, "
        "negative for carcinoma (0/6)."
    )
    assert abstract(text).pN == "N0"


def test_a_node_statement_negated_after_it_is_no_positive_node():
    text = (
        "Squamous cell carcinoma of the cervix. No tumor identified in 4 lymph nodes. "
        "Metastasis to regional lymph nodes is ABSENT. The total number of "
        "metastatically-involved nodes is 0."
    )
    result = abstract(text)
    assert result.pN == "N0"


def test_nodes_stated_negative_without_a_count_are_n0():
    text = (
        "DIAGNOSIS: Right upper lobe, lobectomy: Adenocarcinoma of the lung. All sampled "
        "lymph nodes are benign (see Comment)."
    )
    result = abstract(text)
    assert result.pN == "N0"
    assert "no regional lymph node positive" in _n_fact(result).inferred_from


def test_a_labelled_negative_node_field_is_n0():
    text = (
        "Kidney, radical nephrectomy: Papillary renal cell carcinoma. Paracaval lymph node: "
        "Lymph Nodes: Not involved. Number of nodes examined: 2."
    )
    assert abstract(text).pN == "N0"


def test_a_metastasis_reported_elsewhere_blocks_the_negative_statement():
    text = (
        "DIAGNOSIS: Breast: Invasive ductal carcinoma. Sentinel lymph node #1: "
        "micrometastatic ductal carcinoma (see note). NOTE: The later serial sections of the "
        "lymph nodes are negative."
    )
    assert abstract(text).pN != "N0"


def test_station_names_between_count_and_node_are_read():
    text = (
        "Lung, left lower lobe, lobectomy: Squamous cell carcinoma. Lymph nodes, "
        "mediastinal, excision: No tumor is identified in multiple (14) left lower "
        "paratracheal (station 4L) lymph nodes."
    )
    assert abstract(text).pN == "N0"


def test_a_node_with_its_fat_negative_for_tumour_is_a_negative_count():
    text = (
        "Lung, lobectomy: Adenocarcinoma. Lymph node, station 5 (excision): One (1) lymph "
        "node and associated fibroadipose tissue, negative for tumor."
    )
    result = abstract(text)
    assert result.pN == "N0"
    assert _n_fact(result).inferred_from.startswith("0 of ")


def test_number_with_metastasis_zero_is_n0():
    text = (
        "Rectum, low anterior resection: Adenocarcinoma. Lymph Nodes: Number with "
        "metastasis: 0. Total number examined: 12."
    )
    assert abstract(text).pN == "N0"
