"""Explicit TNM categories (pT2 pN0, ypT1c, T3N1M0, synoptic "Primary tumor (pT): pT2",
OCR variants such as "pT 2", "p T2", "pTlc", "pNO") and their reconciliation.

A category without the pathologic prefix is accepted only inside a T-N(-M) cluster or
after a synoptic label, because "T2" alone is also an MRI weighting, a slide label, a
vertebra. Clinical (c) categories are kept as facts but never answer pT/pN/pM. X values
("not assessed") are facts too, but the summary treats them as not stated."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document

# Not inside a word, except right after "AJCC" ("[AJCCpT2N1(sn)]", "AJCCT3N1") or AJCC's
# "m" for multiple tumours ("mpT2a").
_B = r"(?:(?<![A-Za-z0-9])|(?<=AJCC)|(?<=(?<![A-Za-z0-9])m))"
_PREFIX = r"(?P<{g}pre>(?:[yr]\s?)?[pP]\s?(?:[sS][nN]\s?)?|[yr]?c\s?)"
_T = (
    r"T\s?(?P<t>[0-4]|is|IS|[Xx]|"
    r"[lI](?=[a-d]?(?![A-Za-z])))(?P<tsub>(?:[a-d][12]?|mi)(?![a-oq-z])|[A-D](?:(?![A-Za-z])|(?=N\s?[0-3XxoO])))?"
)
_N = (
    r"(?:[sS][nN]\s?)?N\s?(?P<n>[0-3]|[Xx]|[oO](?![A-Za-z]{2})|[oO](?=L[01oO])|[lI](?=[a-c]?(?"
    r"![A-Za-z])))(?P<nsub>(?:mi|[a-c])(?![a-oq-z]))?"
)
_M = r"M\s?(?P<m>[01]|[Xx]|[oO](?![A-Za-z]{2}))(?P<msub>[a-d](?![A-Za-z]))?"
_GAP = r"(?:\s*(?:\((?:[^()]{0,20})\)|\[[^\]]{0,12}\]|[,;/]|-)?\s*){0,3}"

CLUSTER = re.compile(
    _B
    # "oT2N3aL1V0R0": OCR reads the p of a T-N cluster as o.
    + "(?:"
    + _PREFIX.format(g="t")
    + r"|(?P<tocr>o)(?=T\s?[0-4lI]))"
    + "?"
    + _T
    + _GAP
    + _PREFIX.format(g="n")
    + "?"
    + _N
    + "(?:"
    + _GAP
    + _PREFIX.format(g="m")
    + "?"
    + _M
    + ")?"
)
PREFIXED = {
    "T": re.compile(_B + _PREFIX.format(g="t") + _T),
    "N": re.compile(_B + _PREFIX.format(g="n") + _N),
    "M": re.compile(_B + r"(?P<mpre>(?:[yr]\s?)?[pP]\s?|c\s?)" + _M),
}
# "T Stage: 2", "pN category: 0": a label naming the axis, then a bare digit.
AXIS_LABELLED = {
    axis: re.compile(
        rf"(?<![A-Za-z])p?{axis}\.?\s?(?i:stage|category|classification)\s*[:.\-]+\s*(?P<{axis.lower()}>{digits})(?P<{axis.lower()}sub>[a-d](?![A-Za-z]))?(?!\w|\.\d)"
    )
    for axis, digits in (("T", "[0-4]|is|X"), ("N", "[0-3]|X"), ("M", "[01]|X"))
}
LABELLED = {
    "T": re.compile(
        (
            r"(?:primary tumou?r|pathologic(?:al)? T|T (?:stage|category|classificatio"
            r"n)|extent of (?:primary )?tumou?r|tumou?r extent|(?:pathologic(?:al)? )?staging "
            r"\(p?TNM\)\s*:)\s*(?:\(p?T\))?\s*[:.\-]*\s*"
        )
        + _PREFIX.format(g="t")
        + "?"
        + _T,
        re.IGNORECASE,
    ),
    "N": re.compile(
        (
            r"(?:regional lymph nodes?|pathologic(?:al)? N|N (?:stage|category|classif"
            r"ication)|(?:lymph )?nod(?:e|al) stage)\s*(?:\(p?N\)|\([^()]{1,30}\))?"
            r"\s*[:.\-]*\s*"
        )
        + _PREFIX.format(g="n")
        + "?"
        + _N,
        re.IGNORECASE,
    ),
    "M": re.compile(
        (
            r"(?:distant metasta\w*|pathologic(?:al)? M|M (?:stage|category|classification))\s"
            r"*(?:\(p?M\))?\s*[:.\-]*\s*"
        )
        + _PREFIX.format(g="m")
        + "?"
        + _M,
        re.IGNORECASE,
    ),
}
_OCR_DIGIT = {
    "o": "0",
    "O": "0",
    "l": "1",
    "I": "1",
    "i": "1",
    "L": "1",
    "x": "X",
    "X": "X",
    "IS": "is",
}


# "pTNM stage: Tlc NO", "Classification: T1 N0": a label that announces categories.
STAGE_LABEL_BEFORE = re.compile(r"(?:stage|staging|classification|tnm|ajcc)\W{0,4}$", re.IGNORECASE)
# "pT1: Tumor limited to one subsite ...": a category printed with its definition. A
# checklist prints every option so; a report prints the chosen one so.
DEFINITION_AFTER = re.compile(
    r"\s*[:\-]\s*(?:tumou?rs?|no\b|metasta\w*|cannot|carcinoma|invasion|in situ|"
    r"moderately|very|regional|single|multiple|\w+ (?:advanced|confined|limited))",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    axis: str  # T, N or M
    value: str  # e.g. T1c, N0, MX
    main: str  # T1, N0, MX, Tis
    prefix: str  # p, yp, c, ...
    start: int
    end: int
    weight: float
    how: str
    defined: bool = False


def _norm(axis: str, digit: str, sub: str | None) -> tuple[str, str]:
    digit = _OCR_DIGIT.get(digit, digit)
    main = f"{axis}{digit}"
    sub = (sub or "").strip().lower()
    return main + sub, main


def _prefix(raw: str | None) -> str:
    return re.sub(r"[\s]", "", raw or "").lower().replace("sn", "")


def _letter(text: str, axis: str, digit_start: int) -> int:
    """Where the category's letter is ("T" of "T 2"), so the span reads "T 2"."""
    k = text.rfind(axis, max(0, digit_start - 3), digit_start)
    return k if k >= 0 else digit_start


