"""A size the diagnosis gives for the carcinoma stages the tumour; the gross description's
masses, a node's extension or scattered foci do not (findings._anchored)."""

from consilium.engines.abstraction import abstract
from consilium.engines.abstraction.findings import tumour_size
from consilium.engines.abstraction.text import Document


def _size(text: str):
    size, _ = tumour_size(Document(text))
    return size


def test_size_after_the_grade_in_the_diagnosis_is_the_carcinomas():
    text = (
        "DIAGNOSIS: LEFT BREAST, MASTECTOMY: - INVASIVE DUCTAL CARCINOMA, NOS TYPE, "
        "HISTOLOGIC GRADE III/III (SLIGHT OR NO TUBULE FORMATION). NUCLEAR GRADE III/III "
        "(MARKED VARIATION IN SIZE AND SHAPE) MEASURING 6 CM IN LARGEST DIMENSION GROSSLY. "
        "- DUCTAL CARCINOMA IN SITU IS ALSO PRESENT."
    )
    size = _size(text)
    assert size is not None and size.cm == 6.0 and size.anchored
    result = abstract(text)
    assert result.pT == "T3"
    t = next(f for f in result.facts if f.name == "pT")
    assert t.basis == "inferred" and "6 cm" in t.inferred_from


def test_any_measurement_of_the_carcinoma_in_the_diagnosis_counts():
    text = (
        "FINAL DIAGNOSIS: Right breast, excision: Invasive ductal carcinoma, Nottingham "
        "grade 3, nuclear grade III/III, measuring 1.9 cm microscopically."
    )
    assert abstract(text).pT == "T1"


def test_a_mass_in_the_gross_description_is_only_proposed():
    text = (
        "DIAGNOSIS: Left breast, mastectomy: Invasive ductal carcinoma. "
        "GROSS DESCRIPTION: Sectioning reveals a firm white nodule measuring 3.5 x 3.0 cm."
    )
    result = abstract(text)
    t = next(f for f in result.facts if f.name == "pT")
    assert t.value == "T2" and t.confidence < 0.75
    assert result.pT is None


def test_extracapsular_extension_is_not_the_tumour_size():
    text = (
        "DIAGNOSIS: Right axillary sentinel lymph node: metastatic carcinoma. "
        "Extracapsular Extension: Present, measuring < 2mm in largest diameter."
    )
    size = _size(text)
    assert size is None or not size.anchored
    assert abstract(text).pT is None


def test_scattered_foci_are_not_the_tumour_size():
    text = (
        "DIAGNOSIS: Breast, mastectomy: Ductal carcinoma in situ. - Several microscopic "
        "foci of infiltrating adenocarcinoma, up to 0.5 cm, in the remaining breast tissue."
    )
    size = _size(text)
    assert size is None or not size.anchored
    assert abstract(text).pT is None


def test_in_situ_carcinoma_measured_in_the_diagnosis_is_not_anchored():
    text = (
        "DIAGNOSIS: Breast, excision: Invasive ductal carcinoma, 0.4 cm. - Ductal "
        "carcinoma in situ, solid type, spanning 3.5 cm."
    )
    size = _size(text)
    assert size is None or size.cm < 2.0
    assert abstract(text).pT != "T2"


def test_a_size_before_its_mass_across_a_line_end():
    # "cm." then a lower-case word: the line end of a scanned report, not a new sentence.
    text = (
        "Breast, right, excision: Invasive ductal carcinoma, Nottingham grade III (of III), "
        "forming a 2.0 x 1.8 x 1.5 cm. circumscribed mass."
    )
    size = _size(text)
    assert size is not None and size.cm == 2.0
    assert abstract(text).pT == "T1"


def test_a_size_ending_a_sentence_is_not_the_next_sentences_tumours():
    from consilium.engines.abstraction.findings import SIZE_NARRATIVE

    assert SIZE_NARRATIVE.search("forming a 2.0 x 1.8 cm. circumscribed mass")
    # "CM." then a capital: a new sentence, whose tumour the size is not.
    assert not SIZE_NARRATIVE.search("DIAMETER IS 12.0 CM. THE TUMOR EXTENDS")


def test_a_maximum_gross_dimension_is_a_labelled_size():
    text = (
        "FINAL DIAGNOSIS: BREAST, RIGHT, PARTIAL MASTECTOMY: INFILTRATING DUCT CARCINOMA. "
        "THE TUMOR HAS A MAXIMUM GROSS DIMENSION OF 2.7 CM."
    )
    size = _size(text)
    assert size is not None and size.cm == 2.7 and size.labelled
    assert abstract(text).pT == "T2"


def test_sizes_ranging_across_a_line_end():
    text = (
        "Breast, left, mastectomy: Invasive carcinoma with predominantly lobular features is "
        "identified forming multiple (4) masses (ranging in size. from 0.7 cm to 1.6 cm in "
        "greatest dimension)."
    )
    size = _size(text)
    assert size is not None and size.cm == 1.6


def test_a_size_written_right_after_the_carcinomas_name():
    # The next item of the diagnosis line, even on a line that began with the specimen.
    text = (
        "FINAL DIAGNOSIS: BREAST AND AXILLA, LEFT, MODIFIED RADICAL MASTECTOMY: - "
        'INFILTRATING DUCTAL CARCINOMA ("A2-A7"), 4.5 BY 4.5 BY 3.5 CM, NOTTINGHAM 6/9 '
        "(TUBULES 3, NUCLEI 2, MITOSIS 1)."
    )
    size = _size(text)
    assert size is not None and size.cm == 4.5 and size.anchored
    assert abstract(text).pT == "T2"
    text = "FINAL DIAGNOSIS: LEFT BREAST, SEGMENTAL MASTECTOMY. MEDULLARY CARCINOMA, 2.0 CM."
    assert _size(text).cm == 2.0


def test_a_size_after_the_name_of_in_situ_or_nodal_carcinoma_is_not_the_tumours():
    assert _size("FINAL DIAGNOSIS: BREAST: DUCTAL CARCINOMA IN SITU, 1.0 CM.") is None
    assert (
        _size(
            "FINAL DIAGNOSIS: AXILLARY LYMPH NODE: METASTATIC CARCINOMA, 1.2 CM, EXTRANODAL "
            "EXTENSION PRESENT."
        )
        is None
    )


def test_inflammatory_breast_cancer_is_not_staged_by_size():
    # AJCC T4d: the size (T2 by itself) must not answer.
    diagnosis = (
        "DIAGNOSIS: A. BIOPSY OF LEFT BREAST: BREAST WITH INFILTRATING DUCTAL CARCINOMA "
        "(2.2 CM), NUCLEAR GRADE 3."
    )
    assert abstract(diagnosis).pT == "T2"
    assert abstract("CLINICAL HISTORY: Inflammatory breast cancer. " + diagnosis).pT is None
