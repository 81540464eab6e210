"""Evaluating CTML match trees against MatchMiner-style patients.

Semantics follow MatchMiner (dfci/matchengine-V2):
- a match tree is and/or nesting over clinical and genomic criteria; a patient meets it
  when some and-path through it is met (the tree's disjunctive normal form);
- a clinical criterion's keys are each tested on the sample's clinical document; "!"
  before a value negates that key;
- a genomic criterion is met when ONE genomic document of the sample meets all its keys;
  if any of its values carries "!", the criterion is an exclusion: it is met when NO
  genomic document of the sample meets all its keys (read without the "!"). So
  ``{hugo_symbol: BRAF, variant_category: "!Mutation"}`` means "no BRAF mutation";
- different genomic criteria of a path may be met by different documents;
- keys MatchMiner ignores (her2_status, display_name, ...) are skipped; a criterion with
  nothing left to test does not restrict the match;
- unknown keys compare exactly with the patient field of the same name in upper case.

The key -> field mappings and value maps are data: ``data/ctml_keys.yaml``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree
from consilium.engines.trials.ctml import And, CTMLError, Leaf, MatchClause, Node, Or, Trial, config
from consilium.engines.trials.patients import Patient

Doc = dict[str, Any]
Reason = dict[str, Any]

SOLID, LIQUID = "_SOLID_", "_LIQUID_"
ANY_GENE = "any_gene"
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}
_COMPARISON = re.compile(r"^\s*(>=|<=|==|>|<)\s*(\d*\.?\d+)\s*$")


def _negated(value: Any) -> tuple[bool, Any]:
    if isinstance(value, str) and value.startswith("!"):
        return True, value[1:]
    return False, value


def _comparison(key: str, value: Any) -> tuple[str, float]:
    m = _COMPARISON.match(str(value)) if isinstance(value, str | int | float) else None
    if not m:
        raise CTMLError(f"{key}: {value!r} is not a comparison like '>=18' or '<65'")
    return m.group(1), float(m.group(2))


def age_cutoff(as_of: dt.date, years_text: float) -> dt.date:
    """as_of minus the age, counting a fraction of a year as whole months (0.5 -> 6
    months), the way MatchMiner turns an age limit into a birth-date limit."""
    years = int(years_text)
    months = round((years_text - years) * 12)
    total = as_of.year * 12 + (as_of.month - 1) - years * 12 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(as_of.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def _same(patient_value: Any, trial_value: Any) -> bool:
    """Equality as a document store sees it, with the spellings patient files use for
    numbers and booleans ("19" and 19, "true" and True) taken as equal."""
    if patient_value == trial_value and type(patient_value) is type(trial_value):
        return True
    if isinstance(trial_value, bool) or isinstance(patient_value, bool):

        def as_bool(v: Any) -> bool | None:
            if isinstance(v, bool):
                return v
            if isinstance(v, str) and v.strip().lower() in ("true", "false"):
                return v.strip().lower() == "true"
            return None

        a, b = as_bool(patient_value), as_bool(trial_value)
        return a is not None and a == b
    if isinstance(trial_value, int | float) or isinstance(patient_value, int | float):
        try:
            return float(patient_value) == float(trial_value)
        except (TypeError, ValueError):
            return False
    if isinstance(trial_value, str) and isinstance(patient_value, str):
        return patient_value.strip() == trial_value.strip()
    return False


def _none_like(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "None"))


def _variant_summary(doc: Doc) -> str:
    parts = [
        str(doc.get(k))
        for k in ("TRUE_HUGO_SYMBOL", "TRUE_PROTEIN_CHANGE", "CNV_CALL", "MMR_STATUS")
        if not _none_like(doc.get(k))
    ]
    if doc.get("LEFT_PARTNER_GENE") or doc.get("RIGHT_PARTNER_GENE"):
        parts.append(f"{doc.get('LEFT_PARTNER_GENE')}-{doc.get('RIGHT_PARTNER_GENE')}")
    category = doc.get("VARIANT_CATEGORY")
    return " ".join(parts) + (f" ({category})" if category else "")


@dataclass
class Context:
    as_of: dt.date
    tree: OncoTree


# --- compiled criteria --------------------------------------------------------------

DocTest = Callable[[Doc, Patient], bool]
ClinicalTest = Callable[[Patient, Context], tuple[bool, str]]


@dataclass
class CompiledLeaf:
    leaf: Leaf
    ident: int
    kind: str
    # clinical: (key, negate, test) each; genomic: tests in positive form
    clinical: list[tuple[str, bool, ClinicalTest]] = field(default_factory=list)
    genomic: list[DocTest] = field(default_factory=list)
    gene: Any = None  # index key into Patient.by_gene when the criterion names one gene
    exclusion: bool = False
    unsupported: bool = False
    empty: bool = False

    def evaluate(self, patient: Patient, ctx: Context) -> tuple[bool, Reason | None]:
        if self.empty:
            return True, None
        if self.unsupported:
            return False, None
        if self.kind == "clinical":
            details = []
            for _key, negate, test in self.clinical:
                ok, detail = test(patient, ctx)
                if ok == negate:
                    return False, None
                details.append(f"not ({detail})" if negate else detail)
            return True, {
                "type": "clinical",
                "criterion": self.leaf.criteria,
                "exclusion": False,
                "detail": "; ".join(details),
            }
        docs = patient.by_gene.get(self.gene, ()) if self.gene is not None else patient.genomic
        found = [doc for doc in docs if all(test(doc, patient) for test in self.genomic)]
        if self.exclusion:
            if found:
                return False, None
            return True, {
                "type": "genomic",
                "criterion": self.leaf.criteria,
                "exclusion": True,
                "detail": f"no genomic finding matches {self._describe()}",
            }
        if not found:
            return False, None
        return True, {
            "type": "genomic",
            "criterion": self.leaf.criteria,
            "exclusion": False,
            "detail": "; ".join(_variant_summary(doc) for doc in found[:5])
            + (f" (+{len(found) - 5} more)" if len(found) > 5 else ""),
        }

    def _describe(self) -> str:
        return ", ".join(f"{k}={str(v).lstrip('!')}" for k, v in self.leaf.criteria.items())


class Compiler:
    """Turns leaves into CompiledLeaf objects, sharing one per distinct criterion so a
    patient's result for it is computed once across all trials."""

    def __init__(self) -> None:
        self.cfg = config()
        self._interned: dict[tuple[str, str], CompiledLeaf] = {}
        self.warnings: list[str] = []

    def leaf(self, leaf: Leaf, where: str) -> CompiledLeaf:
        key = (leaf.kind, json.dumps(leaf.criteria, sort_keys=True, default=str))
        compiled = self._interned.get(key)
        if compiled is None:
            compiled = self._compile(leaf, where)
            self._interned[key] = compiled
        return compiled

    def _compile(self, leaf: Leaf, where: str) -> CompiledLeaf:
        compiled = CompiledLeaf(leaf=leaf, ident=len(self._interned), kind=leaf.kind)
        if leaf.kind not in ("clinical", "genomic"):
            compiled.unsupported = True
            self.warnings.append(
                f"{where}: '{leaf.kind}' criteria are not supported; they are never met"
            )
            return compiled
        mapping = self.cfg[leaf.kind]
        ignored = set(mapping.get("ignore", ()))
        items = [(k, v) for k, v in leaf.criteria.items() if k.lower() not in ignored]
        try:
            if leaf.kind == "clinical":
                for key, value in items:
                    negate, value = _negated(value)
                    compiled.clinical.append(
                        (key, negate, self._clinical_test(key.lower(), value, mapping))
                    )
            else:
                self._compile_genomic(compiled, items, mapping)
        except CTMLError as exc:
            raise CTMLError(f"{where}: {exc}") from None
        compiled.empty = not compiled.clinical and not compiled.genomic
        return compiled

    # clinical ----------------------------------------------------------------------

    def _clinical_test(self, key: str, value: Any, mapping: dict[str, Any]) -> ClinicalTest:
        spec = mapping.get(key) or {"field": key.upper(), "compare": "exact"}
        fld, compare = spec["field"], spec["compare"]
        if compare == "age":
            op, years = _comparison(key, value)

            def age_test(p: Patient, ctx: Context) -> tuple[bool, str]:
                if p.birth_date is None:
                    return False, "age unknown (no BIRTH_DATE)"
                cutoff = age_cutoff(ctx.as_of, years)
                # an age limit is a birth-date limit on the as-of date: older = born earlier
                ok = _OPS[op](cutoff.toordinal(), p.birth_date.toordinal())
                age = _age(p.birth_date, ctx.as_of)
                return ok, f"age {age} on {ctx.as_of.isoformat()} {op} {years:g}"

            return age_test
        if compare == "number":
            op, limit = _comparison(key, value)

            def number_test(p: Patient, ctx: Context) -> tuple[bool, str]:
                raw = p.clinical.get(fld)
                try:
                    number = float(raw)
                except (TypeError, ValueError):
                    return False, f"{fld} unknown"
                return _OPS[op](number, limit), f"{fld} {raw} {op} {limit:g}"

            return number_test
        if compare == "oncotree":
            if not isinstance(value, str) or not value.strip():
                raise CTMLError(f"{key}: expected a diagnosis name, got {value!r}")
            return self._oncotree_test(fld, value.strip())

        def exact_test(p: Patient, ctx: Context) -> tuple[bool, str]:
            actual = p.clinical.get(fld)
            ok = (
                isinstance(actual, str)
                and isinstance(value, str)
                and actual.strip().lower() == value.strip().lower()
                if fld == "GENDER"
                else _same(actual, value)
            )
            return ok, f"{fld} {actual!r} = {value!r}"

        return exact_test

    def _oncotree_test(self, fld: str, wanted: str) -> ClinicalTest:
        cache: dict[int, Callable[[str], bool]] = {}

        def membership(tree: OncoTree) -> Callable[[str], bool]:
            if wanted in (SOLID, LIQUID):
                liquid = wanted == LIQUID

                def solid_liquid(name: str) -> bool:
                    kinds = {tree.is_liquid(code) for code in tree.codes_for_name(name)}
                    return kinds == {liquid} if tree.is_old_name(name) else liquid in kinds

                return solid_liquid
            codes = tree.codes_for_name(wanted)
            if not codes:
                # not an OncoTree name: MatchMiner compares the text as it is
                return lambda name: name == wanted
            subtree = frozenset().union(*(tree.descendants(c) for c in codes))
            return lambda name: name == wanted or tree.within(name, subtree)

        def test(p: Patient, ctx: Context) -> tuple[bool, str]:
            name = p.clinical.get(fld)
            if not isinstance(name, str) or not name.strip():
                return False, "diagnosis unknown"
            fn = cache.get(id(ctx.tree))
            if fn is None:
                fn = cache[id(ctx.tree)] = membership(ctx.tree)
            return fn(name.strip()), f"diagnosis {name} within {wanted}"

        return test

    # genomic -----------------------------------------------------------------------

    def _compile_genomic(
        self, compiled: CompiledLeaf, items: list[tuple[str, Any]], mapping: dict[str, Any]
    ) -> None:
        values: dict[str, Any] = {}
        for key, raw in items:
            negate, value = _negated(raw)
            compiled.exclusion = compiled.exclusion or negate
            values[key.lower()] = value
        category = values.get("variant_category")
        is_sv = isinstance(category, str) and self._categories(category) == {"SV"}
        tests: list[DocTest] = []
        for key, value in values.items():
            if is_sv and key in ("hugo_symbol", "fusion_partner_hugo_symbol"):
                continue
            tests.append(self._genomic_test(key, value, mapping))
        if is_sv:
            tests.append(
                _sv_test(values.get("hugo_symbol"), values.get("fusion_partner_hugo_symbol"))
            )
        else:
            gene = values.get("hugo_symbol")
            if isinstance(gene, str) and not _none_like(gene):
                compiled.gene = gene
        compiled.genomic = tests

    def _categories(self, value: str) -> set[str]:
        table = {k.lower(): v for k, v in self.cfg["variant_categories"].items()}
        return set(table.get(value.strip().lower(), [value.strip().upper()]))

    def _genomic_test(self, key: str, value: Any, mapping: dict[str, Any]) -> DocTest:
        spec = mapping.get(key) or {"field": key.upper(), "compare": "exact"}
        fld, compare = spec["field"], spec["compare"]
        if compare == "category":
            if not isinstance(value, str):
                raise CTMLError(f"{key}: expected a variant category, got {value!r}")
            accepted = self._categories(value)
            return lambda d, p: str(d.get(fld, "")).strip().upper() in accepted
        if compare == "wildcard":
            if not isinstance(value, str) or not value.strip():
                raise CTMLError(
                    f"{key}: expected a protein change prefix like 'p.V600', got {value!r}"
                )
            pattern = _wildcard(value.strip())
            return lambda d, p: isinstance(d.get(fld), str) and pattern.match(d[fld]) is not None
        if compare == "cnv":
            wanted = str(self.cfg["cnv_calls"].get(value, value)).strip().lower()
            return lambda d, p: isinstance(d.get(fld), str) and d[fld].strip().lower() == wanted
        if compare == "mmr":
            table = self.cfg["mmr_ms_status"]
            if value not in table:
                raise CTMLError(f"{key}: {value!r} is not one of {', '.join(table)}")
            wanted = table[value]
            return lambda d, p: (
                isinstance(d.get(fld), str) and table.get(d[fld].strip(), d[fld].strip()) == wanted
            )
        if compare == "number":
            op, limit = _comparison(key, value)

            def number(d: Doc, p: Patient) -> bool:
                raw = d.get(fld, p.clinical.get(fld))
                try:
                    return _OPS[op](float(raw), limit)
                except (TypeError, ValueError):
                    return False

            return number
        if _none_like(value) and key == "hugo_symbol":
            # signature and MMR findings carry no gene; "None" selects them
            return lambda d, p: _none_like(d.get(fld))
        return lambda d, p: _same(d.get(fld), value)


