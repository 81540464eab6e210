"""Biomarker-matched therapy options, with their tier of evidence, and resistance markers.

An entry of ``data/therapies.yaml`` matches when each of its requirements holds for the
patient's biomarker readings. It is **matched** when every requirement holds as stated,
**possible** when a marker is positive but the detail the entry needs is not on file
(EGFR "positive" with no variant named, for an entry that needs L858R; HER2 negative
with no IHC score, for HER2-low). Possible options say what is missing.

Tier is relative to the patient's cancer type: an entry's own tier inside the OncoTree
subtrees it covers; outside them an entry marked ``elsewhere`` (an approval for the same
biomarker in another cancer type) is shown as tier 2, unless its drugs are already tier
1 for this patient.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consilium.engines.decision.knowledge import (
    Knowledge,
    Requirement,
    Source,
    TherapyEntry,
    shipped,
)
from consilium.engines.decision.markers import POSITIVE, Reading, read
from consilium.engines.decision.profile import PatientProfile
from consilium.engines.decision.rules import Verdict, all_of, resolve_code, type_name
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree

TIER_LABELS = {
    "1": "FDA-approved for this biomarker in this cancer type",
    "2": "Approved for this biomarker in another cancer type, or recommended by a guideline",
    "3": "Clinical evidence only; investigational",
    "R": "Resistance: the biomarker predicts lack of benefit from these drugs",
}
TIER_ORDER = {"1": 0, "2": 1, "3": 2, "R": 3}
MATCHED, POSSIBLE = "matched", "possible"

# Alteration words that name no variant: an entry needing a specific one is "possible".
_GENERIC = re.compile(
    r"^(positive|pos|mutation|mutated|mutant|detected|present|altered|alteration|variant|"
    r"pathogenic( variant)?|likely pathogenic|deleterious)?$",
    re.IGNORECASE,
)

MET, UNVERIFIED, NOT_MET = "met", "unverified", "not_met"


@dataclass(frozen=True)
class TherapyOption:
    id: str  # "therapy:<entry id>": stable, used to add it to the recommendations
    biomarker: str  # what the entry needs, in words
    evidence: str  # what the patient has ("EGFR L858R")
    drugs: tuple[str, ...]
    tier: str
    match: str  # matched | possible
    missing: tuple[str, ...]  # for a possible match: what is not on file
    setting: str
    cancer_types: tuple[tuple[str, str], ...]  # (code, name) the entry covers
    approved_elsewhere: bool
    applies_if: tuple[str, ...]
    note: str
    sources: tuple[Source, ...]

    @property
    def resistance(self) -> bool:
        return self.tier == "R"

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "biomarker": self.biomarker,
            "evidence": self.evidence,
            "drugs": list(self.drugs),
            "tier": self.tier,
            "tier_label": self.tier_label,
            "resistance": self.resistance,
            "match": self.match,
            "missing": list(self.missing),
            "setting": self.setting,
            "cancer_types": [{"code": c, "name": n} for c, n in self.cancer_types],
            "approved_elsewhere": self.approved_elsewhere,
            "applies_if": list(self.applies_if),
            "note": self.note,
            "sources": [s.to_dict() for s in self.sources],
        }


def check_requirement(
    req: Requirement, readings: Mapping[str, Reading]
) -> tuple[str, Reading | None, str]:
    """(met | unverified | not_met, the reading it rests on, what is missing)."""
    best: tuple[str, Reading | None, str] = (NOT_MET, None, "")
    for name in req.markers:
        r = readings.get(name)
        if r is None:
            continue
        if r.result not in req.results:
            if POSITIVE not in req.results and r.result == POSITIVE:
                return NOT_MET, r, ""  # wanted wild-type, found a mutation
            continue
        verdict, missing = _qualifiers(req, r)
        if verdict == MET:
            return MET, r, ""
        if verdict == UNVERIFIED and best[0] == NOT_MET:
            best = (UNVERIFIED, r, missing)
    return best


def _qualifiers(req: Requirement, r: Reading) -> tuple[str, str]:
    verdict, missing = MET, ""
    text = r.searchable
    if req.not_alteration is not None and r.alteration and req.not_alteration.search(r.alteration):
        return NOT_MET, ""
    if req.alteration is not None and not req.alteration.search(text):
        if r.alteration is None or _GENERIC.match(r.alteration.strip()):
            verdict, missing = UNVERIFIED, f"the {r.marker} alteration is not named"
        else:
            return NOT_MET, ""
    if req.ihc:
        if r.ihc is None:
            verdict, missing = UNVERIFIED, f"the {r.marker} IHC score is not stated"
        elif r.ihc not in req.ihc:
            return NOT_MET, ""
    if req.score:
        key = "TMB" if req.score == "TMB" else req.score
        value = r.scores.get(key)
        if value is None:
            verdict, missing = UNVERIFIED, f"the {r.marker} {req.score} is not stated"
        elif (req.min is not None and value < req.min) or (req.max is not None and value > req.max):
            return NOT_MET, ""
    return verdict, missing


def _match(entry: TherapyEntry, readings: Mapping[str, Reading]):
    """(matched | possible | None, evidence readings, missing notes)."""
    for name in entry.unless:
        r = readings.get(name)
        if r is not None and r.result == POSITIVE:
            return None, [], []
    evidence: list[Reading] = []
    missing: list[str] = []
    for req in entry.requires:
        verdict, reading, note = check_requirement(req, readings)
        if verdict == NOT_MET:
            return None, [], []
        if reading is not None and reading not in evidence:
            evidence.append(reading)
        if verdict == UNVERIFIED:
            missing.append(note)
    return (POSSIBLE if missing else MATCHED), evidence, missing


def _drug_key(drug: str) -> str:
    """The drug itself, without its partners or setting: "trastuzumab with chemotherapy
    (...)" -> "trastuzumab"."""
    return re.split(r"\s+(?:with|and|\(|alone|after)\b|\s*\(", drug.strip().lower())[0]


