"""Treatments mentioned in the text (surgery, chemotherapy, radiation, targeted, hormone
and immune therapy) with a date when the sentence gives one."""

from __future__ import annotations

import re
from functools import cache

from consilium.engines.abstraction.lexicon import Matcher, load
from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document

CLASSES = (
    "surgery",
    "chemotherapy",
    "radiation",
    "targeted_therapy",
    "hormone_therapy",
    "immunotherapy",
)
DATE = re.compile(
    (
        r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\."
        r"?\s+(?:\d{1,2},?\s+)?\d{4})\b"
    ),
    re.IGNORECASE,
)


@cache
def _matchers() -> dict[str, Matcher]:
    data = load("treatments")
    return {c: Matcher(data[c]) for c in CLASSES}


def extract(doc: Document) -> list[Fact]:
    facts = []
    for kind, matcher in _matchers().items():
        for m in matcher.finditer(doc.text):
            a = doc.assertion(m.start(), m.end(), post_window=20)
            if a.status == "absent":
                continue
            s_start, s_end = doc.sentence_span(m.start())
            date = DATE.search(doc.text[s_start:s_end])
            facts.append(
                Fact(
                    "treatment",
                    m.group(0).lower(),
                    Provenance(
                        doc.document_id,
                        m.start(),
                        m.end(),
                        doc.sentence(m.start()),
                        doc.section_at(m.start()).name,
                    ),
                    confidence=0.7,
                    assertion=a.status,
                    detail={"class": kind, "date": date.group(0) if date else None},
                )
            )
    return facts
