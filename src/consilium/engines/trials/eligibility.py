"""Eligibility criteria: the registry's text split into inclusion and exclusion bullets,
each bullet read into structured criteria where its words allow, and each structured
criterion evaluated against a patient profile.

A criterion says a property of the patient (has an EGFR L858R mutation, ECOG 0-1, has
brain metastases, received a platinum doublet...) and a **polarity**: ``inclusion`` (the
patient must have it) or ``exclusion`` (must not). A negation inside a bullet flips the
polarity of its section ("No prior systemic therapy" under inclusion is an exclusion of
prior systemic therapy). Every criterion keeps the bullet it came from, so the expert
sees the sentence next to the verdict. A bullet that yields nothing structured is kept
as a ``text`` criterion: it is shown, never evaluated.

The verdict is about the patient meeting the trial's requirement: ``met`` (satisfied),
``not_met`` (the record contradicts it) or ``unknown`` (the record does not say), each
with a reason. Absence of a record is never taken as absence of the thing: a treatment
not recorded is "unknown", not "never received".

The vocabulary (genes, alterations, therapy classes, stage words, Karnofsky to ECOG) is
data in ``data/eligibility.yaml``; disease names come from ``data/conditions.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from consilium.engines.decision.profile import PatientProfile
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree
from consilium.engines.trials import conditions as cond
from consilium.engines.trials.vocab import alternation, load, words

INCLUSION, EXCLUSION = "inclusion", "exclusion"
REGISTRY = "registry"  # a criterion from the registration's own fields (ages, sex, conditions)
MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
KINDS = (
    "cancer_type",
    "stage",
    "metastatic",
    "biomarker",
    "prior_therapy",
    "lines",
    "ecog",
    "brain_metastases",
    "measurable_disease",
    "age",
    "sex",
)
TEXT = "text"


@dataclass(frozen=True, slots=True)
class Criterion:
    kind: str  # one of KINDS, or "text"
    polarity: str  # inclusion: the patient must have it; exclusion: must not
    params: Mapping[str, Any]
    text: str  # the bullet (or registry field) it was read from
    section: str = INCLUSION  # where the text stands: inclusion, exclusion or registry
    position: int = 0  # the bullet's place in its section (0-based)

    @property
    def structured(self) -> bool:
        return self.kind != TEXT

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "polarity": self.polarity,
            "params": dict(self.params),
            "text": self.text,
            "section": self.section,
            "position": self.position,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Criterion:
        return cls(
            kind=d["kind"],
            polarity=d["polarity"],
            params=d.get("params") or {},
            text=d.get("text", ""),
            section=d.get("section", INCLUSION),
            position=int(d.get("position", 0)),
        )

    def describe(self) -> str:
        """A short reading of the structured criterion, for the expert."""
        return describe(self)


@dataclass(frozen=True, slots=True)
class Verdict:
    criterion: Criterion
    verdict: str  # met, not_met, unknown
    reason: str


# --- splitting the registry text --------------------------------------------------------

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=~|^&])")
_HEADING = re.compile(
    r"^\s*[#*_\s]*(?P<prefix>(?:[A-Za-z/()-]+\s+){0,4}?)"
    r"(?P<kind>inclusion|exclusion|eligibility|ineligibility)s?"
    r"(?P<crit>\s+(?:and (?:exclusion|inclusion) )?criteri(?:a|on)s?)?\b[^:\n]{0,60}?[:*_\s]*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
# Criteria for someone other than the patient (a stem cell donor, a caregiver): kept out.
_NOT_PATIENT = re.compile(
    r"\b(?:donors?|caregivers?|care partners?|partners?|parents?|siblings?|healthy volunteers?"
    r"|controls?|investigators?|sites?|centers?|centres?)\b",
    re.IGNORECASE,
)
OTHER = "other"
_PARTICIPANTS = re.compile(
    r"^\s*participants? (?:are|is) (?P<kind>eligible|excluded)\b[^:]*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"^(?P<indent>\s*)(?:[*\-+•·▪◦●○■□–—]|\d{1,2}[.)](?!\d)|\(\d{1,2}\)|[a-zA-Z][.)](?=\s)"
    r"|\([a-zA-Z]\)|\(?(?:i{1,3}|iv|v|vi{1,3}|ix|x)[.)](?=\s))\s+(?P<text>\S.*)$"
)
_SENTENCE = re.compile(r"(?<=[a-z0-9%)\]])[.;]\s+(?=[A-Z(])")


def unescape(text: str) -> str:
    """The registry's text is Markdown with backslash escapes (\\>= for >=)."""
    return _ESCAPE.sub(r"\1", text)


def _heading(line: str) -> tuple[str, str] | None:
    """('inclusion'|'exclusion', rest of the line) when the line opens a section."""
    stripped = line.strip()
    if not stripped or len(stripped) > 160:
        return None
    m = _PARTICIPANTS.match(stripped)
    if m:
        return (INCLUSION if m.group("kind").lower() == "eligible" else EXCLUSION), m.group(
            "rest"
        ).strip()
    m = _HEADING.match(stripped)
    if not m:
        return None
    word = m.group("kind").lower()
    head = stripped[: m.start("rest")]
    # "Inclusion of women and minorities..." is a sentence, not a heading: a heading says
    # "criteria" or ends with a colon; with words before it ("Patient Exclusion
    # Criteria"), it must say "criteria".
    if m.group("prefix").strip() and not m.group("crit"):
        return None
    if not m.group("crit") and ":" not in head and m.group("rest"):
        return None
    if _NOT_PATIENT.search(m.group("prefix")):
        return OTHER, ""
    kind = EXCLUSION if word in ("exclusion", "ineligibility") else INCLUSION
    return kind, m.group("rest").strip(" *_")


