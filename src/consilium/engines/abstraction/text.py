"""Pathology report structure: sections, sentences and the assertion (ConText-style)
of a span. Rules, not a model: OCR'd reports break lines with stray periods, so sentence
ends need a capital letter (or digit, or bracket) after them, and the assertion window
is bounded in characters as well as by the sentence."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from consilium.engines.abstraction.lexicon import load, words

ABBREVIATIONS = {
    "dr",
    "vs",
    "eg",
    "e.g",
    "i.e",
    "ie",
    "approx",
    "st",
    "fig",
    "no",
    "mr",
    "mrs",
    "ms",
}
SENTENCE_END = re.compile(r"[.!?;](?=\s+[A-Z0-9(\[\"'#-])|\n\s*\n|\n(?=[A-Z0-9(])")


#: Characters after which a clinical history section is taken to have ended.
CLINICAL_HISTORY_MAX = 400


@cache
def _misreads() -> tuple[re.Pattern[str], dict[str, str], frozenset[str]]:
    """The words long enough to be checked (data/ocr.yaml's min_length), each term with
    one letter blanked ("carci?oma") -> the term, and the real words left alone."""
    data = load("ocr")
    keys: dict[str, str] = {}
    for term in data["vocabulary"]:
        for i in range(len(term)):
            keys[term[:i] + "?" + term[i + 1 :]] = term
    word = re.compile(rf"[A-Za-z]{{{int(data['min_length'])},}}")
    return word, keys, frozenset(data["real_words"])


# A form's hint of what a field takes, between the field's name and its colon: "ER
# (xy%,n/a) : 95", "Her-2/neu (0-3+,n/a) : 1". Its "n/a" is an allowed answer, not the
# answer; read as blanks, so the field reads "ER : 95".
FORM_HINT = re.compile(r"\([^()]{0,12}?,\s*n/a\)(?=\s*:)", re.IGNORECASE)
# A form's value scanned as the letter o: "Lymph nodes positive: o.", "Nuclei stained: o."
# A field's whole value, so a zero.
FIELD_ZERO = re.compile(r"(?<=:)(\s*)[oO](?=\s*[.,;]|\s*$)")


def restore_misreads(text: str) -> str:
    """The text with each word one letter off a known term read as that term, letter
    case kept ("CARCINONA" -> "CARCINOMA"), forms' answer hints blanked and a field's
    value "o" read as zero. Same length, so offsets are unchanged."""
    text = FORM_HINT.sub(lambda m: " " * len(m.group(0)), text)
    text = FIELD_ZERO.sub(lambda m: m.group(1) + "0", text)
    words, keys, real = _misreads()
    out: list[str] | None = None
    for m in words.finditer(text):
        word = m.group(0)
        low = word.lower()
        if low in real:
            continue
        for i in range(len(low)):
            term = keys.get(low[:i] + "?" + low[i + 1 :])
            if term is None or term == low:
                continue
            if out is None:
                out = list(text)
            fixed = term[i].upper() if word[i].isupper() or word.isupper() else term[i]
            out[m.start() + i] = fixed
            break
    return text if out is None else "".join(out)


@dataclass(frozen=True)
class Section:
    name: str
    start: int
    end: int
    weight: float


@cache
def _section_regex() -> tuple[re.Pattern[str], dict[str, tuple[str, float]]]:
    data = load("sections")["sections"]
    alternatives = []
    meta: dict[str, tuple[str, float]] = {}
    for i, (name, spec) in enumerate(data.items()):
        group = f"s{i}"
        meta[group] = (name, float(spec["weight"]))
        alternatives.append(f"(?P<{group}>" + "|".join(f"(?:{h})" for h in spec["headers"]) + ")")
    pattern = (
        r"(?:^|(?<=[.\n])|(?<=\.\s)|(?<=\n\s)|(?<=:\s))\s*(?:"
        + "|".join(alternatives)
        + r")\s*(?::|\.|\n|-\s)"
    )
    return re.compile(pattern, re.IGNORECASE), meta


@dataclass(frozen=True)
class Assertion:
    status: str  # present | absent | possible | historical | not_performed | pending
    trigger: str | None = None


@cache
def _context():
    data = load("context")
    compiled = {}
    for status in ("not_performed", "pending", "negated", "possible", "historical"):
        spec = data[status]
        compiled[status] = (
            words(spec["pre"]) if spec["pre"] else None,
            words(spec["post"]) if spec["post"] else None,
        )
    termination = words([t for t in data["termination"] if t != ";"])
    return compiled, termination, int(data["window"])


STATUS_NAMES = {"negated": "absent"}


class Document:
    """A report's text with its sections and sentences. Offsets always refer to the
    original text, so provenance spans can be highlighted as they are."""

    def __init__(self, text: str, document_id: str | None = None):
        # Rules read the text with OCR misreads restored (same length: offsets hold);
        # a fact quotes the sentence as it was received.
        self.original = text
        self.text = restore_misreads(text)
        self.document_id = document_id
        self.sections = self._find_sections()
        self._section_starts = [s.start for s in self.sections]
        self.sentences = self._find_sentences()
        self._sentence_starts = [s for s, _ in self.sentences]

    # -- structure -------------------------------------------------------------------
    def _find_sections(self) -> list[Section]:
        regex, meta = _section_regex()
        heads: list[tuple[int, str, float]] = []
        for m in regex.finditer(self.text):
            group = next(g for g, v in m.groupdict().items() if v is not None)
            name, weight = meta[group]
            heads.append((m.start(group), name, weight))
        sections: list[Section] = []
        if not heads or heads[0][0] > 0:
            # Text before the first header: unlabelled, weighed like a comment.
            sections.append(Section("unlabelled", 0, heads[0][0] if heads else len(self.text), 1.0))
        for i, (start, name, weight) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else len(self.text)
            if name == "clinical_history" and end - start > CLINICAL_HISTORY_MAX:
                # A history is a few lines; a longer run without a header is the report
                # going on under headers this lexicon does not know (OCR, local forms).
                cut = self._sentence_end_after(start + CLINICAL_HISTORY_MAX, end)
                sections.append(Section(name, start, cut, weight))
                if cut < end:
                    sections.append(Section("unlabelled", cut, end, 1.0))
                continue
            sections.append(Section(name, start, end, weight))
        return sections

    def _sentence_end_after(self, pos: int, limit: int) -> int:
        m = SENTENCE_END.search(self.text, pos, limit)
        return m.end() if m else limit

    def _find_sentences(self) -> list[tuple[int, int]]:
        text = self.text
        cuts = {0, len(text)}
        for m in SENTENCE_END.finditer(text):
            if m.group(0) == ".":
                word = re.search(r"([\w.]+)\.?$", text[max(0, m.start() - 8) : m.start()])
                if word and word.group(1).lower() in ABBREVIATIONS and len(word.group(1)) > 1:
                    continue
            cuts.add(m.end())
        cuts.update(s.start for s in self.sections)
        ordered = sorted(cuts)
        spans = []
        for a, b in zip(ordered, ordered[1:], strict=False):
            # Trim surrounding whitespace so the sentence text is clean.
            while a < b and text[a].isspace():
                a += 1
            if a < b:
                spans.append((a, b))
        return spans or [(0, len(text))]

    # -- lookups ---------------------------------------------------------------------
    def section_at(self, pos: int) -> Section:
        i = bisect.bisect_right(self._section_starts, pos) - 1
        return self.sections[max(i, 0)]

    def sentence_span(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._sentence_starts, pos) - 1
        return self.sentences[max(i, 0)]

    def sentence(self, pos: int) -> str:
        a, b = self.sentence_span(pos)
        return self.original[a:b].strip()

    def weight_at(self, pos: int) -> float:
        return self.section_at(pos).weight

    # -- assertion -------------------------------------------------------------------
    def assertion(
        self, start: int, end: int, post_window: int | None = None, pre_window: int | None = None
    ) -> Assertion:
        """How the text asserts the span [start, end): NegEx/ConText-style triggers
        before it (scoped to the sentence, cut at termination terms) and after it."""
        compiled, termination, window = _context()
        s_start, s_end = self.sentence_span(start)
        # OCR breaks sentences early; allow a short reach into the previous one.
        pre_from = max(s_start - 25, start - (pre_window or window), 0)
        pre = self.text[pre_from:start]
        post = self.text[
            end : min(
                max(s_end, end + 15), end + (post_window if post_window is not None else window)
            )
        ]
        cut = None
        for m in termination.finditer(pre):
            cut = m.end()
        for sep in (";", ":"):
            k = pre.rfind(sep)
            if k >= 0 and (cut is None or k + 1 > cut):
                cut = k + 1
        if cut is not None:
            pre = pre[cut:]
        m = termination.search(post)
        if m:
            post = post[: m.start()]
        k = post.find(";")
        if k >= 0:
            post = post[:k]
        for status in ("not_performed", "pending", "negated", "possible", "historical"):
            pre_re, post_re = compiled[status]
            if pre_re is not None:
                hits = list(pre_re.finditer(pre))
                hit = hits[-1] if hits else None  # the trigger nearest the span
                if hit is not None:
                    return Assertion(STATUS_NAMES.get(status, status), hit.group(0))
            if post_re is not None:
                hit = post_re.search(post)
                if hit is not None:
                    return Assertion(STATUS_NAMES.get(status, status), hit.group(0))
        return Assertion("present")
