"""Negation and test status: "no lymphovascular invasion", "not performed", "pending"."""

from consilium.engines.abstraction import abstract


def _values(result, name):
    return [f.value for f in result.facts if f.name == name]


def test_negated_lymphovascular_invasion():
    result = abstract(
        "DIAGNOSIS: Invasive ductal carcinoma of the breast. No lymphovascular in"
        "vasion is identified."
    )
    assert _values(result, "lymphovascular_invasion") == ["absent"]


def test_labelled_lymphovascular_invasion_present():
    result = abstract("SYNOPTIC: Lymphovascular invasion: Present.")
    assert _values(result, "lymphovascular_invasion") == ["present"]


def test_not_performed_is_not_negative():
    result = abstract("Invasive ductal carcinoma, left breast. HER2 not performed.")
    assert result.her2 is None
    assert _values(result, "HER2") == ["not_performed"]
    fact = next(f for f in result.facts if f.name == "HER2")
    assert fact.assertion == "not_performed"


def test_pending_is_not_negative():
    result = abstract(
        "Invasive ductal carcinoma, right breast. ER and PR: pending, will be rep"
        "orted in an addendum."
    )
    assert result.er is None and result.pr is None
    assert _values(result, "ER") == ["pending"]
    assert _values(result, "PR") == ["pending"]


def test_negated_histology_does_not_vote():
    result = abstract(
        "DIAGNOSIS: Lymph nodes, axillary: no evidence of metastatic carcinoma (0/3)."
    )
    assert result.cancer_type is None
