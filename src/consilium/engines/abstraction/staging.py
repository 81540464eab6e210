"""pT and pN inferred by the site's AJCC rules (data/staging.yaml) when the report does
not state them: T from the largest tumour size and from the extent of invasion, N from
the number of positive regional nodes. Every inferred fact says what it came from."""

from __future__ import annotations

import re
from functools import cache

from consilium.engines.abstraction.findings import NodeTotals, Size
from consilium.engines.abstraction.lexicon import line_break_tolerant, load
from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document


def _rule(pattern: str, end: bool = True) -> re.Pattern[str]:
    """A staging pattern as a regex that also reads a scanned report's line ends ("THE
    TUMOR EXTENDS THROUGH THE RENAL. CAPSULE")."""
    tail = r"(?!\w)" if end else ""
    return re.compile(rf"(?<!\w)(?:{line_break_tolerant(pattern)}){tail}", re.IGNORECASE)


@cache
def _sites() -> dict[str, dict]:
    data = load("staging")
    sites = {}
    for name, spec in data["sites"].items():
        compiled = dict(spec)
        compiled["name"] = name
        compiled["t_by_extent"] = [
            (r["t"], _rule(r["pattern"], end=False)) for r in spec.get("t_by_extent", [])
        ]
        compiled["t_blockers"] = [_rule(p) for p in spec.get("t_blockers", [])]
        compiled["t_rules"] = [
            {
                "t": r["t"],
                "why": r["why"],
                "all": [
                    (kind, _rule(pattern)) for cond in r["all"] for kind, pattern in cond.items()
                ],
            }
            for r in spec.get("t_rules", [])
        ]
        compiled["size_firm_when"] = [
            (kind, _rule(pattern))
            for cond in spec.get("size_firm_when", [])
            for kind, pattern in cond.items()
        ]
        if "t_by_thickness" in spec:
            thickness = spec["t_by_thickness"]
            compiled["t_by_thickness"] = {
                "label": re.compile(
                    rf"(?:{thickness['label']})\W{{0,20}}?(?P<v>\d{{1,2}}(?:\.\d{{1,2}})?)"
                    r"\s*(?P<unit>mm|millimet\w*|cm|centimet\w*)\b",
                    re.IGNORECASE,
                ),
                "rows": thickness["rows"],
            }
        compiled.setdefault("n_by_positive_nodes", data["default"]["n_by_positive_nodes"])
        for code in spec["codes"]:
            sites[code] = compiled
    return sites


def edition() -> str:
    return load("staging")["edition"]


# "Visceral pleural invasion: No", "... invasion: Carcinoma extends up to but not
# through": a labelled finding is present only when its value says so.
LABEL_VALUE = re.compile(r"\s*:\s*(?P<value>[^.;]{0,40})")
PRESENT_VALUE = re.compile(
    r"^(?:present|identified|yes|seen|positive|invades|involves|extends|into|through|focal|"
    r"minimal|microscopic|gross|extensive)\b",
    re.IGNORECASE,
)


ABSENT_VALUE = re.compile(
    r"^(?:no|none|absent|not (?:identified|seen|present|detected)|negative)\b", re.IGNORECASE
)


def _stated(doc: Document, regex: re.Pattern[str], status: str) -> re.Match[str] | None:
    """The first mention the report states with ``status``: "present" (asserted, not
    negated) or "absent" ("Vascular invasion: not identified", "There is no vascular
    invasion"). A labelled value decides; otherwise the sentence's assertion does. Not
    mentioning a finding is neither."""
    values = PRESENT_VALUE if status == "present" else ABSENT_VALUE
    for m in regex.finditer(doc.text):
        label = LABEL_VALUE.match(doc.text, m.end())
        if label is not None:
            if values.match(label.group("value").strip()):
                return m
            continue
        if doc.assertion(m.start(), m.end(), post_window=25).status == status:
            return m
    return None


def _present(doc: Document, regex: re.Pattern[str]) -> re.Match[str] | None:
    return _stated(doc, regex, "present")


def _absent(doc: Document, regex: re.Pattern[str]) -> re.Match[str] | None:
    return _stated(doc, regex, "absent")


def _by_rules(doc: Document, site: dict) -> tuple[str, str, int, int] | None:
    """The first of the site's finding rules whose conditions all hold: (T, why, span)."""
    for rule in site["t_rules"]:
        anchor = None
        for kind, regex in rule["all"]:
            if kind == "present":
                m = _present(doc, regex)
                if m is None:
                    break
                anchor = anchor or m
            elif kind == "absent":
                m = _absent(doc, regex)
                if m is None:
                    break
                anchor = anchor or m
            elif kind == "not_present" and _present(doc, regex) is not None:
                break
        else:
            if anchor is not None:
                return rule["t"], rule["why"], anchor.start(), anchor.end()
    return None


def _by_thickness(doc: Document, site: dict) -> tuple[str, str, int, int] | None:
    spec = site.get("t_by_thickness")
    if not spec:
        return None
    found = [m for m in spec["label"].finditer(doc.text)]
    if not found:
        return None

    # The largest stated thickness: a re-excision may restate a smaller residual depth.
    def mm(m: re.Match[str]) -> float:
        value = float(m.group("v"))
        return value * 10 if m.group("unit").lower().startswith("c") else value

    best = max(found, key=mm)
    for row in spec["rows"]:
        if mm(best) <= float(row["max_mm"]):
            return row["t"], f"tumour thickness {mm(best):g} mm", best.start(), best.end()
    return None


