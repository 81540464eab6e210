"""Condition words to OncoTree codes (data file checked against the tree), distances,
and placing a member's home offline."""

from __future__ import annotations

import pytest

from consilium.engines.knowledge.oncotree import shipped_tree
from consilium.engines.trials import conditions as cond
from consilium.engines.trials.geo import Gazetteer, haversine_km, state_center, state_code, states
from consilium.engines.trials.vocab import load


@pytest.mark.parametrize(
    ("condition", "codes"),
    [
        ("NSCLC", ("NSCLC",)),
        ("Non-small Cell Lung Cancer Stage IV", ("NSCLC",)),
        ("Small Cell Lung Carcinoma (SCLC)", ("SCLC",)),
        ("Acute Myeloid Leukaemia", ("AML",)),
        ("Leukemia, Myeloid, Acute", ("AML",)),
        ("Triple Negative Breast Cancer", ("BRCA",)),
        ("Gastric or Gastroesophageal Cancer", ("STAD", "GEJ")),
        ("Advanced Solid Tumors", (cond.SOLID,)),
        ("Hematologic Malignancies", (cond.LIQUID,)),
        ("Multiple Myeloma", ("PCM",)),
        ("Hypercholesterolemia", ()),
    ],
)
def test_conditions_map_to_oncotree(condition, codes):
    assert cond.codes_for(condition) == codes


def test_every_code_in_the_data_file_is_in_the_tree():
    tree = shipped_tree()
    codes = {c for e in load("conditions")["entries"] for c in e["codes"]}
    unknown = sorted(c for c in codes if c not in cond.BASKETS and tree.by_code(c) is None)
    assert unknown == []


def test_mentions_keep_offsets_of_the_original_text():
    text = "Patients with Acute Promyelocytic Leukaemia or non-small cell lung cancer"
    found = cond.find(text)
    assert [(m.text, m.codes) for m in found] == [
        ("Acute Promyelocytic Leukaemia", ("APLPMLRARA",)),
        ("non-small cell lung cancer", ("NSCLC",)),
    ]


def test_haversine_known_distances():
    assert haversine_km(0, 0, 0, 0) == 0
    # One degree of latitude is about 111.2 km.
    assert haversine_km(40, -82, 41, -82) == pytest.approx(111.2, abs=0.2)
    # Cleveland to Columbus, about 203 km as the crow flies.
    assert haversine_km(41.4993, -81.6944, 39.9612, -82.9988) == pytest.approx(203, abs=3)
    # Symmetric, and across the antimeridian.
    assert haversine_km(10, 179.5, 10, -179.5) == pytest.approx(haversine_km(10, -179.5, 10, 179.5))
    assert haversine_km(10, 179.5, 10, -179.5) < 120


def test_state_centers_cover_every_state():
    assert len(states()) == 52  # 50 states, DC and Puerto Rico
    assert state_code("Ohio") == state_code("oh") == "OH"
    assert state_code("Ontario") is None
    lat, lon = state_center("OH")
    assert 38 < lat < 42 and -85 < lon < -80


def test_gazetteer_prefers_zip_then_city_then_zip_prefix_then_state():
    g = Gazetteer()
    g.add(city="Cleveland", state="Ohio", country="United States", zip="44106", lat=41.5, lon=-81.6)
    g.add(city="Cleveland", state="Ohio", country="United States", zip="44195", lat=41.4, lon=-81.7)
    g.add(city="Toronto", state="Ontario", country="Canada", zip="", lat=43.6, lon=-79.4)
    assert g.locate(postal_code="44106").how == "zip"
    place = g.locate(city="cleveland", state="OH")
    assert place.how == "city" and place.lat == pytest.approx(41.45)
    assert g.locate(postal_code="44199", state="OH").how == "zip3"
    assert g.locate(city="Dayton", state="OH").how == "state"
    assert g.locate(city="Toronto", state="Ontario") is None
