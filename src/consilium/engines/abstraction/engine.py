"""``abstract(text)``: the facts of one report and the summary drawn from them."""

from __future__ import annotations

from consilium.engines.abstraction import (
    biomarkers,
    cancer,
    findings,
    serum,
    staging,
    tnm,
    treatments,
)
from consilium.engines.abstraction.model import Abstraction, Fact
from consilium.engines.abstraction.text import Document

#: An inferred category answers the summary only from this confidence on; weaker
#: inferences stay in the facts, marked inferred, for a person to confirm.
SUMMARY_MIN_INFERRED_CONFIDENCE = 0.75


def abstract(text: str, document_id: str | None = None) -> Abstraction:
    doc = Document(text or "", document_id)
    result = Abstraction(document_id)
    facts: list[Fact] = []

    type_facts, code, morphology = cancer.classify(doc)
    facts += type_facts
    result.cancer_type, result.histology = code, morphology

    tnm_facts, chosen = tnm.reconcile(doc, tnm.candidates(doc))
    facts += tnm_facts
    size, size_facts = findings.tumour_size(doc)
    nodes, node_facts = findings.node_totals(doc)
    facts += size_facts + node_facts
    for axis in ("T", "N", "M"):
        c = chosen.get(axis)
        setattr(result, f"p{axis}", c.value if c is not None else None)
    if result.pT is None:
        inferred = staging.infer_t(doc, code, size)
        if inferred is not None:
            facts.append(inferred)
            if inferred.confidence >= SUMMARY_MIN_INFERRED_CONFIDENCE:
                result.pT = inferred.value
    if result.pN is None:
        inferred = staging.infer_n(doc, code, nodes)
        if inferred is not None:
            facts.append(inferred)
            if inferred.confidence >= SUMMARY_MIN_INFERRED_CONFIDENCE:
                result.pN = inferred.value

    stage, stage_facts = findings.stage_group(doc, code)
    facts += stage_facts
    result.stage_group = stage.value if stage else None
    grade, grade_facts = findings.grade(doc, code)
    facts += grade_facts
    result.grade = grade.value if grade else None
    facts += (
        findings.margins(doc) + findings.lymphovascular_invasion(doc) + findings.laterality(doc)
    )

    marker_facts, summary = biomarkers.extract(doc)
    facts += marker_facts
    result.er, result.pr, result.her2 = summary["ER"], summary["PR"], summary["HER2"]
    facts += treatments.extract(doc)
    facts += serum.extract(doc)

    facts.sort(key=lambda f: (f.provenance.start, f.name))
    result.facts = facts
    return result
