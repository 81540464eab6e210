"""The OncoTree engine: shipped compact tree, release loading, lookups, ancestors and
descendants, solid vs liquid, old names, and the installed release taking precedence."""

from __future__ import annotations

import json

import pytest

from consilium.engines.knowledge import oncotree
from consilium.engines.knowledge.cancer_types import common_types


def small_release(extra_child: dict | None = None) -> dict:
    def node(code, name, tissue, children=()):
        return {
            "code": code,
            "name": name,
            "tissue": tissue,
            "mainType": name,
            "children": {c["code"]: c for c in children},
        }

    lung_kids = [
        node(
            "NSCLC",
            "Non-Small Cell Lung Cancer",
            "Lung",
            [node("LUAD", "Lung Adenocarcinoma", "Lung")],
        )
    ]
    if extra_child:
        lung_kids.append(extra_child)
    tissues = [
        node("LUNG", "Lung", "Lung", lung_kids),
        node("MYELOID", "Myeloid", "Myeloid", [node("AML", "Acute Myeloid Leukemia", "Myeloid")]),
    ] + [node(f"T{i}", f"Tissue {i}", f"Tissue {i}") for i in range(8)]
    return {"TISSUE": node("TISSUE", "Tissue", None, tissues)}


def test_shipped_tree_covers_the_common_types():
    tree = oncotree.shipped_tree()
    assert len(tree) > 800
    for t in common_types():
        node = tree.by_code(t.code)
        assert node is not None, t.code
        assert node.tissue == t.tissue, t.code


def test_ancestors_descendants_and_names():
    tree = oncotree.shipped_tree()
    assert tree.ancestors("LUAD") == ["NSCLC", "LUNG"]
    assert {"LUAD", "LUSC", "NSCLC"} <= tree.descendants("NSCLC")
    assert "SCLC" not in tree.descendants("NSCLC")
    assert tree.is_within("LUAD", "NSCLC") and not tree.is_within("NSCLC", "LUAD")
    assert tree.codes_for_name("lung adenocarcinoma") == ("LUAD",)
    assert tree.resolve("LUAD") == ("LUAD",)
    assert tree.resolve("Multiple Myeloma") == ("PCM",)  # a name from an earlier release
    assert len(tree.codes_for_name("Immature Teratoma")) > 1  # OncoTree repeats a few names


def test_solid_and_liquid_by_tissue():
    tree = oncotree.shipped_tree()
    assert tree.is_liquid("AML") is True
    assert tree.is_liquid("DLBCLNOS") is True
    assert tree.is_liquid("LUAD") is False
    assert tree.is_liquid("NOPE") is None


def test_release_json_loads(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(small_release()))
    tree = oncotree.load_release(path)
    assert tree.ancestors("LUAD") == ["NSCLC", "LUNG"]
    assert tree.is_liquid("AML") is True


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{", "not JSON"),
        (json.dumps({"foo": 1}), "not an OncoTree release"),
        (
            json.dumps(
                {
                    "TISSUE": {
                        "code": "TISSUE",
                        "name": "Tissue",
                        "children": {"X": {"name": "no code"}},
                    }
                }
            ),
            "no code or name",
        ),
        (
            json.dumps({"TISSUE": {"code": "TISSUE", "name": "Tissue", "children": {}}}),
            "not a full OncoTree release",
        ),
    ],
)
def test_bad_release_is_refused_with_the_file_named(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(oncotree.OncoTreeError) as err:
        oncotree.load_release(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_installed_release_is_preferred(tmp_path):
    assert oncotree.current_tree(tmp_path) is oncotree.shipped_tree()
    target = oncotree.installed_path(tmp_path)
    target.parent.mkdir(parents=True)
    extra = {
        "code": "NEWL",
        "name": "A New Lung Type",
        "tissue": "Lung",
        "mainType": "x",
        "children": {},
    }
    target.write_text(json.dumps(small_release(extra)))
    tree = oncotree.current_tree(tmp_path)
    assert tree.by_code("NEWL") is not None
    assert tree.ancestors("NEWL") == ["LUNG"]


def test_compact_form_round_trips(tmp_path):
    tree = oncotree.shipped_tree()
    path = tmp_path / "compact.csv"
    path.write_text(tree.to_compact_csv("header"))
    again = oncotree._read_compact(path)
    assert again.nodes == tree.nodes
