"""Due dates in business days (Monday to Friday)."""

from __future__ import annotations

from datetime import date, timedelta


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (a weekend start counts from Monday)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def is_overdue(due: date | None, today: date) -> bool:
    return due is not None and today > due
