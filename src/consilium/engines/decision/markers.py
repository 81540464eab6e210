"""Reading the profile's biomarker results the same way for every rule.

Facts reach the profile in several shapes: the abstraction engine's ("positive" with the
variant in the detail), a FHIR import's, or a person's ("EGFR: L858R", "MSI: MSS",
"PD-L1: TPS 60%", "MLH1: loss of expression"). ``read`` turns each into a ``Reading``:
one result class (positive, negative, equivocal, pending, not performed, or unclear when
the text says neither), the alteration named, the IHC score and any numeric scores.

Rules then ask plain questions of readings ("positive with an alteration matching
L858R?", "TPS at least 50?") and never parse text themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from consilium.engines.decision.profile import Biomarker, PatientProfile

POSITIVE, NEGATIVE, EQUIVOCAL, PENDING, NOT_PERFORMED, UNCLEAR = (
    "positive",
    "negative",
    "equivocal",
    "pending",
    "not_performed",
    "unclear",
)
#: Results that answer the question a test asks.
KNOWN = frozenset({POSITIVE, NEGATIVE, EQUIVOCAL})

#: Other spellings of marker names, to the name the rule files use.
ALIASES = {
    "PDL1": "PD-L1",
    "PD L1": "PD-L1",
    "PD-L1 (22C3)": "PD-L1",
    "KI67": "KI-67",
    "KI 67": "KI-67",
    "CLAUDIN18.2": "CLDN18.2",
    "CLAUDIN 18.2": "CLDN18.2",
    "CLDN18": "CLDN18.2",
    "HER-2": "HER2",
    "HER2/NEU": "HER2",
    "HER2NEU": "HER2",
    "MMR PROTEINS": "MMR",
    "PAN-TRK": "NTRK",
    "PANTRK": "NTRK",
    "FRALPHA": "FOLR1",
    "FR-ALPHA": "FOLR1",
}

MMR_PROTEINS = frozenset({"MLH1", "MSH2", "MSH6", "PMS2"})

_PENDING = re.compile(
    r"\b(pending|to follow|in progress|ordered|sent (out|for)|requested|awaited)\b", re.I
)
_NOT_PERFORMED = re.compile(
    r"\b(not[ _](performed|done|tested|assessed|evaluated|available)|insufficient|"
    r"cannot be (performed|assessed)|n/a)\b",
    re.I,
)
_EQUIVOCAL = re.compile(r"\b(equivocal|borderline|indeterminate)\b", re.I)
# Negative words are checked before positive ones: "not detected" contains "detected".
_NEGATIVE = re.compile(
    r"\b(negative|neg|wild[- ]?type|wt|not detected|no (mutation|alteration|fusion|"
    r"amplification|rearrangement|variant)s?( (detected|identified))?|non-?amplified|not "
    r"amplified|absent|undetectable|not identified|normal)\b|-ve\b",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(positive|pos|detected|identified|present|mutat\w*|mutant|amplifi\w*|fusion|"
    r"rearrange\w*|translocat\w*|overexpress\w*|pathogenic|likely pathogenic|deleterious)\b"
    r"|\+ve\b",
    re.I,
)
# Mismatch repair and microsatellite words (MSI, dMMR, the four proteins).
_MSI_POSITIVE = re.compile(
    r"\b(msi[- ]?h(igh)?|high|unstable|instability[- ]high|d-?mmr|deficient|loss|lost|"
    r"absent|not expressed)\b",
    re.I,
)
_MSI_NEGATIVE = re.compile(
    r"\b(mss|stable|msi[- ]?l(ow)?|low|p-?mmr|proficient|intact|retained|preserved|"
    r"normal)\b",
    re.I,
)
_NUMBER = re.compile(r"(?P<cmp>[<>≤≥]=?)?\s*(?P<n>\d{1,3}(?:\.\d+)?)")
_SCORE = re.compile(
    r"\b(?P<name>TPS|CPS|TC|IC)\b\s*[:=]?\s*(?P<cmp>[<>≤≥]=?)?\s*(?P<n>\d{1,3}(?:\.\d+)?)", re.I
)
_IHC = re.compile(r"(?<![\d.])([0-3])\s*\+")
_PROTEIN_CHANGE = re.compile(r"^[a-z]\d{1,4}([a-z]|\*|fs|del|ins|dup)$", re.I)


@dataclass(frozen=True)
class Reading:
    """One marker's result as the rules read it."""

    marker: str
    result: str  # positive | negative | equivocal | pending | not_performed | unclear
    alteration: str | None = None  # "L858R", "exon 19 deletion", "fusion", "MSI-H"
    ihc: str | None = None  # "0", "1+", "2+", "3+"
    scores: Mapping[str, float] = field(default_factory=dict)  # TPS, CPS, TMB, percent
    text: str = ""  # how it reads to a person

    @property
    def known(self) -> bool:
        return self.result in KNOWN

    @property
    def searchable(self) -> str:
        """Everything that may name the alteration, for the rules' patterns."""
        return " ".join(x for x in (self.alteration, self.text) if x)


