"""The completeness checklist per cancer type: data that cites its sources, chosen by
OncoTree subtree, and an evaluation that says what is on file, pending or missing."""

from __future__ import annotations

import pytest
import yaml

from consilium.engines.abstraction.merge import FactRecord, merge
from consilium.engines.knowledge import completeness as c
from consilium.engines.knowledge.oncotree import shipped_tree

REQUIRED = {
    "breast",
    "lung",
    "colorectal",
    "melanoma",
    "prostate",
    "ovarian",
    "pancreas",
    "gastric",
    "endometrial",
    "default",
}


def test_the_data_covers_the_required_cancer_types_with_known_codes_and_sources():
    data = c.checklists()
    assert {x.key for x in data.lists} >= REQUIRED
    tree = shipped_tree()
    for checklist in data.lists:
        assert checklist.items, checklist.key
        for code in checklist.codes:
            assert tree.by_code(code) is not None, (checklist.key, code)
        for item in checklist.items:
            assert item.source.url.startswith("https://"), item.key
            assert item.what and item.why, item.key
    kinds = {
        "pathology_report",
        "imaging_report",
        "operative_report",
        "clinical_note",
        "genomic_lab_report",
        "discharge_summary",
        "medication_list",
        "image",
        "other",
    }
    for checklist in data.lists:
        for item in checklist.items:
            for alt in item.alternatives:
                if alt.kind == "document":
                    assert alt.value in kinds, (checklist.key, item.key, alt.value)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("IDC", "breast"),
        ("BREAST", "breast"),
        ("LUAD", "lung"),
        ("LUSC", "lung"),
        ("READ", "colorectal"),
        ("SKCM", "melanoma"),
        ("PRAD", "prostate"),
        ("HGSOC", "ovarian"),
        ("PAAD", "pancreas"),
        ("STAD", "gastric"),
        ("UCEC", "endometrial"),
        ("SCLC", "default"),  # small cell is not covered by the NSCLC checklist
        (None, "default"),
        ("NOT-A-CODE", "default"),
    ],
)
def test_a_checklist_covers_its_whole_oncotree_subtree(code, expected):
    assert c.checklist_for(code).key == expected


def _facts(*pairs):
    summary = merge(
        FactRecord(id=i, name=n, value=v, proposed_value=v, document_kind="pathology_report")
        for i, (n, v) in enumerate(pairs, start=1)
    )
    return [
        c.FactOnFile(m.name, m.shown, pending=m.value == "pending", id=m.chosen.id)
        for m in summary.facts.values()
        if m.chosen
    ], summary


def test_breast_shows_what_is_missing_at_intake():
    facts, summary = _facts(("ER", "positive"), ("PR", "positive"), ("HER2", "pending"))
    records = [c.RecordOnFile(1, "pathology_report", "Core biopsy")]
    result = c.evaluate(
        c.checklist_for("IDC"), records, facts, cancer_type="IDC", advanced=summary.advanced
    )
    states = {r.item.key: r.state for r in result.items}
    assert states == {
        "pathology": "met",
        "er": "met",
        "pr": "met",
        "her2": "pending",
        "breast_imaging": "missing",
        "staging_imaging": "conditional",
    }
    assert [r.item.key for r in result.missing] == ["breast_imaging"]
    assert not result.complete
    met = {r.item.key: r for r in result.items}
    assert met["pathology"].document_id == 1 and met["er"].met_by == "ER: positive"


def test_colorectal_accepts_mmr_or_msi_and_a_cea_value():
    facts, _ = _facts(("MLH1", "retained"), ("CEA", "7.4 ng/mL"))
    records = [
        c.RecordOnFile(1, "pathology_report", "Colectomy"),
        c.RecordOnFile(2, "clinical_note", "Consult", text="Pre-operative CEA was 7.4 ng/mL."),
        c.RecordOnFile(3, "image", "CT", modality="CT"),
    ]
    result = c.evaluate(c.checklist_for("COAD"), records, facts, advanced=False)
    states = {r.item.key: r.state for r in result.items}
    assert states["mmr_msi"] == "met"
    assert states["cea"] == "met"
    assert "7.4" in next(r.met_by for r in result.items if r.item.key == "cea")
    assert states["staging_imaging"] == "met"
    assert states["ras_braf"] == "conditional"
    assert result.complete


def test_a_mention_alternative_is_met_by_a_records_text_and_names_it():
    doc = yaml.safe_load(c.DATA.read_text())
    doc["checklists"]["default"]["items"] = [
        {
            "key": "ecog_text",
            "what": "Performance status",
            "why": "fitness for treatment",
            "source": "cap_protocols",
            "any": [{"mention": r"\bECOG\s*[0-4]\b"}],
        }
    ]
    checklist = c._load(doc).by_key("default")
    note = c.RecordOnFile(7, "clinical_note", "Consult", text="Seen today. ECOG 1, walking.")
    met = c.evaluate(checklist, [note], []).items[0]
    assert (met.state, met.document_id) == ("met", 7)
    assert met.met_by == "mentioned in Consult: “ECOG 1”"
    other = c.RecordOnFile(8, "clinical_note", "Consult", text="Performance status not given.")
    assert c.evaluate(checklist, [other], []).items[0].state == "missing"


def test_a_dicom_study_of_the_wrong_modality_does_not_count():
    records = [c.RecordOnFile(1, "image", "Chest film", modality="CR")]
    result = c.evaluate(c.checklist_for("LUAD"), records, [], advanced=True)
    states = {r.item.key: r.state for r in result.items}
    assert states["staging_imaging"] == "missing"
    assert states["pdl1"] == "missing"  # advanced: no longer conditional


def test_a_checklist_file_with_an_unknown_source_is_refused_with_where():
    doc = yaml.safe_load(c.DATA.read_text())
    doc["checklists"]["breast"]["items"][0]["source"] = "nowhere"
    with pytest.raises(c.ChecklistDataError, match="checklist 'breast', item pathology"):
        c._load(doc)
