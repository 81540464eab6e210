"""`scan`: one delivery in, members.parquet + evidence.parquet + quarantine.parquet +
summary.json out. The order of stages is the only logic here; the rules live in the
pipeline's expressions and the rule file."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import ibis

from consilium.engines.claims import pipeline as pl
from consilium.engines.claims import rules as rules_mod
from consilium.engines.claims.engines import DuckDBRunner, Runner, SparkRunner
from consilium.engines.claims.schema import SPECS, DeliveryError, InputFile, discover

MEMBER_COLUMNS = [
    "person_id",
    "qualifies_by",
    "cancer_group",
    "oncotree_tissue",
    "metastatic",
    "first_qualifying_date",
    "triggers",
    "score",
    "enrolled",
]
# stage name, what the progress bar says
STAGES = [
    ("count", "counting rows"),
    ("as_of", "finding the as-of date"),
    ("core_medical_kept", "reading medical claim lines"),
    ("core_diagnoses", "unpivoting diagnoses"),
    ("core_events", "procedure and drug events"),
    ("mart_qualified", "qualification"),
    ("mart_groups", "cancer groups"),
    ("core_recent_paid", "recent paid amounts"),
    ("mart_evidence", "triggers"),
    ("quarantine", "quarantine"),
    ("members", "writing members"),
    ("evidence", "writing evidence"),
]
# (stage index, stage count, label, fraction of the stage done, medical lines read so far)
ProgressFn = Callable[[int, int, str, float, int], None]


def delivery_hash(files: dict[str, InputFile]) -> str:
    """Content hash of the delivery, so the same files delivered twice are recognized."""
    h = hashlib.sha256()
    for name in sorted(files):
        for path in files[name].paths:
            h.update(f"{name}/{path.name}\0".encode())
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return h.hexdigest()


def _write_json(path: Path, doc: dict) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    os.replace(tmp, path)


def make_runner(
    engine: str, *, memory_limit: str = "3GB", temp_dir: Path | None = None, spark_session=None
) -> Runner:
    if engine == "duckdb":
        return DuckDBRunner(memory_limit=memory_limit, temp_dir=temp_dir)
    if engine == "spark":
        return SparkRunner(session=spark_session)
    raise ValueError(f"unknown engine {engine!r} (duckdb or spark)")


def scan(
    directory: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    engine: str = "duckdb",
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    rules: rules_mod.Rules | None = None,
    memory_limit: str = "3GB",
) -> dict:
    started = time.monotonic()
    rules = rules or rules_mod.load()
    directory, out = Path(directory), Path(out)
    files = discover(directory)
    out.mkdir(parents=True, exist_ok=True)
    own_runner = runner is None
    runner = runner or make_runner(engine, memory_limit=memory_limit, temp_dir=out / ".tmp")
    total_lines = 0
    stage_no = 0

    def at(stage: str, fraction: float = 0.0) -> None:
        nonlocal stage_no
        stage_no = [s for s, _ in STAGES].index(stage)
        if progress:
            label = dict(STAGES)[stage]
            read = (
                total_lines if stage_no > 2 else int(total_lines * fraction) if stage_no == 2 else 0
            )
            progress(stage_no, len(STAGES), label, fraction, read)

    if hasattr(runner, "progress"):
        runner.progress = lambda f: at(STAGES[stage_no][0], f)

    try:
        raw = {}
        for name, source in files.items():
            runner.register(name, source)
            raw[name] = ibis.table(source.ibis_schema(SPECS[name]), name=name)
        at("count")
        rows_read = {name: int(runner.rows(t.count().as_table())[0][0]) for name, t in raw.items()}
        if rows_read["medical_claim"] == 0:
            raise DeliveryError(
                f"the delivery in {directory} is refused", ["medical_claim: the file has no rows"]
            )
        total_lines = rows_read["medical_claim"]

        med = raw["medical_claim"]
        ph = pl.pharmacy_input(raw["pharmacy_claim"]) if "pharmacy_claim" in raw else None
        el = pl.eligibility_input(raw["eligibility"])

        at("as_of")
        if as_of is None:
            as_of = runner.rows(pl.latest_date(med, ph))[0][0]
            if as_of is None:
                raise DeliveryError(
                    f"the delivery in {directory} is refused",
                    ["medical_claim: no row has a readable claim_start_date"],
                )
        p = pl.Period.of(as_of, rules)

        at("core_medical_kept")
        kept = runner.materialize("core_medical_kept", pl.medical_kept(med, rules, p))
        at("core_diagnoses")
        dx = runner.materialize("core_diagnoses", pl.diagnoses(kept, rules))
        at("core_events")
        ev = runner.materialize("core_events", pl.events(kept, ph, rules, p))
        at("mart_qualified")
        qualified = runner.materialize("mart_qualified", pl.qualification(dx, rules, p))
        at("mart_groups")
        groups = runner.materialize("mart_groups", pl.cancer_group(dx, p))
        at("core_recent_paid")
        paid = runner.materialize("core_recent_paid", pl.recent_paid(med, ph, qualified, p))
        at("mart_evidence")
        evidence = runner.materialize(
            "mart_evidence", pl.triggers(dx, ev, qualified, groups, paid, rules, p)
        )

        at("quarantine")
        parts = [pl.quarantine("medical_claim", kept), pl.quarantine("eligibility", el)]
        if ph is not None:
            parts.insert(1, pl.quarantine("pharmacy_claim", ph))
        quarantined = runner.materialize("quarantine", ibis.union(*parts))
        counts = runner.rows(
            quarantined.group_by("file", "reason").aggregate(n=quarantined.count())
        )
        runner.write_parquet(
            quarantined,
            out / "quarantine.parquet",
            ["file", "claim_id", "claim_line_number", "person_id", "reason"],
        )

        at("members")
        m = pl.members(qualified, groups, dx, evidence, el, rules, p)
        n_members = runner.write_parquet(
            m.select(*MEMBER_COLUMNS), out / "members.parquet", ["-score", "person_id"]
        )
        enrolled = runner.rows(m.filter(m.enrolled).count().as_table())[0][0]
        at("evidence")
        runner.write_parquet(
            evidence.semi_join(qualified, "person_id"),
            out / "evidence.parquet",
            # Every column, so ties cannot reorder rows: a rerun writes the same bytes.
            ["person_id", "trigger", "evidence_date", "claim_id", "detail"],
        )
    finally:
        if own_runner:
            runner.close()

    digest = delivery_hash(files)
    seconds = time.monotonic() - started
    reasons: dict[str, dict[str, int]] = {}
    for file, reason, n in sorted(counts):
        reasons.setdefault(file, {})[reason] = int(n)
    summary = {
        "rules_version": rules.version,
        "engine": engine if own_runner else runner.dialect.replace("pyspark", "spark"),
        "delivery": str(directory.resolve()),
        "delivery_sha256": digest,
        "files": {name: {"format": f.format, "parts": len(f.paths)} for name, f in files.items()},
        "as_of": as_of.isoformat(),
        "window": [p.window_start.isoformat(), p.as_of.isoformat()],
        "rows_read": rows_read,
        "rows_quarantined": {name: sum(reasons.get(name, {}).values()) for name in rows_read},
        "quarantine_reasons": reasons,
        "members_qualified": int(n_members),
        "members_enrolled": int(enrolled),
        "seconds": round(seconds, 3),
        "lines_per_second": round(rows_read["medical_claim"] / seconds, 1) if seconds else None,
        "outputs": ["members.parquet", "evidence.parquet", "quarantine.parquet"],
    }
    _write_json(out / "summary.json", summary)
    return summary
