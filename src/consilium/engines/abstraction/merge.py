"""One summary of a case from the facts of all its records.

Each record proposes facts (the abstraction engine, a FHIR import) and people confirm,
correct, reject or enter them. For every fact name the summary answers one value:

1. rejected facts never answer;
2. a person's word (a confirmed or corrected fact, or one entered by hand) answers before
   any machine proposal;
3. a proposal too weak to stand (low confidence, or only "possible") does not answer: the
   summary says "not stated" and keeps the weak proposal visible;
4. a result answers before a placeholder ("pending", "not performed");
5. the record kind with authority for that kind of fact answers first (the pathology
   report for pathologic findings, the laboratory report for biomarkers...);
6. then the most recent (the date the record speaks for), then the more confident, then
   stated before inferred;
7. finally the most specific value wins over the one it refines, whatever their order
   (IDC over "breast cancer", T2a over T2, IIIA over III).

Values that disagree (neither equal nor one refining the other, e.g. ER positive and ER
negative, LUAD and LUSC) are a conflict: flagged with every candidate value and its
sources, never hidden, even once a person has settled it.

A lab value measured again over time (a fact marked ``series``: the serum tumour markers)
is a series instead: every value is kept with the date it was taken (``taken_on``), the
latest answers, and values disagree only on the same date (or both undated). PSA 8.1 in
January and 0.2 in June is a course, not a conflict.

The rules' data (authority orders, thresholds, labels) is ``knowledge/data/case_facts.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "case_facts.yaml"

PERSON_REVIEWS = frozenset({"confirmed", "corrected"})
REJECTED = "rejected"
MANUAL = "manual"


@cache
def rules() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def fact_spec(name: str) -> dict[str, Any]:
    """The data of a fact name; an unlisted name is a biomarker."""
    spec = rules()["facts"].get(name)
    if spec is not None:
        return spec
    return {"label": name, "group": "biomarkers", "authority": "laboratory"}


def label_of(name: str) -> str:
    return fact_spec(name)["label"]


def is_multiple(name: str) -> bool:
    return bool(fact_spec(name).get("multiple"))


def is_series(name: str) -> bool:
    """A lab value measured again over time: merged as a series of dated values."""
    return bool(fact_spec(name).get("series"))


def groups() -> list[tuple[str, str]]:
    return [(g["key"], g["label"]) for g in rules()["groups"]]


# --- the facts going in -------------------------------------------------------------------


@dataclass(frozen=True)
class FactRecord:
    """One fact of the case as plain data. ``value`` is the current value (a person's
    correction if there is one); ``proposed_value`` what the source said."""

    id: int | str
    name: str
    value: str
    proposed_value: str = ""
    display: str = ""
    basis: str = "stated"
    assertion: str = "present"
    confidence: float = 0.9
    review_status: str = "proposed"
    source: str = "text"
    document_id: int | None = None
    document_kind: str | None = None
    document_title: str = ""
    effective_date: date | None = None
    # The date the record states for itself (its collection, exam or visit date); None
    # when it states none (``effective_date`` then falls back to when it came in).
    record_date: date | None = None
    start: int | None = None
    end: int | None = None
    sentence: str = ""
    section: str = ""
    inferred_from: str = ""
    fhir_reference: str = ""
    reviewed_by: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def by_person(self) -> bool:
        return self.source == MANUAL or self.review_status in PERSON_REVIEWS

    @property
    def rejected(self) -> bool:
        return self.review_status == REJECTED

    @property
    def shown(self) -> str:
        """How people read the current value (a correction is described afresh)."""
        if self.display and (not self.proposed_value or self.value == self.proposed_value):
            return self.display
        return describe(self.name, self.value)


# --- comparing values ---------------------------------------------------------------------


def same_value(name: str, a: str, b: str) -> bool:
    if fact_spec(name).get("numeric"):
        try:
            return float(a) == float(b)
        except ValueError:
            pass
    if fact_spec(name).get("group") == "labs":
        la, lb = lab_quantity(a), lab_quantity(b)
        if la is not None and lb is not None:
            # "5.0" and "5 ng/mL" are one result; a unit only disagrees when both give one.
            return la[:2] == lb[:2] and (la[2] is None or lb[2] is None or la[2] == lb[2])
    return _key(a) == _key(b)


_LAB_VALUE = re.compile(r"^\s*(<=|>=|<|>)?\s*(\d+(?:\.\d+)?|\.\d+)\s*(\S.*)?$")


def lab_quantity(value: str) -> tuple[str, float, str | None] | None:
    """(comparator, number, unit) of a lab value as written ("<0.1 ng/mL"), else None."""
    m = _LAB_VALUE.match(str(value))
    if m is None:
        return None
    unit = _key(m.group(3)) if m.group(3) else None
    return m.group(1) or "", float(m.group(2)), unit


def _key(value: str) -> str:
    return " ".join(str(value).split()).casefold()


_TNM_PREFIX = re.compile(r"^(?:y?[cpra]|yp|yc|r|a)?(?=[TNM])", re.IGNORECASE)


def tnm_core(value: str) -> str:
    """ "pT2a" → "T2A"; the prefix (c, p, yp...) says how it was assigned, not what it is."""
    return _TNM_PREFIX.sub("", value.strip()).upper()


def _refines_tnm(a: str, b: str) -> bool:
    a, b = tnm_core(a), tnm_core(b)
    if a == b or len(b) < 2 or a[:1] != b[:1]:
        return False
    if b[1:] == "X":  # TX, NX, MX: not assessed; any assessed category says more
        return a[1:] != "X"
    return a.startswith(b) and not a[len(b)].isdigit()


def stage_core(value: str) -> str:
    return re.sub(r"^\s*stage\s*", "", value, flags=re.IGNORECASE).strip().upper()


def _refines_stage(a: str, b: str) -> bool:
    a, b = stage_core(a), stage_core(b)
    # "IIIA" refines "III"; "III" does not refine "II" (the next numeral continues it).
    return a != b and a.startswith(b) and bool(b) and a[len(b)] not in "IVX"


def _oncotree_refiner() -> Callable[[str, str], bool]:
    from consilium.engines.knowledge.oncotree import current_tree

    tree = current_tree()

    def refines(a: str, b: str) -> bool:
        a, b = a.strip().upper(), b.strip().upper()
        return a != b and b in tree.ancestors(a)

    return refines


def refiner(name: str) -> Callable[[str, str], bool] | None:
    """``refines(a, b)``: whether value a is more specific than value b (within it)."""
    kind = fact_spec(name).get("specificity")
    if kind == "tnm":
        return _refines_tnm
    if kind == "stage":
        return _refines_stage
    if kind == "oncotree":
        return _oncotree_refiner()
    return None


def compatible(name: str, a: str, b: str, refines=None) -> bool:
    """Equal, or one more specific than the other: no conflict between them."""
    if same_value(name, a, b):
        return True
    refines = refines if refines is not None else refiner(name)
    return refines is not None and (refines(a, b) or refines(b, a))


# --- the summary going out ----------------------------------------------------------------


@dataclass(frozen=True)
class ValueGroup:
    """One candidate value and every fact that says it."""

    value: str
    shown: str
    facts: tuple[FactRecord, ...]

    @property
    def documents(self) -> list[int]:
        return sorted({f.document_id for f in self.facts if f.document_id is not None})


# What dates a lab value: its own sentence, the record's stated date, the FHIR resource's
# effective date, or the date a person gave with it.
DATED_BY = {
    "sentence": "date in its sentence",
    "record": "date of the record",
    "resource": "date of the FHIR resource",
    "person": "date given by a person",
}


def _iso_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def taken_on(fact: FactRecord) -> tuple[date | None, str]:
    """(date, what says so) of a lab value; (None, "") when it is not known.

    The date written with the value comes first. A value read from a record without one
    takes the date the record states for itself (a laboratory report's collection date, a
    note's visit date), unless the text says it is from the past ("prior PSA 8"); never
    the day the record was uploaded, which says nothing about when blood was drawn."""
    when = _iso_date((fact.detail or {}).get("date") or "")
    if when is not None:
        return when, "sentence"
    if fact.source == "fhir":
        return (fact.effective_date, "resource") if fact.effective_date else (None, "")
    if fact.source == MANUAL:
        return (fact.effective_date, "person") if fact.effective_date else (None, "")
    if fact.assertion == "historical" or fact.record_date is None:
        return None, ""
    return fact.record_date, "record"


@dataclass(frozen=True)
class SeriesPoint:
    """One value of a lab series: a value on a date (``on`` None: not known) and every
    fact that says it, the best first."""

    on: date | None
    dated_by: str  # a key of DATED_BY, "" when undated
    value: str
    facts: tuple[FactRecord, ...]
    conflict: bool = False  # another value on the same date (or another undated value)
    placeholder: bool = False  # pending or not performed, not a result

    @property
    def best(self) -> FactRecord:
        return self.facts[0]

    @property
    def dated_by_label(self) -> str:
        return DATED_BY.get(self.dated_by, "")

    @property
    def quantity(self) -> tuple[str, float, str | None] | None:
        return lab_quantity(self.value)

    @property
    def comparator(self) -> str | None:
        q = self.quantity
        return (q[0] or None) if q else None

    @property
    def number(self) -> float | None:
        q = self.quantity
        return q[1] if q else None

    @property
    def unit(self) -> str | None:
        """The unit as written ("ng/mL"), None when the value gives none."""
        m = _LAB_VALUE.match(self.value)
        return m.group(3).strip() if m and m.group(3) else None

    @property
    def elevated(self) -> bool | None:
        """Above the reference range, as the source says; None when it does not say, or
        when a person corrected the value (the flag was read with the old one)."""
        for f in self.facts:
            flag = (f.detail or {}).get("elevated")
            if isinstance(flag, bool) and (not f.proposed_value or f.value == f.proposed_value):
                return flag
        return None

    @property
    def documents(self) -> list[int]:
        return sorted({f.document_id for f in self.facts if f.document_id is not None})

    def label(self, name: str) -> str:
        """ "PSA 8.1 ng/mL (elevated)": the value as a lab event."""
        if self.elevated is None:
            return f"{name} {self.value}"
        return f"{name} {self.value} ({'elevated' if self.elevated else 'not elevated'})"


@dataclass(frozen=True)
class MergedFact:
    name: str
    label: str
    group: str
    chosen: FactRecord | None  # None: not stated
    why: str  # which rule chose it, in words
    values: tuple[ValueGroup, ...]  # every value in play, the chosen one first
    conflict: bool  # values disagree (neither equal nor one refining the other)
    resolved: bool  # a conflict a person has settled (their word is the only one left)
    weak: tuple[FactRecord, ...] = ()  # proposals too weak to answer
    rejected: tuple[FactRecord, ...] = ()
    # A lab series (``is_series``): every value by date, latest first, undated last.
    series: tuple[SeriesPoint, ...] = ()

    @property
    def is_series(self) -> bool:
        return is_series(self.name)

    @property
    def value(self) -> str | None:
        return self.chosen.value if self.chosen else None

    @property
    def shown(self) -> str:
        return self.chosen.shown if self.chosen else "Not stated"

    @property
    def stated(self) -> bool:
        return self.chosen is not None

    @property
    def facts(self) -> tuple[FactRecord, ...]:
        out = [f for g in self.values for f in g.facts]
        return (*out, *self.weak, *self.rejected)


@dataclass(frozen=True)
class CaseSummary:
    facts: dict[str, MergedFact]  # one per name, in display order
    treatments: tuple[FactRecord, ...]  # every treatment fact that is not rejected

    def get(self, name: str) -> MergedFact | None:
        return self.facts.get(name)

    def value(self, name: str) -> str | None:
        merged = self.facts.get(name)
        return merged.value if merged else None

    @property
    def conflicts(self) -> list[MergedFact]:
        return [m for m in self.facts.values() if m.conflict]

    @property
    def open_conflicts(self) -> list[MergedFact]:
        return [m for m in self.facts.values() if m.conflict and not m.resolved]

    def by_group(self) -> list[tuple[str, str, list[MergedFact]]]:
        out = []
        for key, label in groups():
            items = [m for m in self.facts.values() if m.group == key]
            if items:
                out.append((key, label, items))
        return out

    @property
    def advanced(self) -> bool | None:
        """Stage IV, M1 or metastatic disease known: True; known otherwise: False; else None."""
        stage = self.value("stage_group")
        pm = self.value("pM")
        metastatic = self.value("metastatic")
        if metastatic is not None and _key(metastatic) in {"true", "yes", "present", "positive"}:
            return True
        if stage and stage_core(stage).startswith("IV"):
            return True
        if pm and tnm_core(pm).startswith("M1"):
            return True
        if stage or (pm and tnm_core(pm) == "M0"):
            return False
        return None


def _thresholds() -> dict[str, Any]:
    return rules()["evidence"]


def is_weak(fact: FactRecord) -> bool:
    """A machine proposal too weak to answer the summary on its own."""
    if fact.by_person:
        return False
    ev = _thresholds()
    if fact.assertion in ev["weak_assertions"]:
        return True
    floor = (
        ev["min_inferred_confidence"] if fact.basis == "inferred" else ev["min_stated_confidence"]
    )
    return fact.confidence < floor


def is_placeholder(fact: FactRecord) -> bool:
    ev = _thresholds()
    return fact.assertion in ev["placeholder_assertions"] or _key(fact.value) in {
        _key(v) for v in ev["placeholder_values"]
    }


def authority_rank(name: str, fact: FactRecord) -> int:
    order = rules()["authority"][fact_spec(name)["authority"]]
    kind = fact.document_kind or ("fhir" if fact.source == "fhir" else None)
    return order.index(kind) if kind in order else len(order)


def _rank(name: str, fact: FactRecord) -> tuple:
    """Smaller is better; total over distinct ids, so input order never matters."""
    when = fact.effective_date
    return (
        0 if fact.by_person else 1,
        1 if is_placeholder(fact) else 0,
        authority_rank(name, fact),
        -(when.toordinal() if when else 0),
        -fact.confidence,
        0 if fact.basis == "stated" else 1,
        str(type(fact.id).__name__),
        fact.id,
    )


def _why(name: str, chosen: FactRecord, rivals: Sequence[FactRecord], refined: bool) -> str:
    if chosen.source == MANUAL:
        return "entered by a person"
    if chosen.by_person:
        return f"{chosen.review_status} by a person"
    if len(rivals) == 1:
        return "the only proposal"
    if refined:
        return "the most specific value"
    others = [
        f for f in rivals if f.id != chosen.id and not same_value(name, f.value, chosen.value)
    ]
    if not others:
        return "every record agrees"
    best_other = min(others, key=lambda f: _rank(name, f))
    if is_placeholder(best_other) and not is_placeholder(chosen):
        return "a result rather than a pending test"
    if authority_rank(name, chosen) < authority_rank(name, best_other):
        kind = (chosen.document_kind or chosen.source).replace("_", " ")
        return f"the {kind} speaks for this finding"
    if (chosen.effective_date or date.min) > (best_other.effective_date or date.min):
        return "the most recent record"
    return "the most confident proposal"


def merge_name(
    name: str, facts: Iterable[FactRecord], refines: Callable[[str, str], bool] | None = None
) -> MergedFact:
    """The merged answer for one fact name from all its facts."""
    spec = fact_spec(name)
    refines = refines if refines is not None else refiner(name)
    all_facts = [f for f in facts if f.name == name]
    rejected = tuple(sorted((f for f in all_facts if f.rejected), key=lambda f: _rank(name, f)))
    live = [f for f in all_facts if not f.rejected]
    eligible = sorted((f for f in live if not is_weak(f)), key=lambda f: _rank(name, f))
    weak = tuple(sorted((f for f in live if is_weak(f)), key=lambda f: _rank(name, f)))

    if is_series(name):
        return _merge_series(name, spec, eligible, weak, rejected)

    chosen, refined = None, False
    if eligible:
        chosen = eligible[0]
        if refines is not None:
            # A more specific value of the same standing wins over the value it refines.
            tier = [
                f
                for f in eligible
                if f.by_person == chosen.by_person and is_placeholder(f) == is_placeholder(chosen)
            ]
            better = [f for f in tier if refines(f.value, chosen.value)]
            while better:
                deepest = max(
                    better, key=lambda f: sum(1 for g in better if refines(f.value, g.value))
                )
                chosen, refined = deepest, True
                better = [f for f in tier if refines(f.value, chosen.value)]

    ordered = ([chosen] if chosen else []) + [f for f in eligible if f is not chosen]
    values = _group_values(name, ordered)

    results = [g for g in values if not all(is_placeholder(f) for f in g.facts)]
    conflict = any(
        not compatible(name, a.value, b.value, refines)
        for i, a in enumerate(results)
        for b in results[i + 1 :]
    )
    resolved = False
    if conflict and chosen is not None and chosen.by_person:
        # Settled when no other person's word disagrees with the chosen value.
        resolved = not any(
            f.by_person and not compatible(name, f.value, chosen.value, refines)
            for g in results
            for f in g.facts
        )
    return MergedFact(
        name=name,
        label=spec["label"],
        group=spec["group"],
        chosen=chosen,
        why=_why(name, chosen, eligible, refined) if chosen else "no record states it",
        values=tuple(values),
        conflict=conflict,
        resolved=resolved,
        weak=weak,
        rejected=rejected,
    )


def _series_points(name: str, eligible: Sequence[FactRecord]) -> list[SeriesPoint]:
    """The values of a series by date (latest first, undated last), each with its facts;
    ``eligible`` comes best first, so within a date the best-backed value leads."""
    by_date: dict[date | None, list[FactRecord]] = {}
    for fact in eligible:
        by_date.setdefault(taken_on(fact)[0], []).append(fact)
    points: list[SeriesPoint] = []
    for on in sorted(by_date, key=lambda d: (d is None, -(d.toordinal() if d else 0))):
        groups = _group_values(name, by_date[on])
        results = [g for g in groups if not all(is_placeholder(f) for f in g.facts)]
        disagree = any(
            not compatible(name, a.value, b.value)
            for i, a in enumerate(results)
            for b in results[i + 1 :]
        )
        for group in groups:
            placeholder = all(is_placeholder(f) for f in group.facts)
            points.append(
                SeriesPoint(
                    on=on,
                    dated_by=taken_on(group.facts[0])[1],
                    value=group.value,
                    facts=group.facts,
                    conflict=disagree and not placeholder,
                    placeholder=placeholder,
                )
            )
    return points


def _merge_series(
    name: str,
    spec: Mapping[str, Any],
    eligible: list[FactRecord],
    weak: tuple[FactRecord, ...],
    rejected: tuple[FactRecord, ...],
) -> MergedFact:
    """A lab series: the latest result answers (a pending test never does while a result
    exists); on the same date, or among undated values only, the usual rules choose."""
    points = _series_points(name, eligible)
    results = [p for p in points if not p.placeholder] or points
    dated = [p.on for p in results if p.on is not None]
    latest = max(dated, default=None)
    candidates = [p for p in results if p.on == latest]
    chosen = min((p.best for p in candidates), key=lambda f: _rank(name, f)) if points else None

    # A conflict is settled when, on each date where values disagree, a person's word
    # chose the value and no other person's word disagrees with it.
    conflict, resolved = False, True
    for on in dict.fromkeys(p.on for p in points if p.conflict):
        conflict = True
        same_day = [f for p in points if p.on == on and not p.placeholder for f in p.facts]
        best = min(same_day, key=lambda f: _rank(name, f))
        resolved = (
            resolved
            and best.by_person
            and not any(f.by_person and not compatible(name, f.value, best.value) for f in same_day)
        )

    why = "no record states it"
    if chosen is not None:
        same_day = [f for p in points if p.on == latest for f in p.facts]
        others = len(results) > len(candidates)  # values of other dates, or undated
        if latest is not None and others and not any(p.conflict for p in candidates):
            why = "the latest value" if len(dated) == len(results) else "the latest dated value"
            if chosen.by_person:
                why += f", {_why(name, chosen, same_day, False)}"
        else:
            why = _why(name, chosen, same_day, False)

    ordered = ([chosen] if chosen else []) + [f for p in points for f in p.facts if f is not chosen]
    values = _group_values(name, ordered)
    return MergedFact(
        name=name,
        label=spec["label"],
        group=spec["group"],
        chosen=chosen,
        why=why,
        values=tuple(values),
        conflict=conflict,
        resolved=conflict and resolved,
        weak=weak,
        rejected=rejected,
        series=tuple(points),
    )


def merge(facts: Iterable[FactRecord]) -> CaseSummary:
    """The case summary: one merged fact per name (treatments listed, not merged)."""
    facts = list(facts)
    names = sorted({f.name for f in facts})
    merged: dict[str, MergedFact] = {}
    for name in names:
        if is_multiple(name):
            continue
        merged[name] = merge_name(name, (f for f in facts if f.name == name))
    order = {key: i for i, (key, _label) in enumerate(groups())}
    listed = list(rules()["facts"])
    ordered = sorted(
        merged.values(),
        key=lambda m: (
            order.get(m.group, len(order)),
            listed.index(m.name) if m.name in listed else len(listed),
            m.name.casefold(),
        ),
    )
    treatments = tuple(
        sorted(
            (f for f in facts if is_multiple(f.name) and not f.rejected),
            key=lambda f: (f.effective_date or date.max, str(f.id)),
        )
    )
    return CaseSummary({m.name: m for m in ordered}, treatments)


# --- a person's value -------------------------------------------------------------------

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+/-]{0,59}$")
STATUS_WORDS = (
    "positive",
    "negative",
    "equivocal",
    "pending",
    "not_performed",
    "low",
    "high",
    "retained",
    "lost",
    "present",
    "absent",
)
_TNM_VALUE = {
    "pT": re.compile(r"^T(?:X|0|is(?:\s*\((?:DCIS|LCIS|Paget)\))?|[1-4](?:mi|[a-e]\d?)?)$", re.I),
    "pN": re.compile(r"^N(?:X|0(?:\(i[+-]\)|\(mol[+-]\))?|[1-3](?:mi|[a-c])?)$", re.I),
    "pM": re.compile(r"^M(?:X|0|1(?:[a-d]\d?)?)$", re.I),
}
_STAGE_VALUE = re.compile(r"^(?:0|0is|I{1,3}|IV)(?:[A-C]\d?)?$")


class InvalidValue(ValueError):
    """A person's value for a fact that cannot be right; the message says why."""


def normalize_value(name: str, raw: str) -> str:
    """Check and tidy a value a person gives for a fact (a correction or a manual entry).
    Raises ``InvalidValue`` with the reason."""
    value = " ".join(str(raw or "").split())
    if not value:
        raise InvalidValue("a value is required")
    if len(value) > 300:
        raise InvalidValue("the value is longer than 300 characters")
    if name in _TNM_VALUE:
        core = _TNM_PREFIX.sub("", value)
        if not _TNM_VALUE[name].match(core):
            axis = name[1]
            raise InvalidValue(
                f"{value!r} is not an AJCC {axis} category (e.g. {axis}1, {axis}2a, {axis}X)"
            )
        return core[0].upper() + core[1:]
    if name == "stage_group":
        core = stage_core(value)
        if not _STAGE_VALUE.match(core):
            raise InvalidValue(f"{value!r} is not a stage group (e.g. IIA, IIIB, IV)")
        return core
    if name == "cancer_type":
        from consilium.engines.knowledge.oncotree import current_tree

        codes = current_tree().resolve(value)
        if len(codes) != 1:
            raise InvalidValue(
                f"{value!r} is not one OncoTree code or name (e.g. IDC, LUAD, COAD)"
                if not codes
                else f"{value!r} names several OncoTree types ({', '.join(codes)}); give the code"
            )
        return codes[0]
    if fact_spec(name).get("numeric"):
        try:
            number = float(value.removesuffix("cm").strip())
        except ValueError:
            raise InvalidValue(f"{value!r} is not a number") from None
        if number < 0:
            raise InvalidValue("the number cannot be negative")
        return f"{number:g}"
    if fact_spec(name)["group"] == "biomarkers" and name not in rules()["facts"]:
        word = value.lower().replace(" ", "_")
        if word in STATUS_WORDS:
            return word
    if fact_spec(name)["group"] == "biomarkers" and name in {"ER", "PR", "HER2"}:
        word = value.lower().replace(" ", "_")
        if word not in STATUS_WORDS:
            raise InvalidValue(
                f"{value!r} is not a result status (positive, negative, equivocal, pending, "
                "not_performed)"
            )
        return word
    return value


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.match(name):
        raise InvalidValue(
            "a fact name is 1 to 60 letters, digits, spaces or . _ + / - (e.g. ER, pT, CEA)"
        )
    return name


def describe(name: str, value: Any, detail: Mapping[str, Any] | None = None) -> str:
    """How people read a proposed value: "IDC — Breast Invasive Ductal Carcinoma",
    "positive (95%)", "1.8 cm"."""
    detail = detail or {}
    text = str(value)
    if name == "cancer_type":
        from consilium.engines.knowledge.oncotree import current_tree

        node = current_tree().by_code(text)
        return f"{node.name} ({node.code})" if node else text
    if name == "histology" and detail.get("name"):
        return f"{detail['name']} ({text})"
    if name == "tumour_size_cm":
        return f"{text} cm"
    if fact_spec(name).get("group") == "labs" and "value" in detail:
        # A serum marker read from text: its value says the number and unit already.
        notes = [str(detail["date"])] if detail.get("date") else []
        if detail.get("elevated") is not None:
            notes.append("elevated" if detail["elevated"] else "not elevated")
        return f"{text} ({', '.join(notes)})" if notes else text
    extras = [
        str(detail[k])
        for k in ("alteration", "protein_change", "percent", "ihc_score", "score", "value")
        if detail.get(k) not in (None, "") and str(detail[k]) != text
    ]
    extras = list(dict.fromkeys(extras))
    return f"{text} ({', '.join(extras)})" if extras else text


def _group_values(name: str, ordered: list[FactRecord]) -> list[ValueGroup]:
    """The distinct values among ``ordered`` facts, in order, each with the facts that
    give it (the chosen answer first)."""
    values: list[ValueGroup] = []
    for fact in ordered:
        for i, group in enumerate(values):
            if same_value(name, group.value, fact.value):
                values[i] = ValueGroup(group.value, group.shown, (*group.facts, fact))
                break
        else:
            values.append(ValueGroup(fact.value, fact.shown, (fact,)))
    return values
