"""A serum tumour marker is a series of lab values over time: every value is kept with
the date it was taken, the latest answers the summary, and only two different values of
the same date (or two undated ones) are a conflict. PSA 8.1 in January and 0.2 in June
is the course of the disease, not records that disagree."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.abstraction.merge import (
    FactRecord,
    is_placeholder,
    is_series,
    merge,
    merge_name,
    taken_on,
)

JAN, JUN = date(2024, 1, 10), date(2024, 6, 2)


def psa(id, value, on=None, **kw) -> FactRecord:
    detail = dict(kw.pop("detail", {}))
    if on is not None:
        detail["date"] = on.isoformat()
    kw.setdefault("document_kind", "clinical_note")
    kw.setdefault("document_id", id)
    return FactRecord(
        id=id,
        name=kw.pop("name", "PSA"),
        value=value,
        proposed_value=kw.pop("proposed", value),
        detail=detail,
        **kw,
    )


def test_the_serum_markers_are_series_and_other_facts_are_not():
    for name in ("CEA", "PSA", "CA-125", "CA 19-9", "AFP", "beta-hCG", "LDH", "CA 15-3"):
        assert is_series(name), name
    for name in ("ER", "HER2", "pT", "Ki-67", "KRAS", "tumour_size_cm"):
        assert not is_series(name), name


def test_values_of_different_dates_are_a_series_whose_latest_value_answers():
    merged = merge(
        [
            psa(1, "8.1 ng/mL", JAN, detail={"elevated": True}),
            psa(2, "0.2 ng/mL", JUN, detail={"elevated": False}),
        ]
    ).get("PSA")
    assert merged.value == "0.2 ng/mL" and merged.chosen.id == 2
    assert not merged.conflict and merged.why == "the latest value"
    series = [(p.on, p.value, p.unit, p.comparator, p.elevated) for p in merged.series]
    assert series == [
        (JUN, "0.2 ng/mL", "ng/mL", None, False),
        (JAN, "8.1 ng/mL", "ng/mL", None, True),
    ]
    assert [p.dated_by for p in merged.series] == ["sentence", "sentence"]
    assert [p.best.document_id for p in merged.series] == [2, 1]


def test_the_latest_value_answers_whatever_record_is_more_recent_or_has_authority():
    # The later note repeats an older value; the pathology report's clinical history gives
    # the newest one: the date of the value decides, not the record's.
    merged = merge_name(
        "PSA",
        [
            psa(1, "8.1 ng/mL", JAN, effective_date=JUN + timedelta(days=30)),
            psa(2, "0.2 ng/mL", JUN, effective_date=JUN, document_kind="pathology_report"),
            psa(3, "12 ng/mL", date(2023, 5, 1), confidence=0.99),
        ],
    )
    assert merged.value == "0.2 ng/mL" and not merged.conflict
    assert [p.on.year for p in merged.series] == [2024, 2024, 2023]


def test_two_values_on_the_same_date_are_a_conflict_shown_on_that_point_only():
    merged = merge_name(
        "CEA",
        [
            psa(1, "4.2 ng/mL", JAN, name="CEA"),
            psa(2, "5.1 ng/mL", JAN, name="CEA"),
            psa(3, "2.0 ng/mL", JUN, name="CEA"),
        ],
    )
    assert merged.conflict and not merged.resolved
    assert merged.value == "2.0 ng/mL"  # the latest date agrees with itself
    assert [(p.on, p.conflict) for p in merged.series] == [
        (JUN, False),
        (JAN, True),
        (JAN, True),
    ]


def test_one_value_on_one_date_in_several_records_is_one_point_with_every_source():
    merged = merge_name(
        "CEA",
        [psa(1, "5.0", JAN, name="CEA"), psa(2, "5 ng/mL", JAN, name="CEA")],
    )
    assert not merged.conflict and len(merged.series) == 1
    assert merged.series[0].documents == [1, 2]


def test_two_different_undated_values_conflict_but_an_undated_one_beside_dated_does_not():
    undated = merge_name("PSA", [psa(1, "4.2 ng/mL"), psa(2, "5.1 ng/mL")])
    assert undated.conflict
    mixed = merge_name("PSA", [psa(1, "4.2 ng/mL"), psa(2, "5.1 ng/mL", JUN)])
    assert not mixed.conflict and mixed.value == "5.1 ng/mL"
    assert mixed.why == "the latest dated value"
    assert [p.on for p in mixed.series] == [JUN, None]  # undated last


def test_a_value_without_its_own_date_takes_the_records_stated_date_never_the_upload():
    lab = psa(1, "0.2 ng/mL", record_date=JUN, effective_date=JUN)
    assert taken_on(lab) == (JUN, "record")
    uploaded = psa(2, "8.1 ng/mL", effective_date=date(2025, 3, 3))  # no record date
    assert taken_on(uploaded) == (None, "")
    # "prior PSA 8": the text says the value is from before the record.
    prior = psa(3, "8 ng/mL", record_date=JUN, assertion="historical")
    assert taken_on(prior) == (None, "")
    written = psa(4, "8 ng/mL", JAN, record_date=JUN)
    assert taken_on(written) == (JAN, "sentence")
    fhir = psa(5, "3 ng/mL", source="fhir", effective_date=JAN, document_id=None)
    assert taken_on(fhir) == (JAN, "resource")
    manual = psa(6, "3 ng/mL", source="manual", effective_date=JAN, document_id=None)
    assert taken_on(manual) == (JAN, "person")


def test_a_persons_confirmation_settles_a_same_date_conflict_but_not_the_course():
    merged = merge_name(
        "PSA",
        [
            psa(1, "8.1 ng/mL", JAN, review_status="confirmed"),
            psa(2, "0.2 ng/mL", JUN),
            psa(3, "9.0 ng/mL", JAN),
        ],
    )
    # The confirmed January value settles January; June is still the latest value.
    assert merged.value == "0.2 ng/mL"
    assert merged.conflict and merged.resolved
    jan = [p for p in merged.series if p.on == JAN]
    assert jan[0].value == "8.1 ng/mL" and jan[0].best.by_person


def test_a_correction_keeps_the_date_and_drops_the_flag_read_with_the_old_value():
    corrected = psa(
        1, "0.3 ng/mL", JUN, proposed="8.3 ng/mL", review_status="corrected",
        detail={"elevated": True},
    )  # fmt: skip
    merged = merge_name("PSA", [corrected, psa(2, "8.1 ng/mL", JAN)])
    assert merged.value == "0.3 ng/mL" and merged.series[0].on == JUN
    assert merged.series[0].elevated is None
    assert merged.why == "the latest value, corrected by a person"


def test_a_later_pending_test_does_not_answer_while_a_result_exists():
    merged = merge_name(
        "CA-125",
        [
            psa(1, "35 U/mL", JAN, name="CA-125"),
            psa(2, "pending", JUN, name="CA-125", assertion="pending", source="fhir"),
        ],
    )
    assert merged.value == "35 U/mL" and not merged.conflict
    assert [(p.value, p.placeholder) for p in merged.series] == [
        ("pending", True),
        ("35 U/mL", False),
    ]


def test_rejected_and_weak_values_stay_out_of_the_series():
    merged = merge_name(
        "PSA",
        [
            psa(1, "8.1 ng/mL", JAN),
            psa(2, "80 ng/mL", JUN, review_status="rejected"),
            psa(3, "0.2 ng/mL", JUN, confidence=0.2),
        ],
    )
    assert merged.value == "8.1 ng/mL"
    assert [p.value for p in merged.series] == ["8.1 ng/mL"]
    assert [f.id for f in merged.rejected] == [2] and [f.id for f in merged.weak] == [3]


def test_other_facts_still_merge_as_one_answer_with_conflicts_across_dates():
    merged = merge_name(
        "ER",
        [psa(1, "negative", JAN, name="ER"), psa(2, "positive", JUN, name="ER")],
    )
    assert merged.conflict and merged.series == ()


# --- properties over varied inputs ---------------------------------------------------------

DATES = st.none() | st.sampled_from([JAN, JUN, date(2023, 5, 1), date(2025, 2, 1)])
VALUES = st.sampled_from(["0.2 ng/mL", "0.20", "8.1 ng/mL", "<0.1 ng/mL", "12", "pending"])


@st.composite
def psa_facts(draw):
    n = draw(st.integers(min_value=1, max_value=7))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    facts = []
    for i in ids:
        value = draw(VALUES)
        facts.append(
            psa(
                i,
                value,
                draw(DATES),
                record_date=draw(DATES),
                effective_date=draw(DATES),
                document_kind=draw(st.sampled_from(["clinical_note", "pathology_report"])),
                confidence=draw(st.floats(0.3, 1.0)),
                review_status=draw(st.sampled_from(["proposed"] * 3 + ["confirmed", "rejected"])),
                assertion="pending" if value == "pending" else "present",
            )
        )
    return facts


def _results(merged):
    return [p for p in merged.series if not p.placeholder]


@settings(max_examples=200, deadline=None)
@given(psa_facts(), st.randoms(use_true_random=False))
def test_the_series_does_not_depend_on_the_order_of_the_facts(facts, rnd):
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    a, b = merge_name("PSA", facts), merge_name("PSA", shuffled)
    assert (a.value, a.conflict, a.resolved) == (b.value, b.conflict, b.resolved)
    assert (a.chosen.id if a.chosen else None) == (b.chosen.id if b.chosen else None)
    assert [(p.on, p.value, tuple(f.id for f in p.facts)) for p in a.series] == [
        (p.on, p.value, tuple(f.id for f in p.facts)) for p in b.series
    ]


@settings(max_examples=200, deadline=None)
@given(psa_facts())
def test_the_latest_dated_result_answers_and_every_live_fact_is_kept(facts):
    merged = merge_name("PSA", facts)
    live = [f for f in facts if not f.rejected]
    kept = {f.id for p in merged.series for f in p.facts} | {f.id for f in merged.weak}
    assert kept == {f.id for f in live}
    if merged.chosen is None:
        assert merged.series == ()
        return
    strong = [f for p in merged.series for f in p.facts]
    results = [f for f in strong if not is_placeholder(f)] or strong
    dated = [taken_on(f)[0] for f in results if taken_on(f)[0] is not None]
    assert taken_on(merged.chosen)[0] == (max(dated) if dated else None)
    # Latest first, undated last.
    days = [p.on for p in merged.series]
    known = [d for d in days if d is not None]
    assert known == sorted(known, reverse=True)
    assert days == known + [None] * (len(days) - len(known))


@settings(max_examples=200, deadline=None)
@given(psa_facts())
def test_a_conflict_is_flagged_exactly_when_one_date_has_two_results(facts):
    merged = merge_name("PSA", facts)
    by_date: dict = {}
    for p in _results(merged):
        by_date.setdefault(p.on, []).append(p)
    assert merged.conflict == any(len(points) > 1 for points in by_date.values())
    for points in by_date.values():
        assert all(p.conflict == (len(points) > 1) for p in points)
