"""Scores the abstractor against labelled reports (the format of TCGA dev.jsonl:
{"report_id", "text", "labels": {...}}).

Per field: accuracy over all labelled reports, coverage (share answered) and precision
when answered. Choices, stated in the printed output too:
- cancer_type: the answer (OncoTree) is mapped to TCGA projects (data/tcga_projects.yaml).
- pT/pN/pM: main categories only (T1..T4, N0..N3, M0/M1). Labels TX/NX/MX ("not
  assessed") and missing labels are excluded from the field's labelled set; they say
  nothing about which category is right.
- er/pr/her2 (her2 against her2_ihc): only reports labelled Positive/Negative(/Equivocal);
  "Indeterminate" labels are excluded the same way.
- stage_group: exact group (IIB); grade: G1..G4 or High/Low Grade as labelled (GX
  excluded); histology: the ICD-O-3 morphology code (8500/3)."""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from consilium.engines.abstraction.engine import abstract
from consilium.engines.abstraction.lexicon import load
from consilium.engines.abstraction.model import Abstraction

FIELDS = ("cancer_type", "pT", "pN", "pM", "stage_group", "histology", "grade", "er", "pr", "her2")
LABEL_KEY = {"her2": "her2_ihc", "stage_group": "stage", "histology": "icdo3_histology"}


@cache
def tcga_projects() -> dict[str, set[str]]:
    """OncoTree code -> the TCGA projects it belongs to."""
    mapping: dict[str, set[str]] = {}
    for project, codes in load("tcga_projects")["projects"].items():
        for code in codes:
            mapping.setdefault(code, set()).add(project)
    return mapping


def main_category(axis: str, value: str | None) -> str | None:
    if not value:
        return None
    digits = {"T": "0-4", "N": "0-3", "M": "01"}[axis]
    m = re.search(rf"{axis}\s?([{digits}]|is|X)", value, re.IGNORECASE)
    if not m:
        return None
    return f"{axis}{m.group(1).upper() if m.group(1).upper() == 'X' else m.group(1)}"


def normalize_label(name: str, value) -> str | None:
    """The label as the field is scored, or None when it is not scoreable."""
    if value is None:
        return None
    value = str(value).strip()
    if name in ("pT", "pN", "pM"):
        main = main_category(name[1], value)
        return None if main is None or main.endswith("X") or main == "Tis" else main
    if name in ("er", "pr", "her2"):
        low = value.lower()
        return low if low in ("positive", "negative", "equivocal") else None
    if name == "stage_group":
        m = re.match(r"(?:stage\s+)?(0|IS|I{1,3}|IV)([ABC]\d?)?$", value, re.IGNORECASE)
        return (
            (m.group(1).upper() + (m.group(2) or "").upper())
            if m and m.group(1).upper() != "X"
            else None
        )
    if name == "grade":
        return None if value.upper() == "GX" else value
    return value


def answer_matches(name: str, answer: str | None, label: str) -> bool:
    if answer is None:
        return False
    if name == "cancer_type":
        return label in tcga_projects().get(answer, set())
    if name in ("pT", "pN", "pM"):
        return main_category(name[1], answer) == label
    if name == "grade":
        return answer.lower() == label.lower()
    return answer == label


@dataclass
class FieldScore:
    labelled: int = 0
    answered: int = 0
    correct: int = 0
    answered_unlabelled: int = 0
    confusions: Counter = field(default_factory=Counter)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None

    @property
    def coverage(self) -> float | None:
        return self.answered / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.answered if self.answered else None


# "Where the report states them" (the goal for ER, PR and HER2): the marker's name
# followed, in the same sentence, by a result word, a percentage or an IHC score. A
# report that only names the marker (a test ordered, an outside result) is not counted.
_RESULT = r"[^.\n]{0,80}?(?:positive|negative|equivocal|\b\d{1,3}\s*%|\b[0-3]\s*\+)"
STATED = {
    "er": re.compile(r"(?:estrogen receptor|\bER\b)" + _RESULT, re.IGNORECASE),
    "pr": re.compile(r"(?:progesterone receptor|\bPR\b|\bPgR\b)" + _RESULT, re.IGNORECASE),
    "her2": re.compile(r"(?:HER-?2|c-?erb-?B-?2)" + _RESULT, re.IGNORECASE),
}


