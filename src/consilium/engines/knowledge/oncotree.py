"""The OncoTree tumour type tree: codes, names, ancestors, descendants, solid vs liquid.

Three sources, in order of preference:
1. a release installed with ``consilium knowledge load-oncotree FILE``
   (``<var dir>/knowledge/oncotree.json``, the release JSON as published);
2. the compact tree shipped in ``data/oncotree_2025_10_03.csv`` (code, parent, tissue,
   main type and name of every node of release oncotree_2025_10_03, CC BY 4.0), so rules
   and trial matching work on a machine without any release.

Names that earlier releases used (and that CTML written against them still carries) are
resolved through ``data/oncotree_aliases.yaml`` when no current node has the name.

Solid vs liquid follows MatchMiner's convention: a tumour is liquid when its tissue is one
of the blood-forming tissues (``LIQUID_TISSUES``), solid when it has any other tissue.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")
SHIPPED = DATA_DIR / "oncotree_2025_10_03.csv"
ALIASES = DATA_DIR / "oncotree_aliases.yaml"
INSTALLED_NAME = Path("knowledge") / "oncotree.json"

# OncoTree's two haematopoietic tissues (called "Blood" and "Lymph" before 2019). MatchMiner
# classifies a diagnosis as _LIQUID_ when its tissue is one of these and _SOLID_ otherwise.
LIQUID_TISSUES = frozenset({"Lymphoid", "Myeloid", "Blood", "Lymph"})
ROOT = "TISSUE"


class OncoTreeError(ValueError):
    """The file is not an OncoTree release this module can read."""


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    parent: str | None
    tissue: str | None
    main_type: str | None
    children: tuple[str, ...] = ()


@dataclass
class OncoTree:
    nodes: dict[str, Node]
    source: str
    _by_name: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _aliases: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _descendants: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.code != ROOT:
                by_name.setdefault(node.name.casefold(), []).append(node.code)
        self._by_name = {k: tuple(v) for k, v in by_name.items()}
        self._aliases = {
            name.casefold(): codes
            for name, codes in _aliases().items()
            if all(code in self.nodes for code in codes)
        }

    # --- lookup -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.nodes) - (1 if ROOT in self.nodes else 0)

    def by_code(self, code: str) -> Node | None:
        return self.nodes.get(code.upper())

    def codes_for_name(self, name: str) -> tuple[str, ...]:
        """Codes of the nodes carrying this name (several for a few germ cell tumour names
        that OncoTree repeats under different tissues), else of an older release's name."""
        key = name.strip().casefold()
        return self._by_name.get(key) or self._aliases.get(key, ())

    def is_old_name(self, name: str) -> bool:
        key = name.strip().casefold()
        return key not in self._by_name and key in self._aliases

    def within(self, name: str, subtree: frozenset[str]) -> bool:
        """Whether a diagnosis name lies within a set of codes (a subtree). A current name
        repeated under several tissues is within when any of its nodes is; an old name
        now spanning several nodes only when all of them are."""
        codes = self.codes_for_name(name)
        if not codes:
            return False
        if self.is_old_name(name):
            return all(c in subtree for c in codes)
        return any(c in subtree for c in codes)

    def resolve(self, name_or_code: str) -> tuple[str, ...]:
        """Codes for a name, an old name or a code."""
        codes = self.codes_for_name(name_or_code)
        if codes:
            return codes
        node = self.by_code(name_or_code.strip())
        return (node.code,) if node and node.code != ROOT else ()

    # --- structure ----------------------------------------------------------------

    def ancestors(self, code: str) -> list[str]:
        """Codes from the parent up to (not including) the root."""
        out: list[str] = []
        node = self.nodes.get(code)
        while node and node.parent and node.parent != ROOT:
            out.append(node.parent)
            node = self.nodes.get(node.parent)
        return out

    def descendants(self, code: str) -> frozenset[str]:
        """The code itself and every code below it."""
        cached = self._descendants.get(code)
        if cached is not None:
            return cached
        out = {code}
        stack = list(self.nodes[code].children) if code in self.nodes else []
        while stack:
            child = stack.pop()
            out.add(child)
            stack.extend(self.nodes[child].children)
        frozen = frozenset(out)
        self._descendants[code] = frozen
        return frozen

    def is_within(self, code: str, ancestor: str) -> bool:
        return code == ancestor or ancestor in self.ancestors(code)

    def is_liquid(self, code: str) -> bool | None:
        """True for a blood-forming tissue, False for any other tissue, None if unknown."""
        node = self.nodes.get(code)
        if node is None or node.code == ROOT or not node.tissue:
            return None
        return node.tissue in LIQUID_TISSUES

    def tissues(self) -> list[str]:
        return sorted({n.tissue for n in self.nodes.values() if n.tissue})

    def iter_nodes(self) -> Iterator[Node]:
        return (n for n in self.nodes.values() if n.code != ROOT)

    # --- serialisation --------------------------------------------------------------

    def to_compact_csv(self, header: str) -> str:
        buf = io.StringIO()
        for line in header.strip().splitlines():
            buf.write(f"# {line}\n")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["code", "parent", "tissue", "main_type", "name"])
        for node in sorted(self.iter_nodes(), key=lambda n: n.code):
            writer.writerow(
                [node.code, node.parent or "", node.tissue or "", node.main_type or "", node.name]
            )
        return buf.getvalue()


