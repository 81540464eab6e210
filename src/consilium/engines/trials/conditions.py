"""Condition text (a registration's conditions, keywords or a criterion's words) to
OncoTree codes.

Two steps: the whole condition looked up as an OncoTree name (current or older), then
the synonym patterns of ``data/conditions.yaml`` searched inside it. ``_SOLID_`` and
``_LIQUID_`` stand for "any solid tumour" and "any haematological malignancy".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree
from consilium.engines.trials.vocab import Labelled, load

SOLID, LIQUID = "_SOLID_", "_LIQUID_"
BASKETS = frozenset({SOLID, LIQUID})

# Words around a disease name that do not change which disease it is.
_QUALIFIERS = re.compile(
    r"\b(?:stage\s+[IVX0-4]+[ABC]?\d?|recurrent|relapsed|refractory|advanced|metastatic|"
    r"unresectable|locally|newly diagnosed|adult|pediatric|childhood|progressive|"
    r"persistent|in relapse|resectable|early|primary|secondary|de novo)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    codes: tuple[str, ...]


@cache
def _spelling() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(r"\b" + re.escape(old), re.IGNORECASE), new)
        for old, new in load("conditions")["spelling"].items()
    )


def normalize(text: str) -> str:
    """American spelling, one space; same length is not kept (use for lookups only)."""
    for regex, new in _spelling():
        text = regex.sub(new, text)
    return " ".join(text.split())


@cache
def _matcher() -> Labelled:
    entries = load("conditions")["entries"]
    return Labelled([(tuple(e["codes"]), e["patterns"]) for e in entries])


@cache
def _spelling_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {old.lower(): new for old, new in load("conditions")["spelling"].items()}
    alt = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{alt})", re.IGNORECASE), table


def _normalized(text: str) -> tuple[str, list[int]]:
    """The text with American spelling, and for each of its positions the position in
    ``text`` it came from (so mentions found in one are placed in the other)."""
    regex, table = _spelling_regex()
    pieces: list[str] = []
    where: list[int] = []
    last = 0
    for m in regex.finditer(text):
        pieces.append(text[last : m.start()])
        where.extend(range(last, m.start()))
        new = table[m.group(0).lower()]
        pieces.append(new)
        where.extend(min(m.start() + i, m.end() - 1) for i in range(len(new)))
        last = m.end()
    pieces.append(text[last:])
    where.extend(range(last, len(text)))
    where.append(len(text))
    return "".join(pieces), where


def find(text: str) -> list[Mention]:
    """Disease mentions in free text, with offsets in ``text``."""
    norm, where = _normalized(text)
    out = []
    for m, codes in _matcher().finditer(norm):
        start = where[m.start()]
        end = where[m.end() - 1] + 1 if m.end() > m.start() else start
        if m.end() < len(norm) and where[m.end()] > end:
            end = where[m.end()]
        out.append(Mention(start, end, text[start:end], codes))
    return out


def codes_for(condition: str, tree: OncoTree | None = None) -> tuple[str, ...]:
    """OncoTree codes for one condition string ("" when nothing names a cancer)."""
    tree = tree or shipped_tree()
    name = normalize(condition).strip(" .,;")
    if not name:
        return ()
    for candidate in (name, _QUALIFIERS.sub(" ", name)):
        candidate = " ".join(candidate.split()).strip(" ,;-")
        if candidate and (codes := tree.codes_for_name(candidate)):
            return tuple(dict.fromkeys(codes))
    found: list[str] = []
    for mention in find(name):
        found.extend(mention.codes)
    return tuple(dict.fromkeys(c for c in found if c in BASKETS or tree.by_code(c)))


def codes_for_all(conditions: Iterable[str], tree: OncoTree | None = None) -> tuple[str, ...]:
    """Codes for several conditions, in order, without duplicates. A broad code found
    beside a narrower one is kept ("Lung Cancer" and "NSCLC" give LUNG and NSCLC): the
    index and the cancer-type criterion accept a patient within any of them."""
    tree = tree or shipped_tree()
    out: dict[str, None] = {}
    for condition in conditions:
        for code in codes_for(condition, tree):
            out.setdefault(code)
    return tuple(out)