@dataclass
class Evaluation:
    fields: dict[str, FieldScore]
    milliseconds: list[float]
    reports: int
    bad_lines: int = 0
    errors: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    # ER, PR and HER2 scored again on the reports that state them (see STATED).
    stated: dict[str, FieldScore] = field(default_factory=dict)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.milliseconds) if self.milliseconds else 0.0

    @property
    def p95_ms(self) -> float:
        if not self.milliseconds:
            return 0.0
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def as_dict(self) -> dict:
        return {
            "reports": self.reports,
            "bad_lines": self.bad_lines,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "fields": {
                name: {
                    "labelled": s.labelled,
                    "answered": s.answered,
                    "correct": s.correct,
                    "accuracy": s.accuracy,
                    "coverage": s.coverage,
                    "precision": s.precision,
                    "answered_where_not_scoreable": s.answered_unlabelled,
                }
                for name, s in self.fields.items()
            },
            "where_stated": {
                name: {
                    "labelled": s.labelled,
                    "answered": s.answered,
                    "correct": s.correct,
                    "accuracy": s.accuracy,
                    "precision": s.precision,
                }
                for name, s in self.stated.items()
            },
        }


def score(
    records: Iterable[dict], abstract_fn: Callable[[str, str | None], Abstraction] = abstract
) -> Evaluation:
    scores = {name: FieldScore() for name in FIELDS}
    stated = {name: FieldScore() for name in STATED}
    times: list[float] = []
    errors: list[tuple[str, str, str | None, str]] = []
    n = 0
    for record in records:
        n += 1
        started = time.perf_counter()
        result = abstract_fn(record["text"], str(record.get("report_id")))
        times.append((time.perf_counter() - started) * 1000)
        labels = record.get("labels") or {}
        summary = result.summary()
        for name in FIELDS:
            s = scores[name]
            label = normalize_label(name, labels.get(LABEL_KEY.get(name, name)))
            answer = summary[name]
            if label is None:
                if answer is not None:
                    s.answered_unlabelled += 1
                continue
            right = answer is not None and answer_matches(name, answer, label)
            _count(s, answer, right)
            if answer is not None and not right:
                s.confusions[(label, answer)] += 1
                errors.append((str(record.get("report_id")), name, answer, label))
            if name in STATED and STATED[name].search(record["text"]):
                _count(stated[name], answer, right)
    return Evaluation(scores, times, n, errors=errors, stated=stated)


def _count(s: FieldScore, answer: str | None, right: bool) -> None:
    s.labelled += 1
    if answer is not None:
        s.answered += 1
        s.correct += int(right)


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def render(ev: Evaluation, confusions: int = 0) -> str:
    lines = [
        f"{'field':<12} {'labelled':>8} {'answered':>8} {'correct':>7} "
        f"{'accuracy':>8} {'coverage':>8} {'precision':>9}",
    ]
    for name, s in ev.fields.items():
        lines.append(
            f"{name:<12} {s.labelled:>8} {s.answered:>8} {s.correct:>7} "
            f"{_pct(s.accuracy):>8} {_pct(s.coverage):>8} {_pct(s.precision):>9}"
        )
    for name, s in ev.stated.items():
        lines.append(
            f"{name + ' stated':<12} {s.labelled:>8} {s.answered:>8} {s.correct:>7} "
            f"{_pct(s.accuracy):>8} {_pct(s.coverage):>8} {_pct(s.precision):>9}"
        )
    lines.append(f"reports: {ev.reports}; bad lines: {ev.bad_lines}")
    lines.append(
        f"time per report: median {ev.median_ms:.1f} ms, p95 {ev.p95_ms:.1f} ms "
        "(one process, one core)"
    )
    lines.append(
        "scoring: cancer_type as TCGA project (OncoTree->TCGA mapping in "
        "engines/abstraction/data/tcga_projects.yaml); pT/pN/pM on main categories; "
        "TX/NX/MX, Indeterminate, GX and missing labels are excluded from a field's labelled "
        "set (they do not say which answer is right); accuracy = correct/labelled, "
        "coverage = answered/labelled, precision = correct/answered; inferred pT/pN answer "
        "only from confidence 0.75 (weaker inferences stay facts); 'er/pr/her2 stated' "
        "rows score only the reports whose text names the marker with a result in the same "
        "sentence (a result word, a percentage or an IHC score)."
    )
    if confusions:
        for name, s in ev.fields.items():
            if s.confusions:
                top = ", ".join(
                    f"{label}->{answer} x{k}"
                    for (label, answer), k in s.confusions.most_common(confusions)
                )
                lines.append(f"confusions {name} (label->answer): {top}")
    return "\n".join(lines)
