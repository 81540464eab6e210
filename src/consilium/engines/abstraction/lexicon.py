"""Loads the versioned YAML data of the abstraction engine once and compiles its
patterns. Knowledge lives in data/*.yaml; this module only turns it into regexes."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data")


@cache
def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text())


def words(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One regex matching any of the patterns as whole words (longest first, so that
    "invasive ductal carcinoma" wins over "ductal carcinoma" at the same place)."""
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in ordered) + r")(?![\w])", flags)


def versions() -> dict[str, str]:
    """The version of every data file, recorded with results so they can be reproduced."""
    return {p.stem: str(load(p.stem).get("version")) for p in sorted(DATA.glob("*.yaml"))}


class Matcher:
    """Whole-word matching of a pattern list: case-insensitive, except all-capital
    abbreviations (ER, PR, RUL, SCC...), which must be capitals to count ("er" and "pr"
    are too common as word fragments in OCR text)."""

    def __init__(self, patterns: list[str]):
        upper = [p for p in patterns if _is_abbreviation(p)]
        other = [p for p in patterns if not _is_abbreviation(p)]
        self._ci = words(other) if other else None
        self._cs = words(upper, flags=0) if upper else None

    def finditer(self, text: str) -> list[re.Match[str]]:
        found: list[re.Match[str]] = []
        if self._ci is not None:
            found.extend(self._ci.finditer(text))
        if self._cs is not None:
            found.extend(self._cs.finditer(text))
        found.sort(key=lambda m: (m.start(), -m.end()))
        return found

    def search(self, text: str) -> re.Match[str] | None:
        hits = self.finditer(text)
        return hits[0] if hits else None


def _is_abbreviation(pattern: str) -> bool:
    letters = re.sub(r"\\.|[^A-Za-z]", "", pattern)
    return bool(letters) and letters.isupper() and len(letters) <= 6