def canonical(name: str) -> str:
    key = name.strip().upper()
    return ALIASES.get(key, key)


def read(profile: PatientProfile) -> dict[str, Reading]:
    """Every biomarker of the profile, read; keyed by the rule files' marker names."""
    out: dict[str, Reading] = {}
    for key, marker in profile.biomarkers.items():
        name = canonical(marker.name or key)
        if name in out:
            continue  # the profile keeps the most recent result first
        out[name] = read_one(name, marker)
    return out


def read_one(name: str, marker: Biomarker) -> Reading:
    status = (marker.status or "").strip()
    alteration = (marker.alteration or "").strip() or None
    value = (marker.value or "").strip() or None
    words = " ".join(x for x in (status, alteration, value) if x)
    if name == "PD-L1":
        return _pdl1(name, status, value, words)
    if name == "TMB":
        return _tmb(name, status, value, words)
    if name in MMR_PROTEINS or name in ("MSI", "MMR", "DMMR"):
        return _msi(name, status, alteration, words)
    result = _result(status)
    ihc = None
    if name in ("HER2", "ERBB2"):
        m = _IHC.search(value or "") or _IHC.search(status)
        if m:
            ihc = "0" if m.group(1) == "0" else f"{m.group(1)}+"
    if result == POSITIVE and alteration is None and status.lower() not in ("positive", "pos"):
        # A person wrote the alteration itself as the value ("L858R", "exon 19 deletion").
        alteration = status
    scores: dict[str, float] = {}
    if value and (pct := _NUMBER.search(value)) and "%" in value:
        scores["percent"] = float(pct.group("n"))
    return Reading(
        name,
        result,
        alteration=_tidy(alteration),
        ihc=ihc,
        scores=scores,
        text=_describe(name, result, _tidy(alteration), ihc, value),
    )


def _result(text: str) -> str:
    """The result class of a status word or a free-text result."""
    t = text.strip().lower()
    if not t:
        return UNCLEAR
    if t in (PENDING, NOT_PERFORMED, "not performed"):
        return PENDING if t == PENDING else NOT_PERFORMED
    if t in (POSITIVE, NEGATIVE, EQUIVOCAL):
        return t
    if _NOT_PERFORMED.search(t):
        return NOT_PERFORMED
    if _PENDING.search(t):
        return PENDING
    if _EQUIVOCAL.search(t):
        return EQUIVOCAL
    if _NEGATIVE.search(t):
        return NEGATIVE
    if _POSITIVE.search(t):
        return POSITIVE
    if _PROTEIN_CHANGE.match(t) or re.search(r"exon\s*\d+|\bc\.\d|\bp\.[a-z]", t):
        return POSITIVE  # a named variant is a positive result
    return UNCLEAR


