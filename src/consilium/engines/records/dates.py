"""Dates written in records: parsing the common forms, and finding the date a report
speaks for from its labelled header lines ("Collected: 2024-03-02", "Exam date: ...").

The date a record speaks for orders a case's facts (the most recent one wins) and places
it on the clinical timeline; the upload date only says when the record reached us.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE = re.compile(
    r"\b(?:"
    r"(?P<iso>(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2}))"
    r"|(?P<us>(?P<m2>\d{1,2})/(?P<d2>\d{1,2})/(?P<y2>\d{4}|\d{2}))"
    r"|(?P<mdy>(?P<mon3>" + _MONTH + r")\s+(?:(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?P<y3>\d{4}))"
    r"|(?P<dmy>(?P<d4>\d{1,2})\s+(?P<mon4>" + _MONTH + r"),?\s+(?P<y4>\d{4}))"
    r")\b",
    re.IGNORECASE,
)

# Header labels naming the date a record speaks for, best first: when the specimen was
# taken or the exam or visit happened, then when the report was written or signed.
RECORD_DATE_LABELS = (
    ("procedure", r"(?:date of (?:procedure|surgery|operation)|procedure date|surgery date)"),
    ("collected", r"(?:collected|collection date|date (?:of )?collect(?:ed|ion)|date obtained)"),
    ("exam", r"(?:exam(?:ination)? date|date of (?:exam(?:ination)?|study)|study date)"),
    ("visit", r"(?:date of (?:visit|service)|visit date|service date|encounter date)"),
    ("reported", r"(?:report date|date (?:of )?report(?:ed)?|reported|signed out|final(?:ized)?)"),
)
_LABEL = {
    key: re.compile(rf"\b{pattern}\s*(?:on|:|-)?\s*", re.IGNORECASE)
    for key, pattern in RECORD_DATE_LABELS
}
HEADER_CHARS = 3000  # the labelled dates of a report are in its first lines


def parse_date(text: str | None) -> date | None:
    """The first date in ``text`` (ISO, US m/d/y, "March 2, 2024", "2 March 2024", or a
    month and year, taken as the 1st), else None."""
    if not text:
        return None
    for m in DATE.finditer(text):
        found = _from_match(m)
        if found is not None:
            return found
    return None


def _from_match(m: re.Match[str]) -> date | None:
    try:
        if m.group("iso"):
            return date(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
        if m.group("us"):
            year = int(m.group("y2"))
            if year < 100:
                year += 2000 if year < 70 else 1900
            return date(year, int(m.group("m2")), int(m.group("d2")))
        if m.group("mdy"):
            month = MONTHS[m.group("mon3").rstrip(".").lower()[:3]]
            return date(int(m.group("y3")), month, int(m.group("d3") or 1))
        if m.group("dmy"):
            month = MONTHS[m.group("mon4").rstrip(".").lower()[:3]]
            return date(int(m.group("y4")), month, int(m.group("d4")))
    except (ValueError, KeyError):
        return None
    return None


def record_date_from_text(text: str, today: date | None = None) -> date | None:
    """The date the record speaks for, from its labelled header lines; None when no label
    carries a plausible date (never guessed from an unlabelled date, which may be the
    patient's birth date)."""
    head = (text or "")[:HEADER_CHARS]
    for key, _pattern in RECORD_DATE_LABELS:
        for label in _LABEL[key].finditer(head):
            m = DATE.match(head, label.end())
            if m is None:
                continue
            found = _from_match(m)
            if found is None or found.year < 1900 or (today is not None and found > today):
                continue
            return found
    return None
