"""The delivery's files: where they are, which columns they must have, which types pass.

Column names are the Tuva Project input layer's. A file that misses a required column or
carries one with an unusable type is refused before any work starts, with a message
naming each problem; bad *values* are not refused here, they go to quarantine later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

DIAGNOSIS_COLUMNS = tuple(f"diagnosis_code_{i}" for i in range(1, 26))

# What a column may be stored as. "text" also takes integers (ids exported as numbers),
# "date" takes dates, timestamps or text to parse, "number" takes numerics or text to parse.
KINDS = {
    "text": (
        "VARCHAR",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    ),
    "date": (
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP_NS",
        "TIMESTAMP_MS",
        "TIMESTAMP_S",
        "TIMESTAMP WITH TIME ZONE",
        "VARCHAR",
    ),
    "number": (
        "DOUBLE",
        "FLOAT",
        "DECIMAL",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
        "VARCHAR",
    ),
}
KIND_WORDS = {"text": "text", "date": "a date", "number": "a number"}


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    needed: bool = True


SPECS = {
    "medical_claim": FileSpec(
        "medical_claim",
        required={
            "claim_id": "text",
            "claim_line_number": "text",
            "claim_type": "text",
            "person_id": "text",
            "claim_start_date": "date",
            "bill_type_code": "text",
            "hcpcs_code": "text",
            "diagnosis_code_1": "text",
            "paid_amount": "number",
        },
        optional={c: "text" for c in DIAGNOSIS_COLUMNS[1:]},
    ),
    "pharmacy_claim": FileSpec(
        "pharmacy_claim",
        required={
            "claim_id": "text",
            "person_id": "text",
            "dispensing_date": "date",
            "ndc_code": "text",
            "paid_amount": "number",
        },
        optional={"claim_line_number": "text", "days_supply": "number"},
        needed=False,
    ),
    "eligibility": FileSpec(
        "eligibility",
        required={
            "person_id": "text",
            "enrollment_start_date": "date",
            "enrollment_end_date": "date",
        },
    ),
}

# DuckDB type name -> ibis type, for the columns the pipeline reads.
IBIS_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "int64",
    "INTEGER": "int32",
    "SMALLINT": "int16",
    "TINYINT": "int8",
    "HUGEINT": "decimal(38, 0)",
    "UBIGINT": "decimal(20, 0)",
    "UINTEGER": "int64",
    "USMALLINT": "int32",
    "UTINYINT": "int16",
    "DOUBLE": "float64",
    "FLOAT": "float32",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp('UTC')",
    "BOOLEAN": "boolean",
}


class DeliveryError(Exception):
    """The delivery cannot be scanned; `problems` names each reason."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message + ("\n  - " + "\n  - ".join(problems) if problems else ""))
        self.message = message
        self.problems = problems


@dataclass(frozen=True)
class InputFile:
    name: str
    format: str  # "parquet" | "csv"
    paths: tuple[Path, ...]
    columns: dict[str, str]  # column -> DuckDB type name (CSV: all VARCHAR)

    def ibis_schema(self, spec: FileSpec) -> dict[str, str]:
        used = {**spec.required, **spec.optional}
        return {col: IBIS_TYPES[_base(typ)] for col, typ in self.columns.items() if col in used}


def _base(typ: str) -> str:
    return "DECIMAL" if typ.startswith("DECIMAL") else typ


def _find(directory: Path, name: str) -> tuple[str, tuple[Path, ...]] | None:
    for fmt in ("parquet", "csv"):
        single = directory / f"{name}.{fmt}"
        if single.is_file():
            return fmt, (single,)
        parts = sorted((directory / name).glob(f"*.{fmt}")) if (directory / name).is_dir() else []
        if parts:
            return fmt, tuple(parts)
    return None


def _describe(fmt: str, paths: tuple[Path, ...]) -> dict[str, str]:
    con = duckdb.connect()
    files = [str(p) for p in paths]
    # DESCRIBE reads the schema only; a relation built with parameters (con.sql(...,
    # params=...)) is executed at once, which read the whole file just to name its columns.
    reader = (
        "read_parquet($files)"
        if fmt == "parquet"
        else "read_csv($files, header=true, all_varchar=true)"
    )
    rows = con.execute(f"DESCRIBE SELECT * FROM {reader}", {"files": files}).fetchall()
    return {name: str(typ) for name, typ, *_rest in rows}


def discover(directory: Path) -> dict[str, InputFile]:
    """Find and check the delivery's files; raise DeliveryError naming every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DeliveryError(f"{directory} is not a directory", [])
    found: dict[str, InputFile] = {}
    problems: list[str] = []
    for spec in SPECS.values():
        where = _find(directory, spec.name)
        if where is None:
            if spec.needed:
                problems.append(f"{spec.name}: no {spec.name}.parquet or {spec.name}.csv")
            continue
        fmt, paths = where
        if any(p.stat().st_size == 0 for p in paths):
            problems.append(f"{spec.name}: the file is empty")
            continue
        try:
            columns = _describe(fmt, paths)
        except duckdb.Error as exc:
            problems.append(f"{spec.name}: cannot be read as {fmt} ({str(exc).splitlines()[0]})")
            continue
        lowered = {c.lower(): c for c in columns}
        if len(lowered) != len(columns):
            problems.append(f"{spec.name}: column names differ only by case")
            continue
        for col in spec.required:
            if col not in columns:
                problems.append(f"{spec.name}: missing required column {col}")
        for col, kind in {**spec.required, **spec.optional}.items():
            typ = columns.get(col)
            if typ is not None and _base(typ) not in KINDS[kind]:
                problems.append(
                    f"{spec.name}: column {col} has type {typ}, expected {KIND_WORDS[kind]}"
                )
        found[spec.name] = InputFile(spec.name, fmt, paths, columns)
    if problems:
        raise DeliveryError(f"the delivery in {directory} is refused", problems)
    return found
