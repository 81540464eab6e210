"""Decision support for one patient in one plain result: the profile as read, testing
gaps (and the tests already done), therapy options with their tier and source, and the
versions of the rule files used. Trials come from the trial registry's ranking and are
passed in by the caller, so this module stays free of storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from consilium.engines.decision import testing, therapies
from consilium.engines.decision.knowledge import Knowledge, shipped
from consilium.engines.decision.markers import Reading, read
from consilium.engines.decision.profile import PatientProfile
from consilium.engines.decision.rules import resolve_code, type_name
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree


@dataclass(frozen=True)
class DecisionSupport:
    profile: PatientProfile
    cancer_type: tuple[str, str] | None  # (OncoTree code, name)
    readings: dict[str, Reading]
    tests: tuple[testing.TestStatus, ...]
    therapies: tuple[therapies.TherapyOption, ...]
    notes: tuple[str, ...]
    versions: dict[str, str]

    @property
    def gaps(self) -> list[testing.TestStatus]:
        return [t for t in self.tests if t.gap]

    @property
    def tests_done(self) -> list[testing.TestStatus]:
        return [t for t in self.tests if not t.gap]

    def item(self, item_id: str):
        """The gap, test or therapy option with this id, or None."""
        for thing in (*self.tests, *self.therapies):
            if thing.id == item_id:
                return thing
        return None

    def to_dict(self, today: date | None = None) -> dict[str, Any]:
        return {
            "profile": profile_dict(self.profile, self.cancer_type, today),
            "gaps": [t.to_dict() for t in self.gaps],
            "tests_done": [t.to_dict() for t in self.tests_done],
            "therapies": [o.to_dict() for o in self.therapies],
            "tiers": dict(therapies.TIER_LABELS),
            "notes": list(self.notes),
            "knowledge": dict(self.versions),
        }


def profile_dict(
    profile: PatientProfile,
    cancer_type: tuple[str, str] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The profile as JSON: what the rules read. Age rather than the birth date, and no
    home coordinates: decision support needs neither."""
    return {
        "cancer_type": profile.cancer_type,
        "cancer_type_code": cancer_type[0] if cancer_type else None,
        "cancer_type_name": cancer_type[1] if cancer_type else None,
        "stage_group": profile.stage_group,
        "pT": profile.pT,
        "pN": profile.pN,
        "pM": profile.pM,
        "metastatic": profile.metastatic,
        "advanced": profile.advanced,
        "histology": profile.histology,
        "biomarkers": {
            name: {"status": b.status, "alteration": b.alteration, "value": b.value}
            for name, b in sorted(profile.biomarkers.items())
        },
        "treatments": [
            {"name": t.name, "kind": t.kind, "date": t.date.isoformat() if t.date else None}
            for t in profile.treatments
        ],
        "ecog": profile.ecog,
        "brain_metastases": profile.brain_metastases,
        "measurable_disease": profile.measurable_disease,
        "sex": profile.sex,
        "age": profile.age_on(today or date.today()),
    }


def decision_support(
    profile: PatientProfile,
    *,
    knowledge: Knowledge | None = None,
    tree: OncoTree | None = None,
) -> DecisionSupport:
    knowledge = knowledge or shipped()
    tree = tree or shipped_tree()
    readings = read(profile)
    code = resolve_code(tree, profile.cancer_type)
    notes: list[str] = []
    if not profile.cancer_type:
        notes.append(
            "No cancer type is on file: testing and therapy rules are chosen by cancer type."
        )
    elif code is None:
        notes.append(
            f"The cancer type on file ({profile.cancer_type!r}) is not an OncoTree code or "
            "name: no rule can apply until it is corrected."
        )
    if code is not None and profile.advanced is None:
        notes.append(
            "The stage is not stated: rules that depend on it are shown with the condition."
        )
    return DecisionSupport(
        profile=profile,
        cancer_type=(code, type_name(tree, code)) if code else None,
        readings=readings,
        tests=tuple(testing.evaluate(profile, knowledge, tree, readings)),
        therapies=tuple(therapies.evaluate(profile, knowledge, tree, readings)),
        notes=tuple(notes),
        versions=knowledge.versions,
    )
