"""Every fact points at the text it came from."""

from consilium.engines.abstraction import abstract

TEXT = (
    "CLINICAL HISTORY: Left breast mass. FINAL DIAGNOSIS: Left breast, mastec"
    "tomy: Invasive ductal carcinoma, "
    "Nottingham grade 2. Tumor size: 2.4 cm. Margins: negative. Lymphovascula"
    "r invasion: not identified. "
    "Two of fourteen lymph nodes positive (2/14). ER positive (90%). PR posit"
    "ive (40%). HER2 1+. pT2 pN1a. "
    "Stage IIB. Adjuvant chemotherapy and tamoxifen planned."
)


def test_spans_contain_the_value():
    result = abstract(TEXT, document_id="doc-7")
    assert result.facts
    checks = {
        "pT": lambda f, s: f.value in s,
        "pN": lambda f, s: f.value in s,
        "ER": lambda f, s: s == "ER",
        "HER2": lambda f, s: s == "HER2",
        "cancer_type": lambda f, s: s.lower() == "invasive ductal carcinoma",
        "tumour_size_cm": lambda f, s: "2.4" in s,
        "stage_group": lambda f, s: s == "IIB",
        "grade": lambda f, s: "2" in s,
    }
    for fact in result.facts:
        p = fact.provenance
        assert p.document_id == "doc-7"
        assert 0 <= p.start < p.end <= len(TEXT)
        span = TEXT[p.start : p.end]
        assert span.strip(), fact
        assert span in p.sentence or p.sentence in TEXT, fact
        if fact.name in checks:
            assert checks[fact.name](fact, span), (fact.name, fact.value, span)
    names = {f.name for f in result.facts}
    assert {
        "pT",
        "pN",
        "ER",
        "PR",
        "HER2",
        "cancer_type",
        "margins",
        "lymphovascular_invasion",
        "treatment",
        "laterality",
    } <= names


def test_sentence_is_the_right_one():
    result = abstract(TEXT)
    size = next(f for f in result.facts if f.name == "tumour_size_cm")
    assert size.provenance.sentence == "Tumor size: 2.4 cm."
    assert size.provenance.section == "diagnosis"


def test_treatments_are_classified():
    result = abstract(TEXT)
    kinds = {f.value: f.detail["class"] for f in result.facts if f.name == "treatment"}
    assert kinds["chemotherapy"] == "chemotherapy"
    assert kinds["tamoxifen"] == "hormone_therapy"
    assert kinds["mastectomy"] == "surgery"