def evaluate(
    profile: PatientProfile,
    knowledge: Knowledge | None = None,
    tree: OncoTree | None = None,
    readings: Mapping[str, Reading] | None = None,
) -> list[TherapyOption]:
    knowledge = knowledge or shipped()
    tree = tree or shipped_tree()
    readings = read(profile) if readings is None else readings
    code = resolve_code(tree, profile.cancer_type)
    found: list[tuple[int, TherapyOption]] = []
    for order, entry in enumerate(knowledge.therapies):
        match, evidence, missing = _match(entry, readings)
        if match is None or (match == POSSIBLE and not entry.offer_possible):
            continue
        scope = entry.scope.check(tree, code)
        elsewhere = False
        tier = entry.tier
        if scope.holds is False:
            if not (entry.elsewhere and code is not None and not entry.scope.excludes(tree, code)):
                continue
            # Approved for this biomarker in another cancer type: tier 2 here. The
            # entry's marker conditions (HR-positive...) belong to that type.
            elsewhere, tier = True, "2"
            setting: Verdict = entry.when.check(profile, readings, markers=False)
        else:
            setting = all_of([scope, entry.when.check(profile, readings)])
        if setting.holds is False:
            continue
        types = tuple((c, type_name(tree, c)) for c in entry.scope.include)
        note = entry.note
        if elsewhere:
            names = ", ".join(n for _, n in types)
            note = (
                f"FDA-approved for this biomarker in {names}; not in this cancer type. " + note
            ).strip()
        found.append(
            (
                order,
                TherapyOption(
                    id=f"therapy:{entry.id}",
                    biomarker=entry.biomarker,
                    evidence="; ".join(r.text for r in evidence),
                    drugs=entry.drugs,
                    tier=tier,
                    match=match,
                    missing=tuple(missing),
                    setting=entry.setting,
                    cancer_types=types,
                    approved_elsewhere=elsewhere,
                    applies_if=setting.unknown,
                    note=note,
                    sources=entry.sources,
                ),
            )
        )
    tier1 = {_drug_key(d) for _, o in found if o.tier == "1" for d in o.drugs}
    kept = [
        (order, o)
        for order, o in found
        if not (o.approved_elsewhere and all(_drug_key(d) in tier1 for d in o.drugs))
    ]
    kept.sort(key=lambda x: (TIER_ORDER[x[1].tier], x[1].match != MATCHED, x[0]))
    return [o for _, o in kept]
