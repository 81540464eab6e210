"""Reading CTML files: JSON and YAML, one trial, arrays, concatenated documents,
directories; clear errors naming the file."""

from __future__ import annotations

import json

import pytest

from consilium.engines.trials.ctml import CTMLError, load_trials
from tests.trials.helpers import trial

LUNG = [{"clinical": {"oncotree_primary_diagnosis": "Lung"}}]

YAML_TRIAL = """\
protocol_no: Y-1
nct_id: NCT01234567
treatment_list:
  step:
    - step_code: 1
      arm:
        - arm_code: A
          arm_suspended: N
          match:
            - and:
                - genomic: {hugo_symbol: BRAF, wildcard_protein_change: p.V600}
                - clinical: {age_numerical: ">=18"}
"""


def test_json_single_array_and_concatenated(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(trial(LUNG, protocol="P-1")))
    (tmp_path / "many.json").write_text(
        json.dumps([trial(LUNG, protocol="P-2"), trial(LUNG, protocol="P-3")])
    )
    (tmp_path / "stream.json").write_text(
        json.dumps(trial(LUNG, protocol="P-4")) + "\n" + json.dumps(trial(LUNG, protocol="P-5"))
    )
    (tmp_path / "notes.txt").write_text("not a trial")
    trials, warnings = load_trials(tmp_path)
    assert sorted(t.protocol_no for t in trials) == ["P-1", "P-2", "P-3", "P-4", "P-5"]
    assert warnings == []


def test_yaml(tmp_path):
    path = tmp_path / "y.yaml"
    path.write_text(YAML_TRIAL)
    [t], _ = load_trials(path)
    assert (t.protocol_no, t.nct_id, t.open) == ("Y-1", "NCT01234567", True)
    [clause] = t.clauses
    assert (clause.level, clause.code, clause.closed) == ("arm", "A", False)


def test_protocol_number_from_the_file_name_when_missing(tmp_path):
    doc = trial(LUNG)
    del doc["protocol_no"]
    (tmp_path / "11-112.json").write_text(json.dumps(doc))
    [t], _ = load_trials(tmp_path / "11-112.json")
    assert t.protocol_no == "11-112"


def test_same_protocol_twice_keeps_the_later_file_and_warns(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(trial(LUNG, protocol="P-1")))
    (tmp_path / "b.json").write_text(
        json.dumps(trial([{"clinical": {"gender": "Male"}}], protocol="P-1"))
    )
    [t], warnings = load_trials(tmp_path)
    assert t.source.endswith("b.json")
    assert len(warnings) == 1 and "a.json" in warnings[0] and "b.json" in warnings[0]


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("bad.json", "{not json", "not valid JSON"),
        ("bad.yaml", "a: [unclosed", "not valid YAML"),
        ("nolist.json", json.dumps({"protocol_no": "X", "step": []}), "no treatment_list"),
        ("empty.json", "[]", "no trial"),
        ("or.json", json.dumps(trial({"or": {"clinical": {}}})), "expected a list"),
        ("leaf.json", json.dumps(trial([{"clinical": "Lung"}])), "expected an object of criteria"),
        (
            "arms.json",
            json.dumps({"protocol_no": "X", "treatment_list": {"step": [{"arm": "A"}]}}),
            "step[0].arm",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CTMLError) as err:
        load_trials(path)
    assert str(path) in str(err.value)
    assert problem in str(err.value)


def test_missing_path(tmp_path):
    with pytest.raises(CTMLError, match="no such file"):
        load_trials(tmp_path / "nope")
