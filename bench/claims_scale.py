"""Make a larger claims delivery from a smaller one (run by hand, for the 100M-line speed
figures): K copies of every file, each copy with its own person, member and claim ids
(copy i prefixes them with "k<i>-"), so the copies are different members and the scan
must find exactly K times the members.

    uv run python bench/claims_scale.py /tmp/claims-bench/delivery /tmp/claims-bench100/delivery 10
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

IDS = {
    "medical_claim": ["claim_id", "person_id", "member_id"],
    "pharmacy_claim": ["claim_id", "person_id"],
    "eligibility": ["person_id", "member_id"],
}


def main() -> None:
    src, dst, k = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    dst.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '4GB'")
    for name, ids in IDS.items():
        path = src / f"{name}.parquet"
        cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
        # Empty ids stay empty: they are the bad rows the scan must still quarantine.
        sel = ", ".join(
            f"CASE WHEN {c} IS NULL OR trim({c}) = '' THEN {c} ELSE 'k' || i || '-' || {c} END"
            f" AS {c}"
            if c in ids
            else c
            for c in cols
        )
        con.execute(
            f"COPY (SELECT {sel} FROM '{path}', range({k}) t(i)) TO '{dst / path.name}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        n = con.execute(f"SELECT count(*) FROM '{dst / path.name}'").fetchone()[0]
        print(f"{name}: {n:,} rows", flush=True)


if __name__ == "__main__":
    main()
