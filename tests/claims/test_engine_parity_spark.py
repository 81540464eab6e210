"""The same Ibis expressions on DuckDB and on PySpark (local[2]) give identical members,
row for row, on the same generated delivery."""

import datetime as dt
import shutil

import duckdb
import pytest

from consilium.engines.claims.engines import SparkRunner, spark_session
from consilium.engines.claims.scan import scan
from consilium.engines.claims.synth import synth


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: PySpark needs a JVM (apt-get install openjdk-17-jre)")
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    session = spark_session("local[2]")
    yield session
    session.stop()


def _members(out):
    con = duckdb.connect()
    return con.execute(f"""
        SELECT person_id, qualifies_by, cancer_group, oncotree_tissue, metastatic,
               first_qualifying_date, list_sort(coalesce(triggers, [])), score, enrolled
        FROM read_parquet('{out / "members.parquet"}') ORDER BY person_id""").fetchall()


def _evidence(out):
    con = duckdb.connect()
    return con.execute(
        f"SELECT * FROM read_parquet('{out / 'evidence.parquet'}') ORDER BY ALL"
    ).fetchall()


@pytest.mark.spark
def test_duckdb_and_spark_give_identical_members(tmp_path, spark):
    delivery = tmp_path / "d"
    synth(delivery, 4000, 3, dt.date(2025, 6, 30), chunk_size=2000)
    duck = scan(delivery, tmp_path / "duck", engine="duckdb")
    runner = SparkRunner(session=spark)
    try:
        sprk = scan(delivery, tmp_path / "spark", runner=runner)
    finally:
        runner.close()
    assert sprk["engine"] == "spark"
    members = _members(tmp_path / "duck")
    assert len(members) > 40
    assert _members(tmp_path / "spark") == members
    assert _evidence(tmp_path / "spark") == _evidence(tmp_path / "duck")
    for key in (
        "as_of",
        "rows_read",
        "quarantine_reasons",
        "members_qualified",
        "members_enrolled",
    ):
        assert sprk[key] == duck[key], key
