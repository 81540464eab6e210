"""Serum tumour markers: CEA, PSA, CA-125, CA 19-9, AFP, beta-hCG, LDH, CA 15-3 and
CA 27.29 read as values ("preoperative CEA was 5.1 ng/ml (normal <3.0)").

A value is a number said of the marker in the same sentence with only connecting words
between them ("PSA value of 6.5", "CA-125 was elevated at 450 U/mL"), with its comparator
and unit; a date and a reference range in the same sentence are kept with it. Not a
value, and so no fact: the marker stained on tissue ("positive for CEA", "CK7+, CEA-"),
a plan, rule or threshold ("recommend CA-125", "PSA of 10 or more"), a negated or not
performed test, a reference range on its own, a number whose unit is not the marker's
(a percentage, a size), another measurement (free PSA, PSA density). Vocabulary, units
and cues are data: data/serum_markers.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from consilium.engines.abstraction.lexicon import alternation, load
from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document
from consilium.engines.records.dates import DATE, parse_date

#: Characters after the marker in which its value may be.
WINDOW = 80
#: Characters before the marker in which a stain or a plan is looked for.
PRE_REACH = 60
#: Characters after the value in which its words ("elevated", "(H)") may be.
POST_REACH = 30
#: The assertion statuses of the marker's mention that give no value.
NO_VALUE = frozenset({"absent", "possible", "not_performed", "pending"})
#: A fact with its unit stated is surer than a bare number after the marker.
CONFIDENCE_WITH_UNIT = 0.85
CONFIDENCE_WITHOUT_UNIT = 0.75

_NUM = r"(?:\d{1,7}(?:[.,]\d+)?|\.\d+)"
NUMBER = re.compile(r"(?<![\w.,/-])" + _NUM + r"(?![\d])")
COMPARATOR = re.compile(
    # Not "up to": "PSA went up to 8" is a rise, not a bound.
    r"(?P<c><=|>=|≤|≥|<|>|less\s+than|greater\s+than|more\s+than|under|below|above|over)\s*$",
    re.IGNORECASE,
)
COMPARATORS = {
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "≤": "<=",
    "≥": ">=",
    "less than": "<",
    "under": "<",
    "below": "<",
    "greater than": ">",
    "more than": ">",
    "above": ">",
    "over": ">",
}
RANGE_AFTER = re.compile(r"\s*(?:-|–|to)\s*(?=" + _NUM + r"(?![\d]))", re.IGNORECASE)
FROM_IN_GAP = re.compile(r"\bfrom\b", re.IGNORECASE)
# Markers named one after the other ("CEA and CA 19-9 were 4.2 and 40"): the numbers
# cannot be told apart, so neither is read.
LIST_JOIN = re.compile(r"^[\s,/&]*(?:and|or|&|/|,)[\s,/&]*$", re.IGNORECASE)
# A clause ends at these: triggers before them do not reach the marker.
CLAUSE_CUT = re.compile(r"[;:,]")
LIMIT_CUE = re.compile(r"ULN|upper|cut", re.IGNORECASE)
POST_CUT = re.compile(r"[,;]|\.(?!\d)")
LETTER_AFTER = re.compile(r"[A-Za-zµμ]")
UNIT_LIKE = re.compile(r"\s*\.?\s*[A-Za-zµμ]+\s*/")


def _phrases(patterns: list[str], *, anchor: str = "") -> re.Pattern[str]:
    """Whole-word phrases, case-insensitive; ``anchor`` "start" or "end" ties them to an
    end of the text they are searched in."""
    body = r"(?<![\w])(?:" + alternation(patterns) + r")(?![\w])"
    if anchor == "start":  # for ``match`` at a position ("^" would not anchor there)
        body = r"\W{0,3}" + body
    elif anchor == "end":
        body = body + r"\W{0,3}$"
    return re.compile(body, re.IGNORECASE)


@dataclass(frozen=True)
class Marker:
    name: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    markers: tuple[Marker, ...]
    mention: re.Pattern[str]  # any marker alias, one named group per marker
    units: dict[str, re.Pattern[str]]  # canonical unit -> its spellings, at the start
    not_a_level: re.Pattern[str]
    gap: re.Pattern[str]
    hypothetical_pre: re.Pattern[str]
    hypothetical_post: re.Pattern[str]
    stain_pre: re.Pattern[str]
    stain_after: re.Pattern[str]
    other_before: re.Pattern[str]
    other_after: re.Pattern[str]
    reference: re.Pattern[str]
    bare_range: re.Pattern[str]
    elevated: re.Pattern[str]


@cache
def rules() -> Rules:
    data = load("serum_markers")
    markers, groups = [], []
    for i, (name, spec) in enumerate(data["markers"].items()):
        markers.append(Marker(name, tuple(spec["units"])))
        groups.append(f"(?P<m{i}>{alternation(spec['aliases'])})")
    mention = re.compile(r"(?<![\w])(?:" + "|".join(groups) + r")(?![\w])", re.IGNORECASE)
    units = {
        unit: re.compile(
            r"\s*\.?\s*(?:" + alternation(spellings, phrases=False) + r")(?![\w/])", re.IGNORECASE
        )
        for unit, spellings in data["units"].items()
    }
    not_a_level = re.compile(r"\s*(?:" + "|".join(data["not_a_level"]) + ")", re.IGNORECASE)
    connectors = alternation(data["connectors"])
    gap = re.compile(
        r"^(?:[\s:=,.()\[\]'\"~-]+|<=|>=|[<>≤≥]|(?:" + connectors + r")(?![\w]))*$",
        re.IGNORECASE,
    )
    cue = alternation(data["reference_cues"])
    cmp_words = r"<=|>=|≤|≥|<|>|less\s+than|up\s+to|under|below"
    sep = r"[^\w<>≤≥]"  # punctuation between a cue and its limit, not a comparator
    unit_any = alternation(
        [s for spellings in data["units"].values() for s in spellings], phrases=False
    )
    reference = re.compile(
        rf"(?<![\w])(?P<cue>{cue}){sep}{{0,3}}(?:(?:is|of|at)\s+)?{sep}{{0,2}}"
        rf"(?:(?P<cmp>{cmp_words})\s*(?P<up>{_NUM})"
        rf"|(?P<lo>{_NUM})\s*(?:-|–|to)\s*(?P<hi>{_NUM})"
        rf"|(?P<only>{_NUM}))(?![\d])(?:\s*(?:{unit_any})(?![\w/]))?",
        re.IGNORECASE,
    )
    bare_range = re.compile(
        rf"\s*\(\s*(?:(?P<cmp>{cmp_words})\s*(?P<up>{_NUM})"
        rf"|(?P<lo>{_NUM})\s*(?:-|–|to)\s*(?P<hi>{_NUM}))"
        rf"\s*(?:(?:{unit_any})\s*)?\)",
        re.IGNORECASE,
    )
    elevated = re.compile(
        r"(?<![\w])(?:(?P<no>"
        + alternation(data["elevated"]["within"])
        + r")|(?P<yes>"
        + alternation(data["elevated"]["above"])
        + r"))(?![\w])",
        re.IGNORECASE,
    )
    return Rules(
        markers=tuple(markers),
        mention=mention,
        units=units,
        not_a_level=not_a_level,
        gap=gap,
        hypothetical_pre=_phrases(data["hypothetical"]["pre"]),
        hypothetical_post=_phrases(data["hypothetical"]["post"]),
        stain_pre=_phrases(data["stain"]["pre"]),
        stain_after=re.compile(r"\s*(?:" + "|".join(data["stain"]["after"]) + ")", re.IGNORECASE),
        other_before=_phrases(data["other_measure"]["before"], anchor="end"),
        other_after=_phrases(data["other_measure"]["after"], anchor="start"),
        reference=reference,
        bare_range=bare_range,
        elevated=elevated,
    )


def typical_upper_limits() -> dict[str, dict[str, Any]]:
    """The commonly printed adult upper reference limit of each marker, for people
    reading a value without its laboratory's range (never used to call one elevated)."""
    return {
        name: dict(spec["typical_upper_limit"])
        for name, spec in load("serum_markers")["markers"].items()
    }


