"""Quality of a scan against the synthetic delivery's planted truth (truth.parquet)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from consilium.engines.claims import rules as rules_mod


def _pr(tp: int, fp: int, fn: int) -> dict:
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 5) if tp + fp else None,
        "recall": round(tp / (tp + fn), 5) if tp + fn else None,
    }


def evaluate(delivery: Path, out: Path) -> dict:
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW truth AS SELECT * FROM read_parquet('{Path(delivery) / 'truth.parquet'}')"
    )
    con.execute(
        f"CREATE VIEW found AS SELECT * FROM read_parquet('{Path(out) / 'members.parquet'}')"
    )
    tp, fp, fn = con.execute("""
        SELECT
          count(*) FILTER (WHERE t.qualifies AND f.person_id IS NOT NULL),
          count(*) FILTER (WHERE NOT coalesce(t.qualifies, false) AND f.person_id IS NOT NULL),
          count(*) FILTER (WHERE t.qualifies AND f.person_id IS NULL)
        FROM truth t FULL JOIN found f USING (person_id)
    """).fetchone()
    group_ok, group_n = con.execute("""
        SELECT count(*) FILTER (WHERE t.cancer_group = f.cancer_group), count(*)
        FROM truth t JOIN found f USING (person_id) WHERE t.qualifies
    """).fetchone()
    enrolled_ok = con.execute("""
        SELECT count(*) FILTER (WHERE t.enrolled = f.enrolled)
        FROM truth t JOIN found f USING (person_id)
    """).fetchone()[0]
    triggers = {}
    for name in rules_mod.load().triggers:
        ttp, tfp, tfn = con.execute(f"""
            SELECT
              count(*) FILTER (WHERE list_contains(t.triggers, '{name}')
                                 AND list_contains(f.triggers, '{name}')),
              count(*) FILTER (WHERE NOT list_contains(coalesce(t.triggers, []), '{name}')
                                 AND list_contains(f.triggers, '{name}')),
              count(*) FILTER (WHERE list_contains(t.triggers, '{name}')
                                 AND NOT coalesce(list_contains(f.triggers, '{name}'), false))
            FROM truth t FULL JOIN found f USING (person_id)
            WHERE coalesce(t.qualifies, true)
        """).fetchone()
        triggers[name] = _pr(ttp, tfp, tfn)
    con.close()
    return {
        "qualification": _pr(tp, fp, fn),
        "cancer_group_accuracy": round(group_ok / group_n, 5) if group_n else None,
        "enrolled_accuracy": round(enrolled_ok / (tp + fp), 5) if tp + fp else None,
        "triggers": triggers,
    }
