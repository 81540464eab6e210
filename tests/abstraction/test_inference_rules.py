"""Inference rules: which size is the tumour's, when an extent decides the category, and
when node counts may answer N0."""

from consilium.engines.abstraction import abstract
from consilium.engines.abstraction.findings import tumour_size
from consilium.engines.abstraction.text import Document


def _size(text):
    size, _ = tumour_size(Document(text))
    return size.cm if size else None


def test_specimen_size_is_not_the_tumour_size():
    text = (
        "Breast, excision. Specimen size (for excisions): greatest dimension: 9.0 cm. "
        "Tumor size: greatest dimension: 1.5 cm."
    )
    assert _size(text) == 1.5


def test_number_inside_the_label_is_not_the_value():
    text = (
        "Size of largest invasive carcinoma: greatest dimension of largest focus over "
        "0.1 cm: 2.5 cm."
    )
    assert _size(text) == 2.5


def test_listed_sizes_give_the_largest():
    assert _size("Size of invasive component: greatest dimension: 2.0 cm and 2.4 cm.") == 2.4


def test_in_situ_and_node_sizes_are_not_the_tumour_size():
    text = (
        "Final diagnosis: invasive ductal carcinoma measuring 1.2 cm, with 2.6 cm of ductal "
        "carcinoma in situ. One sentinel lymph node is positive, with a focus measuring 0.9 cm."
    )
    assert _size(text) == 1.2


def test_label_does_not_reach_into_the_next_sentence():
    text = "Nodule of fat necrosis, 2 cm in largest dimension. One cyst (3.0 x 1.7 cm) is seen."
    assert _size(text) is None


def test_breast_t_from_a_labelled_size_is_answered_as_inferred():
    text = "Left breast, mastectomy: invasive ductal carcinoma. Tumor size: 2.7 cm."
    result = abstract(text)
    assert result.pT == "T2"
    assert next(f for f in result.facts if f.name == "pT").basis == "inferred"


def test_lung_pleural_invasion_without_a_size_is_proposed_not_answered():
    result = abstract(
        "Lung, left upper lobe, lobectomy: squamous cell carcinoma. Visceral pleural "
        "invasion is present."
    )
    assert result.pT is None
    fact = next(f for f in result.facts if f.name == "pT")
    assert fact.value == "T2" and fact.confidence < 0.75 and "not stated" in fact.inferred_from


def test_labelled_extent_answered_no_is_absent():
    result = abstract(
        "Lung, right lower lobe: adenocarcinoma. Tumor size: 2.5 cm. Visceral pleural invasion: No."
    )
    assert result.pT == "T1"


def test_stomach_t_from_a_synoptic_extent_field():
    result = abstract(
        "STOMACH CHECKLIST. Specimen: gastrectomy. Histologic type: adenocarcinoma. "
        "Extent of invasion: Serosa (visceral peritoneum)."
    )
    assert result.cancer_type == "STAD" and result.pT == "T4"


def test_kidney_t3_from_extension_through_the_capsule():
    result = abstract(
        "Kidney, radical nephrectomy: clear cell renal cell carcinoma, 6 cm. The tumor "
        "extends through the renal capsule into perinephric fat."
    )
    assert result.pT == "T3"


def test_thyroid_extension_field_with_a_description_is_present():
    result = abstract(
        "Thyroid, total thyroidectomy: papillary thyroid carcinoma, 2.5 cm. Extrathyroid "
        "extension: Invades perithyroidal soft tissue."
    )
    assert result.pT == "T3"


def test_negative_nodes_counted_from_multiple_and_parenthesised_counts():
    text = (
        "Breast, left, mastectomy: invasive ductal carcinoma. Lymph nodes, left axillary "
        "sentinel, excision: Multiple (2) left axillary sentinel lymph nodes are negative "
        "for tumor. Non-sentinel node: lymph node (1), negative for tumor."
    )
    assert abstract(text).pN == "N0"


def test_negative_counts_do_not_answer_n0_when_a_positive_node_is_described():
    text = (
        "Breast, left: invasive ductal carcinoma. Lymph nodes, left high axillary: "
        "Multiple (2) left high axillary lymph nodes are negative for tumor. A single left "
        "mid axillary lymph node is positive for metastatic carcinoma."
    )
    result = abstract(text)
    assert result.pN is None
    assert not [f for f in result.facts if f.name == "pN" and f.value == "N0"]


def test_a_count_written_twice_is_one_count():
    text = (
        "Breast checklist. Histologic type: infiltrating ductal carcinoma. Lymph nodes: "
        "2/11 positive for metastasis (axillary 2/11)."
    )
    fact = next(f for f in abstract(text).facts if f.name == "pN")
    assert fact.value == "N1" and "2 of 11" in fact.inferred_from