def _wildcard(prefix: str) -> re.Pattern[str]:
    """MatchMiner's wildcard: the prefix ("p." added if missing) then one letter, case
    ignored, so p.V600 matches p.V600E and p.V600K but not p.V6001."""
    if not prefix.startswith("p."):
        prefix = re.escape("p." + prefix)
    try:
        return re.compile(f"^{prefix}[A-Z]", re.IGNORECASE)
    except re.error:
        return re.compile(f"^{re.escape(prefix)}[A-Z]", re.IGNORECASE)


def _gene_in(gene: str, text: Any) -> bool:
    return (
        isinstance(text, str)
        and re.search(rf"(?<![A-Za-z0-9]){re.escape(gene)}(?![A-Za-z0-9])", text, re.IGNORECASE)
        is not None
    )


def _sv_test(gene: Any, partner: Any) -> DocTest:
    """A structural variant involving ``gene`` (and ``partner``, when given). Structured
    documents name both genes (LEFT_PARTNER_GENE, RIGHT_PARTNER_GENE), in either order;
    unstructured ones carry the genes in STRUCTURAL_VARIANT_COMMENT (or the gene in
    TRUE_HUGO_SYMBOL). "any_gene" stands for any gene."""

    def wildcard(g: Any) -> bool:
        return _none_like(g) or (isinstance(g, str) and g.strip().lower() == ANY_GENE)

    def same_gene(wanted: Any, actual: Any) -> bool:
        return wildcard(wanted) or (
            isinstance(actual, str) and actual.strip().lower() == str(wanted).strip().lower()
        )

    def test(d: Doc, p: Patient) -> bool:
        left, right = d.get("LEFT_PARTNER_GENE"), d.get("RIGHT_PARTNER_GENE")
        if not _none_like(left) or not _none_like(right):
            return (same_gene(gene, left) and same_gene(partner, right)) or (
                same_gene(gene, right) and same_gene(partner, left)
            )
        comment = d.get("STRUCTURAL_VARIANT_COMMENT")
        gene_ok = (
            wildcard(gene)
            or _gene_in(str(gene), comment)
            or same_gene(gene, d.get("TRUE_HUGO_SYMBOL"))
        )
        partner_ok = wildcard(partner) or _gene_in(str(partner), comment)
        return gene_ok and partner_ok

    return test


