"""Report structure: headers after a colon, and a clinical history that does not run on."""

from consilium.engines.abstraction.text import CLINICAL_HISTORY_MAX, Document


def test_header_after_a_colon_starts_a_section():
    doc = Document("Reported to surgeon: FINAL DIAGNOSIS. Breast: invasive carcinoma.")
    assert doc.section_at(doc.text.index("Breast")).name == "diagnosis"


def test_clinical_history_ends_after_a_few_lines():
    history = "Clinical history: " + "The patient has a breast mass. " * 20
    text = history + "Tumor histology: invasive ductal carcinoma."
    doc = Document(text)
    assert len(history) > CLINICAL_HISTORY_MAX
    assert doc.section_at(5).name == "clinical_history"
    assert doc.section_at(text.index("Tumor histology")).name == "unlabelled"
