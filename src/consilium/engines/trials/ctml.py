"""Reading CTML (MatchMiner's Clinical Trial Markup Language) trials.

A trial is ``treatment_list -> step[] -> arm[] -> dose_level[]``; any of the three levels
may carry a ``match`` tree. Each match tree is its own clause: a patient matches a step,
an arm or a dose level when that level's tree is met, whatever the trees above or below
say (MatchMiner's semantics).

Open or closed, as MatchMiner decides it: an arm is closed when ``arm_suspended`` is Y, a
dose level when ``level_suspended`` is Y, a step when all its arms are suspended (or its
own ``step_suspended`` is Y); and everything is closed when the trial is not open to
accrual. A level's status does not pass down to its children.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

DATA = Path(__file__).with_name("data") / "ctml_keys.yaml"
SUFFIXES = (".json", ".yaml", ".yml")

Level = Literal["step", "arm", "dose"]


class CTMLError(ValueError):
    """A CTML file that cannot be read; the message names the file and the problem."""


# --- match trees --------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    kind: str  # "clinical", "genomic" (or any other name the CTML used)
    criteria: dict[str, Any]


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Leaf | And | Or


def parse_tree(raw: Any, where: str = "match") -> Node:
    """A match value (a list, read as "all of") into a tree of And/Or/Leaf.

    An object is the conjunction of its keys: ``and``/``or`` hold lists, any other key is
    a criterion (``clinical``/``genomic``) holding an object of key: value pairs."""
    if isinstance(raw, list):
        return And(tuple(parse_tree(item, f"{where}[{i}]") for i, item in enumerate(raw)))
    if not isinstance(raw, dict):
        raise CTMLError(f"{where}: expected an object or a list, got {type(raw).__name__}")
    parts: list[Node] = []
    for key, value in raw.items():
        if key in ("and", "or"):
            if not isinstance(value, list):
                raise CTMLError(f"{where}.{key}: expected a list, got {type(value).__name__}")
            children = tuple(
                parse_tree(item, f"{where}.{key}[{i}]") for i, item in enumerate(value)
            )
            parts.append(And(children) if key == "and" else Or(children))
        else:
            if not isinstance(value, dict):
                raise CTMLError(
                    f"{where}.{key}: expected an object of criteria, got {type(value).__name__}"
                )
            parts.append(Leaf(str(key), dict(value)))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def leaves(node: Node) -> Iterator[Leaf]:
    if isinstance(node, Leaf):
        yield node
    else:
        for child in node.children:
            yield from leaves(child)


def match_paths(node: Node) -> list[list[Leaf]]:
    """The tree in disjunctive normal form: each path is a list of leaves that together
    satisfy the tree (MatchMiner evaluates a clause as the union of such paths)."""
    if isinstance(node, Leaf):
        return [[node]]
    if isinstance(node, Or):
        return [path for child in node.children for path in match_paths(child)]
    paths: list[list[Leaf]] = [[]]
    for child in node.children:
        paths = [left + right for left in paths for right in match_paths(child)]
    return paths


# --- trials -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchClause:
    level: Level
    code: str
    internal_id: Any
    closed: bool
    tree: Node
    where: str  # e.g. "step[0].arm[1]", for messages


@dataclass(frozen=True)
class Trial:
    protocol_no: str
    nct_id: str | None
    open: bool
    status: str | None
    clauses: tuple[MatchClause, ...]
    source: str


@cache
def config() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _suspended(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in config()["suspended_values"]


def trial_status(doc: dict[str, Any]) -> str | None:
    summary = doc.get("_summary")
    if isinstance(summary, dict):
        statuses = summary.get("status")
        if isinstance(statuses, list) and statuses and isinstance(statuses[0], dict):
            value = statuses[0].get("value")
            if isinstance(value, str):
                return value
    status = doc.get("status")
    return status if isinstance(status, str) else None


def _code(raw: dict[str, Any], key: str, id_key: str, where: str) -> str:
    value = raw.get(key)
    if value is None or value == "":
        value = raw.get(id_key)
    if value is None or value == "":
        return where
    return str(value)


LEVEL_KEYS: dict[Level, tuple[str, str, str]] = {
    "step": ("step_code", "step_internal_id", "step_suspended"),
    "arm": ("arm_code", "arm_internal_id", "arm_suspended"),
    "dose": ("level_code", "level_internal_id", "level_suspended"),
}


def _list(raw: dict[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CTMLError(f"{where}.{key}: expected a list, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise CTMLError(f"{where}.{key}[{i}]: expected an object, got {type(item).__name__}")
    return value


def _clause(
    raw: dict[str, Any], level: Level, where: str, trial_open: bool, closed: bool
) -> MatchClause | None:
    match = raw.get("match")
    if match is None or match == [] or match == {}:
        return None
    code_key, id_key, _ = LEVEL_KEYS[level]
    tree = parse_tree(match, f"{where}.match")
    return MatchClause(
        level=level,
        code=_code(raw, code_key, id_key, where),
        internal_id=raw.get(id_key),
        closed=closed or not trial_open,
        tree=tree,
        where=where,
    )


def parse_trial(doc: Any, source: str, fallback_protocol: str | None = None) -> Trial:
    if not isinstance(doc, dict):
        raise CTMLError(f"expected a trial object, got {type(doc).__name__}")
    treatment = doc.get("treatment_list")
    if not isinstance(treatment, dict):
        raise CTMLError("not a CTML trial: no treatment_list object")
    protocol = doc.get("protocol_no", fallback_protocol)
    if protocol is None or str(protocol).strip() == "":
        raise CTMLError("trial has no protocol_no")
    protocol = str(protocol)
    status = trial_status(doc)
    trial_open = status is None or status.strip().lower() in config()["open_trial_statuses"]
    clauses: list[MatchClause] = []
    for s, step in enumerate(_list(treatment, "step", "treatment_list")):
        swhere = f"step[{s}]"
        arms = _list(step, "arm", swhere)
        step_closed = _suspended(step.get("step_suspended", "N")) or (
            bool(arms) and all(_suspended(a.get("arm_suspended", "N")) for a in arms)
        )
        if (c := _clause(step, "step", swhere, trial_open, step_closed)) is not None:
            clauses.append(c)
        for a, arm in enumerate(arms):
            awhere = f"{swhere}.arm[{a}]"
            if (
                c := _clause(
                    arm, "arm", awhere, trial_open, _suspended(arm.get("arm_suspended", "N"))
                )
            ) is not None:
                clauses.append(c)
            for d, dose in enumerate(_list(arm, "dose_level", awhere)):
                dwhere = f"{awhere}.dose_level[{d}]"
                closed = _suspended(dose.get("level_suspended", "N"))
                if (c := _clause(dose, "dose", dwhere, trial_open, closed)) is not None:
                    clauses.append(c)
    nct = doc.get("nct_id")
    return Trial(
        protocol_no=protocol,
        nct_id=str(nct) if nct not in (None, "") else None,
        open=trial_open,
        status=status,
        clauses=tuple(clauses),
        source=source,
    )


# --- files --------------------------------------------------------------------------


def _json_documents(text: str) -> list[Any]:
    """One JSON value, or several written one after another (as MatchMiner's own example
    ``two_trials_one_doc.json`` has them)."""
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return docs
        doc, pos = decoder.raw_decode(text, pos)
        docs.append(doc)


def read_documents(path: Path) -> list[Any]:
    """Every top-level document of a JSON or YAML file, arrays flattened."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CTMLError(f"{path}: cannot read: {exc}") from None
    try:
        if path.suffix.lower() == ".json":
            docs = _json_documents(text)
        else:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except json.JSONDecodeError as exc:
        raise CTMLError(f"{path}: not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise CTMLError(f"{path}: not valid YAML: {exc}") from None
    flat: list[Any] = []
    for doc in docs:
        flat.extend(doc if isinstance(doc, list) else [doc])
    if not flat:
        raise CTMLError(f"{path}: no trial in the file")
    return flat


def load_file(path: Path) -> list[Trial]:
    docs = read_documents(path)
    fallback = path.stem if len(docs) == 1 else None
    trials = []
    for i, doc in enumerate(docs):
        label = f"{path}" if len(docs) == 1 else f"{path} (trial {i + 1})"
        try:
            trials.append(parse_trial(doc, str(path), fallback))
        except CTMLError as exc:
            raise CTMLError(f"{label}: {exc}") from None
    return trials


def trial_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise CTMLError(f"{path}: no .json, .yaml or .yml files in the directory")
        return files
    if path.is_file():
        return [path]
    raise CTMLError(f"{path}: no such file or directory")


def load_trials(path: Path | str) -> tuple[list[Trial], list[str]]:
    """All trials under a file or directory, and warnings (a protocol_no defined twice:
    the later file wins)."""
    by_protocol: dict[str, Trial] = {}
    warnings: list[str] = []
    for file in trial_files(Path(path)):
        for trial in load_file(file):
            earlier = by_protocol.get(trial.protocol_no)
            if earlier is not None and dataclasses.replace(earlier, source=trial.source) != trial:
                warnings.append(
                    f"{trial.protocol_no} is defined in {earlier.source} and {trial.source}: "
                    f"using {trial.source}"
                )
            by_protocol[trial.protocol_no] = trial
    return list(by_protocol.values()), warnings