def _age(birth: dt.date, as_of: dt.date) -> int:
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


# --- trees --------------------------------------------------------------------------


@dataclass
class CNode:
    op: str  # "and", "or", "leaf"
    children: list[CNode] = field(default_factory=list)
    leaf: CompiledLeaf | None = None


def _compile_tree(node: Node, compiler: Compiler, where: str) -> CNode:
    if isinstance(node, Leaf):
        return CNode("leaf", leaf=compiler.leaf(node, where))
    op = "and" if isinstance(node, And) else "or"
    assert isinstance(node, And | Or)
    return CNode(op, [_compile_tree(c, compiler, where) for c in node.children])


def _evaluate(
    node: CNode, patient: Patient, ctx: Context, memo: dict[int, tuple[bool, Reason | None]]
) -> tuple[bool, list[Reason]]:
    if node.op == "leaf":
        assert node.leaf is not None
        result = memo.get(node.leaf.ident)
        if result is None:
            result = memo[node.leaf.ident] = node.leaf.evaluate(patient, ctx)
        met, reason = result
        return met, ([reason] if met and reason is not None else [])
    reasons: list[Reason] = []
    if node.op == "and":
        for child in node.children:
            met, child_reasons = _evaluate(child, patient, ctx, memo)
            if not met:
                return False, []
            reasons.extend(child_reasons)
        return True, reasons
    any_met = False
    for child in node.children:
        met, child_reasons = _evaluate(child, patient, ctx, memo)
        if met:
            any_met = True
            reasons.extend(r for r in child_reasons if r not in reasons)
    return any_met, reasons