def split_criteria(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The eligibility text as (inclusion bullets, exclusion bullets).

    Headings ("Inclusion Criteria:", "Key Exclusion Criteria", "Participants are
    excluded ... if:") switch sections; text before any heading counts as inclusion.
    Each bullet (*, -, 1., a), i.) is one item, nested bullets too; an indented line
    without a marker continues the item above; a long paragraph without markers is
    split into sentences.
    """
    sections: dict[str, list[str]] = {INCLUSION: [], EXCLUSION: [], OTHER: []}
    current = INCLUSION
    item: list[str] | None = None
    item_indent = -1
    blank_before = False

    def close() -> None:
        nonlocal item
        if item:
            joined = " ".join(" ".join(item).split())
            if joined:
                sections[current].extend(_sentences(joined))
        item = None

    for raw_line in unescape(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw_line.strip():
            blank_before = True
            continue
        head = _heading(raw_line.lstrip(" *-#•"))
        bullet = _BULLET.match(raw_line)
        if head and (bullet is None or len(raw_line.strip()) < 80):
            close()
            current = head[0]
            if head[1]:
                item, item_indent = [head[1]], 0
            blank_before = False
            continue
        indent = len(raw_line) - len(raw_line.lstrip())
        if bullet:
            close()
            item, item_indent = [bullet.group("text")], len(bullet.group("indent"))
        elif item is not None and (not blank_before or indent > item_indent):
            item.append(raw_line.strip())
        else:
            close()
            item, item_indent = [raw_line.strip()], indent
        blank_before = False
    close()
    return tuple(sections[INCLUSION]), tuple(sections[EXCLUSION])


def _sentences(item: str) -> list[str]:
    """A long run of prose holding several criteria becomes one item per sentence."""
    if len(item) < 200:
        return [item]
    parts = [p.strip() for p in _SENTENCE.split(item) if p.strip()]
    return parts if len(parts) >= 3 else [item]


# --- the vocabulary ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Gene:
    symbol: str
    kind: str
    default: str | None


@dataclass(frozen=True)
class _Vocab:
    genes: dict[str, _Gene]
    gene_regex: re.Pattern[str]
    gene_of: list[tuple[re.Pattern[str], str]]
    status_after: list[tuple[str, re.Pattern[str]]]
    status_before: list[tuple[str, re.Pattern[str]]]
    therapy_after: re.Pattern[str]
    therapy_before: re.Pattern[str]
    alteration_words: list[tuple[str, re.Pattern[str]]]
    variants: list[tuple[str, re.Pattern[str]]]
    examples: re.Pattern[str]
    sensitizing: dict[str, tuple[str, ...]]
    therapy_regex: re.Pattern[str]
    therapy_of: list[tuple[re.Pattern[str], str]]
    drug_class: dict[str, tuple[str, ...]]
    class_words: dict[str, re.Pattern[str]]
    systemic_classes: frozenset[str]
    systemic_kinds: frozenset[str]
    kps_to_ecog: dict[int, int]
    stage_words: list[tuple[re.Pattern[str], tuple[str, ...]]]


@cache
def vocab() -> _Vocab:
    data = load("eligibility")
    genes = {
        sym: _Gene(sym, spec["kind"], spec.get("default")) for sym, spec in data["genes"].items()
    }
    gene_patterns = [p for spec in data["genes"].values() for p in spec["aliases"]]
    drug_class: dict[str, list[str]] = {}
    therapy_patterns: list[str] = []
    therapy_of: list[tuple[re.Pattern[str], str]] = []
    class_words: dict[str, re.Pattern[str]] = {}
    for name, spec in data["therapy_classes"].items():
        pats = list(spec["words"]) + [re.escape(d) for d in spec["drugs"]]
        therapy_patterns.extend(pats)
        therapy_of.append((words(pats), name))
        class_words[name] = words(spec["words"])
        for drug in spec["drugs"]:
            drug_class.setdefault(drug.lower(), []).append(name)
    return _Vocab(
        genes=genes,
        gene_regex=words(gene_patterns),
        gene_of=[(words(spec["aliases"]), sym) for sym, spec in data["genes"].items()],
        status_after=[(k, words(v)) for k, v in data["status"].items()],
        status_before=[
            (k, re.compile(r"(?:" + alternation(v) + r")\s*$", re.IGNORECASE))
            for k, v in data["status_before"].items()
        ],
        therapy_after=re.compile(
            r"^[\s-]*(?:" + alternation(data["therapy_after"]) + r")\b", re.IGNORECASE
        ),
        therapy_before=re.compile(
            r"(?:" + alternation(data["therapy_before"]) + r")\s*$", re.IGNORECASE
        ),
        alteration_words=[(k, words(v)) for k, v in data["alterations"].items()],
        variants=[(v["value"], words(v["patterns"])) for v in data["variants"]],
        examples=words(data["examples"]),
        sensitizing={k: tuple(v) for k, v in data["sensitizing"].items()},
        therapy_regex=words(therapy_patterns),
        therapy_of=therapy_of,
        drug_class={k: tuple(v) for k, v in drug_class.items()},
        class_words=class_words,
        systemic_classes=frozenset(
            n for n, s in data["therapy_classes"].items() if s.get("systemic")
        ),
        systemic_kinds=frozenset(data["systemic_treatment_kinds"]),
        kps_to_ecog={int(k): int(v) for k, v in data["karnofsky_to_ecog"].items()},
        stage_words=[(words([k]), tuple(v)) for k, v in data["stage_words"].items()],
    )


# --- reading one bullet -----------------------------------------------------------------

_PERMISSIVE = re.compile(
    r"\b(?:(?:are|is|will be|would be|remain) (?:also )?(?:eligible|allowed|permitted|acceptable)"
    r"|may (?:be )?(?:enrol\w*|eligible|included|participate|allowed)|can be (?:included|enrol\w*)"
    r"|(?:is|are) not (?:required|mandatory|necessary)|not required|optional|permitted|allowed"
    r"|acceptable|(?:does|do) not apply)\b",
    re.IGNORECASE,
)
# "If the subject has brain metastases that were treated, ...": a condition on another
# requirement, not a requirement itself.
_CONDITIONAL = re.compile(
    r"^\s*(?:\(?[a-z0-9]{1,3}[.)]\s*)?(?:if|when|whenever|in case|in the case"
    r"|for (?:patients|subjects|participants|"
    r"those) (?:with|who)|in (?:patients|subjects|participants) (?:with|who))\b",
    re.IGNORECASE,
)
_EXCEPTION = re.compile(
    r"\b(?:except(?: for)?|unless|other than|with the exception of|excluding|excepting"
    r"|apart from|but not)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:no|not|without|absence of|free of|never|none|negative for|lack of)\b(?!-)"
    r"(?! (?:more|greater|less|fewer|longer|older|younger) than| exceed)",
    re.IGNORECASE,
)
# Sentence ends: a period after a word of three letters or more (not "e.g.", "i.e.", "vs.")
# or after a number or bracket, before a capital; a semicolon; "but", "however".
_CLAUSE = re.compile(
    r"(?:(?<=[A-Za-z]{3})(?<!\betc)|(?<=[0-9%)\]]))\.(?=\s+[A-Z(\d]|\s*$)|;|\s(?:but|however|whereas)\s"
)
_OTHER_CANCER = re.compile(
    r"\b(?:history of|prior|previous|other|another|second|secondary|concurrent|concomitant"
    r"|additional|synchronous|metachronous|within (?:the )?(?:past|last)|in the past|except)\b",
    re.IGNORECASE,
)
_DIAGNOSIS = re.compile(
    r"\b(?:histolog\w*|cytolog\w*|patholog\w*|confirmed|diagnos\w*|documented|proven"
    r"|patients?|participants?|subjects?|individuals?|adults?|children|men|women|suffering"
    r"|must have|has|have|with)\b",
    re.IGNORECASE,
)


def _clauses(text: str) -> list[str]:
    """Sentences and semicolon clauses, with exception tails cut off ("…, except X")."""
    out = []
    for part in _CLAUSE.split(text):
        part = part.strip()
        if not part:
            continue
        exc = _EXCEPTION.search(part)
        if exc and exc.start() > 0:
            part = part[: exc.start()]
        out.append(part)
    return out


def _negated(clause: str, start: int, window: int = 60) -> bool:
    """A negation shortly before position ``start`` in its clause."""
    before = clause[max(0, start - window) : start]
    # Only the words since the last comma-joined new subject count ("no X, Y" negates Y
    # too, so commas do not cut; "and patients with" starts afresh).
    before = re.split(r"\b(?:and|or) (?:patients?|participants?|subjects?) with\b", before)[-1]
    return bool(_NEGATION.search(before))


def parse_bullet(text: str, section: str, position: int = 0) -> list[Criterion]:
    """Structured criteria read from one bullet; a single text criterion when none."""
    return [
        Criterion(kind, polarity, params, text, section, position)
        for kind, polarity, params in _read_bullet(text, section)
    ]


@lru_cache(maxsize=100_000)
def _read_bullet(text: str, section: str) -> tuple[tuple[str, str, Mapping[str, Any]], ...]:
    """(kind, polarity, params) of a bullet. Registrations repeat bullets word for word
    (consent, contraception, organ function), so readings are cached by text."""
    found: list[Criterion] = []
    for clause in _clauses(text):
        if _PERMISSIVE.search(clause) or _CONDITIONAL.match(clause):
            continue
        for kind, polarity_flip, params in _read_clause(clause, section):
            polarity = section if not polarity_flip else _flip(section)
            c = Criterion(kind, polarity, params, text, section)
            if c not in found:
                found.append(c)
    if not found:
        return ((TEXT, section, {}),)
    return tuple((c.kind, c.polarity, c.params) for c in found)


def _flip(polarity: str) -> str:
    return EXCLUSION if polarity == INCLUSION else INCLUSION


def _read_clause(clause: str, section: str) -> Iterable[tuple[str, bool, dict[str, Any]]]:
    """(kind, negated, params) for each thing the clause asks about."""
    readers = (
        _ecog,
        _age,
        _sex,
        _brain_metastases,
        _measurable,
        _stage,
        _metastatic,
        _lines,
        _prior_therapy,
        _biomarkers,
        _cancer_type,
    )
    kinds: set[str] = set()
    for reader in readers:
        try:
            for kind, negated, params in reader(clause, section):
                if kind == "prior_therapy" and "lines" in kinds:
                    # "At least 2 prior lines of systemic therapy" is a count of lines;
                    # only a named class beyond that is a criterion of its own.
                    generic = {"systemic", "chemotherapy"}
                    if set(params.get("classes", ())) <= generic and not params.get("drugs"):
                        continue
                kinds.add(kind)
                yield kind, negated, params
        except (ValueError, IndexError, KeyError):
            # A reader that trips on odd text leaves the clause to the others; the bullet
            # stays as text at worst. Nothing in here may stop an import.
            continue


# ECOG --------------------------------------------------------------------------------

_ECOG = re.compile(
    r"\b(?:ECOG|Eastern Cooperative Oncology Group|Zubrod|WHO performance|WHO PS)\b",
    re.IGNORECASE,
)
_PS_ONLY = re.compile(r"\bperformance status\b", re.IGNORECASE)
_KPS = re.compile(r"\b(?:Karnofsky|KPS|Lansky)\b", re.IGNORECASE)
_LE = (
    r"(?:≤|<=|=<|≦|⩽|less than or equal to|equal to or less than|no (?:more|greater|higher) than"
    r"|not (?:more|greater|higher) than|at most|up to|maximum(?: of)?)"
)
_LT = r"(?:<|less than|lower than|below)"
_GE = (
    r"(?:≥|>=|=>|≧|⩾|greater than or equal to|equal to or (?:greater|more) than|at least"
    r"|minimum(?: of)?|of at least|no less than|not less than)"
)
_GT = r"(?:>|greater than|more than|above|over|higher than)"
_DASH = r"\s*(?:-|–|—|to|through)\s*"


def _ecog_spec(window: str) -> tuple[int | None, int | None] | None:
    w = re.sub(
        r"\b(?:performance|status|score|scale|PS|of|is|are|must|be|should|grade|between|\(ECOG\)"
        r"|ECOG|WHO|:|=)\b|[()\[\]:]",
        " ",
        window,
        flags=re.IGNORECASE,
    )
    w = " ".join(w.split())[:40]
    if m := re.match(rf"{_LE}\s*([0-4])\b", w, re.IGNORECASE):
        return 0, int(m.group(1))
    if m := re.match(rf"{_LT}\s*([1-5])\b", w, re.IGNORECASE):
        return 0, int(m.group(1)) - 1
    if m := re.match(rf"{_GE}\s*([0-4])\b", w, re.IGNORECASE):
        return int(m.group(1)), 4
    if m := re.match(rf"{_GT}\s*([0-3])\b", w, re.IGNORECASE):
        return int(m.group(1)) + 1, 4
    if m := re.match(rf"([0-4]){_DASH}([0-4])\b", w, re.IGNORECASE):
        lo, hi = sorted((int(m.group(1)), int(m.group(2))))
        return lo, hi
    if m := re.match(r"([0-4])((?:\s*(?:,\s*(?:or|and)?|or|and|/)\s*[0-4])+)\b", w, re.IGNORECASE):
        values = [int(m.group(1)), *map(int, re.findall(r"[0-4]", m.group(2)))]
        return min(values), max(values)
    if m := re.match(r"([0-4])\s*(?:or (?:less|lower|better|below)|or under)\b", w, re.IGNORECASE):
        return 0, int(m.group(1))
    if m := re.match(r"([0-4])\s*(?:or (?:more|greater|higher|worse|above))\b", w, re.IGNORECASE):
        return int(m.group(1)), 4
    if m := re.match(r"([0-4])\b(?!\s*(?:%|\.\d|months?|weeks?|days?|years?))", w):
        return int(m.group(1)), int(m.group(1))
    return None


def _ecog(clause: str, section: str):
    for m in _ECOG.finditer(clause):
        spec = _ecog_spec(clause[m.end() : m.end() + 70])
        if spec:
            lo, hi = spec
            yield "ecog", _negated(clause, m.start(), 25), {"min": lo, "max": hi, "scale": "ECOG"}
            return
    if not _ECOG.search(clause) and _PS_ONLY.search(clause) and not _KPS.search(clause):
        m = _PS_ONLY.search(clause)
        spec = _ecog_spec(clause[m.end() : m.end() + 50])
        if spec and spec[1] is not None and spec[1] <= 4:
            lo, hi = spec
            yield "ecog", False, {"min": lo, "max": hi, "scale": "ECOG"}
            return
    for m in _KPS.finditer(clause):
        after = clause[m.end() : m.end() + 120]
        k = re.search(
            rf"(?:{_GE}|{_GT})\s*(\d{{2,3}})\b(?!\s*(?:years?|months?))|(\d{{2,3}})\s*%",
            after,
            re.IGNORECASE,
        )
        if not k:
            continue
        value = int(k.group(1) or k.group(2))
        if not 10 <= value <= 100:
            continue
        strict = bool(re.search(_GT, k.group(0), re.IGNORECASE)) and not re.search(
            _GE, k.group(0), re.IGNORECASE
        )
        floor = min(100, (value + (1 if strict else 0) + 9) // 10 * 10)
        worst = vocab().kps_to_ecog.get(floor)
        if worst is None:
            continue
        yield "ecog", False, {"min": 0, "max": worst, "scale": "Karnofsky", "karnofsky": value}
        return


# age -----------------------------------------------------------------------------------

_YEARS = r"(?:years?|yrs?|y/?o)\b"
_AGE_CONTEXT = re.compile(r"\b(?:age[ds]?|old|adults?|children|years of age)\b", re.IGNORECASE)
_NOT_AGE = re.compile(
    r"\b(?:ago|prior|before|after|since|within|history|expectancy|survival|follow[- ]?up"
    r"|duration|disease[- ]free|remission|smok\w*|pack|diagnos\w* (?:for|of) (?:at least|more)"
    r"|for (?:patients|children|subjects|participants|those|adolescents|adults))\b",
    re.IGNORECASE,
)


def _age(clause: str, section: str):
    if not re.search(_YEARS, clause, re.IGNORECASE) or _NOT_AGE.search(clause):
        return
    context = _AGE_CONTEXT.search(clause) or re.match(r"\s*(?:[≥>]|\d)", clause)
    if not context:
        return
    lo = hi = None
    ranges = [
        (int(m.group(1)), int(m.group(2)))
        for m in re.finditer(
            rf"(\d{{1,2}})\s*(?:{_YEARS}\s*)?(?:of age\s*)?(?:-|–|—|to|and)\s*"
            rf"(\d{{1,3}})\s*{_YEARS}",
            clause,
            re.IGNORECASE,
        )
    ]
    if ranges:
        # "Adolescents (12 to 18 years) and young adults (19 to 40 years)": the span of all.
        lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    else:
        if m := re.search(
            rf"(?:{_GE})\s*(\d{{1,2}})\s*{_YEARS}|(\d{{1,2}})\s*{_YEARS}\s*(?:of age\s*|old\s*)?"
            r"(?:or|and) (?:older|above|over|more)|age[ds]?\s*(?:≥|>=)\s*(\d{1,2})",
            clause,
            re.IGNORECASE,
        ):
            lo = int(next(g for g in m.groups() if g))
        elif m := re.search(
            rf"(?:{_GT})\s*(\d{{1,2}})\s*{_YEARS}|age[ds]?\s*>\s*(\d{{1,2}})", clause, re.IGNORECASE
        ):
            # "Over 18 years" is how registrations write "18 and over": the same trials'
            # own minimum age field says 18. Read it inclusively.
            lo = int(next(g for g in m.groups() if g))
        if m := re.search(
            rf"(?:{_LE}|under|younger than|not older than|no older than)\s*(\d{{1,3}})\s*{_YEARS}"
            rf"|(\d{{1,3}})\s*{_YEARS}\s*(?:of age\s*|old\s*)?or (?:younger|less|under)",
            clause,
            re.IGNORECASE,
        ):
            hi = int(next(g for g in m.groups() if g))
        elif m := re.search(rf"(?:{_LT}|under)\s*(\d{{1,3}})\s*{_YEARS}", clause, re.IGNORECASE):
            hi = int(m.group(1)) - 1
    if lo is None and hi is None:
        return
    if lo is not None and hi is not None and lo > hi:
        return
    yield "age", False, {"min": lo, "max": hi}


# sex -----------------------------------------------------------------------------------

_SEX = re.compile(
    r"^\s*(?:(?:only\s+)?(?P<f1>female|women)(?:\s+(?:patients?|participants?|subjects?))?\s+only\b"
    r"|(?:only\s+)?(?P<m1>male|men)(?:\s+(?:patients?|participants?|subjects?))?\s+only\b"
    r"|(?:patients?|participants?|subjects?)\s+must\s+be\s+(?:a\s+)?(?:(?P<f2>female|women|woman)|(?P<m2>male|men|man))\b"
    r"|(?P<f3>(?:post|pre|peri)-?menopausal\s+women)\b)",
    re.IGNORECASE,
)


def _sex(clause: str, section: str):
    # Only plain statements of who may enrol; "female patients of childbearing potential
    # must use contraception" is about contraception, not about sex.
    if section != INCLUSION:
        return
    m = _SEX.match(clause)
    if m:
        female = m.group("f1") or m.group("f2") or m.group("f3")
        yield "sex", False, {"sex": "female" if female else "male"}


# brain metastases --------------------------------------------------------------------------

_BRAIN = re.compile(
    r"\b(?:(?:brain|CNS|central nervous system|intracranial|cerebral)\s+"
    r"(?:(?:and|or|and/or|/)\s+(?:leptomeningeal|spinal cord|meningeal)\s+)?"
    r"(?:metastas[ie]s|metastatic (?:disease|lesions?)|mets|involvement|lesions?|disease)"
    r"|metastas[ie]s (?:to|in|of) the (?:brain|CNS|central nervous system)"
    r"|leptomeningeal (?:disease|metastas[ie]s|carcinomatosis|involvement))\b",
    re.IGNORECASE,
)
_BRAIN_QUALIFIER = re.compile(
    r"\b(active|untreated|symptomatic|progressive|progressing|unstable|uncontrolled|new"
    r"|growing|steroid[- ]requiring|requiring (?:steroids|treatment))\b",
    re.IGNORECASE,
)


def _brain_metastases(clause: str, section: str):
    m = _BRAIN.search(clause)
    if not m:
        return
    if re.search(r"\bprimary\b", clause[max(0, m.start() - 30) : m.start()], re.IGNORECASE):
        return  # primary CNS lymphoma or tumour: not metastases
    if re.search(
        r"\b(?:autoimmune|seizure|stroke|cerebrovascular|infection|vasculitis)\b", clause, re.I
    ):
        return  # CNS disease of another kind
    around = clause[max(0, m.start() - 60) : m.end() + 40]
    qualifiers = sorted({q.lower() for q in _BRAIN_QUALIFIER.findall(around)})
    # "Leptomeningeal disease" alone says nothing about parenchymal brain metastases.
    lepto_only = m.group(0).lower().startswith("leptomeningeal")
    yield (
        "brain_metastases",
        _negated(clause, m.start(), 40),
        {"qualifiers": qualifiers, "leptomeningeal": lepto_only},
    )


# measurable disease -------------------------------------------------------------------------

_MEASURABLE = re.compile(
    r"\b(?:measurable (?:disease|lesions?|tumou?rs?|target lesions?)"
    r"|(?:at least|≥|>=)\s*(?:one|1)\s+(?:\w+\s+){0,3}?measurable"
    r"|measurable (?:\w+\s+){0,2}(?:per|according to|by|as defined by) "
    r"(?:RECIST|RANO|iRECIST|mRECIST|Lugano|IMWG|PCWG3?))",
    re.IGNORECASE,
)


def _measurable(clause: str, section: str):
    m = _MEASURABLE.search(clause)
    if not m:
        return
    around = clause[max(0, m.start() - 30) : m.end() + 30].lower()
    if "evaluable" in around or "non-measurable" in around or "nonmeasurable" in around:
        return
    yield "measurable_disease", _negated(clause, m.start(), 30), {}


# stage ----------------------------------------------------------------------------------------

_ROMAN = r"(?:IV|I{1,3})[ABC]?[12]?"
_STAGE_ONE = rf"(?:{_ROMAN}|[1-4][ABC]?)"
_STAGE = re.compile(
    rf"\bstages?\s*(?P<spec>{_STAGE_ONE}(?:\s*(?:-|–|—|to|through|or|and|/|,)\s*(?:stage\s*)?{_STAGE_ONE})*)"
    r"(?![\w])",
    re.IGNORECASE,
)
_ARABIC = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_ORDER = ["I", "II", "III", "IV"]
_SUBS = {"I": "ABC", "II": "ABC", "III": "ABC", "IV": "ABC"}


def _stage_token(token: str) -> str | None:
    token = token.strip().upper()
    if not token:
        return None
    if token[0] in _ARABIC:
        token = _ARABIC[token[0]] + token[1:]
    m = re.fullmatch(r"(IV|I{1,3})([ABC]?[12]?)", token)
    return m.group(1) + m.group(2) if m else None


def _expand(lo: str, hi: str) -> list[str]:
    """IIIB-IV → IIIB, IIIC, IV; I-III → I, II, III."""
    lo_main, lo_sub = re.match(r"(IV|I{1,3})(.*)", lo).groups()
    hi_main, hi_sub = re.match(r"(IV|I{1,3})(.*)", hi).groups()
    i, j = _ORDER.index(lo_main), _ORDER.index(hi_main)
    if i > j:
        return []
    if i == j:
        if lo_sub and hi_sub:
            letters = _SUBS[lo_main]
            a, b = letters.find(lo_sub[0]), letters.find(hi_sub[0])
            return [lo_main + c for c in letters[a : b + 1]] if 0 <= a <= b else [lo, hi]
        return [lo_main]
    out = []
    if lo_sub:
        letters = _SUBS[lo_main]
        out += [lo_main + c for c in letters[letters.find(lo_sub[0]) :]]
    else:
        out.append(lo_main)
    out += _ORDER[i + 1 : j]
    out.append(hi if hi_sub else hi_main)
    return out


def _stage(clause: str, section: str):
    for m in _STAGE.finditer(clause):
        spec = m.group("spec")
        parts = re.split(r"\s*(-|–|—|to|through|or|and|/|,)\s*(?:stage\s*)?", spec, flags=re.I)
        stages: list[str] = []
        tokens = [_stage_token(p) for p in parts[0::2]]
        ops = [p.lower() for p in parts[1::2]]
        if any(t is None for t in tokens):
            continue
        stages.append(tokens[0])
        for op, token in zip(ops, tokens[1:], strict=False):
            if op in ("-", "–", "—", "to", "through"):
                stages.pop()
                stages.extend(_expand(tokens[tokens.index(token) - 1], token))
            else:
                stages.append(token)
        stages = list(dict.fromkeys(stages))
        if stages:
            yield "stage", _negated(clause, m.start(), 30), {"stages": stages}
            return
    for regex, stages in vocab().stage_words:
        m = regex.search(clause)
        if (
            m
            and not re.search(r"\bmetastatic", clause[m.end() : m.end() + 25], re.I)
            and (_DIAGNOSIS.search(clause) or cond.find(clause))
        ):
            yield (
                "stage",
                _negated(clause, m.start(), 30),
                {"stages": list(stages), "words": m.group(0).lower()},
            )
            return


# metastatic ----------------------------------------------------------------------------------

_METASTATIC = re.compile(
    r"\b(?:(?P<alt>locally advanced|advanced|recurrent|unresectable|relapsed)\s*"
    r"(?:,\s*|\s+)?(?:and\s*/\s*or|or|and|/)\s*)?(?P<non>non-?)?metastatic\b"
    r"(?=(?:\s+[\w/()-]+){0,5}?\s+(?:\w*(?:cancers?|oma|omas|disease)|NSCLC|SCLC|m?CRPC|tumou?rs?|"
    r"malignanc\w+|neoplasm\w*|stage|m?CRC|HNSCC|TNBC|RCC|HCC|GIST|PDAC)\b)"
    r"|\b(?:evidence of |known |presence of |with )?distant metastas[ie]s\b"
    r"|\bevidence of (?:distant )?metastas[ie]s\b"
    r"|\bmetastatic disease\b",
    re.IGNORECASE,
)


_SETTING_BEFORE = re.compile(
    r"\b(?:for|in|during|to)\s+(?:the\s+)?"
    r"(?:(?:locally advanced|advanced|recurrent|unresectable)\s*"
    r"(?:,\s*|\s+)?(?:and\s*/\s*or|or|and|/)\s*)?$",
    re.IGNORECASE,
)


def _metastatic(clause: str, section: str):
    m = _METASTATIC.search(clause)
    while m and _SETTING_BEFORE.search(clause[: m.start()]):
        # "prior therapy for metastatic disease", "in the metastatic setting": the
        # setting of a treatment, not a requirement on the patient's disease.
        m = _METASTATIC.search(clause, m.end())
    if not m:
        return
    alternatives = []
    alt = (m.group("alt") or "").lower()
    if alt:
        alternatives.append(alt)
    elif re.search(
        r"\b(?:locally advanced|unresectable|recurrent)\b[^.;]{0,20}$",
        clause[: m.start()],
        re.IGNORECASE,
    ):
        alternatives.append(
            re.search(
                r"\b(locally advanced|unresectable|recurrent)\b[^.;]{0,20}$",
                clause[: m.start()],
                re.IGNORECASE,
            )
            .group(1)
            .lower()
        )
    if after := re.match(
        r"\s*(?:and\s*/\s*or|or|/)\s*(locally advanced|unresectable|recurrent|relapsed)\b",
        clause[m.end() :],
        re.IGNORECASE,
    ):
        alternatives.append(after.group(1).lower())
    negated = bool(m.group("non")) or _negated(clause, m.start(), 30)
    yield "metastatic", negated, {"alternatives": alternatives}


# lines of therapy ------------------------------------------------------------------------------

_NUMBER = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "single": 1,
    "a": 1,
    "an": 1,
}
_N = r"(\d|one|two|three|four|five|six|a|an|single)"
_LINE_WORD = (
    r"(?:(?:prior|previous|systemic|standard|treatment|therapy|chemotherapy|anti-?cancer|"
    r"different|distinct|regimens?\s+of|platinum[- ]based|lines?\s+of)\s+){0,4}"
    r"(?:lines?|regimens?)\b"
)
_LINES_NAIVE = re.compile(
    r"\b(?:treatment[- ]na[iï]ve|therapy[- ]na[iï]ve|chemotherapy[- ]na[iï]ve"
    r"|systemic[- ]therapy[- ]na[iï]ve|previously untreated|untreated (?:advanced|metastatic)"
    r"|no prior systemic (?:therapy|treatment)"
    r"|not (?:have )?(?:received|had) (?:any )?(?:prior )?systemic (?:therapy|treatment))",
    re.IGNORECASE,
)


def _num(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER[word.lower()]


_LINES_HINT = re.compile(r"line|regimen|na[iï]ve|untreated|systemic", re.IGNORECASE)


def _lines(clause: str, section: str):
    if not _LINES_HINT.search(clause):
        return
    if m := re.search(
        r"number of (?:\w+[- ]){0,4}?(?:lines?|regimens?)\b[^.;]{0,40}?"
        rf"(?:(?:does|must|should|may|can) not exceed|not exceeding|{_LE}|no more than|up to)"
        rf"\s*{_N}\b",
        clause,
        re.IGNORECASE,
    ):
        yield "lines", False, {"min": None, "max": _num(m.group(1))}
        return
    if m := re.search(rf"{_N}\s*(?:-|–|to)\s*{_N}\s+{_LINE_WORD}", clause, re.IGNORECASE):
        yield "lines", False, {"min": _num(m.group(1)), "max": _num(m.group(2))}
        return
    if m := re.search(
        rf"(?:{_LE}|no more than|not more than|maximum of|up to|fewer than|less than|<)\s*{_N}"
        rf"\s+{_LINE_WORD}",
        clause,
        re.IGNORECASE,
    ):
        n = _num(m.group(1))
        strict = re.match(r"(?:fewer than|less than|<)", m.group(0), re.IGNORECASE)
        yield "lines", False, {"min": None, "max": n - 1 if strict else n}
        return
    if m := re.search(
        rf"(?:{_GE}|{_GT}|minimum of)\s*{_N}\s+{_LINE_WORD}|{_N}\s+or more\s+{_LINE_WORD}",
        clause,
        re.IGNORECASE,
    ):
        word = m.group(1) or m.group(2)
        n = _num(word)
        if re.match(rf"{_GT}", m.group(0), re.IGNORECASE) and not re.match(
            rf"{_GE}", m.group(0), re.IGNORECASE
        ):
            n += 1
        yield "lines", False, {"min": n, "max": None}
        return
    if m := re.search(
        r"\b(?:received|had|failed|after|following|progressed (?:on|after))\s+(?:at least\s+)?"
        rf"{_N}\s+prior\s+{_LINE_WORD}",
        clause,
        re.IGNORECASE,
    ):
        yield "lines", False, {"min": _num(m.group(1)), "max": None}
        return
    if _LINES_NAIVE.search(clause):
        yield "lines", False, {"min": None, "max": 0}


# prior therapies -----------------------------------------------------------------------------

_PRIOR_CUE = re.compile(
    r"\b(?:prior|previous(?:ly)?|progress(?:ed|ion|ing)?|failed|failure|after|following"
    r"|refractory|resistant|resistance|intoleran\w+|relapsed|received|receipt|treated|pretreated"
    r"|pre-treated|exposure|exposed|naive|naïve|history of|had)\b",
    re.IGNORECASE,
)
_NOT_PRIOR = re.compile(
    r"\b(?:concomitant|concurrent|current(?:ly)?|ongoing|planned|plan to|scheduled|candidates? for"
    r"|eligible for|to be treated|will receive|suitable for|ineligible|contraindicat\w+"
    r"|hypersensitivity|allerg\w+|toxicit(?:y|ies)|adverse|side effects?|recover\w*|resolved"
    r"|elapsed|wash-?out|since (?:the )?(?:last|completion)|at least \d+ (?:days?|weeks?|months?)"
    r"|number of|within|prior to (?:the )?(?:first|start|initiation|day|enrol\w*"
    r"|random\w*|registration|study|screening|inclusion|c1d1)|in the (?:last|past|preceding)"
    r"|\d+ (?:days?|weeks?|months?|half-lives) (?:before|prior|preceding)"
    r"|preceding (?:study|enrol\w*))\b",
    re.IGNORECASE,
)
_NAIVE_AFTER = re.compile(r"^[\s-]*(?:na[iï]ve|untreated)\b", re.IGNORECASE)


def _prior_therapy(clause: str, section: str):
    if _NOT_PRIOR.search(clause) or not _PRIOR_CUE.search(clause):
        return
    v = vocab()
    hits = list(v.therapy_regex.finditer(clause))
    if not hits:
        return
    if _LINES_NAIVE.search(clause) and re.search(r"\bsystemic\b", clause, re.IGNORECASE):
        return  # read as lines (max 0)
    classes: list[str] = []
    drugs: list[str] = []
    for m in hits:
        phrase = m.group(0).lower()
        if phrase in v.drug_class:
            drugs.append(phrase)
            continue
        for regex, name in v.therapy_of:
            if regex.fullmatch(m.group(0)):
                classes.append(name)
                break
    if not classes and not drugs:
        return
    first = hits[0]
    naive = bool(_NAIVE_AFTER.match(clause[hits[-1].end() :]))
    negated = naive or _negated(clause, first.start(), 40)
    yield (
        "prior_therapy",
        negated,
        {"classes": list(dict.fromkeys(classes)), "drugs": list(dict.fromkeys(drugs))},
    )


# biomarkers ---------------------------------------------------------------------------------


@dataclass
class _Marker:
    gene: str
    start: int
    end: int
    status: str | None = None
    alterations: list[str] = field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None
    scale: str | None = None


_SIGN = re.compile(r"^\s*(?:\((?P<p1>[+\-−])\)|(?P<p2>\+)|(?P<n2>[\-−])(?=\s|$|[,;)/]))")
_SCORE = re.compile(
    r"(?P<scale>TPS|CPS|TC|IC|tumou?r proportion score|combined positive score)?\s*(?:score\s*)?"
    r"(?:of\s*)?(?P<op>≥|>=|=>|>|≤|<=|<|at least|greater than or equal to|greater than|more than"
    r"|less than|of at least)\s*(?P<v>\d{1,3}(?:\.\d+)?)\s*"
    r"(?P<pct>%|mut(?:ations)?\s*/\s*Mb|muts?/Mb)?",
    re.IGNORECASE,
)


def _gene_symbol(phrase: str) -> str | None:
    for regex, sym in vocab().gene_of:
        if regex.fullmatch(phrase):
            return sym
    return None


def _biomarkers(clause: str, section: str):
    v = vocab()
    mentions = []
    for m in v.gene_regex.finditer(clause):
        sym = _gene_symbol(m.group(0))
        if sym is None:
            continue
        if (
            sym in ("FGFR", "NTRK")
            and (digits := re.findall(r"[1-4]", m.group(0)))
            and len(digits) == 1
        ):
            sym = f"{sym}{digits[0]}"  # "FGFR2 fusion" asks for FGFR2, not any FGFR
        after = clause[m.end() :]
        before = clause[max(0, m.start() - 25) : m.start()]
        if v.therapy_after.match(after) or v.therapy_before.search(before):
            continue
        mentions.append(_Marker(sym, m.start(), m.end()))
    if not mentions:
        return
    # Group genes written as a list sharing one result ("EGFR, ALK or ROS1 alterations").
    groups: list[list[_Marker]] = [[mentions[0]]]
    for prev, cur in zip(mentions, mentions[1:], strict=False):
        between = clause[prev.end : cur.start]
        if re.fullmatch(r"\s*(?:,|/|or|and|and/or|,\s*or|,\s*and)\s*", between, re.IGNORECASE):
            groups[-1].append(cur)
        else:
            groups.append([cur])
    markers: list[_Marker] = []
    for gi, group in enumerate(groups):
        last = group[-1]
        next_start = groups[gi + 1][0].start if gi + 1 < len(groups) else len(clause)
        window = clause[last.end : min(next_start, last.end + 90)]
        status, alterations, score = _read_result(group[0].gene, window)
        if status is None:
            prev_end = groups[gi - 1][-1].end if gi > 0 else 0
            before = clause[max(prev_end, group[0].start - 40) : group[0].start]
            for name, regex in v.status_before:
                if regex.search(before):
                    status = name
                    break
        if status is None and score is None:
            continue
        lead = clause[max(0, group[0].start - 25) : group[0].start]
        if (
            not alterations
            and group[0].gene in v.sensitizing
            and re.search(r"\bsensiti[sz]ing\b", lead, re.IGNORECASE)
        ):
            alterations = ["sensitizing"]  # "sensitizing EGFR mutation": the labelled variants
        for marker in group:
            marker.status = status or "positive"
            marker.alterations = alterations if len(group) == 1 else []
            if marker.gene == "MSI":
                marker.alterations = []  # MSI-high and dMMR are one requirement
            if score:
                marker.min_value, marker.max_value, marker.scale = score
            markers.append(marker)
    if not markers:
        return
    # One criterion per clause. Several results joined by "or" ask for any of them;
    # under exclusion any one excludes.
    joined_by_or = bool(
        re.search(r"\bor\b", clause[markers[0].start : markers[-1].end], re.IGNORECASE)
    )
    negated = _negated(clause, markers[0].start, 30) and not any(
        m.status == "negative" for m in markers
    )
    described = []
    for m in markers:
        d = {
            "gene": m.gene,
            "status": m.status,
            "alterations": m.alterations,
            **({"min_value": m.min_value} if m.min_value is not None else {}),
            **({"max_value": m.max_value} if m.max_value is not None else {}),
            **({"scale": m.scale} if m.scale else {}),
        }
        if d not in described:
            described.append(d)
    params = {
        "markers": described,
        "any": joined_by_or or section == EXCLUSION or len(markers) == 1,
    }
    yield "biomarker", negated, params


def _read_result(gene: str, window: str):
    """(status, alterations, score) read from the words after a gene."""
    v = vocab()
    status = None
    sign = _SIGN.match(window)
    if sign:
        status = "negative" if sign.group("n2") or sign.group("p1") in ("-", "−") else "positive"
    text = window.lstrip(" -:")
    # The result words come first; stop at the next clause-like break.
    stop = re.search(r"[;.](?:\s|$)|\b(?:who|which|that|and (?:have|has|must))\b", text)
    text = text[: stop.start()] if stop else text
    score = None
    if gene in ("PD-L1", "TMB"):
        s = _SCORE.search(text[:60])
        if s:
            value = float(s.group("v"))
            op = s.group("op").lower()
            scale = (s.group("scale") or "").upper()
            scale = {"TUMOR PROPORTION SCORE": "TPS", "TUMOUR PROPORTION SCORE": "TPS"}.get(
                scale, scale
            )
            scale = "CPS" if scale.startswith("COMBINED") else scale
            if op in ("<", "less than"):
                score = (None, value - (0.01 if gene == "PD-L1" else 0.01), scale or None)
            elif op in ("≤", "<="):
                score = (None, value, scale or None)
            elif op in (">", "greater than", "more than"):
                score = (value + 0.01, None, scale or None)
            else:
                score = (value, None, scale or None)
    if status is None:
        best = None
        for name, regex in v.status_after:
            m = regex.search(text[:50])
            if m and (best is None or m.start() < best[1]):
                best = (name, m.start())
        if best:
            status = best[0]
            if status == "low" and gene not in ("HER2", "PD-L1", "TMB", "MSI", "ER", "PR"):
                status = None
    if gene == "MSI" and status is None and re.match(r"^-?\s*(?:H|high)\b", text, re.IGNORECASE):
        status = "positive"
    if status == "low" and gene == "MSI":
        status = "negative"
    alterations: list[str] = []
    if status in ("positive", None):
        head = text[:80]
        example = v.examples.search(head)
        specific = head[: example.start()] if example else head
        for value, regex in v.variants:
            if regex.search(specific) and value not in alterations:
                alterations.append(value)
        # V600E also matches V600; keep the most specific.
        if "V600E" in alterations and "V600" in alterations:
            alterations.remove("V600")
        if not alterations:
            for value, regex in v.alteration_words:
                if value == "mutation":
                    continue
                if regex.search(specific[:40]):
                    alterations.append(value)
                    break
        if alterations and status is None:
            status = "positive"
    return status, alterations, score


# cancer type -----------------------------------------------------------------------------------


_ASIDE = re.compile(
    r"\((?:including|incl\.|e\.g\.|eg|i\.e\.|such as|for example|except|excluding"
    r"|other than)[^)]*\)",
    re.IGNORECASE,
)
# Words that may stand before a disease name at the start of a bullet without making it
# anything but a statement of the disease ("Relapsed or refractory DLBCL").
_LEADING_QUALIFIERS = re.compile(
    r"[\s\-*:(]*(?:(?:relapsed|refractory|recurrent|metastatic|advanced|unresectable|resectable"
    r"|locally|newly|diagnosed|previously|untreated|treated|confirmed|histologically|cytologically"
    r"|pathologically|documented|epithelioid|intrahepatic|extrahepatic|primary|high-risk|low-risk"
    r"|early|late|progressive|persistent|measurable|inoperable|operable|completely|resected"
    r"|or|and|and/or|/|,|stage\s+[IVX0-4]+[ABC]?)\s*)*",
    re.IGNORECASE,
)
_CHAIN = re.compile(r"\s*(?:,\s*(?:or|and)?|/|or|and|and/or|\(|\))\s*", re.IGNORECASE)


def _cancer_type(clause: str, section: str):
    # Asides ("small cell lung cancer (including mixed with non-small cell)") name other
    # diseases than the one the criterion is about.
    clause = _ASIDE.sub(lambda m: " " * len(m.group(0)), clause)
    mentions = cond.find(clause)
    if not mentions:
        return
    first = None
    for m in mentions:
        before = clause[max(0, m.start - 40) : m.start]
        if _OTHER_CANCER.search(before):
            continue
        if re.match(r"\s*(?:metastas[ie]s|metastatic)\b", clause[m.end :], re.IGNORECASE):
            continue  # "brain metastases from lung cancer" is about the metastases
        first = m
        break
    if first is None:
        return
    at_start = bool(_LEADING_QUALIFIERS.fullmatch(clause[: first.start]))
    if not at_start and not _DIAGNOSIS.search(clause[: first.start]):
        return
    # The named disease and any written as a list with it ("MDS/AML or ALL"), but not a
    # qualified one after it ("APL or leukaemia with CNS involvement").
    chosen = [first]
    for m in mentions[mentions.index(first) + 1 :]:
        prev = chosen[-1]
        if not _CHAIN.fullmatch(clause[prev.end : m.start]):
            break
        if re.match(r"\s+(?:with|in|of|involving|that|who|which)\b", clause[m.end :], re.I):
            break
        chosen.append(m)
    codes = list(dict.fromkeys(c for m in chosen for c in m.codes))
    yield (
        "cancer_type",
        _negated(clause, first.start, 30),
        {"codes": codes, "names": [m.text for m in chosen]},
    )


# --- the whole registration -------------------------------------------------------------------


def parse_criteria(
    inclusion: Sequence[str],
    exclusion: Sequence[str],
    *,
    min_age: float | None = None,
    max_age: float | None = None,
    sex: str = "ALL",
    condition_codes: Sequence[str] = (),
    conditions: Sequence[str] = (),
    tree: OncoTree | None = None,
) -> list[Criterion]:
    """Every criterion of a registration: the registry fields first (conditions, ages,
    sex), then each bullet's criteria in order."""
    tree = tree if tree is not None else shipped_tree()
    out: list[Criterion] = []
    if condition_codes:
        out.append(
            Criterion(
                "cancer_type",
                INCLUSION,
                {"codes": list(condition_codes), "names": list(conditions)},
                "Conditions: " + "; ".join(conditions) if conditions else "Conditions",
                REGISTRY,
                0,
            )
        )
    if min_age is not None or max_age is not None:
        out.append(
            Criterion(
                "age",
                INCLUSION,
                {"min": min_age, "max": max_age},
                "Ages: " + _age_text(min_age, max_age),
                REGISTRY,
                1,
            )
        )
    if sex in ("FEMALE", "MALE"):
        out.append(
            Criterion(
                "sex", INCLUSION, {"sex": sex.lower()}, f"Sex: {sex.lower()} only", REGISTRY, 2
            )
        )
    for section, bullets in ((INCLUSION, inclusion), (EXCLUSION, exclusion)):
        for i, bullet in enumerate(bullets):
            for c in parse_bullet(bullet, section, i):
                out.append(_own_disease_kept(c, condition_codes, tree))
    return out


def _own_disease_kept(c: Criterion, own: Sequence[str], tree: OncoTree) -> Criterion:
    """A trial cannot exclude the disease it studies: an excluded cancer type that is one
    of the registration's conditions, or broader than one, is a misreading (a list of
    "other" diseases); those codes are dropped, and the bullet stays as text if none is
    left. Narrower ones stay ("squamous NSCLC excluded" in an NSCLC trial)."""
    if c.kind != "cancer_type" or c.polarity != EXCLUSION or not own:
        return c
    kept = [
        code
        for code in c.params.get("codes", ())
        if not any(o == code or (o in tree.nodes and tree.is_within(o, code)) for o in own)
    ]
    if kept == list(c.params.get("codes", ())):
        return c
    if not kept:
        return Criterion(TEXT, c.section, {}, c.text, c.section, c.position)
    return Criterion(c.kind, c.polarity, {**c.params, "codes": kept}, c.text, c.section, c.position)


def _age_text(lo: float | None, hi: float | None) -> str:
    def years(v: float) -> str:
        return f"{v:g} years"

    if lo is not None and hi is not None:
        return f"{years(lo)} to {years(hi)}"
    if lo is not None:
        return f"{years(lo)} and older"
    return f"up to {years(hi)}"


# --- evaluation ----------------------------------------------------------------------------------


def evaluate(
    criterion: Criterion,
    profile: PatientProfile,
    *,
    as_of: dt.date,
    tree: OncoTree | None = None,
) -> Verdict:
    """Whether the patient meets the criterion, with the reason."""
    if not criterion.structured:
        return Verdict(criterion, UNKNOWN, "Not structured: read the criterion.")
    reader = _PROPERTIES.get(criterion.kind)
    if reader is None:
        return Verdict(criterion, UNKNOWN, f"No rule reads {criterion.kind} criteria.")
    has, reason = reader(
        criterion.params, profile, as_of, tree if tree is not None else shipped_tree()
    )
    if criterion.polarity == EXCLUSION:
        # The readers describe the property; under exclusion the trial keeps it out.
        reason = (
            reason.replace("trial asks for", "trial excludes")
            .replace("trial allows", "trial excludes")
            .replace("trial: ", "trial excludes ")
        )
    if has is None:
        return Verdict(criterion, UNKNOWN, reason)
    wanted = criterion.polarity == INCLUSION
    if has == wanted:
        return Verdict(criterion, MET, reason)
    return Verdict(criterion, NOT_MET, reason)


def evaluate_all(
    criteria: Iterable[Criterion],
    profile: PatientProfile,
    *,
    as_of: dt.date,
    tree: OncoTree | None = None,
) -> list[Verdict]:
    tree = tree if tree is not None else shipped_tree()
    return [evaluate(c, profile, as_of=as_of, tree=tree) for c in criteria if c.structured]


Answer = tuple[bool | None, str]


def _p_cancer_type(params, profile: PatientProfile, as_of, tree: OncoTree) -> Answer:
    codes = [c for c in params.get("codes", ()) if c]
    wanted = ", ".join(codes)
    code = profile.cancer_type
    if not code:
        return None, f"Cancer type not on record (trial: {wanted})."
    node = tree.by_code(code)
    name = f"{node.name} ({code})" if node else code
    for c in codes:
        if c == cond.SOLID or c == cond.LIQUID:
            liquid = tree.is_liquid(code)
            if liquid is None:
                continue
            if liquid == (c == cond.LIQUID):
                kind = "haematological" if liquid else "solid"
                return True, f"{name} is a {kind} cancer."
            continue
        if c in _lineage(tree, code):
            return True, f"{name} is within {c}."
    broader = [c for c in codes if c in tree.nodes and tree.is_within(c, code)]
    if broader:
        return None, f"Trial asks for {', '.join(broader)}, narrower than {name}: confirm."
    return False, f"{name} is not {wanted}."


_LINEAGE: dict[tuple[int, str], frozenset[str]] = {}


def _lineage(tree: OncoTree, code: str) -> frozenset[str]:
    """The code and its ancestors (cached: ranking asks this for every candidate)."""
    key = (id(tree), code)
    found = _LINEAGE.get(key)
    if found is None:
        if len(_LINEAGE) > 10_000:
            _LINEAGE.clear()
        found = _LINEAGE[key] = frozenset([code, *tree.ancestors(code)])
    return found


@lru_cache(maxsize=1024)
def _stage_main(stage: str) -> tuple[str, str]:
    m = re.match(r"(IV|I{1,3})([ABC]?\d?)", stage.upper().removeprefix("STAGE").strip())
    return (m.group(1), m.group(2)) if m else ("", "")


def _patient_stage(profile: PatientProfile) -> str | None:
    if profile.stage_group:
        main, sub = _stage_main(str(profile.stage_group))
        if main:
            return main + sub
    if profile.metastatic or (profile.pM and "1" in str(profile.pM)):
        return "IV"
    return None


def _p_stage(params, profile: PatientProfile, as_of, tree) -> Answer:
    stages = list(params.get("stages", ()))
    shown = "/".join(stages)
    stage = _patient_stage(profile)
    if stage is None:
        return None, f"Stage not on record (trial: stage {shown})."
    main, sub = _stage_main(stage)
    for s in stages:
        s_main, s_sub = _stage_main(s)
        if s_main == main and (not s_sub or sub.startswith(s_sub)):
            return True, f"Stage {stage} is within stage {shown}."
    for s in stages:
        s_main, s_sub = _stage_main(s)
        if s_main == main and s_sub and not sub:
            return None, f"Stage {stage} on record; trial asks for stage {shown}: substage needed."
    return False, f"Stage {stage} is not stage {shown}."


def _p_metastatic(params, profile: PatientProfile, as_of, tree) -> Answer:
    alternatives = params.get("alternatives") or []
    wanted = " or ".join([*alternatives, "metastatic"])
    if profile.metastatic:
        return True, "Metastatic disease on record."
    stage = _patient_stage(profile)
    main = _stage_main(stage)[0] if stage else None
    if main == "IV":
        return True, f"Stage {stage} on record."
    if profile.metastatic is False or main in ("I", "II", "III"):
        shown = f"stage {stage}" if stage else "no metastasis"
        if "locally advanced" in alternatives and main == "III":
            return True, f"{shown.capitalize()}: locally advanced."
        if alternatives and set(alternatives) - {"locally advanced"}:
            return None, f"{shown.capitalize()} on record; trial asks for {wanted}: confirm."
        return False, f"Not metastatic ({shown})."
    return None, f"Metastatic status not on record (trial: {wanted})."


_SYSTEMIC_WORDS = re.compile(
    r"chemo|mab\b|nib\b|lib\b|parib|ciclib|platin|taxel|rubicin|fluorouracil|gemcitabine|"
    r"pemetrexed|etoposide|irinotecan|vinorelbine|methotrexate|temozolomide|"
    r"immunotherapy|targeted|hormon|endocrine|tamoxifen|letrozole|anastrozole|exemestane|"
    r"fulvestrant|lutamide|abiraterone|folfox|folfiri|capox|xelox",
    re.IGNORECASE,
)
_KIND_CLASS = {
    "chemotherapy": ("chemotherapy", "systemic"),
    "immunotherapy": ("immunotherapy", "systemic"),
    "hormone_therapy": ("endocrine", "systemic"),
    "endocrine": ("endocrine", "systemic"),
    "targeted_therapy": ("systemic",),
    "targeted": ("systemic",),
    "radiation": ("radiotherapy",),
    "surgery": ("surgery",),
}


@lru_cache(maxsize=4096)
def _treatment_classes(name: str, kind: str | None) -> frozenset[str]:
    v = vocab()
    lowered = name.lower().strip()
    classes = set(_KIND_CLASS.get((kind or "").lower(), ()))
    for drug, drug_classes in v.drug_class.items():
        if drug in lowered:
            classes.update(drug_classes)
    for cls, regex in v.class_words.items():
        if regex.search(name):
            classes.add(cls)
    if classes & v.systemic_classes:
        classes.add("systemic")
    if {"pd1_pdl1", "ctla4"} & classes:
        classes.add("immunotherapy")
    return frozenset(classes)


def _is_systemic(name: str, kind: str | None) -> bool:
    v = vocab()
    if (kind or "").lower() in v.systemic_kinds:
        return True
    return "systemic" in _treatment_classes(name, kind) or bool(_SYSTEMIC_WORDS.search(name))


def _p_prior_therapy(params, profile: PatientProfile, as_of, tree) -> Answer:
    classes = set(params.get("classes") or ())
    drugs = {d.lower() for d in params.get("drugs") or ()}
    wanted = (
        ", ".join([*(c.replace("_", " ") for c in sorted(classes)), *sorted(drugs)])
        or "the therapy named"
    )
    if not profile.treatments:
        return None, f"No treatments on record (criterion: {wanted})."
    for t in profile.treatments:
        got = _treatment_classes(t.name, t.kind)
        if (classes & got) or any(d in t.name.lower() for d in drugs):
            return True, f"{t.name} on record ({wanted})."
    recorded = ", ".join(sorted({t.name for t in profile.treatments}))
    return None, f"None of the recorded treatments ({recorded}) is {wanted}: confirm."


def _systemic_lines(profile: PatientProfile) -> int:
    keys = set()
    for t in profile.treatments:
        if _is_systemic(t.name, t.kind):
            keys.add(t.date.isoformat() if t.date else t.name.lower())
    return len(keys)


def _p_lines(params, profile: PatientProfile, as_of, tree) -> Answer:
    lo, hi = params.get("min"), params.get("max")
    if hi == 0 and lo in (None, 0):
        wanted = "no prior systemic therapy"
    elif lo is not None and hi is not None:
        wanted = f"{lo} to {hi} prior lines"
    elif lo is not None:
        wanted = f"at least {lo} prior line{'s' if lo != 1 else ''}"
    else:
        wanted = f"at most {hi} prior line{'s' if hi != 1 else ''}"
    if not profile.treatments:
        return None, f"No treatments on record ({wanted})."
    n = _systemic_lines(profile)
    counted = f"{n} systemic regimen{'s' if n != 1 else ''} on record"
    if hi is not None and n > hi:
        return False, f"{counted}; trial allows {wanted}."
    if lo is not None and n >= lo:
        return True, f"{counted} ({wanted})."
    if lo is None and hi is not None and n > 0:
        return True, f"{counted} ({wanted})."
    return None, f"{counted}; trial asks for {wanted}: the record may be incomplete."


def _p_ecog(params, profile: PatientProfile, as_of, tree) -> Answer:
    lo, hi = params.get("min", 0), params.get("max", 4)
    scale = params.get("scale", "ECOG")
    shown = f"ECOG {lo}-{hi}" if lo != hi else f"ECOG {lo}"
    if scale == "Karnofsky":
        shown += f" (Karnofsky ≥ {params.get('karnofsky')})"
    if profile.ecog is None:
        return None, f"Performance status not on record (trial: {shown})."
    if (lo or 0) <= profile.ecog <= (hi if hi is not None else 4):
        return True, f"ECOG {profile.ecog} on record ({shown})."
    return False, f"ECOG {profile.ecog} on record; trial asks for {shown}."


def _p_brain(params, profile: PatientProfile, as_of, tree) -> Answer:
    qualifiers = params.get("qualifiers") or []
    what = (" ".join(qualifiers) + " " if qualifiers else "") + "brain metastases"
    if params.get("leptomeningeal"):
        what = "leptomeningeal disease"
    if profile.brain_metastases is None:
        return None, f"Brain metastases not recorded either way ({what})."
    if profile.brain_metastases is False:
        return False, "No brain metastases on record."
    if qualifiers or params.get("leptomeningeal"):
        return None, f"Brain metastases on record; whether they are {what} is not: confirm."
    return True, "Brain metastases on record."


def _p_measurable(params, profile: PatientProfile, as_of, tree) -> Answer:
    if profile.measurable_disease is None:
        return None, "Measurable disease not recorded."
    if profile.measurable_disease:
        return True, "Measurable disease on record."
    return False, "No measurable disease on record."


def _p_age(params, profile: PatientProfile, as_of, tree) -> Answer:
    lo, hi = params.get("min"), params.get("max")
    age = profile.age_on(as_of)
    shown = _age_text(lo, hi)
    if age is None:
        return None, f"Date of birth not on record (trial: {shown})."
    exact = _exact_age(profile, as_of)
    if lo is not None and exact < lo:
        return False, f"Age {age}; trial: {shown}."
    if hi is not None and age > hi:
        return False, f"Age {age}; trial: {shown}."
    return True, f"Age {age} ({shown})."


def _exact_age(profile: PatientProfile, as_of: dt.date) -> float:
    b = profile.birth_date
    years = profile.age_on(as_of) or 0
    try:
        last = b.replace(year=b.year + years)
    except ValueError:  # born on 29 February
        last = b.replace(year=b.year + years, day=28)
    return years + (as_of - last).days / 366


def _p_sex(params, profile: PatientProfile, as_of, tree) -> Answer:
    wanted = params.get("sex")
    if profile.sex is None:
        return None, f"Sex not on record (trial: {wanted} only)."
    if profile.sex == wanted:
        return True, f"{profile.sex.capitalize()} ({wanted} only)."
    return False, f"{profile.sex.capitalize()}; trial takes {wanted} patients only."


# biomarkers against the profile ------------------------------------------------------------

_POSITIVE_WORDS = ("positive", "detected", "mutated", "amplified", "msi-h", "high", "present")
_NEGATIVE_WORDS = ("negative", "not detected", "wild", "mss", "msi-l", "absent", "retained")
_ALIASES = {
    "HR": ("ER", "PR"),
    "BRCA": ("BRCA1", "BRCA2"),
    "RAS": ("KRAS", "NRAS", "HRAS"),
    "NTRK": ("NTRK", "NTRK1", "NTRK2", "NTRK3"),
    "FGFR": ("FGFR", "FGFR1", "FGFR2", "FGFR3", "FGFR4"),
    "BCR-ABL1": ("BCR-ABL1", "BCR-ABL", "BCR::ABL1"),
    "PD-L1": ("PD-L1", "PDL1"),
    "MSI": ("MSI", "MMR", "DMMR"),
}
_MMR = ("MLH1", "MSH2", "MSH6", "PMS2")


def _state(b) -> str:
    """positive / negative / equivocal / unknown for one recorded result."""
    status = (b.status or "").lower().strip()
    if status in ("pending", "not_performed", ""):
        return "unknown"
    if status == "equivocal":
        return "equivocal"
    if "loss" in status or "lost" in status or "deficien" in status:
        return "positive"
    if any(w in status for w in _NEGATIVE_WORDS):
        return "negative"
    if any(w in status for w in _POSITIVE_WORDS):
        return "positive"
    return "unknown"


def _number(*texts: str | None) -> float | None:
    for text in texts:
        if text is None:
            continue
        m = re.search(r"(\d+(?:\.\d+)?)", str(text))
        if m:
            return float(m.group(1))
    return None


def _norm_alteration(text: str | None) -> list[str]:
    """The variant values named in a recorded alteration ("exon 19 del" → exon 19 deletion)."""
    if not text:
        return []
    v = vocab()
    found = [value for value, regex in v.variants if regex.search(text)]
    if "V600E" in found and "V600" in found:
        found.remove("V600")
    if "exon 21 L858R" in found:
        found.append("L858R")
    for value, regex in v.alteration_words:
        if regex.search(text):
            found.append(value)
    return found


def _marker_answer(marker: Mapping[str, Any], profile: PatientProfile) -> Answer:
    gene = marker["gene"]
    status = marker.get("status") or "positive"
    names = _ALIASES.get(gene, (gene,))
    results = [b for n in names if (b := profile.biomarker(n)) is not None]
    if gene == "MSI" and not results:
        mmr = [b for n in _MMR if (b := profile.biomarker(n)) is not None]
        if mmr:
            states = [_state(b) for b in mmr]
            if "positive" in states:
                results = [type(mmr[0])("MSI", "msi-h", None, None)]
            elif len(mmr) == 4 and all(s == "negative" for s in states):
                results = [type(mmr[0])("MSI", "mss", None, None)]
    label = _marker_label(marker)
    if not results:
        return None, f"{gene} not on record (trial: {label})."
    if gene in ("HR",):
        states = [_state(b) for b in results]
        if status == "positive":
            if "positive" in states:
                return True, f"Hormone receptor positive on record ({label})."
            if len(results) == 2 and all(s == "negative" for s in states):
                return False, f"ER and PR negative on record; trial: {label}."
            return None, f"Hormone receptor status incomplete (trial: {label})."
        if "positive" in states:
            return False, f"Hormone receptor positive on record; trial: {label}."
        if len(results) == 2 and all(s == "negative" for s in states):
            return True, f"ER and PR negative on record ({label})."
        return None, f"Hormone receptor status incomplete (trial: {label})."
    b = results[0]
    if len(results) > 1:
        positives = [r for r in results if _state(r) == "positive"]
        b = positives[0] if positives else b
    state = _state(b)
    shown = _recorded(b)
    if marker.get("min_value") is not None or marker.get("max_value") is not None:
        value = _number(b.value, b.status, b.alteration)
        if value is None:
            if state == "negative" and marker.get("min_value") is not None:
                return False, f"{shown}; trial: {label}."
            return None, f"{shown}: no value to compare (trial: {label})."
        lo, hi = marker.get("min_value"), marker.get("max_value")
        if (lo is None or value >= lo) and (hi is None or value <= hi):
            return True, f"{shown} ({label})."
        return False, f"{shown}; trial: {label}."
    if status == "low":
        score = (b.value or "").replace(" ", "")
        if state == "positive":
            return False, f"{shown}; trial: {label}."
        if score.startswith(("1+", "2+")) or score in ("1", "2"):
            return True, f"{shown} ({label})."
        if score.startswith("0"):
            return False, f"{shown}; trial: {label}."
        return None, f"{shown}: IHC score needed (trial: {label})."
    if state in ("unknown", "equivocal"):
        return None, f"{shown} (trial: {label})."
    if status == "negative":
        return (state == "negative"), f"{shown} ({label})."
    if state == "negative":
        return False, f"{shown}; trial: {label}."
    wanted = list(marker.get("alterations") or [])
    if not wanted:
        return True, f"{shown} ({label})."
    v = vocab()
    if "sensitizing" in wanted:
        wanted = [w for w in wanted if w != "sensitizing"] + list(v.sensitizing.get(gene, ()))
        if not wanted:  # no labelled list for this gene: any activating alteration
            return True, f"{shown} ({label})."
    have = _norm_alteration(b.alteration)
    specific_wanted = [w for w in wanted if w not in ("fusion", "amplification", "deficiency")]
    if specific_wanted:
        specific_have = [
            h
            for h in have
            if h not in ("fusion", "amplification", "mutation", "deficiency", "sensitizing")
        ]
        if any(h in specific_wanted or _same_variant(h, specific_wanted) for h in specific_have):
            return True, f"{shown} ({label})."
        if specific_have:
            return False, f"{shown}; trial: {label}."
        return None, f"{shown}, variant not on record (trial: {label})."
    category = wanted[0]
    have_category = next((h for h in have if h in ("fusion", "amplification", "mutation")), None)
    if have_category is None:
        gdef = v.genes.get(gene)
        have_category = gdef.default if gdef else None
        if b.alteration in (None, ""):
            if have_category == category:
                return True, f"{shown} ({label})."
            return None, f"{shown}, kind of alteration not on record (trial: {label})."
    if have_category == category:
        return True, f"{shown} ({label})."
    return False, f"{shown}; trial: {label}."


def _same_variant(have: str, wanted: list[str]) -> bool:
    return any(have.endswith(w) or w.endswith(have) for w in wanted)


def _recorded(b) -> str:
    parts = [b.name]
    if b.alteration:
        parts.append(str(b.alteration))
    if b.status:
        parts.append(str(b.status).replace("_", " "))
    if b.value and str(b.value) not in parts:
        parts.append(str(b.value))
    return " ".join(parts) + " on record"


def _marker_label(marker: Mapping[str, Any]) -> str:
    gene = marker["gene"]
    status = marker.get("status") or "positive"
    alterations = marker.get("alterations") or []
    if marker.get("min_value") is not None or marker.get("max_value") is not None:
        scale = f" {marker['scale']}" if marker.get("scale") else ""
        if marker.get("min_value") is not None:
            return f"{gene}{scale} ≥ {marker['min_value']:g}"
        return f"{gene}{scale} ≤ {marker['max_value']:g}"
    if alterations:
        return f"{gene} {' or '.join(alterations)}"
    return f"{gene} {status}"


def _p_biomarker(params, profile: PatientProfile, as_of, tree) -> Answer:
    markers = params.get("markers") or []
    answers = [_marker_answer(m, profile) for m in markers]
    if not answers:
        return None, "No marker named."
    if params.get("any"):
        for has, reason in answers:
            if has:
                return True, reason
        if all(has is False for has, _ in answers):
            return False, " ".join(r for _, r in answers)
        return None, " ".join(r for has, r in answers if has is None)
    for has, reason in answers:
        if has is False:
            return False, reason
    if all(has for has, _ in answers):
        return True, " ".join(r for _, r in answers)
    return None, " ".join(r for has, r in answers if has is None)


_PROPERTIES = {
    "cancer_type": _p_cancer_type,
    "stage": _p_stage,
    "metastatic": _p_metastatic,
    "biomarker": _p_biomarker,
    "prior_therapy": _p_prior_therapy,
    "lines": _p_lines,
    "ecog": _p_ecog,
    "brain_metastases": _p_brain,
    "measurable_disease": _p_measurable,
    "age": _p_age,
    "sex": _p_sex,
}


# --- reading a criterion back to the expert ------------------------------------------------


def describe(c: Criterion) -> str:
    p = c.params
    must = "requires" if c.polarity == INCLUSION else "excludes"
    if c.kind == "cancer_type":
        return f"{must} cancer type {', '.join(p.get('codes', []))}"
    if c.kind == "stage":
        return f"{must} stage {'/'.join(p.get('stages', []))}"
    if c.kind == "metastatic":
        alts = p.get("alternatives") or []
        return f"{must} {' or '.join([*alts, 'metastatic'])} disease"
    if c.kind == "biomarker":
        join = " or " if p.get("any") else " and "
        return f"{must} " + join.join(_marker_label(m) for m in p.get("markers", []))
    if c.kind == "prior_therapy":
        names = [*(x.replace("_", " ") for x in p.get("classes", [])), *p.get("drugs", [])]
        return f"{must} prior {', '.join(names)}"
    if c.kind == "lines":
        lo, hi = p.get("min"), p.get("max")
        if hi == 0:
            return f"{must} no prior systemic therapy"
        if lo is not None and hi is not None:
            return f"{must} {lo}-{hi} prior lines"
        return f"{must} " + (f"≥ {lo} prior lines" if lo is not None else f"≤ {hi} prior lines")
    if c.kind == "ecog":
        return f"{must} ECOG {p.get('min')}-{p.get('max')}"
    if c.kind == "brain_metastases":
        q = " ".join(p.get("qualifiers") or [])
        what = "leptomeningeal disease" if p.get("leptomeningeal") else "brain metastases"
        return f"{must} {q + ' ' if q else ''}{what}"
    if c.kind == "measurable_disease":
        return f"{must} measurable disease"
    if c.kind == "age":
        return f"{must} age {_age_text(p.get('min'), p.get('max'))}"
    if c.kind == "sex":
        return f"{must} {p.get('sex')} sex"
    return "kept as text"
