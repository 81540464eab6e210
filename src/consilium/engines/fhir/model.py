"""Plain results of reading FHIR: facts, documents, problems and the import report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: At most this many invalid resources are listed one by one; all are counted.
MAX_LISTED_ERRORS = 1000
#: Examples kept for each reason a resource was skipped.
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class PlainFact:
    """A fact in the case-fact vocabulary (the names and values the text abstraction
    uses): cancer_type (OncoTree code), histology (ICD-O-3), stage_group, pT/pN/pM or
    cT/cN/cM, metastatic, brain_metastases, ecog, treatment, or a biomarker symbol."""

    name: str
    value: str
    display: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    effective_date: date | None = None
    assertion: str = "present"


@dataclass(frozen=True)
class PlainDocument:
    """An attachment that becomes one of the case's records."""

    title: str
    date: date | None
    content: bytes
    media_type: str  # of ``content``
    filename: str
    kind: str  # a records Document.Kind value
    attachment: int  # index of the attachment within its resource
    source_media_type: str = ""  # as the resource declared it (text/html is kept as text)


@dataclass
class Extract:
    """What one resource gives: facts and documents, and notes on parts not taken."""

    reference: str  # "Observation/abc" (or the entry's fullUrl when it has no id)
    resource_type: str
    where: str
    patient: str | None = None
    facts: list[PlainFact] = field(default_factory=list)
    documents: list[PlainDocument] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    where: str  # "Observation.000.ndjson line 12", "bundle.json entry[3]"
    resource: str  # "Observation/abc" or "Observation (no id)"
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "resource": self.resource, "reason": self.reason}


@dataclass
class ImportReport:
    """Every resource read ends in exactly one of: imported (by type), an error (listed
    with its reason), or skipped (counted by reason, with examples)."""

    source: str = ""
    patients: list[str] = field(default_factory=list)
    # How the records were tied to the member: "name and birth date" (a Patient of the
    # input), "an earlier import of this case", or "the case chosen: ..." (no Patient).
    patient_match: str = ""
    total: int = 0
    imported: Counter[str] = field(default_factory=Counter)
    errors: list[Problem] = field(default_factory=list)
    errors_total: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    # Parts of imported resources not taken (an attachment given only as a link ...).
    parts_skipped: Counter[str] = field(default_factory=Counter)
    # Filled by whoever stores the extracts.
    facts: Counter[str] = field(default_factory=Counter)
    documents: Counter[str] = field(default_factory=Counter)

    def error(self, where: str, resource: str, reason: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(Problem(where, resource, reason))

    def skip(self, reason: str, example: str = "") -> None:
        self.skipped[reason] += 1
        if example:
            kept = self.examples.setdefault(reason, [])
            if len(kept) < MAX_EXAMPLES:
                kept.append(example)

    @property
    def imported_total(self) -> int:
        return sum(self.imported.values())

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "patients": list(self.patients),
            "patient_match": self.patient_match,
            "total": self.total,
            "imported": dict(sorted(self.imported.items())),
            "imported_total": self.imported_total,
            "documents": {k: self.documents.get(k, 0) for k in ("created", "unchanged")}
            | {k: v for k, v in self.documents.items() if k not in ("created", "unchanged")},
            "facts": {k: self.facts.get(k, 0) for k in ("created", "updated", "unchanged")}
            | {k: v for k, v in self.facts.items() if k not in ("created", "updated", "unchanged")},
            "errors": [p.to_dict() for p in self.errors],
            "errors_total": self.errors_total,
            "skipped": [
                {"reason": reason, "count": n, "examples": self.examples.get(reason, [])}
                for reason, n in self.skipped.most_common()
            ],
            "skipped_total": self.skipped_total,
            "parts_not_taken": [
                {"reason": reason, "count": n} for reason, n in self.parts_skipped.most_common()
            ],
        }
