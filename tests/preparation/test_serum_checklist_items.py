"""The checklist items that ask for a serum tumour marker (CEA, PSA, CA-125, CA 19-9,
LDH) are met by the marker's serum value read as a fact, never by the marker stained on
tissue: the records' text goes through the abstraction engine and the merge, as on the
case summary, and no text pattern stands in for the fact."""

from __future__ import annotations

import pytest

from consilium.engines.abstraction import abstract
from consilium.engines.abstraction.merge import FactRecord, is_placeholder, merge
from consilium.engines.knowledge import completeness as c

# (cancer type, item, a stain of the marker on tissue, a serum value of the marker)
CASES = [
    (
        "COAD",
        "cea",
        "Immunohistochemistry: tumor cells are positive for CK20, CDX2 and CEA, negative for CK7.",
        "Preoperative CEA 8.1 ng/mL on 2025-01-06 (normal <3.0).",
    ),
    (
        "COAD",
        "cea",
        "CEA immunostain positive (clone COL-1), 3+ in 80% of tumour cells.",
        "CEA was 4.2 ng/mL.",
    ),
    (
        "PRAD",
        "psa",
        "Tumor cells are positive for PSA and NKX3.1, negative for CK7 and GATA3.",
        "PSA 6.5 ng/mL on 2024-11-02.",
    ),
    (
        "HGSOC",
        "ca125",
        "CA-125 immunostain positive, WT1 positive, p53 aberrant (3+).",
        "CA-125 was elevated at 450 U/mL.",
    ),
    (
        "PAAD",
        "ca199",
        "Tumour cells express CK7 and CA 19-9 (2+, 60%).",
        "CA 19-9 of 1,200 U/mL before treatment.",
    ),
]


def _result(code: str, texts: list[str], *, advanced: bool | None = None):
    """The checklist of ``code`` for records with these texts, as the case summary
    evaluates it: each text abstracted, the facts merged, the summary's answers offered."""
    records, facts = [], []
    for i, text in enumerate(texts, start=1):
        records.append(c.RecordOnFile(i, "pathology_report", f"record {i}", text))
        for n, fact in enumerate(abstract(text, str(i)).facts):
            facts.append(
                FactRecord(
                    id=f"{i}-{n}",
                    name=fact.name,
                    value=str(fact.value),
                    proposed_value=str(fact.value),
                    basis=fact.basis,
                    assertion=fact.assertion,
                    confidence=fact.confidence,
                    document_id=i,
                    document_kind="pathology_report",
                    detail=fact.detail,
                )
            )
    summary = merge(facts)
    on_file = [
        c.FactOnFile(m.name, m.shown, pending=is_placeholder(m.chosen), id=m.chosen.id)
        for m in summary.facts.values()
        if m.chosen is not None
    ]
    result = c.evaluate(
        c.checklist_for(code), records, on_file, cancer_type=code, advanced=advanced
    )
    return {r.item.key: r for r in result.items}


@pytest.mark.parametrize("code, item, stain, serum", CASES)
def test_a_stain_of_the_marker_on_tissue_does_not_meet_the_serum_item(code, item, stain, serum):
    assert _result(code, [stain])[item].state == "missing"


@pytest.mark.parametrize("code, item, stain, serum", CASES)
def test_a_serum_value_meets_the_item_through_its_fact(code, item, stain, serum):
    found = _result(code, [stain, serum])[item]
    assert found.state == "met"
    assert found.fact_id is not None and found.fact_id.startswith("2-")
    assert found.document_id is None  # the fact, not a record's text


def test_ldh_for_advanced_melanoma_needs_the_value_not_a_plan_to_draw_it():
    plan = "Recommend LDH at the next visit."
    assert _result("SKCM", [plan], advanced=True)["ldh"].state == "missing"
    found = _result("SKCM", [plan, "LDH 410 U/L (H) on 2025-02-01."], advanced=True)["ldh"]
    assert found.state == "met" and found.met_by.startswith("LDH: 410 U/L")


def test_no_serum_item_falls_back_on_a_text_pattern():
    serum_facts = {"CEA", "PSA", "CA-125", "CA 19-9", "LDH", "AFP", "beta-hCG", "CA 15-3"}
    for checklist in c.all_checklists():
        for item in checklist.items:
            if any(a.kind == "fact" and a.value in serum_facts for a in item.alternatives):
                assert {a.kind for a in item.alternatives} == {"fact"}, item.key
