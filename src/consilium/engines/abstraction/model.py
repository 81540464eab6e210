"""The abstraction's result: plain dataclasses, JSON-ready through ``to_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Basis = Literal["stated", "inferred"]

#: The summary fields of an abstraction, in the order of the ``abstract`` CLI contract.
SUMMARY_FIELDS = (
    "cancer_type",
    "pT",
    "pN",
    "pM",
    "stage_group",
    "histology",
    "grade",
    "er",
    "pr",
    "her2",
)


@dataclass(frozen=True)
class Provenance:
    """Where a fact was read: the document, the character span and its sentence."""

    document_id: str | None
    start: int
    end: int
    sentence: str
    section: str | None = None


@dataclass(frozen=True)
class Fact:
    """One proposed fact. ``value`` is the normalized answer (e.g. "T2", "positive",
    "IDC"); ``assertion`` says how the text asserts it (present, absent, possible,
    not_performed, pending, historical); ``basis`` stated or inferred, with
    ``inferred_from`` explaining the rule and facts used."""

    name: str
    value: Any
    provenance: Provenance
    basis: Basis = "stated"
    confidence: float = 0.9
    inferred_from: str | None = None
    assertion: str = "present"
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Abstraction:
    """The facts of one document and the summary derived from them. A summary field is
    None ("not stated") when the evidence is absent or too weak."""

    document_id: str | None
    facts: list[Fact] = field(default_factory=list)
    cancer_type: str | None = None
    pT: str | None = None
    pN: str | None = None
    pM: str | None = None
    stage_group: str | None = None
    histology: str | None = None
    grade: str | None = None
    er: str | None = None
    pr: str | None = None
    her2: str | None = None

    def summary(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in SUMMARY_FIELDS}

    def facts_named(self, name: str) -> list[Fact]:
        return [f for f in self.facts if f.name == name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            **self.summary(),
            "facts": [f.to_dict() for f in self.facts],
        }
