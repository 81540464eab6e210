"""The rule file and code lists are well-formed: every ICD-10-CM category is a real one
(simple-icd-10-cm), every range has one shape, every NDC is a product NDC."""

import re

import simple_icd_10_cm as icd

from consilium.engines.claims import rules as rules_mod

OPEN_ONCOTREE_TISSUES = {
    "Adrenal Gland",
    "Ampulla of Vater",
    "Biliary Tract",
    "Bladder/Urinary Tract",
    "Bone",
    "Bowel",
    "Breast",
    "CNS/Brain",
    "Cervix",
    "Esophagus/Stomach",
    "Eye",
    "Head and Neck",
    "Kidney",
    "Liver",
    "Lung",
    "Lymphoid",
    "Myeloid",
    "Other",
    "Ovary/Fallopian Tube",
    "Pancreas",
    "Penis",
    "Peripheral Nervous System",
    "Peritoneum",
    "Pleura",
    "Prostate",
    "Skin",
    "Soft Tissue",
    "Testis",
    "Thymus",
    "Thyroid",
    "Uterus",
    "Vulva/Vagina",
}


def test_icd_categories_are_valid_malignant_categories():
    r = rules_mod.load()
    listed = [
        *r.categories,
        *r.excluded_categories,
        *r.metastatic_categories,
        *r.group_excluded_categories,
    ]
    for cat in listed:
        assert icd.is_valid_item(cat) and icd.is_category(cat), cat
        assert cat.startswith(r.code_prefix), cat
    # every malignant category of chapter 2 but C44 and C77-C80 maps to a group
    chapter = {c for c in icd.get_all_codes(False) if c.startswith("C") and icd.is_category(c)}
    assert chapter - set(r.categories) == {"C44", "C77", "C78", "C79", "C80"}


def test_groups_map_to_oncotree_tissues():
    r = rules_mod.load()
    assert {t for _g, t in r.categories.values()} <= OPEN_ONCOTREE_TISSUES
    for trig in ("rare_cancer", "biomarker_testing_missing"):
        assert set(r.triggers[trig].groups) <= {g for g, _t in r.categories.values()}


def test_code_ranges_have_one_shape_and_a_source():
    r = rules_mod.load()
    for lst, ranges in r.hcpcs.items():
        for cr in ranges:
            assert re.fullmatch(cr.pattern, cr.code_to), (lst, cr)
            assert cr.code_from <= cr.code_to and cr.source, (lst, cr)
    assert r.hcpcs["antineoplastic_drugs"][0].code_from == "J9000"


def test_ndc_products():
    assert rules_mod.ndc_product_to_11("0078-0438") == "000780438"
    assert rules_mod.ndc_product_to_11("57962-140") == "579620140"
    for products in rules_mod.load().ndc.values():
        assert all(len(p) == 9 and p.isdigit() for p in products)