def _msi(name: str, status: str, alteration: str | None, words: str) -> Reading:
    base = _result(status)
    if base in (PENDING, NOT_PERFORMED):
        return Reading(name, base, text=f"{name} {base.replace('_', ' ')}")
    # Order matters: "MSI-L" and "low" are negative, "MSI-H" and "high" positive; the
    # protein words ("loss", "retained") read the same for MLH1, MSH2, MSH6 and PMS2.
    if re.search(r"msi[- ]?l(ow)?\b", words, re.I):
        result = NEGATIVE
    elif _MSI_POSITIVE.search(words):
        result = POSITIVE
    elif _MSI_NEGATIVE.search(words) or base == NEGATIVE:
        result = NEGATIVE
    elif base == POSITIVE:
        # "MSI positive" means instability; "MLH1 positive" means the protein is there.
        result = NEGATIVE if name in MMR_PROTEINS else POSITIVE
    else:
        result = base
    if name in MMR_PROTEINS:
        label = {POSITIVE: "loss of expression (dMMR)", NEGATIVE: "retained"}.get(result)
    else:
        label = {POSITIVE: "MSI-high / dMMR", NEGATIVE: "MSS / pMMR"}.get(result)
    return Reading(
        name,
        result,
        alteration="MSI-H" if result == POSITIVE else None,
        text=f"{name} {label or status}",
    )


def _scores(text: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    for m in _SCORE.finditer(text):
        scores.setdefault(m.group("name").upper(), _bounded(m.group("n"), m.group("cmp")))
    return scores


def _bounded(number: str, comparator: str | None) -> float:
    """ "<1" reads as just under 1, ">50" as just over 50: thresholds compare right."""
    n = float(number)
    if comparator and comparator[0] in "<≤" and "=" not in comparator:
        return max(n - 0.5, 0.0)
    if comparator and comparator[0] in ">≥" and "=" not in comparator:
        return n + 0.5 if comparator[0] == ">" else n
    return n


def _pdl1(name: str, status: str, value: str | None, words: str) -> Reading:
    scores = _scores(words)
    if not scores:
        # A bare percentage is the tumour proportion score (the lung and most labels).
        m = re.search(r"(?P<cmp>[<>≤≥]=?)?\s*(?P<n>\d{1,3}(?:\.\d+)?)\s*%", words)
        if m:
            scores["TPS"] = _bounded(m.group("n"), m.group("cmp"))
    if scores:
        result = POSITIVE if max(scores.values()) >= 1 else NEGATIVE
        shown = ", ".join(
            f"{k} {_fmt(v)}{'%' if k in ('TPS', 'TC', 'IC') else ''}" for k, v in scores.items()
        )
        return Reading(name, result, scores=scores, text=f"PD-L1 {shown}")
    result = _result(status)
    if result == UNCLEAR and re.search(r"\bhigh\b", words, re.I):
        result = POSITIVE
    return Reading(name, result, text=f"PD-L1 {status or 'result unclear'}")


def _tmb(name: str, status: str, value: str | None, words: str) -> Reading:
    m = re.search(r"(?P<cmp>[<>≤≥]=?)?\s*(?P<n>\d{1,3}(?:\.\d+)?)\s*(mut|/\s*mb|muts)", words, re.I)
    if m:
        n = _bounded(m.group("n"), m.group("cmp"))
        result = POSITIVE if n >= 10 else NEGATIVE
        return Reading(name, result, scores={"TMB": n}, text=f"TMB {_fmt(n)} mut/Mb")
    if re.search(r"\bhigh\b", words, re.I):
        return Reading(name, POSITIVE, alteration="TMB-high", text="TMB high")
    if re.search(r"\blow\b", words, re.I):
        return Reading(name, NEGATIVE, text="TMB low")
    result = _result(status)
    return Reading(name, result, text=f"TMB {status or 'result unclear'}")


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _tidy(alteration: str | None) -> str | None:
    if not alteration:
        return None
    a = alteration.strip()
    return a.upper() if _PROTEIN_CHANGE.match(a) else a


def _describe(
    name: str, result: str, alteration: str | None, ihc: str | None, value: str | None
) -> str:
    words = {
        POSITIVE: "positive",
        NEGATIVE: "negative",
        EQUIVOCAL: "equivocal",
        PENDING: "pending",
        NOT_PERFORMED: "not performed",
        UNCLEAR: "result unclear",
    }[result]
    parts = [name]
    if result == POSITIVE and alteration and alteration.lower() not in ("positive", "pos"):
        parts.append(alteration)
    else:
        parts.append(words)
    if ihc:
        parts.append(f"(IHC {ihc})")
    elif value and result in KNOWN and not alteration:
        parts.append(f"({value})")
    return " ".join(parts)
