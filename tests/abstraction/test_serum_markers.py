"""Serum tumour markers read from clinical text: a value with its unit, comparator, date
and whether it is elevated; never a tissue stain, a plan, a reference range on its own,
a number of another kind, or another measurement (free PSA, PSA density)."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.abstraction import abstract, lexicon, serum, version
from consilium.engines.abstraction.merge import fact_spec, rules
from consilium.engines.abstraction.text import Document

MARKERS = ("CEA", "PSA", "CA-125", "CA 19-9", "AFP", "beta-hCG", "LDH", "CA 15-3", "CA 27.29")


def _read(text: str):
    return serum.extract(Document(text, "doc-1"))


def _one(text: str):
    facts = _read(text)
    assert len(facts) == 1, [(f.name, f.value) for f in facts]
    return facts[0]


@pytest.mark.parametrize(
    "text, name, value, unit, comparator",
    [
        ("CEA 4.2 ng/mL", "CEA", "4.2 ng/mL", "ng/mL", None),
        ("CEA: 12.3", "CEA", "12.3", None, None),
        ("The preoperative CEA was 5.1 ng/ml (normal <3.0).", "CEA", "5.1 ng/mL", "ng/mL", None),
        ("PSA of 6.8 ng/mL on 3/2/2019.", "PSA", "6.8 ng/mL", "ng/mL", None),
        ("PSA <0.1", "PSA", "<0.1", None, "<"),
        ("CA-125 was elevated at 450 U/mL.", "CA-125", "450 U/mL", "U/mL", None),
        ("serum AFP 1200 ng/mL", "AFP", "1200 ng/mL", "ng/mL", None),
        ("Prostate specific antigen 7.9 ng/mL.", "PSA", "7.9 ng/mL", "ng/mL", None),
        ("CA125 88 U/ml", "CA-125", "88 U/mL", "U/mL", None),
        ("CA 125: 35 kU/L", "CA-125", "35 U/mL", "U/mL", None),
        ("CA19-9 1450 U/mL after biliary drainage.", "CA 19-9", "1450 U/mL", "U/mL", None),
        ("CA 19.9 of 52 U/mL", "CA 19-9", "52 U/mL", "U/mL", None),
        ("Alpha-fetoprotein 15,000 ng/mL", "AFP", "15000 ng/mL", "ng/mL", None),
        ("AFP 12 IU/mL", "AFP", "12 IU/mL", "IU/mL", None),
        ("beta-hCG 1500 mIU/mL", "beta-hCG", "1500 mIU/mL", "mIU/mL", None),
        ("Beta hCG was less than 1 IU/L", "beta-hCG", "<1 mIU/mL", "mIU/mL", "<"),
        ("LDH 450 U/L", "LDH", "450 U/L", "U/L", None),
        ("Lactate dehydrogenase 310 IU/L", "LDH", "310 U/L", "U/L", None),
        ("CA 15-3 25 U/mL", "CA 15-3", "25 U/mL", "U/mL", None),
        ("CA 27.29 was 52 U/mL", "CA 27.29", "52 U/mL", "U/mL", None),
        ("CEA 3.2 ug/L", "CEA", "3.2 ng/mL", "ng/mL", None),
        ("PSA nadir >= 0.2 ng/mL", "PSA", ">=0.2 ng/mL", "ng/mL", ">="),
        ("CLINICAL DATA: PSA value: 8,6. INVASIVE CA IDENTIFIED?", "PSA", "8.6", None, None),
        ("Serum PSA level is 8.6. ng/ml. Stage CT2C.", "PSA", "8.6 ng/mL", "ng/mL", None),
        ("CA 19-9 (U/mL): 52", "CA 19-9", "52 U/mL", "U/mL", None),
        ("Her CA 125 has decreased from 1200 to 35 U/mL.", "CA-125", "35 U/mL", "U/mL", None),
    ],
)
def test_a_serum_value_is_read_with_its_unit_and_comparator(text, name, value, unit, comparator):
    fact = _one(text)
    assert (fact.name, fact.value) == (name, value)
    assert fact.detail["unit"] == unit
    assert fact.detail["comparator"] == comparator
    assert isinstance(fact.detail["value"], float)
    assert fact.assertion == "present" and fact.basis == "stated"


def test_the_provenance_is_the_value_as_written_and_its_sentence():
    text = "Colon adenocarcinoma. The preoperative CEA was 5.1 ng/ml (normal <3.0). Plan below."
    fact = _one(text)
    p = fact.provenance
    assert text[p.start : p.end] == "5.1 ng/ml"
    assert p.sentence == "The preoperative CEA was 5.1 ng/ml (normal <3.0)."
    assert p.document_id == "doc-1" and p.section
    assert text[p.start : p.end] in p.sentence

    below = _one("PSA was less than 0.1 ng/mL.")
    assert below.value == "<0.1 ng/mL"
    span = "PSA was less than 0.1 ng/mL."[below.provenance.start : below.provenance.end]
    assert span == "less than 0.1 ng/mL"


def test_a_stated_unit_makes_a_surer_fact_than_a_bare_number():
    assert _one("CEA 4.2 ng/mL").confidence > _one("CEA: 4.2").confidence >= 0.5


@pytest.mark.parametrize(
    "text, iso",
    [
        ("PSA of 6.8 ng/mL on 3/2/2019.", "2019-03-02"),
        ("CEA level was 2.5 ng/mL in March 2021.", "2021-03-01"),
        ("PSA: 12.5 ng/mL (reference range 0.0-4.0 ng/mL) collected 2024-01-15", "2024-01-15"),
        ("On 5 June 2022 the CA-125 was 40 U/mL.", "2022-06-05"),
        ("CEA 4.2 ng/mL", None),
    ],
)
def test_a_date_in_the_same_sentence_is_kept_and_never_read_as_the_value(text, iso):
    fact = _one(text)
    assert fact.detail["date"] == iso
    assert fact.detail["value"] not in (2019.0, 2021.0, 2024.0, 2022.0, 3.0, 5.0)


def test_the_date_nearest_the_value_is_its_date():
    facts = _read("CEA 2.0 ng/mL on 2020-01-10. CA 19-9 was 80 U/mL on 2021-02-03.")
    assert [(f.name, f.detail["date"]) for f in facts] == [
        ("CEA", "2020-01-10"),
        ("CA 19-9", "2021-02-03"),
    ]


@pytest.mark.parametrize(
    "text, elevated",
    [
        ("The preoperative CEA was 5.1 ng/ml (normal <3.0).", True),
        ("CEA 2.0 ng/mL (normal <3.0)", False),
        ("CA-125 was elevated at 450 U/mL.", True),
        ("CA-125 of 45 U/mL (reference range: 0-35 U/mL)", True),
        ("PSA 3.1 ng/mL (ULN 4.0)", False),
        ("PSA 0.01 ng/mL (0.0-4.0)", False),
        ("CEA 2.0 ng/mL (N < 5.0)", False),
        ("LDH 450 U/L (H)", True),
        ("CEA was not elevated at 2.1", False),
        ("CEA 2.3 ng/mL, normal.", False),
        ("CEA (normal <3.0) was 5.1", True),
        ("PSA <0.1 ng/mL (normal <4.0)", False),
        # No words and no range: a typical limit is never used to decide.
        ("CEA 12.3 ng/mL", None),
        ("PSA 12, high-risk disease", None),
    ],
)
def test_elevated_comes_from_the_words_or_a_range_in_the_same_sentence(text, elevated):
    assert _one(text).detail["elevated"] is elevated


@pytest.mark.parametrize(
    "text",
    [
        # Immunohistochemistry: the marker stained on tissue, not a serum level.
        "Tumor cells are positive for CEA.",
        "PSA immunostain positive.",
        "CK7+, CEA-, CDX2+.",
        "The tumor cells are immunoreactive for CK7 and CEA (monoclonal).",
        "CEA (polyclonal) is positive in 80% of cells.",
        "Positive for PSA (focal, 10%).",
        "Immunostains: PSA positive, PSAP positive, CK7 negative.",
        "Special Studies: CEA P. 348E12. IMM RECUT.",
        "The tumor is negative for AFP, cytokeratin 7 and cytokeratin 20.",
        "CEA 1:200 dilution.",
        "PSA 3+ staining in tumor cells.",
        # Negated, not done, pending, planned, a rule or threshold.
        "PSA not done.",
        "No CEA available.",
        "Serum CA-125: pending.",
        "PSA awaited ?Ca prostate.",
        "Recommend CA-125.",
        "We recommend checking CEA 3 monthly.",
        "If PSA is above 10 ng/mL, image the bones.",
        "CEA of 5 or higher would prompt imaging.",
        "PSA 4-10 ng/mL is intermediate risk.",
        "Surveillance: CEA every 3 to 6 months and CT every 6 to 12 months for 5 years.",
        # A reference range on its own.
        "CEA normal range 0-3.",
        "CEA (normal <3.0).",
        "CA 19-9 reference range: 0-37 U/mL.",
        # A number of another kind.
        "CEA 5%.",
        "PSA 2.5 cm",
        "PSA 5 ng/mL/yr",
        "CEA 12 IU/mL",
        "CEA 5 pg/mL",
        "AFP 3 mm",
        # Another measurement than the serum level.
        "Free PSA 0.8 ng/mL.",
        "% free PSA 15",
        "PSA density 0.15",
        "Prostate volume 40 mL (PSA density 0.21).",
        "PSA velocity 0.8 ng/mL/yr",
        "Cyst fluid CEA 450 ng/mL.",
        # Markers listed together: the numbers cannot be told apart.
        "CEA and CA 19-9 were 4.2 and 40.",
    ],
)
def test_no_value_fact_for_stains_plans_ranges_other_units_or_measures(text):
    assert _read(text) == []


def test_free_psa_is_not_total_psa():
    facts = _read("Free PSA 0.8 ng/mL, total PSA 6.1 ng/mL.")
    assert [(f.name, f.value) for f in facts] == [("PSA", "6.1 ng/mL")]


def test_a_negation_before_the_clause_does_not_reach_the_marker():
    assert _one("Margins are not involved, PSA 6.5.").value == "6.5"
    assert _one("No evidence of disease, CEA 1.2 ng/mL").value == "1.2 ng/mL"


def test_a_history_of_a_value_is_kept_as_historical():
    fact = _one("The patient has a history of PSA value of 6.5.")
    assert (fact.value, fact.assertion) == ("6.5", "historical")


def test_several_markers_in_one_sentence_each_get_their_own_value():
    facts = _read("Tumor markers: AFP 2.1 ng/mL, beta hCG <1 mIU/mL, LDH 180 U/L.")
    assert [(f.name, f.value) for f in facts] == [
        ("AFP", "2.1 ng/mL"),
        ("beta-hCG", "<1 mIU/mL"),
        ("LDH", "180 U/L"),
    ]
    facts = _read("CEA 4.2 ng/mL, CA 19-9 37 U/mL (normal <37)")
    assert [(f.name, f.detail["elevated"]) for f in facts] == [("CEA", None), ("CA 19-9", False)]


def test_the_engine_adds_serum_facts_without_changing_the_summary():
    report = (
        "DIAGNOSIS: Colon, sigmoid, resection: adenocarcinoma, moderately differentiated, "
        "invading into the subserosa (pT3), 0/14 lymph nodes (pN0).\n"
    )
    note = "CLINICAL HISTORY: Preoperative CEA 8.1 ng/mL.\n"
    plain, with_cea = abstract(report), abstract(note + report)
    assert plain.summary() == with_cea.summary()
    assert not [f for f in plain.facts if f.name == "CEA"]
    cea = [f for f in with_cea.facts if f.name == "CEA"]
    assert [f.value for f in cea] == ["8.1 ng/mL"]
    assert cea[0].to_dict()["detail"]["value"] == 8.1  # JSON-ready


# --- the data ------------------------------------------------------------------------------


def test_the_data_file_is_versioned_cites_sources_and_names_the_case_facts():
    data = lexicon.load("serum_markers")
    assert data["version"]
    raw = (lexicon.DATA / "serum_markers.yaml").read_text()
    assert "https://loinc.org" in raw and "https://medlineplus.gov" in raw
    assert tuple(data["markers"]) == MARKERS
    for name, spec in data["markers"].items():
        assert spec["aliases"] and spec["units"] and spec["loinc"], name
        assert set(spec["units"]) <= set(data["units"]), name
        limit = spec["typical_upper_limit"]
        assert limit["value"] > 0 and limit["unit"] in spec["units"], name
        # The case summary shows every marker among the tumour markers and labs.
        assert name in rules()["facts"], name
        assert fact_spec(name)["group"] == "labs", name
        assert fact_spec(name)["authority"] == "laboratory", name
    assert serum.typical_upper_limits()["CA-125"]["value"] == 35


def test_the_engine_version_changes_with_the_serum_data_and_the_date_reader(tmp_path, monkeypatch):
    # A copy of the engine's files, so the test can change them without touching the tree.
    engine = tmp_path / "engines" / "abstraction"
    shutil.copytree(version.HERE, engine, ignore=shutil.ignore_patterns("__pycache__"))
    dates = tmp_path / "engines" / "records" / "dates.py"
    dates.parent.mkdir()
    shutil.copy(version.BORROWED[0], dates)
    monkeypatch.setattr(version, "HERE", engine)
    monkeypatch.setattr(version, "BORROWED", (dates,))

    def current() -> str:
        version.engine_version.cache_clear()
        return version.engine_version()

    try:
        before = current()
        data = engine / "data" / "serum_markers.yaml"
        data.write_text(data.read_text().replace("value: 35,", "value: 36,"))
        after_data = current()
        dates.write_text(dates.read_text() + "\n# changed\n")
        after_dates = current()
    finally:
        monkeypatch.undo()
        version.engine_version.cache_clear()
    assert len({before, after_data, after_dates}) == 3


# --- properties ----------------------------------------------------------------------------

_UNITS = {name: spec["units"] for name, spec in lexicon.load("serum_markers")["markers"].items()}


@st.composite
def _statement(draw):
    name = draw(st.sampled_from(MARKERS))
    unit = draw(st.sampled_from([*_UNITS[name], None]))
    whole = draw(st.integers(min_value=0, max_value=99999))
    decimals = draw(st.sampled_from(["", ".1", ".25", ".0"]))
    comparator = draw(st.sampled_from(["", "<", ">"]))
    lead = draw(st.sampled_from(["", "Serum ", "The preoperative ", "Labs today: "]))
    link = draw(st.sampled_from([" ", ": ", " was ", " of ", " level is ", " value: "]))
    number = f"{whole}{decimals}"
    text = f"{lead}{name}{link}{comparator}{number}{' ' + unit if unit else ''}."
    return text, name, comparator, float(number), unit


@settings(max_examples=150, deadline=None)
@given(_statement())
def test_any_marker_value_written_plainly_is_read_back(statement):
    text, name, comparator, number, unit = statement
    fact = _one(text)
    assert fact.name == name
    assert fact.detail["value"] == number
    assert fact.detail["unit"] == unit
    assert fact.detail["comparator"] == (comparator or None)
    span = text[fact.provenance.start : fact.provenance.end]
    assert span.startswith(comparator) and str(number).split(".")[0] in span


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(MARKERS),
    st.integers(min_value=1, max_value=500),
    st.sampled_from(["%", " cm", " mm", " months", " years", "+", " cores", " mL", " x"]),
)
def test_a_number_of_another_kind_is_never_a_serum_value(name, number, suffix):
    assert _read(f"{name} {number}{suffix}.") == []
