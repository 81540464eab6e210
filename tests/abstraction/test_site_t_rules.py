"""Site T rules read from data/staging.yaml: findings that decide a category on their own
(hepatocellular carcinoma, testis), melanoma's Breslow thickness, oral cavity bone
invasion. Each inferred T says it was inferred and from what."""

import pytest

from consilium.engines.abstraction import abstract


def _inferred_t(text):
    result = abstract(text)
    facts = [f for f in result.facts if f.name == "pT" and f.basis == "inferred"]
    return result, (facts[0] if facts else None)


@pytest.mark.parametrize(
    ("text", "t"),
    [
        (
            "Liver, segment VI, resection: hepatocellular carcinoma, forming a 3.5 cm mass. "
            "Vascular invasion: Not identified. Margins free.",
            "T1",
        ),
        (
            "Liver, left lobe: hepatocellular carcinoma, a single 6 cm nodule. "
            "Microvascular invasion is present.",
            "T2",
        ),
    ],
)
def test_hepatocellular_t_from_findings(text, t):
    result, fact = _inferred_t(text)
    assert fact is not None and fact.value == t
    assert result.pT == t
    assert "AJCC" in fact.inferred_from and "vascular invasion" in fact.inferred_from


@pytest.mark.parametrize(
    "text",
    [
        # Vascular invasion not mentioned: T1 or T2 cannot be told apart.
        "Liver, resection: hepatocellular carcinoma, 3.5 cm. Margins free.",
        # Satellite nodules: more than one tumour.
        "Liver, resection: hepatocellular carcinoma, 3.5 cm, with satellite nodules. "
        "No vascular invasion.",
        # One kind of vessel invasion absent, another present.
        "Hepatocellular carcinoma, 3 cm. Portal vein invasion: no. Microvessel invasion: yes.",
    ],
)
def test_hepatocellular_t1_needs_one_tumour_and_no_vascular_invasion(text):
    result, fact = _inferred_t(text)
    assert result.pT != "T1"


@pytest.mark.parametrize(
    ("thickness", "t"),
    [("0.8 mm", "T1"), ("1.6 mm", "T2"), ("3.1 mm", "T3"), ("5.2 mm", "T4"), ("0.45 cm", "T4")],
)
def test_melanoma_t_from_breslow_thickness(thickness, t):
    text = (
        "Skin, left back, excision: invasive malignant melanoma, superficial spreading type. "
        f"Breslow thickness: {thickness}. Ulceration: absent."
    )
    result, fact = _inferred_t(text)
    assert fact is not None and fact.value == t
    assert result.pT == t
    assert "thickness" in fact.inferred_from


def test_melanoma_full_thickness_skin_is_not_a_breslow_thickness():
    text = "Skin, excision: malignant melanoma. Full thickness skin ellipse, 4 cm."
    _, fact = _inferred_t(text)
    assert fact is None


@pytest.mark.parametrize(
    ("text", "t"),
    [
        ("Testis, orchiectomy: seminoma, 4 cm. Lymphovascular invasion: not identified.", "T1"),
        ("Testis, orchiectomy: seminoma, 4 cm. Lymphovascular invasion: present.", "T2"),
        ("Testis, orchiectomy: seminoma. The tumor invades the spermatic cord.", "T3"),
    ],
)
def test_testis_t_from_findings(text, t):
    result, fact = _inferred_t(text)
    assert fact is not None and fact.value == t


def test_testis_silent_on_vascular_invasion_gives_no_t():
    _, fact = _inferred_t("Testis, orchiectomy: seminoma, 4 cm, limited to the testis.")
    assert fact is None


def test_oral_cavity_bone_invasion_is_t4():
    text = (
        "Floor of mouth and mandible, composite resection: invasive squamous cell carcinoma "
        "of the oral cavity, 2.1 cm, invading the mandible."
    )
    result, fact = _inferred_t(text)
    assert fact is not None and fact.value == "T4"
    assert result.pT == "T4"


def test_cervix_confined_to_the_cervix_is_t1():
    text = (
        "DIAGNOSIS: Uterus and cervix, hysterectomy: Squamous cell carcinoma of the cervix, "
        "moderately differentiated. Tumor is located and limited in cervix."
    )
    assert abstract(text).pT == "T1"


def test_cervix_upper_vagina_invasion_is_t2():
    text = (
        "Squamous cell carcinoma of the cervix, non-keratinizing, with invasion of the whole "
        "endocervix and focal invasion into the upper third of vagina. Tumor size: 6 cm."
    )
    result = abstract(text)
    assert result.pT == "T2"
    assert "upper vagina" in next(f for f in result.facts if f.name == "pT").inferred_from


def test_cervix_confined_but_invading_the_parametrium_is_not_t1():
    text = (
        "Squamous cell carcinoma of the cervix. The tumor is confined to the cervix grossly; "
        "microscopically it invades the parametrial soft tissue."
    )
    assert abstract(text).pT == "T2"


def test_stomach_carcinoma_confined_to_the_mucosa_is_t1():
    result, fact = _inferred_t(
        "Stomach, distal gastrectomy: adenocarcinoma, intestinal type, moderately "
        "differentiated. Depth of infiltration: neoplasia confined to the mucosa and lamina "
        "propria. Lymphatic vascular invasion: not detected."
    )
    assert (result.pT, fact.value) == ("T1", "T1")


def test_colon_carcinoma_confined_to_the_mucosa_is_not_t1():
    # In the colon an intramucosal carcinoma is Tis, not T1: the stomach's rule stays there.
    result, fact = _inferred_t(
        "Colon, sigmoid, resection: adenocarcinoma, moderately differentiated, confined to "
        "the mucosa (intramucosal)."
    )
    assert result.pT != "T1" and (fact is None or fact.value != "T1")


def test_an_extent_rule_reads_a_scanned_line_end():
    # "THROUGH THE RENAL. CAPSULE": the kidney's T3 extent across a line end beats the
    # 12 cm size (T2).
    result, t = _inferred_t(
        "DIAGNOSIS: KIDNEY, LEFT; RADICAL NEPHRECTOMY: RENAL CELL CARCINOMA, CLEAR CELL "
        "TYPE, NUCLEAR GRADE II/IV. THE TUMOR GREATEST DIAMETER IS 12.0 CM. THE TUMOR "
        "EXTENDS THROUGH THE RENAL. CAPSULE BUT IS CONFINED WITHIN GEROTA'S FASCIA."
    )
    assert result.pT == "T3"
    assert "RENAL. CAPSULE" in t.inferred_from
