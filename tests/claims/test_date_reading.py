"""Claim dates are read the same way whichever path a value takes: the quick path for
plain YYYY-MM-DD text gives what the full reading gives (DuckDB, compiled from Ibis)."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from consilium.engines.claims import pipeline as pl

T = ibis.table({"s": "string"}, name="t")
SQL = str(ibis.to_sql(T.select(quick=pl.as_date(T.s), full=pl.date_text(T.s)), "duckdb"))

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
shaped = st.one_of(
    dates.map(lambda d: d.isoformat()),
    dates.map(lambda d: d.strftime("%Y%m%d")),
    dates.map(lambda d: d.isoformat() + " 10:30:00"),
    dates.map(lambda d: d.isoformat() + "T08:00"),
    dates.map(lambda d: f" {d.isoformat()} "),
    st.text(alphabet="0123456789- T:/x", max_size=14),
)


def _read(values: list[str | None]) -> list[tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    return con.execute(SQL).fetchall()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), shaped), min_size=1, max_size=40))
def test_quick_path_agrees_with_the_full_reading(values):
    for quick, full in _read(values):
        assert quick == full


def test_known_values():
    rows = _read(
        [
            "2024-05-01",
            "20240501",
            "2024-05-01 09:00",
            " 2024-05-01",
            "2024-05",
            "2025-02-30",
            "31/12/2024",
            "",
            None,
        ]
    )
    assert [q for q, _f in rows] == [
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 1),
        None,
        None,
        None,
        None,
        None,
    ]
