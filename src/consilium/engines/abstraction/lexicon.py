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


def line_break_tolerant(pattern: str) -> str:
    """The pattern with each literal space (outside character classes) also matching an
    OCR line break: these reports were scanned and put a period at every line end
    ("SQUAMOUS. CELL CARCINOMA")."""
    # "[- ]" (hyphen or space, as in "squamous[- ]cell") also takes the line break.
    pattern = pattern.replace("[- ]", "(?:-| )").replace("[ -]", "(?:-| )")
    # A look-behind must keep a fixed width ("(?<!no )"): its spaces stay literal.
    out, depth, escaped = [], 0, False
    parens, behind = 0, None  # open groups; the depth at which a look-behind opened
    for i, ch in enumerate(pattern):
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[":
            depth += 1
            out.append(ch)
        elif ch == "]" and depth:
            depth -= 1
            out.append(ch)
        elif ch == "(" and not depth:
            parens += 1
            if behind is None and pattern.startswith(("(?<=", "(?<!"), i):
                behind = parens
            out.append(ch)
        elif ch == ")" and not depth:
            if behind == parens:
                behind = None
            parens -= 1
            out.append(ch)
        elif ch == " " and not depth and behind is None:
            out.append(r"[.,]?\s+")
        else:
            out.append(ch)
    return "".join(out)


def words(patterns: list[str], flags: int = re.IGNORECASE, plural: bool = False) -> re.Pattern[str]:
    """One regex matching any of the patterns as whole words (longest first, so that
    "invasive ductal carcinoma" wins over "ductal carcinoma" at the same place). With
    ``plural``, a term also matches its plural ("carcinomas")."""
    return re.compile(r"(?<!\w)" + _alternation(patterns, plural), flags)


def alternation(patterns: list[str], *, phrases: bool = True) -> str:
    """The patterns as one regex alternation, longest first; ``phrases``: their spaces
    also take an OCR line break (unit spellings are not phrases: their " ?" is an
    optional space)."""
    ordered = sorted(patterns, key=len, reverse=True)
    return "|".join(f"(?:{line_break_tolerant(p) if phrases else p})" for p in ordered)


def _alternation(patterns: list[str], plural: bool) -> str:
    suffix = r"(?:e?s)?" if plural else ""
    return "(?:" + alternation(patterns) + ")" + suffix + r"(?![\w])"


_WORD_CHAR = re.compile(r"\w")


class _WordStart:
    """``words()`` without its leading look-behind, which stops Python's regex engine
    from skipping ahead to the alternatives' first letters (about twice as fast); the
    word-start check is done on each hit instead. The leftmost hit that starts a word is
    the one the look-behind regex would find, so the matches are the same."""

    def __init__(self, patterns: list[str], flags: int, plural: bool):
        self._regex = re.compile(_alternation(patterns, plural), flags)

    def finditer(self, text: str):
        pos, search = 0, self._regex.search
        while True:
            m = search(text, pos)
            if m is None:
                return
            if m.start() > 0 and _WORD_CHAR.match(text, m.start() - 1):
                pos = m.start() + 1
                continue
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1


def versions() -> dict[str, str]:
    """The version of every data file, recorded with results so they can be reproduced."""
    return {p.stem: str(load(p.stem).get("version")) for p in sorted(DATA.glob("*.yaml"))}


def _lower_pattern(pattern: str) -> str:
    """The pattern's literal letters in lower case (escapes such as \\W kept as they are)."""
    out, escaped = [], False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower())
    return "".join(out)


class Matcher:
    """Whole-word matching of a pattern list: case-insensitive, except all-capital
    abbreviations (ER, PR, RUL, SCC...), which must be capitals to count ("er" and "pr"
    are too common as word fragments in OCR text).

    Case-insensitive matching runs a lower-case pattern on the lower-cased text: Python's
    IGNORECASE alternations are about three times slower, and these lexicons run on every
    report. Offsets are the same as long as lower-casing keeps the text's length (it does
    except for a few non-Latin letters, where the IGNORECASE pattern is used instead)."""

    def __init__(self, patterns: list[str], plural: bool = False):
        upper = [p for p in patterns if _is_abbreviation(p)]
        other = [p for p in patterns if not _is_abbreviation(p)]
        self._ci = _WordStart(other, re.IGNORECASE, plural) if other else None
        self._lower = _WordStart([_lower_pattern(p) for p in other], 0, plural) if other else None
        self._cs = _WordStart(upper, 0, False) if upper else None

    def finditer(self, text: str) -> list[re.Match[str]]:
        found: list[re.Match[str]] = []
        if self._ci is not None:
            lowered = text.lower()
            if len(lowered) == len(text):
                found.extend(self._lower.finditer(lowered))
            else:
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