# --- reading one mention ------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    start: int  # offsets in the document
    end: int
    upper: float | None


@dataclass(frozen=True)
class _Value:
    start: int
    end: int
    number: float
    text: str  # the number as written, with a decimal point
    comparator: str | None
    unit: str | None


def _number(raw: str) -> tuple[float, str]:
    """ "8,6" is 8.6 (a decimal comma in OCR'd European reports); "1,200" is 1200."""
    if "," in raw:
        whole, _, part = raw.partition(",")
        raw = whole + part if len(part) == 3 and len(whole) <= 3 else f"{whole}.{part}"
    if raw.startswith("."):
        raw = "0" + raw
    return float(raw), raw


def _references(doc: Document, s_start: int, s_end: int) -> list[_Reference]:
    r = rules()
    found = []
    for m in r.reference.finditer(doc.text, s_start, s_end):
        if m.group("only") is not None and not LIMIT_CUE.match(m.group("cue")):
            # A lone number after "normal" is the value said to be normal ("CEA normal
            # 2.1"), after "N" a category ("N1"): only a named limit stands alone.
            continue
        upper = m.group("up") or m.group("hi") or m.group("only")
        found.append(_Reference(m.start(), m.end(), _number(upper)[0] if upper else None))
    return found


def _dates(doc: Document, s_start: int, s_end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in DATE.finditer(doc.text, s_start, s_end)]


