"""A delivery missing required columns or with unusable types is refused, naming each."""

import duckdb
import pytest

from consilium.engines.claims.scan import scan
from consilium.engines.claims.schema import DeliveryError
from tests.claims.deliveries import line, write


def test_missing_columns_are_each_named(tmp_path):
    d = write(tmp_path / "d", [line("P1", 3, "C509")])
    con = duckdb.connect()
    f = d / "medical_claim.parquet"
    con.execute(f"COPY (SELECT * EXCLUDE (hcpcs_code, paid_amount) FROM '{f}') TO '{d}/m.parquet'")
    (d / "m.parquet").replace(f)
    with pytest.raises(DeliveryError) as exc:
        scan(d, tmp_path / "out")
    assert exc.value.problems == [
        "medical_claim: missing required column hcpcs_code",
        "medical_claim: missing required column paid_amount",
    ]


def test_wrong_types_are_each_named(tmp_path):
    d = write(tmp_path / "d", [line("P1", 3, "C509")])
    con = duckdb.connect()
    f = d / "medical_claim.parquet"
    con.execute(
        f"COPY (SELECT * REPLACE (1.5::DOUBLE AS claim_start_date, true AS person_id) "
        f"FROM '{f}') TO '{d}/m.parquet'"
    )
    (d / "m.parquet").replace(f)
    with pytest.raises(DeliveryError) as exc:
        scan(d, tmp_path / "out")
    assert "medical_claim: column person_id has type BOOLEAN, expected text" in exc.value.problems
    assert (
        "medical_claim: column claim_start_date has type DOUBLE, expected a date"
        in exc.value.problems
    )


def test_missing_and_empty_files(tmp_path):
    d = write(tmp_path / "d", [line("P1", 3, "C509")])
    (d / "eligibility.parquet").unlink()
    with pytest.raises(DeliveryError) as exc:
        scan(d, tmp_path / "out")
    assert exc.value.problems == ["eligibility: no eligibility.parquet or eligibility.csv"]

    e = write(tmp_path / "e", [line("P1", 3, "C509")], fmt="csv")
    (e / "medical_claim.csv").write_text("")
    with pytest.raises(DeliveryError) as exc:
        scan(e, tmp_path / "out")
    assert exc.value.problems == ["medical_claim: the file is empty"]


def test_header_only_file_is_refused(tmp_path):
    d = write(tmp_path / "d", [line("P1", 3, "C509")], fmt="csv")
    header = (d / "medical_claim.csv").read_text().splitlines()[0]
    (d / "medical_claim.csv").write_text(header + "\n")
    with pytest.raises(DeliveryError) as exc:
        scan(d, tmp_path / "out")
    assert exc.value.problems == ["medical_claim: the file has no rows"]
