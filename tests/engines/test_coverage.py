"""Coverage decisions: a span covering the request date with the expert-review benefit."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from consilium.engines.casework.coverage import EligibilitySpan, check_coverage

ON = date(2026, 6, 15)


def span(start, end, benefit=True, plan="Gold PPO"):
    return EligibilitySpan(start, end, plan, benefit)


def test_covered_inside_a_span_with_the_benefit():
    decision = check_coverage([span(date(2026, 1, 1), date(2026, 12, 31))], ON)
    assert decision.covered
    assert "Gold PPO" in decision.reason


def test_open_ended_span_covers():
    assert check_coverage([span(date(2025, 1, 1), None)], ON).covered


def test_span_boundaries_are_inclusive():
    assert check_coverage([span(ON, ON)], ON).covered


def test_enrolled_without_the_benefit_is_not_covered_and_says_so():
    decision = check_coverage([span(date(2026, 1, 1), None, benefit=False)], ON)
    assert not decision.covered
    assert "does not include the expert-review benefit" in decision.reason


def test_lapsed_enrollment_is_not_covered():
    decision = check_coverage([span(date(2025, 1, 1), date(2026, 5, 31))], ON)
    assert not decision.covered
    assert "no eligibility span covers" in decision.reason


def test_no_eligibility_on_file():
    decision = check_coverage([], ON)
    assert not decision.covered
    assert "no eligibility on file" in decision.reason


def test_benefit_in_one_of_two_overlapping_spans_covers():
    spans = [
        span(date(2026, 1, 1), None, benefit=False, plan="Basic"),
        span(date(2026, 3, 1), None, benefit=True, plan="Gold"),
    ]
    decision = check_coverage(spans, ON)
    assert decision.covered
    assert decision.span.plan == "Gold"


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    length=st.one_of(st.none(), st.integers(0, 2000)),
    benefit=st.booleans(),
    on=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
)
def test_covered_iff_inside_and_benefit(start, length, benefit, on):
    from datetime import timedelta

    end = None if length is None else start + timedelta(days=length)
    inside = start <= on and (end is None or on <= end)
    assert check_coverage([span(start, end, benefit)], on).covered is (inside and benefit)