@dataclass
class CompiledClause:
    trial: Trial
    clause: MatchClause
    root: CNode


@dataclass
class Matcher:
    """Compile trials once, then match any number of patients."""

    trials: list[Trial]
    as_of: dt.date
    tree: OncoTree = field(default_factory=shipped_tree)
    clauses: list[CompiledClause] = field(init=False)
    warnings: list[str] = field(init=False)
    ctx: Context = field(init=False)

    def __post_init__(self) -> None:
        compiler = Compiler()
        self.clauses = []
        for trial in self.trials:
            for clause in trial.clauses:
                where = f"{trial.source}: {trial.protocol_no} {clause.where}"
                self.clauses.append(
                    CompiledClause(trial, clause, _compile_tree(clause.tree, compiler, where))
                )
        self.warnings = compiler.warnings
        self.ctx = Context(self.as_of, self.tree)

    def match_patient(self, patient: Patient) -> list[dict[str, Any]]:
        if patient.deceased:
            return []
        memo: dict[int, tuple[bool, Reason | None]] = {}
        out = []
        for cc in self.clauses:
            met, reasons = _evaluate(cc.root, patient, self.ctx, memo)
            if met:
                out.append(
                    {
                        "protocol_no": cc.trial.protocol_no,
                        "nct_id": cc.trial.nct_id,
                        "sample_id": patient.sample_id,
                        "match_level": cc.clause.level,
                        "code": cc.clause.code,
                        "status": "closed" if cc.clause.closed else "open",
                        "reasons": reasons,
                    }
                )
        return out

    def match_all(self, patients: Iterable[Patient]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for patient in patients:
            out.extend(self.match_patient(patient))
        order = {"step": 0, "arm": 1, "dose": 2}
        out.sort(
            key=lambda m: (m["protocol_no"], m["sample_id"], order[m["match_level"]], m["code"])
        )
        return out


def match(
    trials: list[Trial], patients: Iterable[Patient], as_of: dt.date, tree: OncoTree | None = None
) -> list[dict[str, Any]]:
    return Matcher(trials, as_of, tree or shipped_tree()).match_all(patients)
