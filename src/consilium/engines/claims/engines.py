"""Where the Ibis expressions run: DuckDB (embedded, out of core) or Spark.

Both runners take the same expressions, compile them with `ibis.to_sql(expr, dialect)`
and execute the SQL on their engine. They expose the same four operations: register an
input under a name, materialize a stage under a name, fetch a few rows, write a Parquet
file. The runners hold the engine connection themselves rather than going through
Ibis's backend objects because the scan needs what those do not expose in one way for
both engines: DuckDB's progress polling and out-of-core settings, Spark's persisted
stages, and outputs written atomically in one sorted file, so that both engines and
every rerun write the same bytes. The expressions, the one code path, stay Ibis.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import duckdb
import ibis
import ibis.expr.types as ir

from consilium.engines.claims.schema import InputFile

Progress = Callable[[float], None]  # fraction of the current query done, 0..1


class Runner(Protocol):
    dialect: str

    def register(self, name: str, source: InputFile) -> None: ...
    def materialize(self, name: str, expr: ir.Table) -> ir.Table: ...
    def rows(self, expr: ir.Table) -> list[tuple]: ...
    def write_parquet(self, expr: ir.Table, path: Path, order_by: list[str]) -> int: ...
    def close(self) -> None: ...


class _PySparkOptions(ibis.config.Config):
    """The one option Ibis's Spark SQL compiler reads. Ibis registers it when its PySpark
    backend is imported, which needs pyarrow; the compiler alone does not."""

    treat_nan_as_null: bool = False


if ibis.options.pyspark is None:
    ibis.options.pyspark = _PySparkOptions()


def _sql(expr: ir.Expr, dialect: str) -> str:
    return str(ibis.to_sql(expr, dialect=dialect))


def _order(cols: list[str]) -> str:
    return ", ".join(f'"{c[1:]}" DESC' if c.startswith("-") else f'"{c}"' for c in cols)


class DuckDBRunner:
    dialect = "duckdb"

    def __init__(
        self,
        memory_limit: str = "3GB",
        temp_dir: Path | None = None,
        threads: int | None = None,
        progress: Progress | None = None,
    ):
        self.con = duckdb.connect()
        self._tmp = Path(temp_dir or tempfile.mkdtemp(prefix="consilium-duckdb-"))
        self._tmp.mkdir(parents=True, exist_ok=True)
        # Out of core: past the memory limit DuckDB spills joins and aggregations here.
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self._tmp}'")
        self.con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
        # Row order inside a stage does not matter (outputs are sorted when written),
        # and not keeping it lets DuckDB stream large stages with less memory.
        self.con.execute("SET preserve_insertion_order = false")
        self.progress = progress

    def _run(self, sql: str) -> duckdb.DuckDBPyConnection:
        if self.progress is None:
            return self.con.execute(sql)
        # Poll the query's progress from this thread while another runs it.
        done = threading.Event()
        result: dict[str, object] = {}

        def work() -> None:
            try:
                result["cursor"] = self.con.execute(sql)
            except BaseException as exc:  # re-raised below in the caller's thread
                result["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        while not done.wait(0.25):
            pct = self.con.query_progress()
            if pct is not None and pct >= 0:
                self.progress(min(pct, 100.0) / 100.0)
        worker.join()
        if "error" in result:
            raise result["error"]  # type: ignore[misc]
        self.progress(1.0)
        return result["cursor"]  # type: ignore[return-value]

    def register(self, name: str, source: InputFile) -> None:
        files = "[" + ", ".join(f"'{p}'" for p in source.paths) + "]"
        reader = (
            f"read_parquet({files})"
            if source.format == "parquet"
            else f"read_csv({files}, header = true, all_varchar = true)"
        )
        self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM {reader}')

    def materialize(self, name: str, expr: ir.Table) -> ir.Table:
        self._run(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {_sql(expr, self.dialect)}')
        return ibis.table(expr.schema(), name=name)

    def rows(self, expr: ir.Table) -> list[tuple]:
        return self._run(_sql(expr, self.dialect)).fetchall()

    def write_parquet(self, expr: ir.Table, path: Path, order_by: list[str]) -> int:
        tmp = path.with_name(f".{path.name}.partial")
        sql = f"SELECT * FROM ({_sql(expr, self.dialect)}) ORDER BY {_order(order_by)}"
        self._run(f"COPY ({sql}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
        os.replace(tmp, path)  # a killed scan never leaves a half-written output
        return self.con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


def spark_session(master: str = "local[2]"):
    """A local Spark session; on a cluster, SPARK_* settings / spark-submit decide."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("consilium-claims")
        .master(os.environ.get("CONSILIUM_SPARK_MASTER", master))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("CONSILIUM_SPARK_PARTITIONS", "8"))
    )
    return builder.getOrCreate()


class SparkRunner:
    dialect = "pyspark"

    def __init__(self, session=None, progress: Progress | None = None):
        self.spark = session or spark_session()
        self.spark.sparkContext.setLogLevel("ERROR")
        self._cached: list = []
        self.progress = progress
        # Final files are written by DuckDB from Spark's part files, so both engines
        # produce one Parquet file each with the same layout.
        self._tmp = Path(tempfile.mkdtemp(prefix="consilium-spark-"))

    def register(self, name: str, source: InputFile) -> None:
        paths = [str(p) for p in source.paths]
        reader = self.spark.read
        df = (
            reader.parquet(*paths) if source.format == "parquet" else reader.csv(paths, header=True)
        )
        df.createOrReplaceTempView(name)

    def materialize(self, name: str, expr: ir.Table) -> ir.Table:
        df = self.spark.sql(_sql(expr, self.dialect)).persist()
        df.count()
        df.createOrReplaceTempView(name)
        self._cached.append(df)
        if self.progress:
            self.progress(1.0)
        return ibis.table(expr.schema(), name=name)

    def rows(self, expr: ir.Table) -> list[tuple]:
        return [tuple(r) for r in self.spark.sql(_sql(expr, self.dialect)).collect()]

    def write_parquet(self, expr: ir.Table, path: Path, order_by: list[str]) -> int:
        staging = self._tmp / f"{path.name}.{time.monotonic_ns()}"
        self.spark.sql(_sql(expr, self.dialect)).write.mode("overwrite").parquet(str(staging))
        con = duckdb.connect()
        tmp = path.with_name(f".{path.name}.partial")
        parts = sorted(str(p) for p in staging.glob("*.parquet"))
        if parts:
            src = "read_parquet([" + ", ".join(f"'{p}'" for p in parts) + "])"
        else:  # Spark writes no part file for an empty result: write an empty table
            schema = ibis.schema(expr.schema())
            cols = ", ".join(f'CAST(NULL AS {_duck_type(t)}) AS "{n}"' for n, t in schema.items())
            src = f"(SELECT {cols} WHERE false)"
        con.execute(
            f"COPY (SELECT * FROM {src} ORDER BY {_order(order_by)}) TO '{tmp}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        os.replace(tmp, path)
        n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
        con.close()
        shutil.rmtree(staging, ignore_errors=True)
        if self.progress:
            self.progress(1.0)
        return n

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        shutil.rmtree(self._tmp, ignore_errors=True)


def _duck_type(t) -> str:
    from ibis.backends.sql.datatypes import DuckDBType

    return DuckDBType.to_string(t)
