"""Claims scan quality against planted truth (run by hand).

    uv run python bench/claims_quality.py --members 1000000 --work /tmp/claims-bench

Generates a synthetic delivery (unless WORK/delivery exists), scans it with DuckDB and
prints qualification precision/recall, cancer group accuracy and per-trigger
precision/recall as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from consilium.engines.claims.quality import evaluate
from consilium.engines.claims.scan import scan
from consilium.engines.claims.synth import synth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--as-of", default="2025-06-30")
    ap.add_argument("--claims-per-member", type=float, default=5.4)
    ap.add_argument("--work", type=Path, default=Path("/tmp/claims-bench"))
    a = ap.parse_args()
    delivery, out = a.work / "delivery", a.work / "out-quality"
    t = time.monotonic()
    if not (delivery / "medical_claim.parquet").exists():
        r = synth(
            delivery,
            a.members,
            a.seed,
            dt.date.fromisoformat(a.as_of),
            claims_per_member=a.claims_per_member,
        )
        print(json.dumps({"synth_seconds": round(time.monotonic() - t, 1), **r.__dict__}))
    summary = scan(delivery, out)
    result = {
        "members": a.members,
        "medical_lines": summary["rows_read"]["medical_claim"],
        "scan_seconds": summary["seconds"],
        **evaluate(delivery, out),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
