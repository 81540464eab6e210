"""Biomarker results: ER/PR (status, percent), HER2 (IHC score, ISH), Ki-67, gene
results (EGFR, ALK, ...), MSI and MMR proteins, PD-L1 (TPS, CPS), TMB.

Each marker mention reads the words after it up to the next marker ("ER 95% positive,
PR negative"), or, for chains ("ER and PR positive", "ER/PR: negative"), shares the
result of the next marker; "negative for estrogen and progesterone receptors" reads the
words before it. "Not performed" and "pending" are results of their own, never
"negative". Statuses follow the ASCO/CAP thresholds in data/biomarkers.yaml."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from consilium.engines.abstraction.lexicon import Matcher, load, words
from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document

WINDOW = 90
CONNECTOR = re.compile(
    (
        r"^[\s,/&(]*(?:and|or|&|/|,|\+|-)?[\s,/&]*(?:(?:hormone|steroid)?\s*recept"
        r"ors?\s*)?(?:and|&|/|,)?\s*$"
    ),
    re.IGNORECASE,
)
PERCENT = re.compile(
    (
        r"(?P<lt>[<>≥≤]|less than|greater than|more than)?\s*(?P<p>\d{1,3}(?:\.\d+"
        r")?)\s*(?:-\s*(?P<p2>\d{1,3})\s*)?%"
    ),
    re.IGNORECASE,
)
LABEL_COLON = re.compile(r"\s*:")  # "ALK rearrangement: negative": a label, not a result
FOR_NEXT = re.compile(r"\s+(?:\(\w+\)\s+)?for\b", re.IGNORECASE)
# "-" is a status only where a sign can end ("ER-/PR-", "ER -, ", "ER- PR-"), not in
# "PR- clone 1E2".
SIGN = re.compile(
    r"^\s*(?:\(\s*)?(?P<s>\+|-(?=\s*(?:[/,;.)\]]|$|and\b|or\b|\(|[A-Z]{2,}\b))|pos\b|neg\b)(?!\d)",
    re.IGNORECASE,
)
HER2_SCORE = re.compile(
    r"(?<![\d.])(?<!\d-)(?<!\d -)(?<!to )(?P<s>[0-3])\s*\+(?!\d)|score\s*(?:of\s"
    r"*)?[:=]?\s*(?P<s2>[0-3])(?![\d.+])|\((?P<s3>0)[,)]"
)
ISH_WORDS = re.compile(
    (
        r"\b(?:FISH|ISH|CISH|SISH|DISH|in situ hybridi[sz]ation|amplifi\w*|copy nu"
        r"mber|ratio|HER2/CEP17)\b"
    ),
    re.IGNORECASE,
)
RATIO = re.compile(r"ratio\D{0,15}(?P<r>\d{1,2}\.\d{1,2})", re.IGNORECASE)
SECTION_BREAK = re.compile(r"\.\s+(?=[A-Z][A-Za-z ]{2,30}:)|\n\s*\n")
BEFORE_STATUS = re.compile(
    (
        r"(?P<status>positive|negative|equivocal|strongly positive|weakly positive"
        r"|immunoreactive|nonreactive|non-reactive)\s+(?:\(\w+\)\s+)?(?:staining\s"
        r"+)?for\s+(?:both\s+)?(?:the\s+)?(?:[\w/-]+\s+(?:and|,)\s+)?$"
    ),
    re.IGNORECASE,
)


@dataclass
class Mention:
    marker: str
    kind: str
    start: int
    end: int


@cache
def _lexicon():
    data = load("biomarkers")
    markers = {
        name: (Matcher(spec["patterns"]), spec["kind"]) for name, spec in data["markers"].items()
    }
    results = {status: words(pats) for status, pats in data["results"].items()}
    mmr = {status: words(pats) for status, pats in data["mmr_results"].items()}
    return markers, results, mmr


def _mentions(doc: Document) -> list[Mention]:
    markers = _lexicon()[0]
    found = []
    for name, (matcher, kind) in markers.items():
        for m in matcher.finditer(doc.text):
            if (
                name == "HER2"
                and m.group(0).lower() == "neu"
                and re.search(
                    r"her\W?2\W*$", doc.text[max(0, m.start() - 6) : m.start()], re.IGNORECASE
                )
            ):
                continue
            found.append(Mention(name, kind, m.start(), m.end()))
    found.sort(key=lambda x: (x.start, -x.end))
    kept: list[Mention] = []
    for x in found:
        if kept and x.start < kept[-1].end:
            continue
        kept.append(x)
    return kept


def _status_words(window: str) -> tuple[str | None, re.Match[str] | None]:
    results = _lexicon()[1]
    best = None
    for status in ("not_performed", "pending", "equivocal", "negative", "positive"):
        for m in results[status].finditer(window):
            # "negative for HER2" describes what follows, not this marker.
            if FOR_NEXT.match(window, m.end()) or LABEL_COLON.match(window, m.end()):
                continue
            if best is None or m.start() < best[1].start():
                best = (status, m)
            break
    return (best[0], best[1]) if best else (None, None)


def _window(doc: Document, mentions: list[Mention], i: int) -> tuple[str, bool]:
    """The words after mention i, up to the next marker or a break; and whether the
    next marker follows with only connectors between (a chain)."""
    x = mentions[i]
    limit = min(len(doc.text), x.end + WINDOW)
    chained = False
    if i + 1 < len(mentions) and mentions[i + 1].start < limit:
        nxt = mentions[i + 1]
        between = doc.text[x.end : nxt.start]
        chained = bool(CONNECTOR.match(between)) and nxt.marker != x.marker
        limit = nxt.start
    window = doc.text[x.end : limit]
    brk = SECTION_BREAK.search(window)
    if brk:
        window = window[: brk.start()]
    return window, chained


def _receptor(window: str) -> tuple[str | None, dict]:
    detail: dict = {}
    status, m = _status_words(window)
    sign = SIGN.match(window)
    pct = PERCENT.search(window[:60])
    if pct:
        p = float(pct.group("p2") or pct.group("p"))
        lt = (pct.group("lt") or "").lower()
        detail["percent"] = pct.group(0).strip()
        pct_status = "negative" if (p < 1 or (lt in ("<", "less than") and p <= 1)) else "positive"
        detail["percent_status"] = pct_status
    if status in ("not_performed", "pending") and (
        pct is None or (m is not None and m.start() < pct.start())
    ):
        return status, detail
    if pct and (m is None or pct.start() < m.start()) and not (sign and sign.start() < pct.start()):
        # "0% positive cells", "Less than 1% immunoreactive cells present": the percent
        # comes first and decides.
        detail["inferred_from"] = (
            f"{pct.group(0).strip()} of nuclei staining (ASCO/CAP: >= 1% positive)"
        )
        return detail["percent_status"], detail
    if sign and (m is None or (sign.start() < m.start() and m.start() - sign.end() > 12)):
        return ("positive" if sign.group("s").lower() in ("+", "pos") else "negative"), detail
    if status in ("positive", "negative"):
        if m.group(0).lower() in (
            "present",
            "detected",
            "reactive",
            "mutation",
            "fusion",
            "amplified",
            "amplification",
            "mutated",
            "mutant",
            "rearranged",
            "rearrangement",
        ):
            status = "positive" if m.group(0).lower() in ("present", "reactive") else None
        if status is not None:
            return status, detail
    if pct:
        detail["inferred_from"] = (
            f"{pct.group(0).strip()} of nuclei staining (ASCO/CAP: >= 1% positive)"
        )
        return detail["percent_status"], detail
    if status == "equivocal":
        return None, detail
    return None, detail


def _her2(window: str) -> tuple[str | None, dict]:
    detail: dict = {}
    score = HER2_SCORE.search(window[:70])
    status, m = _status_words(window)
    ish = bool(ISH_WORDS.search(window[:50]))
    if status in ("not_performed", "pending") and (score is None or m.start() < score.start()):
        return status, detail
    if score:
        s = score.group("s") or score.group("s2") or score.group("s3")
        detail["ihc_score"] = f"{s}+"
        return {"0": "negative", "1": "negative", "2": "equivocal", "3": "positive"}[s], detail
    ratio = RATIO.search(window)
    if ratio:
        detail["ish_ratio"] = ratio.group("r")
    if status in ("positive", "negative", "equivocal"):
        word = m.group(0).lower()
        if "amplif" in word or ish:
            detail["ish"] = (
                "not amplified"
                if status == "negative"
                else "amplified"
                if status == "positive"
                else "equivocal"
            )
        if word in (
            "present",
            "detected",
            "mutation",
            "mutated",
            "mutant",
            "fusion",
            "rearranged",
            "rearrangement",
        ):
            return None, detail
        return status, detail
    if sign := SIGN.match(window):
        return ("positive" if sign.group("s").lower() in ("+", "pos") else "negative"), detail
    return None, detail


def _gene(window: str, kind: str) -> tuple[str | None, dict]:
    detail: dict = {}
    if kind == "percent":
        pct = PERCENT.search(window[:50])
        if pct:
            detail["percent"] = pct.group(0).strip()
            return pct.group(0).strip(), detail
        status, _ = _status_words(window[:40])
        return (status if status in ("not_performed", "pending") else None), detail
    if kind == "pdl1":
        tps = re.search(
            r"(?:TPS|tumou?r proportion score)\D{0,12}(?P<v>[<>]?\s*\d{1,3})\s*%",
            window,
            re.IGNORECASE,
        )
        cps = re.search(
            r"(?:CPS|combined positive score)\D{0,12}(?P<v>[<>]?\s*\d{1,3})", window, re.IGNORECASE
        )
        if tps:
            detail["tps"] = tps.group("v").replace(" ", "") + "%"
        if cps:
            detail["cps"] = cps.group("v").replace(" ", "")
        status, _ = _status_words(window[:60])
        if tps or cps:
            return ", ".join(f"{k.upper()} {v}" for k, v in detail.items()), detail
        return status, detail
    if kind == "tmb":
        v = re.search(
            r"(?P<v>\d{1,3}(?:\.\d+)?)\s*(?:mut\w*\s*/\s*Mb|muts?/Mb|mutations per megabase)",
            window,
            re.IGNORECASE,
        )
        if v:
            return f"{v.group('v')} mut/Mb", detail
        status, _ = _status_words(window[:40])
        return (status if status in ("not_performed", "pending") else None), detail
    if kind == "msi":
        low = window[:40].lower()
        if re.search(r"msi-?h|high|instability-high|unstable", low):
            return "MSI-H", detail
        if re.search(r"\bmss\b|stable", low):
            return "MSS", detail
        if re.search(r"msi-?l|\blow\b", low):
            return "MSI-L", detail
        status, _ = _status_words(window[:40])
        return (status if status in ("not_performed", "pending") else None), detail
    if kind == "mmr":
        mmr = _lexicon()[2]
        lost, kept = mmr["lost"].search(window[:50]), mmr["retained"].search(window[:50])
        if lost and (kept is None or lost.start() < kept.start()):
            return "loss of expression", detail
        if kept:
            return "retained", detail
        status, _ = _status_words(window[:40])
        return (status if status in ("not_performed", "pending") else None), detail
    status, m = _status_words(window[:60])
    if status is None:
        return None, detail
    word = m.group(0).lower()
    if status == "positive":
        for label in (
            "amplified",
            "amplification",
            "rearranged",
            "rearrangement",
            "fusion",
            "mutated",
            "mutation",
            "mutant",
            "overexpress",
        ):
            if label in word:
                detail["alteration"] = label
        variant = re.search(
            (
                r"\b(?:[A-Z]\d{2,4}[A-Z*]|exon\s*\d{1,2}\s*(?:deletion|insertion|del|ins|skipping)?|p\."
                r"[A-Za-z0-9_*]+)"
            ),
            window[:60],
        )
        if variant:
            detail["variant"] = variant.group(0)
    return status, detail


def extract(doc: Document) -> tuple[list[Fact], dict[str, str | None]]:
    mentions = _mentions(doc)
    results: list[tuple[Mention, str | None, dict]] = [None] * len(mentions)  # type: ignore[list-item]
    # Right to left so a chain ("ER and PR positive") can borrow the next result.
    for i in range(len(mentions) - 1, -1, -1):
        x = mentions[i]
        window, chained = _window(doc, mentions, i)
        if x.kind == "receptor":
            value, detail = _receptor(window)
        elif x.kind == "her2":
            value, detail = _her2(window)
        elif x.kind == "msi":
            # The mention itself may carry the result ("microsatellite stable", "MSI-H").
            value, detail = _gene(doc.text[x.start : x.end] + window, x.kind)
        else:
            value, detail = _gene(window, x.kind)
        if value is None and chained and results[i + 1] is not None:
            nxt = results[i + 1]
            if nxt[1] is not None and (
                nxt[0].kind == x.kind or {nxt[0].kind, x.kind} <= {"receptor"}
            ):
                value, detail = nxt[1], {**nxt[2], "shared_with": nxt[0].marker}
        if value is None:
            before = doc.text[max(0, x.start - 45) : x.start]
            b = BEFORE_STATUS.search(before)
            if b:
                word = b.group("status").lower()
                value = (
                    "negative"
                    if ("neg" in word or "non" in word)
                    else "equivocal"
                    if "equiv" in word
                    else "positive"
                )
                detail = {"read_before": b.group(0).strip()}
        results[i] = (x, value, detail)

    facts: list[Fact] = []
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for x, value, detail in results:
        if value is None:
            a = doc.assertion(x.start, x.end, post_window=40)
            if a.status in ("not_performed", "pending"):
                value = a.status
            else:
                continue
        assertion = value if value in ("not_performed", "pending") else "present"
        inferred = detail.pop("inferred_from", None)
        facts.append(
            Fact(
                x.marker,
                value,
                Provenance(
                    doc.document_id,
                    x.start,
                    x.end,
                    doc.sentence(x.start),
                    doc.section_at(x.start).name,
                ),
                basis="inferred" if inferred else "stated",
                inferred_from=inferred,
                confidence=0.7 if inferred else 0.9,
                assertion=assertion,
                detail=detail,
            )
        )
        if x.marker in ("ER", "PR", "HER2") and value in ("positive", "negative", "equivocal"):
            weight = doc.weight_at(x.start)
            if x.marker == "HER2":
                # The summary HER2 is the IHC result; an ISH-only result weighs less.
                # An ISH-only result does not say the IHC score (ISH is mostly done after
                # an equivocal IHC), so it is a fact but not a vote.
                weight *= 1.0 if "ihc_score" in detail else 0.0 if "ish" in detail else 0.6
            if weight > 0:
                votes[x.marker][value] += weight
    summary: dict[str, str | None] = {}
    for marker in ("ER", "PR", "HER2"):
        v = votes.get(marker)
        if not v:
            summary[marker] = None
            continue
        best, w = max(v.items(), key=lambda kv: kv[1])
        summary[marker] = best if w / sum(v.values()) >= 0.7 else None
    return facts, summary
