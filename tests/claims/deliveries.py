"""Tiny hand-built deliveries for the claims tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

AS_OF = dt.date(2025, 6, 30)


def day(n: int) -> str:
    """The date n days before the as-of date, as text."""
    return (AS_OF - dt.timedelta(days=n)).isoformat()


_counter = [0]


def line(
    person: str,
    days_before: int,
    *dx: str,
    claim_type: str = "professional",
    bill: str | None = None,
    hcpcs: str | None = "99214",
    paid: float = 100.0,
    claim_id: str | None = None,
    date: str | None = None,
) -> dict:
    _counter[0] += 1
    row = {
        "claim_id": claim_id or f"CL{_counter[0]}",
        "claim_line_number": 1,
        "claim_type": claim_type,
        "person_id": person,
        "claim_start_date": date if date is not None else day(days_before),
        "bill_type_code": bill,
        "hcpcs_code": hcpcs,
        "paid_amount": paid,
    }
    for i, code in enumerate(dx, start=1):
        row[f"diagnosis_code_{i}"] = code
    return row


def fill(person: str, days_before: int, ndc: str, paid: float = 100.0) -> dict:
    _counter[0] += 1
    return {
        "claim_id": f"RX{_counter[0]}",
        "claim_line_number": 1,
        "person_id": person,
        "dispensing_date": day(days_before),
        "ndc_code": ndc,
        "days_supply": 30,
        "paid_amount": paid,
    }


def span(person: str, start: str = "2020-01-01", end: str | None = None) -> dict:
    return {
        "person_id": person,
        "member_id": "M" + person,
        "enrollment_start_date": start,
        "enrollment_end_date": end,
    }


def write(
    directory: Path,
    medical: list[dict],
    eligibility: list[dict] | None = None,
    pharmacy: list[dict] | None = None,
    fmt: str = "parquet",
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    persons = sorted({r["person_id"] for r in medical if r["person_id"]})
    frames = {
        "medical_claim": _medical_frame(medical),
        "eligibility": pd.DataFrame(
            eligibility if eligibility is not None else [span(p) for p in persons]
        ),
    }
    if pharmacy is not None:
        frames["pharmacy_claim"] = pd.DataFrame(pharmacy)
    con = duckdb.connect()
    for name, df in frames.items():
        con.register("df", df)
        target = directory / f"{name}.{fmt}"
        fmt_sql = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        cols = ", ".join(
            f'CAST("{c}" AS VARCHAR) AS "{c}"'
            if df[c].dtype == object or str(df[c].dtype) == "str"
            else f'"{c}"'
            for c in df.columns
        )
        con.execute(f"COPY (SELECT {cols} FROM df) TO '{target}' ({fmt_sql})")
        con.unregister("df")
    return directory


def _medical_frame(rows: list[dict]) -> pd.DataFrame:
    cols = [
        "claim_id",
        "claim_line_number",
        "claim_type",
        "person_id",
        "claim_start_date",
        "bill_type_code",
        "hcpcs_code",
        "paid_amount",
        *[f"diagnosis_code_{i}" for i in range(1, 5)],
    ]
    df = pd.DataFrame(rows).reindex(columns=cols)
    for c in cols:
        if c not in ("claim_line_number", "paid_amount"):
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    df["claim_line_number"] = df["claim_line_number"].astype("int64")
    df["paid_amount"] = df["paid_amount"].astype("float64")
    return df
