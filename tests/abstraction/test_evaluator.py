"""The evaluator's arithmetic on a tiny labelled file, and the ``eval abstraction`` command."""

import io
import json

import pytest
from django.core.management import call_command

from consilium.engines.abstraction import evaluate
from tests.conftest import SHARED_DATA

RECORDS = [
    {
        "report_id": "a",
        "text": "DIAGNOSIS: Left breast: invasive ductal carcinoma. pT2 pN0 pMX. ER positive.",
        "labels": {
            "cancer_type": "BRCA",
            "pT": "T2",
            "pN": "N0 (i-)",
            "pM": "MX",
            "er": "Positive",
        },
    },
    {
        "report_id": "b",
        "text": "DIAGNOSIS: Lung, right upper lobe: adenocarcinoma. pT1b pN2.",
        "labels": {"cancer_type": "LUAD", "pT": "T2a", "pN": "N2", "pM": "M0", "er": None},
    },
    {
        "report_id": "c",
        "text": "Benign tissue.",
        "labels": {"cancer_type": "KIRC", "pT": "T1", "pN": "NX", "pM": None},
    },
]


def test_scores():
    ev = evaluate.score(RECORDS)
    ct, pt, pn, pm, er = (ev.fields[k] for k in ("cancer_type", "pT", "pN", "pM", "er"))
    assert (ct.labelled, ct.answered, ct.correct) == (3, 2, 2)
    assert (pt.labelled, pt.answered, pt.correct) == (3, 2, 1)
    assert (
        pt.accuracy == pytest.approx(1 / 3)
        and pt.precision == pytest.approx(0.5)
        and pt.coverage == pytest.approx(2 / 3)
    )
    assert (pn.labelled, pn.answered, pn.correct) == (2, 2, 2)  # NX excluded, "N0 (i-)" is N0
    assert pm.labelled == 1 and pm.answered == 0  # MX excluded; pMX is not an answer
    assert (er.labelled, er.correct) == (1, 1)
    per_report = ev.milliseconds  # one timing per report (counted, never compared)
    assert ev.reports == 3 and len(per_report) == 3
    assert ("T2", "T1b") in ev.fields["pT"].confusions


def test_label_normalization():
    assert evaluate.normalize_label("pT", "T1b1") == "T1"
    assert evaluate.normalize_label("pM", "cM0 (i+)") == "M0"
    assert evaluate.normalize_label("pN", "NX") is None
    assert evaluate.normalize_label("her2", "Indeterminate") is None
    assert evaluate.normalize_label("stage_group", "Stage IIB") == "IIB"


def test_command_prints_every_field(tmp_path):
    data = tmp_path / "labelled.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\nnot json\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("eval", "abstraction", "--data", str(data), stdout=out, stderr=err)
    printed = out.getvalue()
    for name in evaluate.FIELDS:
        assert name in printed
    assert "median" in printed and "p95" in printed
    assert "bad lines: 1" in printed
    assert "line 4: invalid JSON" in err.getvalue()


def test_on_tcga_dev_if_present(tmp_path):
    path = SHARED_DATA / "tcga-reports" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"TCGA dev reports not present at {path}")
    out = tmp_path / "figures.json"
    call_command(
        "eval",
        "abstraction",
        "--data",
        str(path),
        "--json",
        str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    figures = json.loads(out.read_text())
    assert figures["reports"] > 0
    for name in ("cancer_type", "pT", "pN"):
        field = figures["fields"][name]
        assert field["labelled"] > 0
        assert 0.0 <= field["accuracy"] <= 1.0
    assert figures["median_ms"] > 0


def test_where_stated_scores_only_reports_that_state_the_marker():
    from consilium.engines.abstraction.evaluate import score

    records = [
        {
            "report_id": "a",
            "text": "IMMUNOHISTOCHEMISTRY: Estrogen receptor: positive (90%).",
            "labels": {"er": "Positive"},
        },
        {
            "report_id": "b",
            "text": "Breast, left. ER and PR studies have been ordered on block A1.",
            "labels": {"er": "Negative"},
        },
    ]
    ev = score(records)
    assert ev.fields["er"].labelled == 2
    assert ev.stated["er"].labelled == 1
    assert ev.stated["er"].correct == 1
    assert ev.as_dict()["where_stated"]["er"]["accuracy"] == 1.0
