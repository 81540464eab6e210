"""The completeness checklist of a case: what the expert needs on file for its cancer
type, what is there (and which record or fact satisfies it) and what is missing.

The lists are data (``data/completeness.yaml``), each item citing the public
recommendation that asks for it. A checklist covers its OncoTree codes and their whole
subtrees; the deepest checklist covering the case's type wins, else the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from consilium.engines.knowledge.oncotree import OncoTree, current_tree

DATA = Path(__file__).with_name("data") / "completeness.yaml"
MET, PENDING, MISSING, CONDITIONAL = "met", "pending", "missing", "conditional"


class ChecklistDataError(ValueError):
    """The checklist file is wrong; the message names the checklist and item."""


@dataclass(frozen=True)
class Alternative:
    kind: str  # "document", "fact" or "mention"
    value: str  # a record kind, a fact name, or a pattern
    modalities: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "document":
            word = self.value.replace("_", " ")
            return f"{word} ({', '.join(self.modalities)})" if self.modalities else word
        if self.kind == "fact":
            return f"{self.value} result"
        return "a value in a record's text"


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    url: str


@dataclass(frozen=True)
class Item:
    key: str
    what: str
    why: str
    source: Source
    alternatives: tuple[Alternative, ...]
    when: str | None = None  # "advanced" or None (always)


@dataclass(frozen=True)
class Checklist:
    key: str
    label: str
    codes: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Checklists:
    version: str
    lists: tuple[Checklist, ...]

    def by_key(self, key: str) -> Checklist:
        return next(c for c in self.lists if c.key == key)


def _load(doc: Mapping[str, Any]) -> Checklists:
    sources = {
        key: Source(key, s["name"], s["url"]) for key, s in (doc.get("sources") or {}).items()
    }
    lists = []
    for key, raw in (doc.get("checklists") or {}).items():
        items = []
        for i, item in enumerate(raw.get("items") or []):
            where = f"checklist {key!r}, item {item.get('key') or i + 1}"
            if item.get("source") not in sources:
                raise ChecklistDataError(f"{where}: unknown source {item.get('source')!r}")
            if item.get("when") not in (None, "advanced"):
                raise ChecklistDataError(f"{where}: 'when' must be 'advanced' if given")
            alternatives = []
            for alt in item.get("any") or []:
                kinds = [k for k in ("document", "fact", "mention") if k in alt]
                if len(kinds) != 1:
                    raise ChecklistDataError(
                        f"{where}: each alternative names one document, fact or mention"
                    )
                if kinds[0] == "mention":
                    try:
                        re.compile(alt["mention"])
                    except re.error as exc:
                        raise ChecklistDataError(f"{where}: bad mention pattern: {exc}") from None
                alternatives.append(
                    Alternative(
                        kinds[0],
                        str(alt[kinds[0]]),
                        tuple(m.upper() for m in alt.get("modalities") or ()),
                    )
                )
            if not alternatives:
                raise ChecklistDataError(f"{where}: nothing can satisfy it ('any' is empty)")
            items.append(
                Item(
                    key=item["key"],
                    what=item["what"],
                    why=item.get("why", ""),
                    source=sources[item["source"]],
                    alternatives=tuple(alternatives),
                    when=item.get("when"),
                )
            )
        lists.append(Checklist(key, raw["label"], tuple(raw.get("codes") or ()), tuple(items)))
    if not any(c.key == "default" for c in lists):
        raise ChecklistDataError("there is no 'default' checklist")
    return Checklists(str(doc.get("version")), tuple(lists))


@cache
def checklists() -> Checklists:
    return _load(yaml.safe_load(DATA.read_text(encoding="utf-8")))


def checklist_for(code: str | None, tree: OncoTree | None = None) -> Checklist:
    """The deepest checklist whose codes cover ``code`` (itself or an ancestor)."""
    data = checklists()
    if code:
        tree = tree or current_tree()
        node = tree.by_code(code)
        if node is not None:
            lineage = [node.code, *tree.ancestors(node.code)]
            best: tuple[int, Checklist] | None = None
            for checklist in data.lists:
                for c in checklist.codes:
                    if c in lineage:
                        depth = len(lineage) - lineage.index(c)
                        if best is None or depth > best[0]:
                            best = (depth, checklist)
            if best is not None:
                return best[1]
    return data.by_key("default")


# --- evaluating a case against its checklist ----------------------------------------------


@dataclass(frozen=True)
class RecordOnFile:
    id: int
    kind: str
    title: str
    text: str = ""
    modality: str | None = None  # DICOM modality of an "image" record


@dataclass(frozen=True)
class FactOnFile:
    """A fact the summary answers: its current value and whether it is only pending."""

    name: str
    shown: str
    pending: bool = False
    id: int | str | None = None


@dataclass(frozen=True)
class ItemResult:
    item: Item
    state: str  # met, pending, missing, conditional
    met_by: str = ""  # what satisfies it, in words
    document_id: int | None = None
    fact_id: int | str | None = None

    @property
    def missing(self) -> bool:
        return self.state == MISSING


@dataclass(frozen=True)
class ChecklistResult:
    checklist: Checklist
    cancer_type: str | None
    items: tuple[ItemResult, ...]
    version: str = ""
    advanced: bool | None = None

    @property
    def missing(self) -> list[ItemResult]:
        return [r for r in self.items if r.state == MISSING]

    @property
    def pending(self) -> list[ItemResult]:
        return [r for r in self.items if r.state == PENDING]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.pending

    @property
    def counts(self) -> dict[str, int]:
        out = {MET: 0, PENDING: 0, MISSING: 0, CONDITIONAL: 0}
        for r in self.items:
            out[r.state] += 1
        return out


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


def _check(
    item: Item, records: list[RecordOnFile], facts: Mapping[str, FactOnFile]
) -> tuple[str, str, int | None, int | str | None]:
    pending: tuple[str, str, int | None, int | str | None] | None = None
    for alt in item.alternatives:
        if alt.kind == "fact":
            fact = facts.get(alt.value)
            if fact is None:
                continue
            if fact.pending:
                pending = pending or (PENDING, f"{alt.value}: {fact.shown}", None, fact.id)
                continue
            return MET, f"{alt.value}: {fact.shown}", None, fact.id
        if alt.kind == "document":
            for r in records:
                if r.kind != alt.value:
                    continue
                if (
                    alt.modalities
                    and r.kind == "image"
                    and (r.modality or "") not in alt.modalities
                ):
                    continue
                return MET, r.title, r.id, None
        if alt.kind == "mention":
            pattern = _pattern(alt.value)
            for r in records:
                m = pattern.search(r.text or "")
                if m:
                    return MET, f"mentioned in {r.title}: “{m.group(0).strip()}”", r.id, None
    if pending:
        return pending
    return MISSING, "", None, None


def evaluate(
    checklist: Checklist,
    records: Iterable[RecordOnFile],
    facts: Iterable[FactOnFile],
    *,
    cancer_type: str | None = None,
    advanced: bool | None = None,
) -> ChecklistResult:
    """Each item met (by what), pending, missing, or conditional (an "advanced" item while
    the case is not known to be advanced)."""
    records = list(records)
    by_name = {f.name: f for f in facts}
    results = []
    for item in checklist.items:
        state, met_by, doc_id, fact_id = _check(item, records, by_name)
        if state != MET and item.when == "advanced" and not advanced:
            state = CONDITIONAL
        results.append(ItemResult(item, state, met_by, doc_id, fact_id))
    return ChecklistResult(checklist, cancer_type, tuple(results), checklists().version, advanced)


def all_checklists() -> tuple[Checklist, ...]:
    return checklists().lists