def _inside(pos: int, spans) -> bool:
    return any(a <= pos < b for a, b in spans)


def _blank(text: str, offset: int, spans) -> str:
    """``text`` (at ``offset`` in the document) with the given spans turned to spaces."""
    chars = list(text)
    for a, b in spans:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _unit(doc: Document, pos: int, limit: int, marker: Marker) -> tuple[str | None, int, bool]:
    """(unit, end, compatible) of what follows a number at ``pos``: the marker's unit,
    none stated, or something that makes the number another kind of quantity."""
    r = rules()
    text = doc.text
    if r.not_a_level.match(text, pos, limit):
        return None, pos, False
    for unit in marker.units:
        m = r.units[unit].match(text, pos, limit)
        if m is not None:
            return unit, m.end(), True
    for pattern in r.units.values():
        if pattern.match(text, pos, limit):
            return None, pos, False  # a serum unit, but not this marker's
    if LETTER_AFTER.match(text, pos) or UNIT_LIKE.match(text, pos, limit):
        return None, pos, False  # "6.5cm", "5 pg/mL": some other quantity
    return None, pos, True


def _value(
    doc: Document,
    marker: Marker,
    start: int,
    limit: int,
    skip: list[tuple[int, int]],
) -> tuple[_Value | None, str]:
    """The marker's value in [start, limit) and the gap words before it ("" if none)."""
    r = rules()
    text = doc.text
    for m in NUMBER.finditer(text, start, limit):
        if _inside(m.start(), skip):
            continue
        gap = _blank(text[start : m.start()], start, skip)
        # A unit may label the marker instead of following the number ("CA 19-9 (U/mL): 52").
        labelled = None
        for unit in marker.units:
            found = r.units[unit].search(gap)
            if found is not None:
                labelled = unit
                gap = _blank(gap, 0, [found.span()])
                break
        if not r.gap.match(gap):
            return None, ""
        num_start, num_end, raw = m.start(), m.end(), m.group(0)
        rng = RANGE_AFTER.match(text, num_end, limit)
        cmp = COMPARATOR.search(gap)
        if rng is not None:
            if not FROM_IN_GAP.search(gap):
                return None, ""  # "PSA 4-10": a range, not a result
            # "rose from 4.2 to 8.1": the later value is the one the sentence ends on.
            second = NUMBER.match(text, rng.end(), limit)
            if second is None:
                return None, ""
            num_start, num_end, raw = second.start(), second.end(), second.group(0)
            cmp = None
        unit, end, compatible = _unit(doc, num_end, limit, marker)
        if not compatible:
            return None, ""
        unit = unit or labelled
        comparator = COMPARATORS[" ".join(cmp.group("c").lower().split())] if cmp else None
        number, written = _number(raw)
        # The span starts at the comparator ("<0.1", "less than 0.1").
        begin = num_start - len(cmp.group(0)) if cmp else num_start
        return _Value(begin, end, number, written, comparator, unit), gap
    return None, ""


def _elevated(
    words_before: str, after: str, value: _Value, reference: _Reference | None
) -> bool | None:
    """What the text says (elevated, normal, "(H)"), else what its reference range says."""
    r = rules()
    for text in (after, words_before):
        m = r.elevated.search(text)
        if m is not None:
            return m.group("yes") is not None
    if reference is None or reference.upper is None:
        return None
    upper, v, c = reference.upper, value.number, value.comparator
    if c in (None, ">", ">="):
        if v > upper:
            return True
        return False if c is None else None
    return False if v <= upper else None  # "<0.1" under a limit of 4: not elevated


