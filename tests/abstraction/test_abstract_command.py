"""The ``consilium abstract`` contract: JSONL in, one object a line out; bad lines are
reported with their line number and counted, not fatal."""

import io
import json

from django.core.management import call_command

KEYS = {
    "report_id",
    "cancer_type",
    "pT",
    "pN",
    "pM",
    "stage_group",
    "histology",
    "grade",
    "er",
    "pr",
    "her2",
    "facts",
}


def test_round_trip(tmp_path):
    src = tmp_path / "in.jsonl"
    out = tmp_path / "out.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "report_id": "r1",
                        "text": "DIAGNOSIS: Left breast: invasive ductal carcinoma. "
                        "ER positive. pT2 pN0.",
                        "extra": 1,
                    }
                ),
                "{not json",
                json.dumps({"report_id": "r2"}),
                json.dumps({"report_id": "r3", "text": "Benign tissue."}),
                json.dumps(["a list"]),
            ]
        )
        + "\n"
    )
    err = io.StringIO()
    call_command("abstract", "--jsonl", str(src), "--out", str(out), stderr=err)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["report_id"] for r in rows] == ["r1", "r3"]
    for row in rows:
        assert set(row) == KEYS
        assert isinstance(row["facts"], list)
        for key in KEYS - {"report_id", "facts"}:
            assert row[key] is None or isinstance(row[key], str)
    first = rows[0]
    assert (first["cancer_type"], first["pT"], first["pN"], first["er"]) == (
        "IDC",
        "T2",
        "N0",
        "positive",
    )
    fact = first["facts"][0]
    assert {"name", "value", "provenance", "basis", "confidence"} <= set(fact)
    assert {"document_id", "start", "end", "sentence"} <= set(fact["provenance"])
    log = err.getvalue()
    assert "line 2: invalid JSON" in log
    assert "line 3: missing text" in log
    assert "line 5: not a JSON object" in log
    assert "3 bad lines" in log
