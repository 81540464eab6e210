"""Merging the facts of many records into one summary: a person's word first, then a
result over a pending test, the record with authority, the most recent, and the most
specific value over the one it refines; disagreements are flagged, never hidden."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.abstraction.merge import (
    FactRecord,
    InvalidValue,
    compatible,
    merge,
    merge_name,
    normalize_value,
)

D0 = date(2024, 1, 1)


def fact(id, name, value, **kw) -> FactRecord:
    kw.setdefault("document_kind", "pathology_report")
    kw.setdefault("document_id", id)
    return FactRecord(id=id, name=name, value=value, proposed_value=kw.pop("proposed", value), **kw)


def test_the_most_recent_record_wins_between_records_of_the_same_authority():
    merged = merge_name(
        "ER",
        [
            fact(1, "ER", "negative", effective_date=D0),
            fact(2, "ER", "positive", effective_date=D0 + timedelta(days=30)),
        ],
    )
    assert merged.value == "positive"
    assert merged.why == "the most recent record"


def test_values_that_disagree_are_a_conflict_with_every_value_and_its_sources():
    merged = merge_name(
        "ER",
        [
            fact(1, "ER", "negative", effective_date=D0),
            fact(2, "ER", "positive", effective_date=D0 + timedelta(days=1)),
            fact(3, "ER", "positive", effective_date=D0, document_kind="clinical_note"),
        ],
    )
    assert merged.conflict and not merged.resolved
    assert [g.value for g in merged.values] == ["positive", "negative"]
    assert {f.id for f in merged.values[0].facts} == {2, 3}
    assert merged.values[1].documents == [1]


def test_lung_adenocarcinoma_and_squamous_carcinoma_conflict_but_a_refinement_does_not():
    luad_lusc = merge_name(
        "cancer_type", [fact(1, "cancer_type", "LUAD"), fact(2, "cancer_type", "LUSC")]
    )
    assert luad_lusc.conflict
    refined = merge_name(
        "cancer_type",
        [
            fact(1, "cancer_type", "IDC", effective_date=D0),
            fact(2, "cancer_type", "BREAST", effective_date=D0 + timedelta(days=90)),
        ],
    )
    assert refined.value == "IDC" and not refined.conflict
    assert refined.why == "the most specific value"


def test_a_more_specific_t_category_wins_whatever_its_date():
    merged = merge_name(
        "pT",
        [
            fact(1, "pT", "T2a", effective_date=D0),
            fact(2, "pT", "T2", effective_date=D0 + timedelta(days=10)),
        ],
    )
    assert merged.value == "T2a" and not merged.conflict
    # T3 does not refine T2: the later record wins and the disagreement is flagged.
    later = merge_name(
        "pT",
        [
            fact(1, "pT", "T2", effective_date=D0),
            fact(2, "pT", "T3", effective_date=D0 + timedelta(days=10)),
        ],
    )
    assert later.value == "T3" and later.conflict


def test_stage_substages_refine_and_the_next_numeral_does_not():
    assert compatible("stage_group", "IIIA", "III")
    assert not compatible("stage_group", "III", "II")
    assert not compatible("stage_group", "IV", "I")
    assert compatible("pN", "N1mi", "N1")
    assert compatible("pT", "T2", "TX")
    assert not compatible("pT", "T1", "T2")


def test_a_persons_confirmation_beats_newer_and_more_confident_proposals():
    merged = merge_name(
        "HER2",
        [
            fact(1, "HER2", "negative", effective_date=D0, review_status="confirmed"),
            fact(2, "HER2", "positive", effective_date=D0 + timedelta(days=5), confidence=0.99),
        ],
    )
    assert merged.value == "negative"
    assert merged.conflict and merged.resolved
    assert merged.why == "confirmed by a person"


def test_a_correction_answers_with_the_corrected_value():
    corrected = fact(1, "pT", "T2", proposed="T3", review_status="corrected")
    merged = merge_name("pT", [corrected, fact(2, "pT", "T3", effective_date=D0)])
    assert merged.value == "T2"
    assert merged.chosen.proposed_value == "T3"


def test_rejected_facts_never_answer_and_never_make_a_conflict():
    merged = merge_name(
        "ER",
        [
            fact(1, "ER", "positive"),
            fact(2, "ER", "negative", review_status="rejected", effective_date=D0),
        ],
    )
    assert merged.value == "positive" and not merged.conflict
    assert [f.id for f in merged.rejected] == [2]


def test_weak_evidence_says_not_stated_and_stays_visible():
    merged = merge_name(
        "pT", [fact(1, "pT", "T2", basis="inferred", confidence=0.6, inferred_from="size 3 cm")]
    )
    assert merged.value is None and merged.shown == "Not stated"
    assert [f.id for f in merged.weak] == [1]
    possible = merge_name("ER", [fact(1, "ER", "positive", assertion="possible")])
    assert possible.value is None
    confirmed = merge_name(
        "pT", [fact(1, "pT", "T2", basis="inferred", confidence=0.6, review_status="confirmed")]
    )
    assert confirmed.value == "T2"


def test_a_result_answers_before_a_later_pending_test_without_a_conflict():
    merged = merge_name(
        "KRAS",
        [
            fact(1, "KRAS", "negative", effective_date=D0, document_kind="genomic_lab_report"),
            fact(2, "KRAS", "pending", effective_date=D0 + timedelta(days=40)),
        ],
    )
    assert merged.value == "negative" and not merged.conflict
    assert merged.why == "a result rather than a pending test"


def test_the_pathology_report_speaks_for_pathologic_findings_before_a_newer_note():
    merged = merge_name(
        "tumour_size_cm",
        [
            fact(1, "tumour_size_cm", "1.8", effective_date=D0),
            fact(
                2,
                "tumour_size_cm",
                "3.2",
                effective_date=D0 + timedelta(days=20),
                document_kind="imaging_report",
            ),
        ],
    )
    assert merged.value == "1.8" and merged.conflict
    assert merged.why == "the pathology report speaks for this finding"


def test_numbers_compare_as_numbers():
    merged = merge_name(
        "tumour_size_cm", [fact(1, "tumour_size_cm", "1.8"), fact(2, "tumour_size_cm", "1.80")]
    )
    assert not merged.conflict and len(merged.values) == 1


def test_treatments_are_listed_not_merged():
    summary = merge(
        [
            fact(1, "treatment", "lumpectomy", detail={"class": "surgery"}),
            fact(2, "treatment", "tamoxifen", detail={"class": "hormone_therapy"}),
            fact(3, "ER", "positive"),
        ]
    )
    assert "treatment" not in summary.facts
    assert [f.value for f in summary.treatments] == ["lumpectomy", "tamoxifen"]
    assert list(summary.facts) == ["ER"]


def test_the_summary_knows_when_disease_is_advanced():
    assert merge([fact(1, "stage_group", "IVB")]).advanced is True
    assert merge([fact(1, "pM", "pM1a")]).advanced is True
    assert merge([fact(1, "stage_group", "IIA")]).advanced is False
    assert merge([fact(1, "ER", "positive")]).advanced is None


# --- properties over varied inputs ---------------------------------------------------------

ER_VALUES = st.sampled_from(["positive", "negative", "equivocal", "pending"])
KINDS = st.sampled_from(
    ["pathology_report", "genomic_lab_report", "clinical_note", "imaging_report"]
)
REVIEWS = st.sampled_from(["proposed", "proposed", "proposed", "confirmed", "rejected"])


@st.composite
def er_facts(draw):
    n = draw(st.integers(min_value=1, max_value=7))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    return [
        fact(
            i,
            "ER",
            draw(ER_VALUES),
            document_kind=draw(KINDS),
            effective_date=draw(st.none() | st.dates(date(2015, 1, 1), date(2025, 1, 1))),
            confidence=draw(st.floats(0.3, 1.0)),
            review_status=draw(REVIEWS),
            assertion=draw(st.sampled_from(["present", "present", "possible", "historical"])),
        )
        for i in ids
    ]


@settings(max_examples=200, deadline=None)
@given(er_facts(), st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_order_of_the_facts(facts, rnd):
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    a, b = merge_name("ER", facts), merge_name("ER", shuffled)
    assert (a.value, a.conflict, a.resolved) == (b.value, b.conflict, b.resolved)
    assert (a.chosen.id if a.chosen else None) == (b.chosen.id if b.chosen else None)


@settings(max_examples=200, deadline=None)
@given(er_facts())
def test_the_chosen_value_comes_from_a_live_fact_and_persons_come_first(facts):
    merged = merge_name("ER", facts)
    live = [f for f in facts if f.review_status != "rejected"]
    if merged.chosen is None:
        assert all(f.review_status == "proposed" for f in live)
        assert all(f.confidence < 0.5 or f.assertion == "possible" for f in live)
        return
    assert merged.chosen.review_status != "rejected"
    if any(f.review_status == "confirmed" for f in live):
        assert merged.chosen.review_status == "confirmed"
    # Every live fact is accounted for: a candidate value, or weak evidence.
    seen = {f.id for g in merged.values for f in g.facts} | {f.id for f in merged.weak}
    assert seen == {f.id for f in live}


@settings(max_examples=200, deadline=None)
@given(er_facts())
def test_a_conflict_is_flagged_exactly_when_strong_results_disagree(facts):
    merged = merge_name("ER", facts)
    strong = {f.value for g in merged.values for f in g.facts if f.value != "pending"}
    assert merged.conflict == (len(strong) > 1)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["T1", "T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T3", "T4", "T4a", "TX"]))
def test_refinement_is_a_strict_order(value):
    assert compatible("pT", value, value)
    for other in ["T1", "T1a", "T2", "T2a", "T3", "TX"]:
        if other != value and compatible("pT", value, other):
            # compatible both ways, but only one refines the other
            from consilium.engines.abstraction.merge import refiner

            refines = refiner("pT")
            assert refines(value, other) != refines(other, value)


# --- a person's value ----------------------------------------------------------------------


def test_a_persons_value_is_checked_for_the_facts_with_a_known_form():
    assert normalize_value("pT", "pT2a") == "T2a"
    assert normalize_value("pN", "n1mi") == "N1mi"
    assert normalize_value("stage_group", "Stage iiia") == "IIIA"
    assert normalize_value("cancer_type", "Lung Adenocarcinoma") == "LUAD"
    assert normalize_value("ER", "Positive") == "positive"
    assert normalize_value("tumour_size_cm", "2.50 cm") == "2.5"
    assert normalize_value("CEA", " 4.2   ng/mL ") == "4.2 ng/mL"
    for name, bad in [
        ("pT", "T9"),
        ("stage_group", "V"),
        ("cancer_type", "not a cancer"),
        ("ER", "maybe"),
        ("tumour_size_cm", "big"),
        ("CEA", "   "),
    ]:
        try:
            normalize_value(name, bad)
        except InvalidValue as exc:
            assert str(exc)
        else:
            raise AssertionError(f"{name}={bad!r} was accepted")
