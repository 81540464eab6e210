"""Loading and checking the decision-support rule files (``data/testing.yaml``,
``data/therapies.yaml``).

A file is checked whole before anything uses it: an unknown OncoTree code, a missing
source, an unknown condition, a pattern that does not compile, a duplicate id... each is
reported with the file, the entry's position and id and the field at fault, all at once,
in one ``KnowledgeError``. A rule file that loads is one every rule can trust.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from consilium.engines.decision.markers import (
    EQUIVOCAL,
    NEGATIVE,
    NOT_PERFORMED,
    PENDING,
    POSITIVE,
    canonical,
)
from consilium.engines.decision.rules import SOLID, Conditions, Scope, parse_stage
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree

DATA = Path(__file__).with_name("data")
TESTING = DATA / "testing.yaml"
THERAPIES = DATA / "therapies.yaml"

SOURCE_KINDS = {
    "fda": "FDA label",
    "guideline": "Guideline",
    "trial": "Clinical trial",
    "registry": "Registry",
}
TIERS = ("1", "2", "3", "R")
SCORES = ("TPS", "CPS", "TMB", "percent")
IHC_SCORES = ("0", "1+", "2+", "3+")
RESULTS = (POSITIVE, NEGATIVE, EQUIVOCAL, PENDING, NOT_PERFORMED)


class KnowledgeError(ValueError):
    """A rule file is not valid; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the decision-support rules:\n- " + "\n- ".join(problems)
        )


@dataclass(frozen=True)
class Source:
    kind: str  # fda | guideline | trial | registry
    name: str
    year: int | None = None
    url: str | None = None

    @property
    def citation(self) -> str:
        year = f", {self.year}" if self.year else ""
        return f"{SOURCE_KINDS[self.kind]}: {self.name}{year}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "year": self.year,
            "url": self.url,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class Test:
    id: str
    name: str
    markers: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True)
