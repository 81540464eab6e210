"""The synthetic delivery's eligibility carries Tuva's contact columns (names, address,
phone), one set per person, without changing any other value the seed produced."""

from __future__ import annotations

import datetime as dt

import duckdb

from consilium.engines.claims.synth import synth


def test_names_per_person_and_reproducible(tmp_path):
    as_of = dt.date(2025, 6, 30)
    synth(tmp_path / "a", 1500, 4, as_of, chunk_size=500)
    synth(tmp_path / "b", 1500, 4, as_of, chunk_size=500)
    con = duckdb.connect()
    el = f"read_parquet('{tmp_path}/{{}}/eligibility.parquet')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {el.format('a')}").fetchall()]
    assert {"first_name", "last_name", "address", "city", "zip_code", "phone"} <= set(cols)
    a = con.execute(f"SELECT * FROM {el.format('a')} ORDER BY ALL").fetchall()
    assert a == con.execute(f"SELECT * FROM {el.format('b')} ORDER BY ALL").fetchall()
    empty, per_person = con.execute(
        f"""SELECT count(*) FILTER (WHERE first_name IS NULL OR last_name IS NULL),
                   max(n) FROM (SELECT person_id, count(DISTINCT (first_name, last_name,
                   address, phone)) AS n, any_value(first_name) AS first_name,
                   any_value(last_name) AS last_name FROM {el.format("a")} GROUP BY person_id)"""
    ).fetchone()
    assert empty == 0 and per_person == 1
    distinct = con.execute(
        f"SELECT count(DISTINCT (first_name, last_name)) FROM {el.format('a')}"
    ).fetchone()[0]
    assert distinct > 500
