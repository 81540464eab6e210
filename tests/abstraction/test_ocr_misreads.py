"""Scanned reports' one-letter misreads of pathology terms ("CARCINONA"), read as the
term without moving any offset, and forms' answer hints ("(xy%,n/a)") not read as
answers."""

from hypothesis import given
from hypothesis import strategies as st

from consilium.engines.abstraction import abstract
from consilium.engines.abstraction.text import Document, restore_misreads


def test_a_term_misread_by_one_letter_is_restored_in_its_own_case():
    assert restore_misreads("INTILTRATING DUCT CARCINONA") == "INFILTRATING DUCT CARCINOMA"
    assert restore_misreads("Metastatio carcinoma") == "Metastatic carcinoma"
    assert restore_misreads("sentinal node") == "sentinel node"


def test_real_words_and_exact_terms_are_left_alone():
    text = "Metastases are identified; the carcinoma identifies invasion of receptors."
    assert restore_misreads(text) == text
    text = "The tumour involves capillary spaces; the pathologist examines the slides."
    assert restore_misreads(text) == text
    assert restore_misreads("PAPILIARY carcinoma, Lymphatio invasion") == (
        "PAPILLARY carcinoma, Lymphatic invasion"
    )


def test_short_words_are_left_alone():
    # Six letters or fewer: too many real words lie one letter apart.
    assert restore_misreads("tumor tumour ductal") == "tumor tumour ductal"


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=300))
def test_the_length_never_changes(text):
    assert len(restore_misreads(text)) == len(text)


def test_a_misread_report_gets_its_cancer_type_and_quotes_the_original():
    text = (
        "FINAL DIAGNOSIS: RIGHT MODIFIED RADICAL MASTECTONY: INTILTRATING AND "
        "INTRADUCTAL CARCINONA, 6.0 CM."
    )
    result = abstract(text)
    assert result.cancer_type == "IDC"
    assert result.histology == "8500/3"
    fact = result.facts_named("histology")[0]
    # The sentence is the report's own; the span points at the same characters.
    assert "CARCINONA" in fact.provenance.sentence
    assert text[fact.provenance.start : fact.provenance.end].upper().startswith("INTILTRATING")


def test_document_keeps_the_received_text():
    doc = Document("Invasive ductal carcinona.")
    assert doc.original == "Invasive ductal carcinona."
    assert doc.text == "Invasive ductal carcinoma."
    assert doc.sentence(0) == "Invasive ductal carcinona."


def test_a_forms_answer_hint_is_not_the_answer():
    # "(0-3+,n/a)" lists what the field takes; the "n/a" in it is not "not performed".
    text = (
        "Invasive ductal carcinoma of the breast. Markers: ER (xy%,n/a) : 95. "
        "PR (xy%,n/a) : o. Her-2/neu (0-3+,n/a) : 1."
    )
    result = abstract(text)
    assert not [
        f for f in result.facts if f.name in ("ER", "PR", "HER2") and f.assertion == "not_performed"
    ]
    # A field answered "n/a" itself is still not performed.
    result = abstract("Invasive ductal carcinoma of the breast. Ki-67: n/a.")
    assert [f.assertion for f in result.facts_named("Ki-67")] == ["not_performed"]


def test_a_fields_value_scanned_as_the_letter_o_is_zero():
    assert restore_misreads("LYMPH NODES POSITIVE: o. Nuclei stained: O,") == (
        "LYMPH NODES POSITIVE: 0. Nuclei stained: 0,"
    )
    # Not a word that begins with o, nor a value that goes on.
    assert restore_misreads("Summary of sections: o omentum.") == (
        "Summary of sections: o omentum."
    )
    result = abstract(
        "Invasive ductal carcinoma of the breast, 1.2 cm. LYMPH NODES POSITIVE: o. "
        "LYMPH NODES EXAMINED: 2."
    )
    assert result.pN == "N0"
