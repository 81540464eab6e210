"""What testing and therapy rules share: which cancer types a rule covers (OncoTree
subtrees) and the conditions on the patient's setting, both answered in three values.

``True`` the rule applies, ``False`` it does not, ``None`` it would if something not on
file were true; then ``unknown`` says what, as a condition a person reads ("if stage III
or higher (the stage is not stated)"). Rules never guess: a condition that cannot be
decided is shown, not dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from consilium.engines.decision.markers import EQUIVOCAL, NEGATIVE, POSITIVE, Reading
from consilium.engines.decision.profile import PatientProfile
from consilium.engines.knowledge.oncotree import OncoTree

#: Stands for every solid tumour type (OncoTree tissue not blood-forming), for
#: tumour-agnostic approvals.
SOLID = "SOLID"


@dataclass(frozen=True)
class Verdict:
    holds: bool | None
    unknown: tuple[str, ...] = ()

    @classmethod
    def yes(cls) -> Verdict:
        return cls(True)

    @classmethod
    def no(cls) -> Verdict:
        return cls(False)

    @classmethod
    def maybe(cls, *unknown: str) -> Verdict:
        return cls(None, tuple(unknown))


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    unknown: list[str] = []
    for v in verdicts:
        if v.holds is False:
            return Verdict.no()
        if v.holds is None:
            unknown.extend(u for u in v.unknown if u not in unknown)
    return Verdict.maybe(*unknown) if unknown else Verdict.yes()


def resolve_code(tree: OncoTree, code: str | None) -> str | None:
    """The OncoTree code for a code or name on file, or None when there is none."""
    if not code or not str(code).strip():
        return None
    codes = tree.resolve(str(code).strip())
    return codes[0] if codes else None


def type_name(tree: OncoTree, code: str) -> str:
    if code == SOLID:
        return "any solid tumour"
    node = tree.by_code(code)
    return node.name if node else code


@dataclass(frozen=True)
class Scope:
    """The cancer types a rule covers: every code under ``include`` (or every solid
    tumour for ``SOLID``), except those under ``exclude``."""

    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def excludes(self, tree: OncoTree, code: str) -> bool:
        return any(tree.is_within(code, e) for e in self.exclude)

    def check(self, tree: OncoTree, code: str | None) -> Verdict:
        if code is None or tree.by_code(code) is None:
            return Verdict.no()
        if self.excludes(tree, code):
            return Verdict.no()
        included = False
        narrower: list[str] = []  # covered types below a less specific diagnosis
        for inc in self.include:
            if inc == SOLID:
                liquid = tree.is_liquid(code)
                if liquid is False:
                    included = True
                elif liquid is None:
                    narrower.append("a solid tumour")
            elif tree.is_within(code, inc):
                included = True
            elif inc in tree.descendants(code):
                # The diagnosis on file is broader (NSCLC for a LUAD rule, LUNG for an
                # NSCLC rule): the rule applies if the tumour is the narrower type.
                narrower.append(type_name(tree, inc))
            if included:
                break
        unknown: list[str] = []
        if not included:
            if not narrower:
                return Verdict.no()
            unknown.append(f"if {' or '.join(narrower)} (the cancer type on file is broader)")
        left_out = [e for e in self.exclude if e != code and e in tree.descendants(code)]
        if left_out:
            names = " or ".join(type_name(tree, e) for e in left_out)
            unknown.append(f"if not {names} (the cancer type on file is broader)")
        return Verdict.maybe(*unknown) if unknown else Verdict.yes()


# --- the setting --------------------------------------------------------------------------

_ROMAN = {"0": 0, "I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_STAGE = re.compile(r"^\s*(?:stage\s*)?[cpyr]?\s*(IV|III|II|I|0|[1-4])\s*([A-D])?", re.I)


def parse_stage(text: str | None) -> tuple[int, str | None] | None:
    """("IIIA") -> (3, "A"); ("Stage IV") -> (4, None); None when not a stage group."""
    if not text:
        return None
    m = _STAGE.match(str(text))
    if not m:
        return None
    return _ROMAN[m.group(1).upper()], (m.group(2) or "").upper() or None


def _stage_label(stage: tuple[int, str | None]) -> str:
    roman = {0: "0", 1: "I", 2: "II", 3: "III", 4: "IV"}[stage[0]]
    return roman + (stage[1] or "")


def _markers_phrase(markers: Iterable[str], joiner: str) -> str:
    names = list(markers)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {joiner} " + names[-1]


@dataclass(frozen=True)
class Conditions:
    """A rule's setting: every condition given must hold."""

    advanced: bool | None = None
    stage_at_least: str | None = None
    stage_in: tuple[str, ...] = ()
    positive_any: tuple[str, ...] = ()
    negative_all: tuple[str, ...] = ()

    KEYS = ("advanced", "stage_at_least", "stage_in", "positive_any", "negative_all")

    @property
    def is_empty(self) -> bool:
        return self == Conditions()

    def check(
        self,
        profile: PatientProfile,
        readings: Mapping[str, Reading],
        *,
        markers: bool = True,
    ) -> Verdict:
        """``markers=False`` checks the stage conditions only (for an option shown from
        another cancer type, whose marker conditions belong to that type)."""
        verdicts = []
        if self.advanced is not None:
            verdicts.append(self._advanced(profile))
        if self.stage_at_least:
            verdicts.append(self._at_least(profile))
        if self.stage_in:
            verdicts.append(self._stage_in(profile))
        if markers and self.positive_any:
            verdicts.append(self._positive_any(readings))
        if markers and self.negative_all:
            verdicts.append(self._negative_all(readings))
        return all_of(verdicts)

    def _advanced(self, profile: PatientProfile) -> Verdict:
        advanced = profile.advanced
        if advanced is None:
            return Verdict.maybe(
                "if advanced or metastatic (the stage is not stated)"
                if self.advanced
                else "if not metastatic (the stage is not stated)"
            )
        return Verdict(advanced == self.advanced)

    def _at_least(self, profile: PatientProfile) -> Verdict:
        floor = parse_stage(self.stage_at_least)
        assert floor is not None  # checked when the rule file is loaded
        stage = parse_stage(profile.stage_group)
        if stage is None:
            if profile.advanced:
                return Verdict.yes()  # metastatic is stage IV
            return Verdict.maybe(
                f"if stage {self.stage_at_least} or higher (the stage is not stated)"
            )
        return Verdict(stage[0] >= floor[0])

    def _stage_in(self, profile: PatientProfile) -> Verdict:
        wanted = [parse_stage(s) for s in self.stage_in]
        stage = parse_stage(profile.stage_group)
        listed = _markers_phrase(self.stage_in, "or")
        if stage is None:
            if profile.advanced:
                return Verdict(any(w and w[0] == 4 for w in wanted))
            return Verdict.maybe(f"if stage {listed} (the stage is not stated)")
        vague = False
        for w in wanted:
            if w is None or w[0] != stage[0]:
                continue
            if w[1] is None or w[1] == stage[1]:
                return Verdict.yes()
            if stage[1] is None:
                vague = True  # "III" on file, "IIIA" wanted
        if vague:
            return Verdict.maybe(
                f"if stage {listed} (stage {_stage_label(stage)} on file has no substage)"
            )
        return Verdict.no()

    def _positive_any(self, readings: Mapping[str, Reading]) -> Verdict:
        found = [readings.get(m) for m in self.positive_any]
        if any(r is not None and r.result == POSITIVE for r in found):
            return Verdict.yes()
        if all(r is not None and r.result == NEGATIVE for r in found):
            return Verdict.no()
        phrase = _markers_phrase(self.positive_any, "or")
        return Verdict.maybe(f"if {phrase} is positive (not stated)")

    def _negative_all(self, readings: Mapping[str, Reading]) -> Verdict:
        found = [readings.get(m) for m in self.negative_all]
        if any(r is not None and r.result == POSITIVE for r in found):
            return Verdict.no()
        if all(r is not None and r.result == NEGATIVE for r in found):
            return Verdict.yes()
        phrase = _markers_phrase(self.negative_all, "and")
        why = (
            "equivocal"
            if any(r is not None and r.result == EQUIVOCAL for r in found)
            else "not stated"
        )
        verb = "is" if len(found) == 1 else "are"
        return Verdict.maybe(f"if {phrase} {verb} negative ({why})")
