"""The synthetic delivery: reproducible by seed, with bad rows and planted truth."""

import datetime as dt
import hashlib

import duckdb

from consilium.engines.claims.synth import synth

AS_OF = dt.date(2025, 6, 30)


def _digest(directory):
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(directory.glob("*.parquet"))
    }


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a = synth(tmp_path / "a", 3000, 5, AS_OF, chunk_size=1000)
    synth(tmp_path / "b", 3000, 5, AS_OF, chunk_size=1000)
    synth(tmp_path / "c", 3000, 6, AS_OF, chunk_size=1000)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert set(_digest(tmp_path / "a")) == {
        "medical_claim.parquet",
        "pharmacy_claim.parquet",
        "eligibility.parquet",
        "truth.parquet",
    }
    assert a.members == 3000 and a.medical_lines > 3000 * 4


def test_bad_rows_truth_and_layout(tmp_path):
    synth(tmp_path / "d", 5000, 11, AS_OF, chunk_size=2000)
    con = duckdb.connect()
    med = f"read_parquet('{tmp_path / 'd' / 'medical_claim.parquet'}')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {med}").fetchall()]
    assert cols[:4] == ["claim_id", "claim_line_number", "claim_type", "person_id"]
    assert "diagnosis_code_25" in cols and "bill_type_code" in cols
    empty, unreadable, dental = con.execute(f"""
        SELECT count(*) FILTER (WHERE person_id = ''),
               count(*) FILTER (WHERE try_cast(claim_start_date AS DATE) IS NULL),
               count(*) FILTER (WHERE claim_type = 'dental') FROM {med}""").fetchone()
    assert empty > 0 and unreadable > 0 and dental > 0
    truth = f"read_parquet('{tmp_path / 'd' / 'truth.parquet'}')"
    n, qualifying, groups, metastatic, with_triggers = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE qualifies), count(DISTINCT cancer_group),
               count(*) FILTER (WHERE metastatic), count(*) FILTER (WHERE len(triggers) > 0)
        FROM {truth}""").fetchone()
    # about 2% active cancer and 1% decoys
    assert 0.01 * 5000 < qualifying < 0.03 * 5000
    assert n > qualifying
    assert groups > 10 and metastatic > 0 and with_triggers > 0