def infer_t(doc: Document, cancer_code: str | None, size: Size | None) -> Fact | None:
    site = _sites().get(cancer_code or "")
    if site is None:
        return None
    for reader in (_by_rules, _by_thickness):
        found = reader(doc, site)
        if found is not None:
            value, why, start, end = found
            return Fact(
                "pT",
                value,
                Provenance(
                    doc.document_id, start, end, doc.sentence(start), doc.section_at(start).name
                ),
                basis="inferred",
                inferred_from=f"{why} ({edition()}, {site['name']} T definitions)",
                confidence=float(site.get("rule_confidence", 0.8)),
            )
    by_size = None
    if (
        size is not None
        and site.get("t_by_size")
        and not any(_present(doc, b) for b in site["t_blockers"])
    ):
        for row in site["t_by_size"]:
            if size.cm <= float(row["max_cm"]):
                by_size = row["t"]
                break
    by_extent, extent_match = None, None
    for t, regex in site["t_by_extent"]:
        m = _present(doc, regex)
        if m is not None:
            by_extent, extent_match = t, m
            break
    if by_size is None and by_extent is None:
        return None
    if by_extent is not None and (by_size is None or by_extent > by_size):
        value, start, end = by_extent, extent_match.start(), extent_match.end()
        basis = (
            f"extent of invasion '{extent_match.group(0)}' "
            f"({edition()}, {site['name']} T definitions)"
        )
        # An extent sets a least category. Without a size it is the answer only when no
        # size could raise it (lung: visceral pleural invasion is T2, or T3 above 7 cm).
        size_ceiling = max((row["t"] for row in site.get("t_by_size", [])), default="T0")
        decisive = by_size is not None or by_extent >= size_ceiling
        confidence = 0.8 if decisive else 0.6
        if not decisive:
            basis += "; the tumour size, which may raise the category, is not stated"
    else:
        value, start, end = by_size, size.start, size.end
        # A size read from a labelled field ("Tumor size: 3.1 cm") or said of the carcinoma
        # in the diagnosis is firmer than one read from other narrative (the gross
        # description's masses and fragments); some sites' size rules are weaker (data:
        # size_confidence).
        confidence = float(site.get("size_confidence", 0.8)) if size.firm else 0.6
        if size.firm and any(_stated(doc, regex, kind) for kind, regex in site["size_firm_when"]):
            confidence = max(confidence, float(site.get("rule_confidence", 0.8)))
        basis = (
            f"largest tumour size {size.cm:g} cm ({edition()}, {site['name']} T size thresholds)"
        )
        if by_extent is not None:
            basis += f"; extent '{extent_match.group(0)}' gives no higher category"
    return Fact(
        "pT",
        value,
        Provenance(doc.document_id, start, end, doc.sentence(start), doc.section_at(start).name),
        basis="inferred",
        inferred_from=basis,
        confidence=confidence,
    )


def infer_n(doc: Document, cancer_code: str | None, nodes: NodeTotals | None) -> Fact | None:
    if nodes is None:
        return None
    site = _sites().get(cancer_code or "")
    rows = (
        site["n_by_positive_nodes"] if site else load("staging")["default"]["n_by_positive_nodes"]
    )
    where = site["name"] if site else "any site"
    if nodes.positive is not None and (nodes.examined or nodes.positive == 0):
        index = _row_for(rows, nodes.positive)
        if index is None or rows[index]["n"] is None:
            return None
        # "No positive node" and a labelled count are firm. A count read from fractions
        # may miss a specimen or double count a summary line: within the site's first
        # positive category (breast N1: 1 to 3 nodes) such a slip rarely changes the
        # category (measured on TCGA dev reports: 35 of 39 right), above it it often does
        # (breast N2/N3 from counts: 10 of 21 right), so only the first is answered.
        first_positive = index == 1 and int(rows[0]["max"]) == 0
        firm = nodes.positive == 0 or nodes.basis.startswith("stated") or first_positive
        confidence = float(rows[index].get("count_confidence", 0.8 if firm else 0.6))
        why = (
            f"{nodes.positive} of {nodes.examined} regional lymph nodes positive: {nodes.basis}"
            if nodes.examined
            else f"no regional lymph node positive: {nodes.basis}"
        )
    elif nodes.at_least > 0:
        # The total is unknown but lies between a floor and, with repeated fractions, a
        # ceiling: the category is decided when both ends fall in the same category, or
        # when the floor already reaches the site's highest count category (any positive
        # node is N1 where N1 has no upper count: thyroid, kidney).
        index = _row_for(rows, nodes.at_least)
        top = _row_for(rows, nodes.at_most) if nodes.at_most is not None else len(rows) - 1
        if index is None or index != top or rows[index]["n"] is None:
            return None
        confidence = float(rows[index].get("count_confidence", 0.8))
        span = (
            f"{nodes.at_least} to {nodes.at_most}"
            if nodes.at_most is not None
            else f"at least {nodes.at_least}"
        )
        why = f"{span} regional lymph nodes positive ({nodes.basis})"
    else:
        return None
    return Fact(
        "pN",
        rows[index]["n"],
        Provenance(
            doc.document_id,
            nodes.start,
            nodes.end,
            doc.sentence(nodes.start),
            doc.section_at(nodes.start).name,
        ),
        basis="inferred",
        inferred_from=f"{why} ({edition()}, {where} N by node count)",
        confidence=confidence,
    )


def _row_for(rows: list[dict], positive: int) -> int | None:
    """The first row whose ``max`` holds the number of positive nodes."""
    for index, row in enumerate(rows):
        if positive <= int(row["max"]):
            return index
    return None
