"""The rule files: the shipped ones load and every entry cites a public source; a broken
file is refused with every problem named by file, entry and field."""

from __future__ import annotations

import copy

import pytest
import yaml

from consilium.engines.decision import knowledge
from consilium.engines.decision.knowledge import KnowledgeError, load

TESTING = yaml.safe_load(knowledge.TESTING.read_text())
THERAPIES = yaml.safe_load(knowledge.THERAPIES.read_text())


def write(tmp_path, testing=None, therapies=None):
    t = tmp_path / "testing.yaml"
    h = tmp_path / "therapies.yaml"
    t.write_text(yaml.safe_dump(testing if testing is not None else TESTING))
    h.write_text(yaml.safe_dump(therapies if therapies is not None else THERAPIES))
    return t, h


def refused(tmp_path, **files) -> list[str]:
    with pytest.raises(KnowledgeError) as err:
        load(*write(tmp_path, **files))
    return err.value.problems


def test_the_shipped_files_load_with_a_version_and_a_source_for_every_entry():
    k = load()
    assert k.testing_version and k.therapies_version
    assert all(rule.sources for rule in k.testing)
    assert all(entry.sources for entry in k.therapies)
    fda = [s for e in k.therapies for s in e.sources if s.kind == "fda"]
    assert fda and all(s.year for s in fda)


def test_a_round_trip_of_the_shipped_files_loads(tmp_path):
    k = load(*write(tmp_path))
    assert len(k.therapies) == len(load().therapies)


def test_an_unknown_oncotree_code_is_named_with_its_entry(tmp_path):
    bad = copy.deepcopy(TESTING)
    bad["rules"][0]["cancer_types"] = ["NSCLC", "NOSUCH"]
    problems = refused(tmp_path, testing=bad)
    rule_id = bad["rules"][0]["id"]
    assert problems == [
        f"testing.yaml: rules[0] ({rule_id}): cancer_types: unknown OncoTree code 'NOSUCH'"
    ]


def test_a_missing_source_is_refused(tmp_path):
    bad = copy.deepcopy(THERAPIES)
    del bad["entries"][2]["sources"]
    problems = refused(tmp_path, therapies=bad)
    entry_id = bad["entries"][2]["id"]
    assert problems == [
        f"therapies.yaml: entries[2] ({entry_id}): no source: every entry cites at least one "
        "public source"
    ]


def test_an_fda_source_needs_its_approval_year(tmp_path):
    bad = copy.deepcopy(THERAPIES)
    bad["entries"][0]["sources"] = [{"kind": "fda", "name": "Some label"}]
    problems = refused(tmp_path, therapies=bad)
    assert problems[0].endswith("sources[0]: an FDA source needs the approval year")


def test_every_problem_is_reported_at_once(tmp_path):
    bad_t = copy.deepcopy(TESTING)
    bad_t["rules"][1]["when"] = {"advancd": True}
    bad_h = copy.deepcopy(THERAPIES)
    bad_h["entries"][0]["tier"] = "A"
    bad_h["entries"][1]["requires"][0]["alteration"] = "L858R("
    bad_h["entries"][3]["id"] = bad_h["entries"][2]["id"]
    bad_h["entries"][4]["exclude_types"] = ["XYZ"]
    problems = refused(tmp_path, testing=bad_t, therapies=bad_h)
    text = "\n".join(problems)
    assert "unknown condition 'advancd'" in text
    assert "tier 'A' is not one of" in text
    assert "alteration 'L858R(' does not compile" in text
    assert "duplicate id" in text
    assert "exclude_types: unknown OncoTree code 'XYZ'" in text
    assert len(problems) == 5


def test_a_misspelt_field_is_refused_not_ignored(tmp_path):
    bad = copy.deepcopy(THERAPIES)
    bad["entries"][0]["cancer_type"] = bad["entries"][0].pop("cancer_types")
    text = "\n".join(refused(tmp_path, therapies=bad))
    assert "unknown field 'cancer_type'" in text
    assert "missing 'cancer_types'" in text


def test_a_file_that_is_not_yaml_says_so(tmp_path):
    t, h = write(tmp_path)
    t.write_text("rules: [unclosed")
    with pytest.raises(KnowledgeError, match="testing.yaml: not valid YAML"):
        load(t, h)


def test_a_missing_version_is_refused(tmp_path):
    bad = copy.deepcopy(TESTING)
    del bad["version"]
    assert refused(tmp_path, testing=bad) == [
        "testing.yaml: version: missing (a string such as '2025.11.1')"
    ]
