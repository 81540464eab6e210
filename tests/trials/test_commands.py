"""``consilium trials match-ctml`` and ``consilium knowledge load-oncotree``."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consilium.engines.knowledge import oncotree
from tests.trials.helpers import mutation, trial
from tests.trials.test_oncotree import small_release

# The commands run in Django; the marker also makes this folder runnable on its own.
pytestmark = pytest.mark.django_db

BRAF = [
    {
        "and": [
            {"genomic": {"hugo_symbol": "BRAF", "wildcard_protein_change": "p.V600"}},
            {"clinical": {"age_numerical": ">=18"}},
        ]
    }
]


def _files(tmp_path, trials, clinical, genomic):
    (tmp_path / "trials").mkdir()
    for i, t in enumerate(trials):
        (tmp_path / "trials" / f"t{i}.json").write_text(json.dumps(t))
    (tmp_path / "clinical.json").write_text(json.dumps(clinical))
    (tmp_path / "genomic.json").write_text(json.dumps(genomic))
    return str(tmp_path / "trials"), str(tmp_path / "clinical.json"), str(tmp_path / "genomic.json")


def _run(capsys, *args):
    call_command("trials", "match-ctml", *args)
    return capsys.readouterr()


def test_match_ctml_prints_a_json_array(tmp_path, capsys):
    trials, clinical, genomic = _files(
        tmp_path,
        [trial(BRAF, protocol="P-1"), trial(BRAF, protocol="P-2", arm_suspended="Y")],
        [
            {"SAMPLE_ID": "A", "BIRTH_DATE": "2000-01-01"},
            {"SAMPLE_ID": "B", "BIRTH_DATE": "2000-01-01"},
        ],
        [dict(mutation("BRAF", "p.V600E"), SAMPLE_ID="A")],
    )
    out = _run(
        capsys,
        "--trials",
        trials,
        "--clinical",
        clinical,
        "--genomic",
        genomic,
        "--as-of",
        "2025-01-01",
        "--json",
    )
    matches = json.loads(out.out)
    assert [
        (m["protocol_no"], m["sample_id"], m["match_level"], m["code"], m["status"])
        for m in matches
    ] == [
        ("P-1", "A", "arm", "A", "open"),
        ("P-2", "A", "arm", "A", "closed"),
    ]
    assert matches[0]["nct_id"] == "NCT00000001"
    assert {r["type"] for r in matches[0]["reasons"]} == {"clinical", "genomic"}


def test_as_of_changes_ages(tmp_path, capsys):
    trials, clinical, genomic = _files(
        tmp_path,
        [trial(BRAF)],
        [{"SAMPLE_ID": "A", "BIRTH_DATE": "2007-06-15"}],
        [dict(mutation("BRAF", "p.V600E"), SAMPLE_ID="A")],
    )
    args = ["--trials", trials, "--clinical", clinical, "--genomic", genomic, "--json"]
    assert json.loads(_run(capsys, *args, "--as-of", "2025-06-14").out) == []
    assert len(json.loads(_run(capsys, *args, "--as-of", "2025-06-15").out)) == 1


def test_plain_output(tmp_path, capsys):
    trials, clinical, genomic = _files(
        tmp_path, [trial(BRAF)], [{"SAMPLE_ID": "A", "BIRTH_DATE": "1970-01-01"}], []
    )
    out = _run(capsys, "--trials", trials, "--clinical", clinical, "--genomic", genomic)
    assert "0 match(es): 1 patient(s) x 1 trial(s)" in out.out


@pytest.mark.parametrize(
    "which, content, problem",
    [
        ("trial", "{oops", "not valid JSON"),
        ("clinical", json.dumps({"foo": 1}), "has no SAMPLE_ID"),
        ("clinical", json.dumps([{"SAMPLE_ID": "A", "BIRTH_DATE": "soon"}]), "BIRTH_DATE"),
        ("clinical", json.dumps([{"SAMPLE_ID": "A"}, {"SAMPLE_ID": "A"}]), "appears twice"),
        ("genomic", "[1, 2]", "expected an object"),
        ("genomic", "not json", "not valid JSON"),
    ],
)
def test_bad_input_names_the_file_and_fails(tmp_path, which, content, problem):
    trials, clinical, genomic = _files(tmp_path, [trial(BRAF)], [{"SAMPLE_ID": "A"}], [])
    target = {
        "trial": tmp_path / "trials" / "t0.json",
        "clinical": tmp_path / "clinical.json",
        "genomic": tmp_path / "genomic.json",
    }[which]
    target.write_text(content)
    with pytest.raises(CommandError) as err:
        call_command(
            "trials",
            "match-ctml",
            "--trials",
            trials,
            "--clinical",
            clinical,
            "--genomic",
            genomic,
            "--json",
        )
    assert str(target) in str(err.value) and problem in str(err.value)


def test_bad_as_of(tmp_path):
    trials, clinical, genomic = _files(tmp_path, [trial(BRAF)], [{"SAMPLE_ID": "A"}], [])
    with pytest.raises(CommandError, match="--as-of"):
        call_command(
            "trials",
            "match-ctml",
            "--trials",
            trials,
            "--clinical",
            clinical,
            "--genomic",
            genomic,
            "--as-of",
            "tomorrow",
        )


def test_load_oncotree_installs_into_the_var_dir(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path / "var"
    extra = {
        "code": "NEWL",
        "name": "A New Lung Type",
        "tissue": "Lung",
        "mainType": "x",
        "children": {},
    }
    release = tmp_path / "release.json"
    release.write_text(json.dumps(small_release(extra)))

    call_command("knowledge", "load-oncotree", str(release), "--check")
    assert "nothing installed" in capsys.readouterr().out
    assert not (tmp_path / "var" / "knowledge" / "oncotree.json").exists()

    call_command("knowledge", "load-oncotree", str(release))
    out = capsys.readouterr().out
    assert "14 tumour types" in out and "installed as" in out
    assert oncotree.current_tree(settings.VAR_DIR).by_code("NEWL") is not None

    # match-ctml now reads the installed tree: the new type is within Lung
    trials, clinical, genomic = _files(
        tmp_path,
        [trial([{"clinical": {"oncotree_primary_diagnosis": "Lung"}}])],
        [{"SAMPLE_ID": "A", "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": "A New Lung Type"}],
        [],
    )
    assert (
        len(
            json.loads(
                _run(
                    capsys,
                    "--trials",
                    trials,
                    "--clinical",
                    clinical,
                    "--genomic",
                    genomic,
                    "--json",
                ).out
            )
        )
        == 1
    )


def test_load_oncotree_refuses_a_bad_file(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(CommandError, match="not an OncoTree release"):
        call_command("knowledge", "load-oncotree", str(bad))
    assert not (tmp_path / "var" / "knowledge").exists()
