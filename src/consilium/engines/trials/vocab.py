"""Loading the trial engine's vocabularies (data/*.yaml) and compiling their patterns.

Knowledge lives in the YAML files; this module only turns pattern lists into regular
expressions. One convention for every list: patterns are case-insensitive and matched on
whole words, except abbreviations written all in capitals (up to six letters: ALL, CLL,
ER, RET, MET), which must be capitals in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data")


@cache
def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def is_abbreviation(pattern: str) -> bool:
    letters = re.sub(r"\\.|\(\?[:=!<]+|[^A-Za-z]", "", pattern)
    return bool(letters) and letters.isupper() and len(letters) <= 6


def _piece(pattern: str) -> str:
    return f"(?-i:{pattern})" if is_abbreviation(pattern) else f"(?:{pattern})"


def alternation(patterns: Iterable[str]) -> str:
    """Longest pattern first, so that at one place the longest phrase wins."""
    return "|".join(_piece(p) for p in sorted(set(patterns), key=len, reverse=True))


def words(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + alternation(patterns) + r")(?![\w])", re.IGNORECASE)


class Labelled:
    """Whole-word matching of labelled pattern groups: finds non-overlapping phrases,
    longest first, and says which label each belongs to."""

    def __init__(self, groups: Sequence[tuple[Any, Sequence[str]]]):
        self._groups = [(label, words(patterns)) for label, patterns in groups]
        self._any = words(p for _label, patterns in groups for p in patterns)

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], Any]]:
        for m in self._any.finditer(text):
            label = self.label_of(m.group(0))
            if label is not None:
                yield m, label

    def label_of(self, phrase: str) -> Any:
        for label, regex in self._groups:
            if regex.fullmatch(phrase):
                return label
        # A phrase the alternation found but no single group matches whole (a pattern
        # with lookarounds); fall back to the first group that finds it inside.
        for label, regex in self._groups:
            if regex.search(phrase):
                return label
        return None