def _end(m: re.Match[str], g: str) -> int:
    return m.end(f"{g}sub") if m.group(f"{g}sub") else m.end(g)


def candidates(doc: Document) -> list[Candidate]:
    text = doc.text
    found: list[Candidate] = []
    seen: set[tuple[str, int]] = set()

    def add(axis, digit, sub, pre, start, end, how, weight):
        if digit is None:
            return
        value, main = _norm(axis, digit, sub)
        prefix = _prefix(pre)
        key = (axis, start)
        if key in seen:
            return
        seen.add(key)
        defined = bool(DEFINITION_AFTER.match(text, end))
        found.append(
            Candidate(
                axis, value, main, prefix, start, end, weight * doc.weight_at(start), how, defined
            )
        )

    for m in CLUSTER.finditer(text):
        n_raw = m.group("n")
        # An unprefixed "NO" is only a category when the cluster goes on (M) or ends.
        if n_raw in ("o", "O") and not m.group("npre"):
            after = text[m.end("n") : m.end("n") + 12]
            if m.group("m") is None and re.match(r"\s+[A-Za-z]{3,}", after):
                continue
        if (
            m.group("t") in ("l", "I")
            and not m.group("tpre")
            and not m.group("m")
            and not STAGE_LABEL_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
        ):
            continue  # "Tl" alone may be a slide or block label; "stage: Tla NX MX" is not
        add(
            "T",
            m.group("t"),
            m.group("tsub"),
            m.group("tpre"),
            _letter(text, "T", m.start("t")),
            _end(m, "t"),
            "cluster",
            1.0,
        )
        add(
            "N",
            n_raw,
            m.group("nsub"),
            m.group("npre") or m.group("tpre"),
            _letter(text, "N", m.start("n")),
            _end(m, "n"),
            "cluster",
            1.0,
        )
        if m.group("m"):
            add(
                "M",
                m.group("m"),
                m.group("msub"),
                m.group("mpre") or m.group("tpre"),
                _letter(text, "M", m.start("m")),
                _end(m, "m"),
                "cluster",
                1.0,
            )
    for axis, regex in LABELLED.items():
        g = axis.lower()
        for m in regex.finditer(text):
            add(
                axis,
                m.group(g),
                m.group(f"{g}sub"),
                m.group(f"{g}pre") or "p",
                _letter(text, axis, m.start(g)),
                _end(m, g),
                "label",
                1.0,
            )
    for axis, regex in AXIS_LABELLED.items():
        g = axis.lower()
        for m in regex.finditer(text):
            add(axis, m.group(g), m.group(f"{g}sub"), "p", m.start(g), _end(m, g), "label", 1.0)
    for axis, regex in PREFIXED.items():
        g = axis.lower()
        for m in regex.finditer(text):
            pre = m.group(f"{g}pre")
            if axis != "T" and m.group(g) in ("o", "O") and not re.search(r"[pP]", pre or ""):
                continue
            add(
                axis,
                m.group(g),
                m.group(f"{g}sub"),
                pre,
                _letter(text, axis, m.start(g)),
                _end(m, g),
                "prefixed",
                0.9,
            )
    return found


