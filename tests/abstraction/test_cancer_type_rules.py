"""General rules of the cancer-type classifier: OCR line breaks, plurals, Latin terms, a
histology's home site, the primary-site field, incidental second tumours, and the
histology codes of named variants."""

import pytest

from consilium.engines.abstraction import abstract


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # OCR puts a period at each scanned line end, inside terms.
        ("DIAGNOSIS: Lung, right lower lobe: infiltrating squamous. cell carcinoma.", "LUSC"),
        # Plurals of histology terms.
        ("DIAGNOSIS: Right breast, mastectomy: invasive mucinous carcinomas (two).", "IMMC"),
        # Latin diagnosis lines of Central European reports.
        ("Examination result: left breast. Carcinoma ductale invasivum, NHG2.", "IDC"),
        ("Tongue, resection: carcinoma planoepitheliale keratodes.", "OCSC"),
        # No site named anywhere: the histology's own site (breast terminology).
        (
            "Diagnosis: poorly differentiated invasive ductal carcinoma (tumour diameter 2 cm).",
            "IDC",
        ),
        # OCR letter confusions in otherwise unmistakable terms.
        ("DIAGNOSIS: Kidney, nephrectomy: renal cell carcinoma, chromophebe type.", "CHRCC"),
        ("Testis, orchidectomy: nonseminoma, 4.5 cm, confined to the testis.", "NSGCT"),
    ],
)
def test_code(text, code):
    assert abstract(text).cancer_type == code


def test_primary_site_field_outweighs_site_words_elsewhere():
    # Without the field, stomach and esophagus are named twice each: no answer.
    text = (
        "PRIMARY SITE: Stomach. Esophagus and stomach: poorly differentiated "
        "adenocarcinoma, invasive. Esophageal margin: free of tumour."
    )
    assert abstract(text).cancer_type == "STAD"


def test_urothelial_site_is_weighed_among_urothelial_sites_only():
    text = (
        "DIAGNOSIS: Bladder, prostate and seminal vesicles, cystoprostatectomy: invasive "
        "high grade urothelial carcinoma of the bladder. Prostate: incidental prostatic "
        "adenocarcinoma, Gleason 3+3. Prostate apex margin, prostatic urethra and both "
        "seminal vesicles free of tumour. Left and right ureter margins: benign ureter."
    )
    assert abstract(text).cancer_type == "BLCA"


def test_checklist_listing_every_code_states_no_morphology():
    text = (
        "Left breast: invasive lobular carcinoma. WHO classification: adenoid cystic "
        "carcinoma 8200/3; invasive lobular carcinoma 8520/3; tubular carcinoma 8211/3."
    )
    assert abstract(text).histology == "8520/3"


@pytest.mark.parametrize(
    ("text", "code", "histology"),
    [
        (
            "Thyroid, lobectomy: papillary thyroid carcinoma, follicular. variant, 2.9 cm.",
            "THPA",
            "8340/3",
        ),
        ("Thyroid: papillary carcinoma, classical type with tall cell features.", "THPA", "8344/3"),
        (
            "Right globe, enucleation: choroidal melanoma, mixed epithelioid and spindle "
            "cell type.",
            "UM",
            "8770/3",
        ),
        ("Liver, segment 4: fibrolamellar hepatocellular carcinoma.", "HCC", "8171/3"),
        # Acinar adenocarcinoma of the prostate has two codes in use: none is answered.
        ("Prostate, radical prostatectomy: acinar adenocarcinoma, Gleason 3+4.", "PRAD", None),
    ],
)
def test_histology_of_named_variants(text, code, histology):
    result = abstract(text)
    assert (result.cancer_type, result.histology) == (code, histology)


@pytest.mark.parametrize(
    ("text", "code", "histology"),
    [
        (
            'PRIMARY SITE: Cervix. 1- "Biopsy of endocervical lesion": Endocervical mucinous '
            "adenocarcinoma, invasive, poorly differentiated.",
            "ECAD",
            "8482/3",
        ),
        (
            "UTERUS, CERVIX, BIOPSY. - INVASIVE MUCINOUS ADENOCARCINOMA, ENDOCERVICAL TYPE.",
            "ECAD",
            "8482/3",
        ),
        ("Stomach, gastrectomy: mucinous adenocarcinoma of the antrum.", "MSTAD", "8480/3"),
    ],
)
def test_mucinous_adenocarcinoma_of_the_cervix_and_stomach(text, code, histology):
    result = abstract(text)
    assert (result.cancer_type, result.histology) == (code, histology)
