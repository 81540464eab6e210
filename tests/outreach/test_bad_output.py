"""A scan output that is incomplete or malformed is refused before anything is written,
with a message naming each problem: missing files or columns, wrong types, empty files,
a killed scan's partial output, files from two different runs, a delivery that moved."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(scans, tmp_path):
    return shutil.copytree(scans.a, tmp_path / "out")


def refused(world, out, *extra) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("claims", "import", str(out), "--program", "Acme Health", *extra)
    assert not ClaimsScan.objects.exists() and not OutreachCandidate.objects.exists()
    return str(exc.value)


def rewrite(path, select: str) -> None:
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT {select} FROM read_parquet('{path}')) TO '{path}.new' (FORMAT parquet)"
    )
    con.close()
    path.with_name(path.name + ".new").replace(path)


def test_missing_columns_and_wrong_types_are_each_named(world, out):
    rewrite(out / "members.parquet", "* EXCLUDE (score, enrolled)")
    rewrite(out / "evidence.parquet", "* REPLACE (CAST(evidence_date AS VARCHAR) AS evidence_date)")
    message = refused(world, out)
    assert "members.parquet: missing column score" in message
    assert "members.parquet: missing column enrolled" in message
    assert "evidence.parquet: column evidence_date has type VARCHAR, expected a date" in message


def test_empty_and_missing_files(world, out):
    (out / "members.parquet").write_bytes(b"")
    (out / "evidence.parquet").unlink()
    message = refused(world, out)
    assert "members.parquet: the file is empty (0 bytes)" in message
    assert "evidence.parquet: missing" in message


def test_a_killed_scan_without_summary_says_to_run_it_again(world, out):
    (out / "summary.json").unlink()
    assert "summary.json: missing; the scan did not finish" in refused(world, out)


def test_files_from_two_runs_do_not_mix(world, out, scans):
    shutil.copy(scans.b / "members.parquet", out / "members.parquet")
    message = refused(world, out)
    assert "members.parquet has 6 rows but summary.json says 5 members qualified" in message


def test_summary_that_is_not_json(world, out):
    (out / "summary.json").write_text("{not json")
    assert "summary.json: not readable as JSON" in refused(world, out)


def test_a_moved_delivery_is_named_and_can_be_given(world, out, scans, tmp_path):
    summary = json.loads((out / "summary.json").read_text())
    summary["delivery"] = str(tmp_path / "gone")
    (out / "summary.json").write_text(json.dumps(summary))
    message = refused(world, out)
    assert "gone (named in summary.json) cannot be read" in message
    assert "pass the delivery directory if it moved" in message
    call_command(
        "claims",
        "import",
        str(out),
        "--program",
        "Acme Health",
        "--delivery",
        str(scans.delivery_a),
    )
    assert OutreachCandidate.objects.get(person_id="P1").first_name == "Ann"


def test_not_a_directory(world, tmp_path):
    assert "is not a directory" in refused(world, tmp_path / "nowhere")


def test_a_member_listed_twice(world, out):
    path = out / "members.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{path}') UNION ALL "
        f"SELECT * FROM read_parquet('{path}') WHERE person_id = 'P1') "
        f"TO '{path}.new' (FORMAT parquet)"
    )
    con.close()
    path.with_name(path.name + ".new").replace(path)
    message = refused(world, out)
    assert "members.parquet: 1 person_id values appear more than once" in message