# A correction of the stage ("revised as:", "revised to reflect the correct pathologic
# stage:", "amended", "corrected").
REVISED_BEFORE = re.compile(
    r"\b(?:revised|corrected|amended|changed)\b[^.]{0,60}$|\bcorrect\s+(?:pathologic\s+)?"
    r"(?:tnm\s+)?stag\w*[^.]{0,20}$",
    re.IGNORECASE,
)


def _lead_in(doc: Document, start: int) -> str:
    """The words before a category within its sentence (at most 80 characters)."""
    before = doc.text[max(0, start - 80) : start]
    return before[before.rfind(". ") + 1 :]


def reconcile(
    doc: Document, found: list[Candidate]
) -> tuple[list[Fact], dict[str, Candidate | None]]:
    """One fact per candidate. Per axis the answer is a pathologic category: a stated
    correction first; then, for T, the highest category (AJCC stages multiple tumours by
    the highest T), for N and M the one with the most weight (ties: the higher).
    Clinical categories never answer; X means not assessed (no answer)."""
    facts: list[Fact] = []
    chosen: dict[str, Candidate | None] = {}
    for c in found:
        facts.append(
            Fact(
                f"{'c' if c.prefix.endswith('c') else 'p'}{c.axis}",
                c.value,
                Provenance(
                    doc.document_id,
                    c.start,
                    c.end,
                    doc.sentence(c.start),
                    doc.section_at(c.start).name,
                ),
                confidence=0.95 if c.how != "prefixed" or "p" in c.prefix else 0.8,
                detail={
                    "prefix": c.prefix or None,
                    "found_as": c.how,
                    "text": doc.text[c.start : c.end],
                },
            )
        )
    for axis in ("T", "N", "M"):
        pathologic = [c for c in found if c.axis == axis and not c.prefix.endswith("c")]
        if len({c.main for c in pathologic if c.defined}) > 1:
            # A checklist of every option with its definition: none of them is the answer.
            pathologic = [c for c in pathologic if not c.defined]
        revised = [c for c in pathologic if REVISED_BEFORE.search(_lead_in(doc, c.start))]
        if revised:
            # "The TNM stage of the tumor is revised as: pT3a": the correction replaces
            # the categories it corrects.
            pathologic = revised
        votes: dict[str, float] = defaultdict(float)
        for c in pathologic:
            votes[c.main] += c.weight
        assessed = {k: v for k, v in votes.items() if not k.endswith("X")}
        if axis == "T" and any(k[1:].isdigit() and k != "T0" for k in assessed):
            # "pTis (DCIS)" beside "mpT2a": the in situ focus or specimen does not stage
            # the invasive carcinoma the report also stages (AJCC: pT is the invasive
            # tumour's, the largest when there are several).
            assessed = {k: v for k, v in assessed.items() if k != "Tis"}
        if not assessed:
            chosen[axis] = None
            continue
        if axis == "T":
            # Several tumours, or specimens, staged apart ("pT1b" for a satellite, "pT2"
            # for the main mass): AJCC stages multiple tumours by the highest T. Only
            # categories written with weight count (not a history line's earlier tumour).
            heaviest = max(c.weight for c in pathologic if c.main in assessed)
            best = max(
                c.main for c in pathologic if c.main in assessed and c.weight >= heaviest / 2
            )
        else:
            best = max(assessed.items(), key=lambda kv: (kv[1], kv[0]))[0]
        total = sum(assessed.values())
        if assessed[best] / total < 0.5 and len(assessed) > 2:
            chosen[axis] = None  # a checklist listing every option, or irreconcilable
            continue
        pick = [c for c in pathologic if c.main == best]
        # Prefer the most specific spelling (T1c over T1) of the chosen main category.
        chosen[axis] = max(pick, key=lambda c: (len(c.value), c.weight))
    return facts, chosen
