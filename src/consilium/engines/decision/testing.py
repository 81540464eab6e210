"""Testing gaps: for the patient's cancer type and setting, each recommended biomarker
test and where it stands.

A test is **done** when a result is on file for any of its markers, negative results
included (a negative EGFR is an answer, not a gap). Otherwise it is a gap, with its
status: **pending** (ordered, result to follow), **not performed**, **equivocal** (a
result that needs a reflex or confirmatory test), **unclear** (something is recorded but
it says neither positive nor negative) or **not stated** (nothing on file).

Rules cover OncoTree subtrees: a rule for NSCLC applies to LUAD, not to SCLC. A rule
whose setting cannot be decided from the profile (stage not stated, HER2 not known, a
broader diagnosis than the rule's) is kept and marked with what it depends on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from consilium.engines.decision.knowledge import Knowledge, Source, Test, TestingRule, shipped
from consilium.engines.decision.markers import (
    EQUIVOCAL,
    NEGATIVE,
    NOT_PERFORMED,
    PENDING,
    POSITIVE,
    UNCLEAR,
    Reading,
    read,
)
from consilium.engines.decision.profile import PatientProfile
from consilium.engines.decision.rules import resolve_code
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree

DONE, NOT_STATED = "done", "not_stated"
STATUS_LABELS = {
    DONE: "Done",
    EQUIVOCAL: "Equivocal",
    PENDING: "Pending",
    NOT_PERFORMED: "Not performed",
    UNCLEAR: "Unclear",
    NOT_STATED: "Not stated",
}


@dataclass
class TestStatus:
    id: str  # "test:egfr": stable, used to add it to the opinion's recommendations
    test: str
    status: str
    result: str | None
    reason: str
    setting: str
    applies_if: tuple[str, ...]
    sources: tuple[Source, ...]
    rules: list[str] = field(default_factory=list)
    why: str = ""  # what the result decides, in a sentence

    @property
    def gap(self) -> bool:
        return self.status != DONE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "test": self.test,
            "status": self.status,
            "status_label": self.status_label,
            "result": self.result,
            "reason": self.reason,
            "setting": self.setting,
            "applies_if": list(self.applies_if),
            "sources": [s.to_dict() for s in self.sources],
            "rules": list(self.rules),
            "why": self.why,
        }


def _status(test: Test, readings: Mapping[str, Reading]) -> tuple[str, str | None]:
    """The test's status and the result text (when there is one)."""
    found = [readings[m] for m in test.markers if m in readings]
    answered = [r for r in found if r.result in (POSITIVE, NEGATIVE)]
    if answered:
        return DONE, "; ".join(r.text for r in answered)
    for status in (EQUIVOCAL, PENDING, NOT_PERFORMED, UNCLEAR):
        hits = [r for r in found if r.result == status]
        if hits:
            return status, "; ".join(r.text for r in hits)
    return NOT_STATED, None


def _reason(rule: TestingRule, test: Test, status: str, result: str | None) -> str:
    where = f"Recommended for {rule.setting}"
    why = f" {test.why}" if test.why else ""
    if status == DONE:
        return f"Done: {result}."
    if status == PENDING:
        return f"{where}; the result is pending ({result})."
    if status == NOT_PERFORMED:
        return f"{where}; the record says it was not performed.{why}"
    if status == EQUIVOCAL:
        return (
            f"{where}; the result is equivocal ({result}): a reflex or confirmatory test "
            "settles it."
        )
    if status == UNCLEAR:
        return (
            f"{where}; a result is recorded ({result}) but it says neither positive nor negative."
        )
    return f"{where}; no result on file.{why}"


def evaluate(
    profile: PatientProfile,
    knowledge: Knowledge | None = None,
    tree: OncoTree | None = None,
    readings: Mapping[str, Reading] | None = None,
) -> list[TestStatus]:
    """Every test recommended for the profile, in rule order; one entry per test even
    when several rules recommend it (their sources are merged)."""
    knowledge = knowledge or shipped()
    tree = tree or shipped_tree()
    readings = read(profile) if readings is None else readings
    code = resolve_code(tree, profile.cancer_type)
    out: dict[str, TestStatus] = {}
    for rule in knowledge.testing:
        scope = rule.scope.check(tree, code)
        if scope.holds is False:
            continue
        setting = rule.when.check(profile, readings)
        if setting.holds is False:
            continue
        applies_if = tuple(dict.fromkeys(scope.unknown + setting.unknown))
        for test in rule.tests:
            key = f"test:{test.id}"
            status, result = _status(test, readings)
            seen = out.get(key)
            if seen is not None:
                # Recommended again by another rule: cite it too; a rule that applies
                # without conditions makes the test unconditional.
                seen.sources = seen.sources + tuple(
                    s for s in rule.sources if s not in seen.sources
                )
                seen.rules.append(rule.id)
                if not applies_if:
                    seen.applies_if = ()
                continue
            out[key] = TestStatus(
                id=key,
                test=test.name,
                status=status,
                result=result,
                reason=_reason(rule, test, status, result),
                setting=rule.setting,
                applies_if=applies_if,
                sources=rule.sources,
                rules=[rule.id],
                why=test.why,
            )
    return list(out.values())
