"""The clinical timeline of a case: diagnosis, pathology, imaging, molecular results,
lab values (the serum tumour markers), procedures and therapies, in the order they
happened, each pointing to its record.

Built from the merged summary, the facts and the records' own dates (a report's
collection or exam date, a DICOM study date). A treatment whose sentence gives no date
is listed under "date not stated" rather than placed at a guessed date; a lab value
whose date is not known is left off (it stays in its series on the case summary).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from consilium.engines.abstraction.merge import (
    CaseSummary,
    FactRecord,
    MergedFact,
    compatible,
    describe,
)
from consilium.engines.records.dates import parse_date

KINDS = {
    "diagnosis": "Diagnosis",
    "pathology": "Pathology",
    "imaging": "Imaging",
    "molecular": "Molecular and lab results",
    "lab": "Lab value",
    "procedure": "Procedure",
    "therapy": "Therapy",
}
THERAPY_WORDS = {
    "chemotherapy": "Chemotherapy",
    "radiation": "Radiation",
    "targeted_therapy": "Targeted therapy",
    "hormone_therapy": "Hormone therapy",
    "immunotherapy": "Immunotherapy",
}
PATHOLOGY_SUMMARY = ("cancer_type", "grade", "pT", "pN", "ER", "PR", "HER2", "MSI", "PD-L1")


@dataclass(frozen=True)
class RecordInfo:
    """A record as the timeline sees it."""

    id: int
    kind: str
    title: str
    record_date: date | None = None
    received: date | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimelineEntry:
    on: date | None
    kind: str  # a key of KINDS
    label: str
    detail: str = ""
    document_id: int | None = None
    fact_ids: tuple = ()
    # Where the date comes from: "record", "sentence", "received", and for a lab value
    # also "resource" (FHIR) or "person" (see merge.DATED_BY).
    dated_by: str = ""

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _facts_of(document_id: int, facts: Iterable[FactRecord]) -> list[FactRecord]:
    return [f for f in facts if f.document_id == document_id and not f.rejected]


def _pathology_detail(doc_facts: list[FactRecord]) -> str:
    parts = []
    for name in PATHOLOGY_SUMMARY:
        found = next((f for f in doc_facts if f.name == name and f.confidence >= 0.5), None)
        if found is None:
            continue
        shown = found.shown if name == "cancer_type" else found.value
        parts.append(shown if name in ("cancer_type", "grade", "pT", "pN") else f"{name} {shown}")
    return ", ".join(parts)


def _record_date(doc: RecordInfo) -> tuple[date | None, str]:
    if doc.record_date is not None:
        return doc.record_date, "record"
    return doc.received, "received" if doc.received else ""


def _source_words(fact: FactRecord) -> str:
    if fact.document_title:
        return f"from {fact.document_title}"
    if fact.source == "fhir":
        return f"from FHIR {fact.fhir_reference}".rstrip()
    return "entered by a person" if fact.source == "manual" else ""


def _lab_events(merged: MergedFact) -> list[TimelineEntry]:
    """Each dated value of a lab series, "PSA 8.1 ng/mL (elevated)"; a pending test and
    a value of unknown date are not events."""
    events = []
    for point in merged.series:
        if point.on is None or point.placeholder:
            continue
        words = [_source_words(point.best)]
        if len(point.documents) > 1:
            words.append(f"in {len(point.documents)} records")
        if point.conflict:
            words.append("another value is given for the same date")
        events.append(
            TimelineEntry(
                point.on,
                "lab",
                point.label(merged.name),
                "; ".join(w for w in words if w),
                point.best.document_id,
                tuple(f.id for f in point.facts),
                dated_by=point.dated_by,
            )
        )
    return events


def clinical_timeline(
    summary: CaseSummary, facts: Iterable[FactRecord], records: Iterable[RecordInfo]
) -> list[TimelineEntry]:
    facts = list(facts)
    records = list(records)
    entries: list[TimelineEntry] = []

    for doc in records:
        on, dated_by = _record_date(doc)
        if doc.kind == "pathology_report":
            entries.append(
                TimelineEntry(
                    on,
                    "pathology",
                    doc.title,
                    _pathology_detail(_facts_of(doc.id, facts)),
                    doc.id,
                    dated_by=dated_by,
                )
            )
        elif doc.kind in ("imaging_report", "image"):
            study = (doc.metadata or {}).get("dicom") or {}
            label = study.get("summary") or doc.title
            entries.append(
                TimelineEntry(
                    on,
                    "imaging",
                    label,
                    study.get("series_description") or "",
                    doc.id,
                    dated_by=dated_by,
                )
            )
        elif doc.kind == "genomic_lab_report":
            markers = [
                f"{f.name} {f.value}"
                for f in _facts_of(doc.id, facts)
                if f.name not in PATHOLOGY_SUMMARY[:4] and f.name != "treatment"
            ]
            entries.append(
                TimelineEntry(
                    on,
                    "molecular",
                    doc.title,
                    ", ".join(dict.fromkeys(markers)),
                    doc.id,
                    dated_by=dated_by,
                )
            )
        elif doc.kind == "operative_report":
            entries.append(TimelineEntry(on, "procedure", doc.title, "", doc.id, dated_by=dated_by))

    diagnosis = summary.get("cancer_type")
    if diagnosis is not None and diagnosis.chosen is not None:
        # Diagnosed when a record first said so: the earliest dated fact agreeing with it.
        agreeing = [
            f
            for g in diagnosis.values
            if compatible("cancer_type", g.value, diagnosis.chosen.value)
            for f in g.facts
        ]
        dates = [f.effective_date for f in agreeing if f.effective_date is not None]
        entries.append(
            TimelineEntry(
                min(dates) if dates else None,
                "diagnosis",
                diagnosis.shown,
                f"first stated in {len(agreeing)} fact(s)" if len(agreeing) > 1 else "",
                diagnosis.chosen.document_id,
                tuple(f.id for f in agreeing),
                dated_by="record" if dates else "",
            )
        )

    for merged in summary.facts.values():
        entries += _lab_events(merged)

    seen: dict[tuple, int] = {}
    for fact in summary.treatments:
        when = parse_date(str((fact.detail or {}).get("date") or ""))
        kind_word = (fact.detail or {}).get("class") or ""
        kind = "procedure" if kind_word == "surgery" else "therapy"
        label = describe(fact.name, fact.value).capitalize()
        key = (kind, label.casefold(), when)
        if key in seen:
            index = seen[key]
            old = entries[index]
            entries[index] = TimelineEntry(
                old.on,
                old.kind,
                old.label,
                old.detail,
                old.document_id,
                (*old.fact_ids, fact.id),
                old.dated_by,
            )
            continue
        detail = THERAPY_WORDS.get(kind_word, "")
        if fact.document_title:
            detail = (
                f"{detail} · mentioned in {fact.document_title}"
                if detail
                else (f"mentioned in {fact.document_title}")
            )
        seen[key] = len(entries)
        entries.append(
            TimelineEntry(
                when,
                kind,
                label,
                detail,
                fact.document_id,
                (fact.id,),
                dated_by="sentence" if when else "",
            )
        )

    def order(e: TimelineEntry):
        return (e.on is None, e.on or date.max, list(KINDS).index(e.kind), e.label)

    return sorted(entries, key=order)
