"""Cancer type as specific an OncoTree code as the text supports."""

import pytest

from consilium.engines.abstraction import abstract


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FINAL DIAGNOSIS: Right breast, lumpectomy: invasive ductal carcinoma, grade 2.", "IDC"),
        ("FINAL DIAGNOSIS: Left breast, mastectomy: invasive lobular carcinoma.", "ILC"),
        ("DIAGNOSIS: Breast, left, excision: invasive carcinoma.", "BRCA"),
        (
            "DIAGNOSIS: Lung, left upper lobe, lobectomy: adenocarcinoma, acinar predominant.",
            "LUAD",
        ),
        ("DIAGNOSIS: Right lower lobe of lung: squamous cell carcinoma, keratinizing.", "LUSC"),
        (
            "DIAGNOSIS: Thyroid, total thyroidectomy: papillary thyroid carcinoma, classic type.",
            "THPA",
        ),
        (
            (
                "DIAGNOSIS: Kidney, left, radical nephrectomy: clear cell renal cell carc"
                "inoma, Fuhrman grade 2."
            ),
            "CCRCC",
        ),
        (
            (
                "DIAGNOSIS: Kidney, right, partial nephrectomy: papillary renal cell carc"
                "inoma, type 2."
            ),
            "PRCC",
        ),
        ("DIAGNOSIS: Kidney: renal cell carcinoma, chromophobe type.", "CHRCC"),
        ("DIAGNOSIS: Kidney: renal cell carcinoma, unclassified.", "RCC"),
        ("DIAGNOSIS: Rectum, low anterior resection: adenocarcinoma.", "READ"),
        ("DIAGNOSIS: Liver, segment 6: hepatocellular carcinoma.", "HCC"),
        ("DIAGNOSIS: Urinary bladder, cystectomy: high grade urothelial carcinoma.", "BLCA"),
        ("DIAGNOSIS: Pleura, decortication: malignant mesothelioma, epithelioid type.", "PLEMESO"),
        ("DIAGNOSIS: Left testis, radical orchiectomy: seminoma.", "SEM"),
        ("DIAGNOSIS: Right eye, enucleation: choroidal melanoma.", "UM"),
        (
            "DIAGNOSIS: Skin of back, excision: malignant melanoma, Breslow thickness 2.1 mm.",
            "SKCM",
        ),
        ("DIAGNOSIS: Adrenal gland, adrenalectomy: adrenal cortical carcinoma.", "ACC"),
        ("DIAGNOSIS: Tongue, partial glossectomy: invasive squamous cell carcinoma.", "OCSC"),
    ],
)
def test_code(text, code):
    assert abstract(text).cancer_type == code


def test_no_tumour_no_type():
    result = abstract("DIAGNOSIS: Benign fibroadipose tissue. No malignancy identified.")
    assert result.cancer_type is None


def test_codes_exist_in_oncotree():
    """Every code the rules can answer is a real OncoTree code (when the release is here)."""
    import json

    from consilium.engines.abstraction.lexicon import load
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "oncotree" / "oncotree_2025_10_03.json"
    if not path.exists():
        pytest.skip(f"OncoTree release not present at {path}")
    codes: set[str] = set()

    def walk(node):
        codes.add(node["code"])
        for child in node["children"].values():
            walk(child)

    walk(json.loads(path.read_text())["TISSUE"])
    ruled = {r["code"] for r in load("cancer_types")["rules"]}
    mapped = {c for cs in load("tcga_projects")["projects"].values() for c in cs}
    assert ruled - codes == set()
    assert mapped - codes == set()
