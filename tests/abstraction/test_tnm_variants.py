"""More written forms of stated TNM categories (glued to "AJCC", capital subcategories,
OCR letters, L/V/R codes run on) and checklists that print every category's definition."""

import pytest

from consilium.engines.abstraction import abstract


@pytest.mark.parametrize(
    ("text", "t", "n"),
    [
        ("With available surgical material [AJCCpT2N1(sn)] (7th edition).", "T2", "N1"),
        ("PTNM classification: T4B, N2a, MX, stage grouping IIIB.", "T4b", "N2a"),
        ("pTNM stage: Tlc NO. Prognostic markers: see below.", "T1c", "N0"),
        ("Tumor classification: lobular carcinoma, G III, oT2N3aL1V0RX.", "T2", "N3a"),
        ("Concluding tumor classification: NOS, G III, pT2(mult)NOLOVORO.", "T2", "N0"),
        ("Pathological staging (pTNM): T 3a. N: X. M X.", "T3a", None),
        ("Lymph node stage (AJCC 7th edition): N1b (metastasis in 2-3 nodes).", None, "N1b"),
        ("Prostate. pSTAGE: T2CNXMX.", "T2c", None),
        ("Tumor extent: T2 tumor size more than 2 cm not more than 5 cm.", "T2", None),
        # AJCC's "m" for multiple tumours.
        ("PATHOLOGIC STAGING: mpT1a pN0(sn)(i-).", "T1a", "N0"),
    ],
)
def test_written_forms(text, t, n):
    result = abstract(text)
    assert (result.pT, result.pN) == (t, n)


def test_a_checklist_of_definitions_is_not_the_answer():
    text = (
        "pTNM: pT3 pN2b. Primary tumor (pT): hypopharynx. pT1: Tumor limited to one "
        "subsite. pT2: Tumor invades more than one subsite. pT3: Tumor measures more than "
        "4 cm. pT4a: Moderately advanced local disease."
    )
    assert abstract(text).pT == "T3"


def test_one_category_printed_with_its_definition_is_the_answer():
    assert abstract("Primary tumor: pT2: Tumor more than 7 cm, limited to the kidney.").pT == "T2"


def test_stage_words_that_are_not_stage_groups():
    assert abstract("The pathologic stage is T2N1MX.").stage_group is None
    assert abstract("Liver: stage I fibrosis, mild steatosis.").stage_group is None


def test_an_in_situ_focus_does_not_stage_the_invasive_carcinoma():
    # The DCIS component's pTis beside the invasive tumour's pT2, in either order and
    # whatever weighs more: the invasive carcinoma's category is the answer.
    text = (
        "DIAGNOSIS: Left breast: invasive ductal carcinoma, 28 mm (pT2). SYNOPTIC: "
        "Associated extensive DCIS grade 1, corresponding to pTis. PATHOLOGIC STAGING: "
        "pTis (DCIS)."
    )
    assert abstract(text).pT == "T2"
    assert abstract("PATHOLOGIC STAGING: pTis (DCIS), pNX.").pT == "Tis"


def test_two_specimens_staged_separately_answer_the_invasive_one():
    text = (
        "Performed on Case: Pathological staging (pTN): pT is N X. Performed on Case: "
        "Pathological staging (pTN): pT 2 N 3."
    )
    result = abstract(text)
    assert (result.pT, result.pN) == ("T2", "N3")


def test_several_tumours_staged_apart_answer_the_highest_t():
    # AJCC: multiple tumours take the highest T, whichever is written more often.
    text = (
        "Greatest dimension (pT): slightly >0.5 cm (pT1b). SYNOPTIC: Greatest dimension "
        "(pT): slightly >0.5 cm (pT1b). Greatest dimension (pT): The main mass lesion is "
        "3.2 cm in greatest dimension (pT2)."
    )
    assert abstract(text).pT == "T2"


def test_a_revised_stage_replaces_the_one_it_corrects():
    text = (
        "Pathologic stage: pT3 N1 MX. Addendum: The following template is revised to "
        "reflect the correct pathologic stage: pT2N1Mx."
    )
    assert abstract(text).pT == "T2"
    text = "TNM STAGE: AT LEAST pT2c, pN0, pMX. The TNM stage of the tumor is revised as: pT3a."
    assert abstract(text).pT == "T3a"


def test_an_earlier_tumour_in_the_history_is_not_the_highest_t():
    text = (
        "CLINICAL HISTORY: Prior right breast carcinoma, pT3 pN1, treated 2009. "
        "FINAL DIAGNOSIS: Left breast, lumpectomy: invasive ductal carcinoma, 1.4 cm, "
        "pT1c pN0(sn)."
    )
    assert abstract(text).pT == "T1c"
