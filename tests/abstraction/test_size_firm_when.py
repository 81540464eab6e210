"""Sites whose sizes are weak (thyroid) take a size-based T as firm when the report says
the carcinoma stays within the organ (staging.yaml: size_firm_when)."""

from consilium.engines.abstraction import abstract


def test_thyroid_size_is_firm_when_confined_to_the_gland():
    text = (
        "DIAGNOSIS: Thyroid, left lobectomy: Papillary thyroid carcinoma, follicular "
        "variant. Tumor size: 3.5 cm. Tumor confined to the thyroid."
    )
    result = abstract(text)
    assert result.pT == "T2"
    t = next(f for f in result.facts if f.name == "pT")
    assert t.basis == "inferred" and "3.5 cm" in t.inferred_from


def test_thyroid_size_alone_is_only_proposed():
    text = "DIAGNOSIS: Thyroid, left lobectomy: Papillary thyroid carcinoma. Tumor size: 3.5 cm."
    result = abstract(text)
    assert next(f for f in result.facts if f.name == "pT").value == "T2"
    assert result.pT is None


def test_questionably_confined_is_not_confined():
    text = (
        "DIAGNOSIS: Thyroid: Papillary thyroid carcinoma. Tumor size: 2.5 cm. The tumor "
        "extends to the inked margin and is questionably confined to the gland."
    )
    assert abstract(text).pT is None


def test_extrathyroidal_extension_stated_absent_makes_the_size_firm():
    text = (
        "DIAGNOSIS: Thyroid, total thyroidectomy: Papillary thyroid carcinoma. Tumor size: "
        "1.2 cm. Extrathyroidal extension: not identified."
    )
    assert abstract(text).pT == "T1"


def test_oral_cavity_bone_named_after_other_tissue_is_t4():
    text = (
        "DIAGNOSIS: Marginal pelviglossomandibulectomy: Moderately differentiated squamous "
        "cell carcinoma of tongue, measured 7.5 x 4.0 cm, involving skeletal muscle tissue "
        "and osseous tissue."
    )
    assert abstract(text).pT == "T4"


def test_oral_cavity_free_of_bone_is_not_t4():
    text = (
        "DIAGNOSIS: Mandible and floor of mouth, resection: Squamous cell carcinoma invading "
        "free of bone. Tumor size: 1.5 cm."
    )
    assert abstract(text).pT != "T4"
