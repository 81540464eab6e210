from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from consilium.engines.claims.scan import scan


class Result:
    def __init__(self, out: Path, summary: dict):
        self.out, self.summary = out, summary
        con = duckdb.connect()
        cols = con.execute(f"SELECT * FROM read_parquet('{out / 'members.parquet'}')")
        names = [d[0] for d in cols.description]
        self.members = {r[0]: dict(zip(names, r, strict=True)) for r in cols.fetchall()}
        self.evidence = con.execute(
            f"SELECT person_id, trigger, claim_id, evidence_date, detail "
            f"FROM read_parquet('{out / 'evidence.parquet'}') ORDER BY ALL"
        ).fetchall()
        self.quarantine = con.execute(
            f"SELECT file, reason, claim_id, person_id, value "
            f"FROM read_parquet('{out / 'quarantine.parquet'}') ORDER BY ALL"
        ).fetchall()
        con.close()

    def triggers(self, person: str) -> list[str]:
        return list(self.members[person]["triggers"] or [])


@pytest.fixture
def run(tmp_path):
    def _run(delivery: Path, **kwargs) -> Result:
        out = tmp_path / f"out-{delivery.name}"
        shutil.rmtree(out, ignore_errors=True)
        kwargs.setdefault("memory_limit", "1GB")
        return Result(out, scan(delivery, out, **kwargs))

    return _run
