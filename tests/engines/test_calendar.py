"""Due dates count business days."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consilium.engines.casework.calendar import add_business_days, is_overdue


def test_five_business_days_from_a_monday_is_the_next_monday():
    assert add_business_days(date(2026, 11, 16), 5) == date(2026, 11, 23)


def test_from_a_friday_skips_the_weekend():
    assert add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_from_a_saturday_counts_from_monday():
    assert add_business_days(date(2026, 11, 21), 1) == date(2026, 11, 23)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 11, 16), -1)


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(1, 60))
def test_lands_on_a_weekday_with_exactly_n_weekdays_between(start, n):
    due = add_business_days(start, n)
    assert due.weekday() < 5
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == n


def test_overdue_only_after_the_due_date():
    due = date(2026, 11, 20)
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(days=1))
    assert not is_overdue(None, due)
