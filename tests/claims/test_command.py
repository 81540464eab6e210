"""`consilium claims synth|scan`: the command-line shell over the engine."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_synth_then_scan_json(tmp_path):
    out = StringIO()
    call_command(
        "claims",
        "synth",
        "--members",
        "2000",
        "--seed",
        "1",
        "--as-of",
        "2025-06-30",
        "--out",
        str(tmp_path / "d"),
        stdout=out,
        stderr=StringIO(),
    )
    assert "2,000 members" in out.getvalue()
    out = StringIO()
    err = StringIO()
    call_command(
        "claims",
        "scan",
        str(tmp_path / "d"),
        "--out",
        str(tmp_path / "o"),
        "--json",
        stdout=out,
        stderr=err,
    )
    summary = json.loads(out.getvalue())
    assert summary == json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["as_of"] == "2025-06-30" and summary["engine"] == "duckdb"
    assert summary["members_qualified"] > 0
    assert "lines" in err.getvalue()  # the progress bar
    for name in ("members.parquet", "quarantine.parquet", "evidence.parquet"):
        assert (tmp_path / "o" / name).is_file()


def test_refusal_is_a_command_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError) as exc:
        call_command(
            "claims",
            "scan",
            str(tmp_path / "empty"),
            "--out",
            str(tmp_path / "o"),
            stderr=StringIO(),
        )
    assert "medical_claim: no medical_claim.parquet or medical_claim.csv" in str(exc.value)