# --- loading ------------------------------------------------------------------------


def _build(
    flat: Iterable[tuple[str, str, str | None, str | None, str | None]], source: str
) -> OncoTree:
    """flat: (code, name, parent, tissue, main_type) rows; children are derived."""
    rows = list(flat)
    children: dict[str, list[str]] = {}
    for code, _name, parent, _tissue, _main in rows:
        if parent:
            children.setdefault(parent, []).append(code)
    nodes = {
        code: Node(
            code,
            name,
            parent or None,
            tissue or None,
            main or None,
            tuple(sorted(children.get(code, ()))),
        )
        for code, name, parent, tissue, main in rows
    }
    if ROOT not in nodes:
        nodes[ROOT] = Node(ROOT, "Tissue", None, None, None, tuple(sorted(children.get(ROOT, ()))))
    missing = sorted({p for _c, _n, p, _t, _m in rows if p and p not in nodes})
    if missing:
        raise OncoTreeError(
            f"nodes refer to parents that are not in the tree: {', '.join(missing[:5])}"
        )
    return OncoTree(nodes, source)


def parse_release(data: Any, source: str = "release") -> OncoTree:
    """A release as published by the OncoTree API (``/api/tumorTypes/tree``): a nested
    object ``{"TISSUE": {"code", "name", "tissue", "mainType", "children": {...}}}``; the
    flat list form of ``/api/tumorTypes`` (objects with ``parent``) is accepted too."""
    rows: list[tuple[str, str, str | None, str | None, str | None]] = []
    if isinstance(data, dict) and isinstance(data.get(ROOT), dict):
        stack: list[tuple[dict, str | None]] = [(data[ROOT], None)]
        while stack:
            raw, parent = stack.pop()
            code, name = raw.get("code"), raw.get("name")
            if not isinstance(code, str) or not isinstance(name, str) or not code:
                raise OncoTreeError(f"a node under {parent or 'the root'} has no code or name")
            rows.append((code, name, parent, raw.get("tissue"), raw.get("mainType")))
            kids = raw.get("children") or {}
            if not isinstance(kids, dict):
                raise OncoTreeError(f"node {code}: 'children' is not an object")
            stack.extend((child, code) for child in kids.values())
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        for raw in data:
            code, name = raw.get("code"), raw.get("name")
            if not isinstance(code, str) or not isinstance(name, str):
                raise OncoTreeError("a node has no code or name")
            parent = raw.get("parent") or ROOT
            rows.append(
                (
                    code,
                    name,
                    None if code == ROOT else parent,
                    raw.get("tissue"),
                    raw.get("mainType"),
                )
            )
    else:
        raise OncoTreeError(
            'not an OncoTree release: expected {"TISSUE": {...}} or a list of tumour types'
        )
    codes = [r[0] for r in rows]
    if len(codes) != len(set(codes)):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        raise OncoTreeError(f"duplicate codes: {', '.join(dupes[:5])}")
    tree = _build(rows, source)
    if len(tree) < 10:
        raise OncoTreeError(f"only {len(tree)} tumour types: not a full OncoTree release")
    return tree


def load_release(path: Path) -> OncoTree:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise OncoTreeError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise OncoTreeError(f"{path}: not JSON: {exc}") from None
    try:
        return parse_release(data, source=str(path))
    except OncoTreeError as exc:
        raise OncoTreeError(f"{path}: {exc}") from None


def _read_compact(path: Path) -> OncoTree:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    reader = csv.DictReader(lines)
    rows = [
        (r["code"], r["name"], r["parent"] or None, r["tissue"] or None, r["main_type"] or None)
        for r in reader
    ]
    return _build(rows, source=f"{path.name} (shipped)")


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    doc = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
    return {name: tuple(entry["codes"]) for name, entry in doc["aliases"].items()}


@cache
def shipped_tree() -> OncoTree:
    return _read_compact(SHIPPED)


def installed_path(var_dir: Path | str | None = None) -> Path | None:
    base = var_dir or os.environ.get("CONSILIUM_VAR_DIR")
    return Path(base) / INSTALLED_NAME if base else None


_installed_cache: dict[tuple[str, float], OncoTree] = {}


def current_tree(var_dir: Path | str | None = None) -> OncoTree:
    """The installed release when there is one (re-read when the file changes), else the
    shipped compact tree."""
    path = installed_path(var_dir)
    if path is not None and path.is_file():
        key = (str(path), path.stat().st_mtime)
        if key not in _installed_cache:
            _installed_cache.clear()
            _installed_cache[key] = load_release(path)
        return _installed_cache[key]
    return shipped_tree()