def _date(doc: Document, value: _Value, s_start: int, s_end: int) -> str | None:
    best: tuple[int, str] | None = None
    for m in DATE.finditer(doc.text, s_start, s_end):
        found = parse_date(m.group(0))
        if found is None or not 1900 <= found.year <= 2100:
            continue
        distance = min(abs(m.start() - value.end), abs(value.start - m.end()))
        if best is None or distance < best[0]:
            best = (distance, found.isoformat())
    return best[1] if best else None


def _shown(value: _Value) -> str:
    text = f"{value.comparator or ''}{value.text}"
    return f"{text} {value.unit}" if value.unit else text


def extract(doc: Document) -> list[Fact]:
    """Every serum marker value of the text, in order."""
    r = rules()
    text = doc.text
    mentions = list(r.mention.finditer(text))
    if not mentions:
        return []
    facts: list[Fact] = []
    for i, m in enumerate(mentions):
        group = next(g for g, v in m.groupdict().items() if v is not None)
        marker = r.markers[int(group[1:])]
        s_start, s_end = doc.sentence_span(m.start())
        s_end = max(s_end, m.end())
        following = mentions[i + 1].start() if i + 1 < len(mentions) else len(text)
        limit = min(s_end, m.end() + WINDOW, following)
        pre_start = max(s_start, m.start() - PRE_REACH)
        pre = text[pre_start : m.start()]
        cuts = list(CLAUSE_CUT.finditer(pre))
        clause_start = pre_start + cuts[-1].end() if cuts else pre_start
        clause = text[clause_start : m.start()]
        if i > 0 and mentions[i - 1].end() >= s_start:
            between = text[mentions[i - 1].end() : m.start()]
            if LIST_JOIN.match(between):
                continue
        if r.other_before.search(text, max(s_start, m.start() - 25), m.start()):
            continue
        if r.other_after.match(text, m.end(), limit):
            continue
        if r.stain_after.match(text, m.end(), limit):
            continue
        if r.hypothetical_pre.search(clause):
            continue
        references = _references(doc, s_start, s_end)
        skip = _dates(doc, s_start, s_end) + [(x.start, x.end) for x in references]
        value, gap = _value(doc, marker, m.end(), limit, skip)
        if value is None:
            continue
        if value.unit is None and r.stain_pre.search(pre):
            continue  # "positive for CEA ... 2": a stain, unless a serum unit says otherwise
        post_end = min(s_end, value.end + 40, following)
        if r.hypothetical_post.search(text, value.end, post_end):
            continue
        # Triggers before the marker in its clause only ("Margins not involved, PSA 6.5"
        # is not a negated PSA); what follows the value was read above.
        a = doc.assertion(
            m.start(), m.end(), post_window=0, pre_window=max(1, m.start() - clause_start)
        )
        if a.status in NO_VALUE:
            continue
        bare = r.bare_range.match(text, value.end, s_end)
        if bare is not None:
            upper = bare.group("up") or bare.group("hi")
            reference: _Reference | None = _Reference(
                bare.start(), bare.end(), _number(upper)[0] if upper else None
            )
        else:
            # The range printed with this value: inside its gap, or the first one after it
            # before the next marker.
            near = [x for x in references if m.end() <= x.start and x.start < following]
            reference = near[0] if near else None
        reach = min(s_end, value.end + POST_REACH)
        cut = POST_CUT.search(text, value.end, reach)
        after = text[value.end : cut.start() if cut else reach]
        if cut is not None and cut.group(0) == ",":
            # "CEA 2.3 ng/mL, normal.": a lone word after the comma still speaks of the
            # value (but not "PSA 12, high-risk disease").
            following_cut = POST_CUT.search(text, cut.end(), s_end)
            word = text[cut.end() : following_cut.start() if following_cut else s_end].strip()
            if r.elevated.fullmatch(word):
                after += " " + word
        after = _blank(after, value.end, [(x.start, x.end) for x in references])
        facts.append(
            Fact(
                marker.name,
                _shown(value),
                Provenance(
                    doc.document_id,
                    value.start,
                    value.end,
                    doc.sentence(m.start()),
                    doc.section_at(value.start).name,
                ),
                confidence=CONFIDENCE_WITH_UNIT if value.unit else CONFIDENCE_WITHOUT_UNIT,
                assertion="historical" if a.status == "historical" else "present",
                detail={
                    "value": value.number,
                    "unit": value.unit,
                    "comparator": value.comparator,
                    "date": _date(doc, value, s_start, s_end),
                    "elevated": _elevated(gap, after, value, reference),
                },
            )
        )
    return facts
