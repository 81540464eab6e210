"""Claims scan speed (run by hand), each measurement in its own process so peak memory
(max RSS from /usr/bin/time -v) belongs to that measurement alone.

    uv run python bench/claims_speed.py all --delivery /tmp/claims-bench/delivery \
        [--pandas-rows 2000000] [--spark]

Measurements:
- engine:     `scan` with DuckDB (the whole pipeline: quarantine, qualification, groups,
              triggers, evidence, outputs)
- engine_qual: the engine's own Ibis expressions for qualification only (input layer +
              core + qualification mart), compiled and written to Parquet: the same work
              as the hand-written query
- sql:        one hand-written DuckDB SQL query for the qualification rule
- sql_prefilter: the same query, dropping lines without a C code before the unpivot
- pandas:     a straightforward pandas implementation of the qualification rule (on the
              first --pandas-rows lines when the whole file does not fit comfortably)
- spark:      `scan --engine spark` (local[2])
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

DX = [f"diagnosis_code_{i}" for i in range(1, 26)]


def _as_of(delivery: Path) -> dt.date:
    con = duckdb.connect()
    return con.execute(
        f"SELECT max(try_cast(claim_start_date AS DATE)) FROM "
        f"read_parquet('{delivery / 'medical_claim.parquet'}')"
    ).fetchone()[0]


def _lines(delivery: Path) -> int:
    return (
        duckdb.connect()
        .execute(f"SELECT count(*) FROM read_parquet('{delivery / 'medical_claim.parquet'}')")
        .fetchone()[0]
    )


def run_engine(delivery: Path, out: Path, engine: str) -> dict:
    from consilium.engines.claims.scan import scan

    s = scan(delivery, out, engine=engine, as_of=_as_of(delivery))
    return {
        "seconds": s["seconds"],
        "lines": s["rows_read"]["medical_claim"],
        "members": s["members_qualified"],
    }


def run_engine_qual(delivery: Path, out: Path) -> dict:
    import ibis

    from consilium.engines.claims import pipeline as pl
    from consilium.engines.claims import rules as rules_mod
    from consilium.engines.claims.engines import DuckDBRunner
    from consilium.engines.claims.schema import SPECS, discover

    rules = rules_mod.load()
    files = discover(delivery)
    as_of = _as_of(delivery)
    t = time.monotonic()
    r = DuckDBRunner(temp_dir=out / ".tmp")
    r.register("medical_claim", files["medical_claim"])
    raw = ibis.table(files["medical_claim"].ibis_schema(SPECS["medical_claim"]), "medical_claim")
    p = pl.Period.of(as_of, rules)
    expr = pl.qualification(pl.diagnoses(pl.medical_kept(raw, rules, p), rules), rules, p)
    n = r.write_parquet(expr, out / "qualified.parquet", ["person_id"])
    r.close()
    return {"seconds": round(time.monotonic() - t, 3), "lines": _lines(delivery), "members": n}


def run_sql(delivery: Path, out: Path, prefilter: bool = False) -> dict:
    """One query. With prefilter, lines without any diagnosis starting with C are dropped
    before the unpivot (what the engine's core step does)."""
    a = _as_of(delivery)
    start = a - dt.timedelta(days=364)
    con = duckdb.connect()
    con.execute("SET memory_limit = '3GB'")
    con.execute(f"SET temp_directory = '{out / '.tmp'}'")
    con.execute("SET preserve_insertion_order = false")
    dx = ", ".join(DX)
    extra = (
        "AND (" + " OR ".join(f"upper(trim({c})) LIKE 'C%'" for c in DX) + ")" if prefilter else ""
    )
    sql = f"""
    WITH lines AS (
      SELECT person_id, claim_id, TRY_CAST(claim_start_date AS DATE) AS d,
             claim_type = 'institutional'
               AND (bill_type_code LIKE '11%' OR bill_type_code LIKE '21%') AS inp,
             [{dx}] AS dx
      FROM read_parquet('{delivery / "medical_claim.parquet"}')
      WHERE coalesce(trim(person_id), '') <> ''
        AND claim_type IN ('institutional', 'professional') {extra}
    ), codes AS (
      SELECT person_id, claim_id, d, inp, upper(replace(trim(c), '.', '')) AS code
      FROM lines, unnest(dx) AS u(c)
      WHERE d BETWEEN DATE '{start}' AND DATE '{a}' AND c IS NOT NULL
    ), claims AS (
      SELECT person_id, claim_id, min(d) AS d, bool_or(inp) AS inp
      FROM codes WHERE code LIKE 'C%' AND code[1:3] <> 'C44'
      GROUP BY person_id, claim_id
    )
    SELECT person_id, min(d) AS first_qualifying_date,
           CASE WHEN bool_or(inp) THEN 'inpatient' ELSE 'outpatient' END AS qualifies_by
    FROM claims GROUP BY person_id
    HAVING bool_or(inp) OR count(DISTINCT d) FILTER (WHERE NOT inp) >= 2
    """
    t = time.monotonic()
    con.execute(f"COPY ({sql}) TO '{out / 'sql.parquet'}' (FORMAT parquet)")
    seconds = time.monotonic() - t
    n = con.execute(f"SELECT count(*) FROM '{out / 'sql.parquet'}'").fetchone()[0]
    return {"seconds": round(seconds, 3), "lines": _lines(delivery), "members": n}


def run_pandas(delivery: Path, out: Path, rows: int | None) -> dict:
    """What an analyst would write: pandas reading the Parquet file (through pyarrow),
    then filter, melt and group. Reading time is included."""
    import pandas as pd

    a = pd.Timestamp(_as_of(delivery))
    t = time.monotonic()
    cols = ["person_id", "claim_id", "claim_type", "claim_start_date", "bill_type_code", *DX]
    path = delivery / "medical_claim.parquet"
    if rows:
        import pyarrow.parquet as pq

        df = pq.ParquetFile(path).iter_batches(batch_size=rows, columns=cols)
        df = next(df).to_pandas()
    else:
        df = pd.read_parquet(path, columns=cols)
    n_lines = len(df)
    df = df[df["person_id"].fillna("").str.strip() != ""]
    df = df[df["claim_type"].isin(["institutional", "professional"])]
    df["d"] = pd.to_datetime(df["claim_start_date"], format="%Y-%m-%d", errors="coerce")
    df = df[(df["d"] >= a - pd.Timedelta(days=364)) & (df["d"] <= a)]
    df["inp"] = (df["claim_type"] == "institutional") & df["bill_type_code"].fillna("").str[
        :2
    ].isin(["11", "21"])
    long = df.melt(id_vars=["person_id", "claim_id", "d", "inp"], value_vars=DX, value_name="code")
    long = long.dropna(subset=["code"])
    long["code"] = long["code"].str.strip().str.upper().str.replace(".", "", regex=False)
    long = long[long["code"].str.startswith("C") & (long["code"].str[:3] != "C44")]
    claims = (
        long.groupby(["person_id", "claim_id"])
        .agg(d=("d", "min"), inp=("inp", "any"))
        .reset_index()
    )
    inp = claims.groupby("person_id")["inp"].any()
    outd = claims[~claims["inp"]].groupby("person_id")["d"].nunique()
    first = claims.groupby("person_id")["d"].min()
    res = pd.DataFrame({"inp": inp, "out_dates": outd, "first": first}).fillna({"out_dates": 0})
    res = res[res["inp"] | (res["out_dates"] >= 2)]
    seconds = time.monotonic() - t
    return {"seconds": round(seconds, 3), "lines": n_lines, "members": len(res)}


def child(mode: str, delivery: Path, out: Path, pandas_rows: int | None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    if mode == "engine":
        return run_engine(delivery, out, "duckdb")
    if mode == "spark":
        return run_engine(delivery, out, "spark")
    if mode == "engine_qual":
        return run_engine_qual(delivery, out)
    if mode == "sql":
        return run_sql(delivery, out)
    if mode == "sql_prefilter":
        return run_sql(delivery, out, prefilter=True)
    if mode == "pandas":
        return run_pandas(delivery, out, pandas_rows)
    raise SystemExit(f"unknown mode {mode}")


def measure(mode: str, delivery: Path, pandas_rows: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"claims-{mode}-", dir="/tmp") as out:
        cmd = [
            "/usr/bin/time",
            "-v",
            sys.executable,
            __file__,
            "child",
            mode,
            "--delivery",
            str(delivery),
            "--out",
            out,
        ]
        if pandas_rows:
            cmd += ["--pandas-rows", str(pandas_rows)]
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
        result = json.loads(p.stdout.strip().splitlines()[-1])
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        result["peak_rss_mb"] = round(int(rss.group(1)) / 1024, 1) if rss else None
        result["lines_per_second"] = round(result["lines"] / result["seconds"], 1)
        result["mode"] = mode
        return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["all", "child", "one"])
    ap.add_argument("mode", nargs="?")
    ap.add_argument("--delivery", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--pandas-rows", type=int, default=None)
    ap.add_argument("--spark", action="store_true")
    a = ap.parse_args()
    if a.what == "child":
        print(json.dumps(child(a.mode, a.delivery, a.out, a.pandas_rows)))
        return
    if a.what == "one":
        print(json.dumps(measure(a.mode, a.delivery, a.pandas_rows)), flush=True)
        return
    modes = ["engine", "engine_qual", "sql", "sql_prefilter", "pandas"] + (
        ["spark"] if a.spark else []
    )
    for mode in modes:
        print(
            json.dumps(measure(mode, a.delivery, a.pandas_rows if mode == "pandas" else None)),
            flush=True,
        )


if __name__ == "__main__":
    main()