class TestingRule:
    id: str
    scope: Scope
    when: Conditions
    setting: str
    tests: tuple[Test, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Requirement:
    markers: tuple[str, ...]
    results: tuple[str, ...] = (POSITIVE,)
    alteration: re.Pattern[str] | None = None
    not_alteration: re.Pattern[str] | None = None
    ihc: tuple[str, ...] = ()
    score: str | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class TherapyEntry:
    id: str
    biomarker: str
    requires: tuple[Requirement, ...]
    drugs: tuple[str, ...]
    tier: str
    scope: Scope
    when: Conditions
    setting: str
    sources: tuple[Source, ...]
    unless: tuple[str, ...] = ()
    elsewhere: bool = False
    note: str = ""
    # Offer as a possible match when the variant is not named? Not for acquired
    # resistance variants (T790M) or resistance entries: a bare "positive" says nothing
    # of them.
    possible: bool = True

    @property
    def resistance(self) -> bool:
        return self.tier == "R"

    @property
    def offer_possible(self) -> bool:
        return self.possible and not self.resistance


@dataclass(frozen=True)
class Knowledge:
    testing_version: str
    therapies_version: str
    testing: tuple[TestingRule, ...]
    therapies: tuple[TherapyEntry, ...]

    @property
    def versions(self) -> dict[str, str]:
        return {"testing": self.testing_version, "therapies": self.therapies_version}


# --- checking ---------------------------------------------------------------------------


class _Checker:
    """Collects problems, each prefixed with where it is."""

    def __init__(self, path: Path, tree: OncoTree):
        self.path = path
        self.tree = tree
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.path.name}: {where}: {message}")

    def read(self, list_key: str) -> tuple[str, list[tuple[str, dict]]]:
        try:
            doc = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KnowledgeError([f"{self.path}: cannot read: {exc.strerror}"]) from None
        except yaml.YAMLError as exc:
            raise KnowledgeError([f"{self.path.name}: not valid YAML: {exc}"]) from None
        if not isinstance(doc, dict):
            raise KnowledgeError([f"{self.path.name}: expected a mapping with '{list_key}'"])
        version = doc.get("version")
        if not isinstance(version, str) or not version.strip():
            self.fail("version", "missing (a string such as '2025.11.1')")
            version = ""
        items = doc.get(list_key)
        if not isinstance(items, list) or not items:
            raise KnowledgeError([f"{self.path.name}: '{list_key}' must be a non-empty list"])
        out: list[tuple[str, dict]] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(f"{list_key}[{i}]", "not a mapping")
                continue
            ident = item.get("id")
            where = f"{list_key}[{i}] ({ident})" if ident else f"{list_key}[{i}]"
            if not isinstance(ident, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident):
                self.fail(where, "'id' must be lowercase letters, digits and hyphens")
            elif ident in seen:
                self.fail(where, f"duplicate id {ident!r}")
            seen.add(str(ident))
            out.append((where, item))
        return version, out

    def keys(self, where: str, item: Mapping, allowed: set[str], required: set[str]) -> None:
        for key in sorted(str(k) for k in set(item) - allowed):
            self.fail(where, f"unknown field {key!r} (expected one of {sorted(allowed)})")
        for key in sorted(required - set(item)):
            self.fail(where, f"missing {key!r}")

    def text(self, where: str, item: Mapping, key: str) -> str:
        # A required field that is absent is reported once, by ``keys``.
        if key not in item:
            return ""
        value = item[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"{key!r} must be non-empty text")
            return ""
        return value.strip()

    def names(self, where: str, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            self.fail(where, f"{key!r} must be a name or a non-empty list of names")
            return ()
        return tuple(v.strip() for v in value)

    def codes(self, where: str, item: Mapping, key: str) -> tuple[str, ...]:
        if key not in item:
            return ()  # a required one is reported by ``keys``
        codes = self.names(where, item[key], key)
        for code in codes:
            if code == SOLID and key == "cancer_types":
                continue
            if self.tree.by_code(code) is None:
                self.fail(where, f"{key}: unknown OncoTree code {code!r}")
        return codes

    def sources(self, where: str, item: Mapping) -> tuple[Source, ...]:
        raw = item.get("sources")
        if not isinstance(raw, list) or not raw:
            self.fail(where, "no source: every entry cites at least one public source")
            return ()
        out = []
        for j, src in enumerate(raw):
            at = f"{where}: sources[{j}]"
            if not isinstance(src, dict):
                self.fail(at, "not a mapping with kind and name")
                continue
            self.keys(at, src, {"kind", "name", "year", "url"}, {"kind", "name"})
            kind = src.get("kind")
            if "kind" not in src:
                continue
            if kind not in SOURCE_KINDS:
                self.fail(at, f"kind {kind!r} is not one of {sorted(SOURCE_KINDS)}")
                continue
            name = self.text(at, src, "name")
            year = src.get("year")
            if year is not None and not (isinstance(year, int) and 1950 <= year <= 2100):
                self.fail(at, f"year {year!r} is not a year")
                year = None
            if kind == "fda" and year is None:
                self.fail(at, "an FDA source needs the approval year")
            url = src.get("url")
            if url is not None and not (isinstance(url, str) and url.startswith("https://")):
                self.fail(at, "url must be an https:// address")
                url = None
            if name:
                out.append(Source(kind, name, year, url))
        return tuple(out)

    def conditions(self, where: str, item: Mapping) -> Conditions:
        raw = item.get("when") or {}
        if not isinstance(raw, dict):
            self.fail(where, "'when' must be a mapping of conditions")
            return Conditions()
        at = f"{where}: when"
        for key in sorted(str(k) for k in set(raw) - set(Conditions.KEYS)):
            self.fail(at, f"unknown condition {key!r} (expected one of {list(Conditions.KEYS)})")
        advanced = raw.get("advanced")
        if advanced is not None and not isinstance(advanced, bool):
            self.fail(at, "advanced must be true or false")
            advanced = None
        floor = raw.get("stage_at_least")
        if floor is not None and parse_stage(str(floor)) is None:
            self.fail(at, f"stage_at_least {floor!r} is not a stage group (I-IV)")
            floor = None
        stage_in: tuple[str, ...] = ()
        if "stage_in" in raw:
            stage_in = self.names(at, raw["stage_in"], "stage_in")
            for s in stage_in:
                if parse_stage(s) is None:
                    self.fail(at, f"stage_in: {s!r} is not a stage group (I-IV)")
        positive = (
            self.names(at, raw["positive_any"], "positive_any") if "positive_any" in raw else ()
        )
        negative = (
            self.names(at, raw["negative_all"], "negative_all") if "negative_all" in raw else ()
        )
        return Conditions(
            advanced=advanced,
            stage_at_least=str(floor) if floor is not None else None,
            stage_in=stage_in,
            positive_any=tuple(canonical(m) for m in positive),
            negative_all=tuple(canonical(m) for m in negative),
        )

    def pattern(self, where: str, raw: Any, key: str) -> re.Pattern[str] | None:
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw:
            self.fail(where, f"{key} must be a regular expression")
            return None
        try:
            return re.compile(raw, re.IGNORECASE)
        except re.error as exc:
            self.fail(where, f"{key} {raw!r} does not compile: {exc}")
            return None


def _testing(checker: _Checker) -> tuple[str, tuple[TestingRule, ...]]:
    version, items = checker.read("rules")
    rules = []
    for where, item in items:
        checker.keys(
            where,
            item,
            {"id", "cancer_types", "exclude_types", "when", "setting", "tests", "sources"},
            {"id", "cancer_types", "setting", "tests"},
        )
        include = checker.codes(where, item, "cancer_types")
        exclude = checker.codes(where, item, "exclude_types")
        when = checker.conditions(where, item)
        setting = checker.text(where, item, "setting")
        sources = checker.sources(where, item)
        tests = []
        raw_tests = item.get("tests", [])
        if not isinstance(raw_tests, list) or ("tests" in item and not raw_tests):
            checker.fail(where, "'tests' must be a non-empty list")
            raw_tests = []
        for j, raw in enumerate(raw_tests):
            at = f"{where}: tests[{j}]"
            if not isinstance(raw, dict):
                checker.fail(at, "not a mapping with id, name and markers")
                continue
            checker.keys(at, raw, {"id", "name", "markers", "why"}, {"id", "name", "markers"})
            ident = checker.text(at, raw, "id")
            name = checker.text(at, raw, "name")
            markers = checker.names(at, raw["markers"], "markers") if "markers" in raw else ()
            why = checker.text(at, raw, "why")
            if ident and name and markers:
                tests.append(Test(ident, name, tuple(canonical(m) for m in markers), why))
        rules.append(
            TestingRule(
                id=str(item.get("id")),
                scope=Scope(include, exclude),
                when=when,
                setting=setting,
                tests=tuple(tests),
                sources=sources,
            )
        )
    return version, tuple(rules)


def _requirement(checker: _Checker, at: str, raw: Any) -> Requirement | None:
    if not isinstance(raw, dict):
        checker.fail(at, "not a mapping with a marker")
        return None
    checker.keys(
        at,
        raw,
        {"marker", "result", "alteration", "not_alteration", "ihc", "score", "min", "max"},
        {"marker"},
    )
    markers = checker.names(at, raw["marker"], "marker") if "marker" in raw else ()
    results = raw.get("result", POSITIVE)
    results = (results,) if isinstance(results, str) else results
    if (
        not isinstance(results, list | tuple)
        or not results
        or any(r not in RESULTS for r in results)
    ):
        checker.fail(at, f"result {raw.get('result')!r} must be among {list(RESULTS)}")
        results = (POSITIVE,)
    ihc = raw.get("ihc") or ()
    if isinstance(ihc, str):
        ihc = (ihc,)
    if any(s not in IHC_SCORES for s in ihc):
        checker.fail(at, f"ihc {list(ihc)!r} must be among {list(IHC_SCORES)}")
        ihc = ()
    score = raw.get("score")
    if score is not None and score not in SCORES:
        checker.fail(at, f"score {score!r} is not one of {list(SCORES)}")
        score = None
    bounds = {}
    for key in ("min", "max"):
        value = raw.get(key)
        if value is not None and not isinstance(value, int | float):
            checker.fail(at, f"{key} must be a number")
            value = None
        bounds[key] = float(value) if value is not None else None
    if (bounds["min"] is not None or bounds["max"] is not None) and score is None:
        checker.fail(at, "min and max need a score (TPS, CPS, TMB or percent)")
    return Requirement(
        markers=tuple(canonical(m) for m in markers),
        results=tuple(results),
        alteration=checker.pattern(at, raw.get("alteration"), "alteration"),
        not_alteration=checker.pattern(at, raw.get("not_alteration"), "not_alteration"),
        ihc=tuple(ihc),
        score=score,
        min=bounds["min"],
        max=bounds["max"],
    )


def _therapies(checker: _Checker) -> tuple[str, tuple[TherapyEntry, ...]]:
    version, items = checker.read("entries")
    entries = []
    for where, item in items:
        checker.keys(
            where,
            item,
            {
                "id",
                "biomarker",
                "requires",
                "unless",
                "drugs",
                "tier",
                "cancer_types",
                "exclude_types",
                "when",
                "setting",
                "elsewhere",
                "possible",
                "note",
                "sources",
            },
            {"id", "biomarker", "requires", "drugs", "tier", "cancer_types", "setting"},
        )
        tier = str(item.get("tier", ""))
        if "tier" in item and tier not in TIERS:
            checker.fail(where, f"tier {item.get('tier')!r} is not one of {list(TIERS)}")
        raw_req = item.get("requires", [])
        if not isinstance(raw_req, list) or ("requires" in item and not raw_req):
            checker.fail(where, "'requires' must be a non-empty list of requirements")
            raw_req = []
        requires = [
            _requirement(checker, f"{where}: requires[{j}]", raw) for j, raw in enumerate(raw_req)
        ]
        drugs = checker.names(where, item["drugs"], "drugs") if "drugs" in item else ()
        elsewhere = item.get("elsewhere", False)
        if not isinstance(elsewhere, bool):
            checker.fail(where, "elsewhere must be true or false")
            elsewhere = False
        if elsewhere and tier in TIERS and tier != "1":
            checker.fail(where, "elsewhere is for tier 1 options (shown as tier 2 elsewhere)")
        unless = checker.names(where, item["unless"], "unless") if "unless" in item else ()
        possible = item.get("possible", True)
        if not isinstance(possible, bool):
            checker.fail(where, "possible must be true or false")
            possible = True
        entries.append(
            TherapyEntry(
                id=str(item.get("id")),
                biomarker=checker.text(where, item, "biomarker"),
                requires=tuple(r for r in requires if r is not None),
                drugs=drugs,
                tier=tier,
                scope=Scope(
                    checker.codes(where, item, "cancer_types"),
                    checker.codes(where, item, "exclude_types"),
                ),
                when=checker.conditions(where, item),
                setting=checker.text(where, item, "setting"),
                sources=checker.sources(where, item),
                unless=tuple(canonical(m) for m in unless),
                elsewhere=elsewhere,
                note=checker.text(where, item, "note"),
                possible=possible,
            )
        )
    return version, tuple(entries)


def load(
    testing_path: Path | str = TESTING,
    therapies_path: Path | str = THERAPIES,
    tree: OncoTree | None = None,
) -> Knowledge:
    """Both rule files, checked against the OncoTree ``tree`` (the shipped release by
    default). Raises ``KnowledgeError`` listing every problem of both files."""
    tree = tree or shipped_tree()
    testing_checker = _Checker(Path(testing_path), tree)
    therapy_checker = _Checker(Path(therapies_path), tree)
    problems: list[str] = []
    testing_version, testing = "", ()
    therapies_version, therapies = "", ()
    try:
        testing_version, testing = _testing(testing_checker)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    try:
        therapies_version, therapies = _therapies(therapy_checker)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    problems = testing_checker.problems + therapy_checker.problems + problems
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(testing_version, therapies_version, testing, therapies)


@cache
def shipped() -> Knowledge:
    """The rule files shipped with the project (loaded and checked once)."""
    return load()
