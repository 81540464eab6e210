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
# "Negative < 6.5", "<1%=NEGATIVE", "positive is defined as": a reference range or a
# scoring key printed with the result, not a result.
THRESHOLD_AFTER = re.compile(
    r"\s*(?:[<>≤≥=]|(?:is|are)\s+(?:defined|considered|interpreted))", re.IGNORECASE
)
PERCENT_KEY = re.compile(r"\s*=")
FOUND_IN = re.compile(r"\b(?:found|present|identified|seen) in\s*$", re.IGNORECASE)
# "... are considered borderline", "defined as positive": a rule, not a result.
RULE_BEFORE = re.compile(r"(?:considered|defined\s+as)\s+$", re.IGNORECASE)
# "positive and negative controls": the run's controls, not the tumour.
# "controis": OCR reads l as i.
CONTROL_AFTER = re.compile(
    r"\W+(?:and\s+negative\s+|and\s+positive\s+)?(?:\w+\s+)?contro[li]s?\b", re.IGNORECASE
)
# "Non-neoplastic mammary epithelial cells are immunoreactive for estrogen and
# progesterone receptors (internal control)": the normal tissue that checks the stain,
# not the tumour's result. Within one sentence only ("Benign epithelium. ER: Positive"
# is the tumour's).
NON_TUMOUR_BEFORE = re.compile(
    r"\b(?:non-?neoplastic|non-?tumou?r|normal|benign)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:cells|epitheli\w*|glands?|ducts?|lobules?)\s+(?:[\w/-]+\s+){0,6}$",
    re.IGNORECASE,
)
INTERNAL_CONTROL = re.compile(r"\binternal\W+contro[li]s?\b", re.IGNORECASE)
# A marker named inside a reference range or scoring key ("Reference range: estrogen and
# progesterone receptor: <1% = negative") is not a result.
REFERENCE_BEFORE = re.compile(
    r"(?:reference range|scoring (?:key|system)|interpretation (?:key|guide\w*)|cut-?offs?)"
    r"\W{1,3}(?:[\w/-]+\W{1,3}){0,8}$",
    re.IGNORECASE,
)
# "HER2-positive breast cancer", "ER-negative patients": a kind of disease or patient
# (literature and method notes), not this tumour's result.
POPULATION_AFTER = re.compile(
    r"^\W{0,3}(?:positive|negative)\W{1,3}(?:[a-z]+\W{1,3})?"
    r"(?:breast cancers?|cancers?|patients|tumou?rs|women|disease)\b",
    re.IGNORECASE,
)
# "The Allred score for estrogen receptors is calculated by ...", "a positive test is
# defined as ...": a method note, not a result.
METHOD_NOTE = re.compile(
    r"\b(?:is|are)\s+(?:calculated|defined|scored|computed|interpreted\s+as\s+follows)\b"
    r"|\bdefined\s+as\b|\bcases\s+(?:are|were)\s+those\b",
    re.IGNORECASE,
)
# "Her2 Negative <10.7 Positive >=11.5": the words after the marker are a scoring key.
KEY_IN_WINDOW = re.compile(
    r"^\W{0,4}(?:[\w.]+\W{1,3}){0,2}?(?:negative|positive|equivocal)\s*(?:[<>≤≥]|=\s*\d)",
    re.IGNORECASE,
)
# A statement about the test in general, not this tumour's result: a policy ("will be
# ordered for all HER2 IHC 2+ results"), a caution ("a 2+ result ... may not indicate
# gene amplification") or alternatives ("IHC 3+ or FISH positive", "over-expressed or
# gene amplified", as in eligibility notes of trials).
GENERAL_STATEMENT = re.compile(
    r"\b[0-3]\+\s+results\b|\bmay\W+(?:not\W+)?indicate\b|\bfor\s+all\b"
    r"|(?:positive|negative|amplified|over-?expressed|[0-3]\+)\s+or\s+(?:\w+\s+)?"
    r"(?:FISH|ISH|IHC|gene|protein|positive|negative|amplified|[0-3]\+)",
    re.IGNORECASE,
)
# "HER-2 RESULTS. ... Block Number: A1. Interpretation: EQUIVOCAL. Intensity: 2+": a
# results block whose heading names the marker and whose labelled interpretation
# follows a few labels later (specimen, block). The block ends at the next marker.
RESULTS_HEADING = re.compile(r"^\W{0,3}(?:status\s+)?results?\b", re.IGNORECASE)
BLOCK_REACH = 300
BLOCK_INTERPRETATION = re.compile(
    r"\binterpretation\s*:\s*(?P<s>positive|negative|equivocal)\b"
    r"(?:[^:]{0,40}?\bintensity\s*:\s*(?P<i>[0-3])\s*\+)?",
    re.IGNORECASE,
)
ORDERED_BEFORE = re.compile(
    r"(?:sent|order\w*|reflex\w*|request\w*)\s+(?:\w+\s+)?(?:for\s+)?$", re.I
)
KEY_STATUSES = re.compile(r"\b(?:positive|negative|equivocal)\b")
IHC_WORDS = re.compile(r"\b(?:IHC|immunohisto\w*|immunostain\w*|HercepTest)", re.IGNORECASE)
# Allred proportion score: 0 none, 1 <1%, 2 1-10%, 3 10-33%, 4 33-66%, 5 >66% of nuclei
# (Harvey et al., J Clin Oncol 1999), so 2 and up meets the ASCO/CAP 1% threshold.
ALLRED_PROPORTION = re.compile(r"proportion\s+score\W{0,4}(?P<ps>[0-5])(?!\d)", re.IGNORECASE)
# "negative for HER2" names the next marker; "negative for (protein) overexpression" or
# "for amplification" is this marker's own result.
FOR_NEXT = re.compile(
    r"\s+(?:\(\w+\)\s+)?for\b(?!\s+(?:(?:the\s+)?(?:protein\s+|gene\s+)?"
    r"(?:over-?expression|expression|amplification)))",
    re.IGNORECASE,
)
# A HER2 "score" off the 0-3+ IHC scale ("Her2 Score: 9.9 Negative", "Score: 10") is a
# gene-expression assay (RT-PCR panels), not the IHC result the summary reports.
EXPRESSION_SCORE = re.compile(r"^\W{0,3}score\W{0,3}(?:\d{1,2}\.\d|[4-9]|\d{2})", re.IGNORECASE)
# "for all 2+ IHC results please do FISH": a score in an instruction, not a result.
CONDITIONAL_BEFORE = re.compile(r"(?:\bfor all|\bif|\bany|\ball)\s+$", re.IGNORECASE)
# "-" is a status only where a sign can end ("ER-/PR-", "ER -, ", "ER- PR-"), not in
# "PR- clone 1E2" or before the assay's name ("HER-2/NEU - DAKO HERCEPTEST: ...").
SIGN = re.compile(
    r"^\s*(?:\(\s*)?(?P<s>\+|-(?=\s*(?:[/,;.)\]]|$|and\b|or\b|\(|(?-i:[A-Z]{2,})\b))"
    r"(?!\s*(?:dako|herceptest|ventana|pathway|leica|oracle|clone)\b)|pos\b|neg\b)(?!\d)",
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
# "HER2: Interpretation: negative. Methodology: FISH.": the method, labelled after the
# result, says the result is an ISH one (the window stops at the new label).
METHOD_ISH_AFTER = re.compile(
    r"(?:method(?:ology)?|technique|assay)\s*:\s*(?:[\w-]+\s+){0,2}?"
    r"(?:FISH|ISH|CISH|SISH|DISH|in situ hybridi[sz]ation)\b",
    re.IGNORECASE,
)
METHOD_REACH = 60  # characters past the result's window where its method label may be
RATIO = re.compile(r"ratio\D{0,15}(?P<r>\d{1,2}\.\d{1,2})", re.IGNORECASE)
# A new "Label:" ends a marker's words, except the sub-labels of the marker's own result
# ("Estrogen receptor: performed on another specimen. Results: immunoreactive cells").
SECTION_BREAK = re.compile(
    r"\.\s+(?=(?!(?i:results?|interpretation|quantitation|intensity|score|specify)\b)"
    r"[A-Z][A-Za-z ]{2,30}:)|\n\s*\n"
)
BEFORE_STATUS = re.compile(
    (
        r"(?P<status>positive|negative|equivocal|indeterminate|strongly positive|weakly positive"
        r"|immunoreactive|nonreactive|non-reactive)\s+(?:\(\w+\)\s+)?(?:staining\s"
        r"+)?for\s+(?:both\s+)?(?:the\s+)?(?:[\w/-]+\s+(?:and|,)\s+)?$"
    ),
    re.IGNORECASE,
)


NO_BEFORE = re.compile(r"(?<![A-Za-z])no\s+$", re.IGNORECASE)
FOUND_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+){0,6}?(?P<w>found|detected|identified|seen|present)\b", re.IGNORECASE
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


# Words that name what was tested ("ALK rearrangement", "EGFR mutation", "HER2
# amplification") as much as they state a finding. When a result word follows in the same
# clause ("ALK rearrangement negative", "mutation not detected"), that word is the result.
ALTERATION_NOUN = re.compile(
    r"^(?:mutation|mutations|mutated|mutant|rearrangement|rearranged|fusion|fusions|"
    r"amplification|amplified|detected|present)$",
    re.IGNORECASE,
)
CLAUSE_END = re.compile(r"[.;\n]")
# "ALK rearrangement was not identified", "mutation is not seen": a negated finding verb.
NOT_FOUND_AFTER = re.compile(
    r"^\W{0,3}(?:[\w-]+\s+){0,4}?(?:was|were|is|are|has\s+been|have\s+been)?\s*"
    r"(?:not|no)\s+(?:\w+\s+)?(?:identified|detected|found|seen|present|demonstrated|"
    r"observed)\b",
    re.IGNORECASE,
)


def _status_words(window: str) -> tuple[str | None, re.Match[str] | None]:
    status, m = _first_status(window)
    if status == "positive" and m is not None and ALTERATION_NOUN.match(m.group(0)):
        clause = window[m.end() :]
        end = CLAUSE_END.search(clause)
        clause = clause[: end.start()] if end else clause
        if NOT_FOUND_AFTER.match(clause):
            return "negative", m
        later, lm = _first_status(clause)
        if later in ("negative", "equivocal", "not_performed", "pending") and lm is not None:
            # Re-anchor the match on the result word, in the window's coordinates.
            anchored = next(
                x
                for x in _lexicon()[1][later].finditer(window, m.end())
                if x.start() == m.end() + lm.start()
            )
            return later, anchored
    return status, m


# "ESTROGEN RECEPTORS: Previously ordered and positive", "HER 2 NEU by IHC: Previously
# ordered; weakly positive": the test was ordered before and this is its result.
ORDERED_THEN_RESULT = re.compile(
    r"\s*(?:and|;|,)\s*(?:(?:weakly|strongly)\s+)?(?:positive|negative|equivocal)\b",
    re.IGNORECASE,
)


def _first_status(window: str) -> tuple[str | None, re.Match[str] | None]:
    results = _lexicon()[1]
    best = None
    for status in ("not_performed", "pending", "equivocal", "negative", "positive"):
        for m in results[status].finditer(window):
            # "negative for HER2" describes what follows, not this marker.
            if (
                FOR_NEXT.match(window, m.end())
                or LABEL_COLON.match(window, m.end())
                or THRESHOLD_AFTER.match(window, m.end())
                or CONTROL_AFTER.match(window, m.end())
                or RULE_BEFORE.search(window[max(0, m.start() - 16) : m.start()])
                or (status == "pending" and ORDERED_THEN_RESULT.match(window, m.end()))
            ):
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
    if pct and PERCENT_KEY.match(window, pct.end()):
        pct = None  # "<1%=negative": the scoring key, not this tumour's result
    allred = ALLRED_PROPORTION.search(window[:90])
    if allred and pct is None:
        detail["allred_proportion_score"] = allred.group("ps")
        detail["percent_status"] = "positive" if int(allred.group("ps")) >= 2 else "negative"
    if pct:
        p = float(pct.group("p2") or pct.group("p"))
        lt = (pct.group("lt") or "").lower()
        detail["percent"] = pct.group(0).strip()
        if lt in ("<", "less than") and p > 1 and FOUND_IN.search(window[: pct.start()]):
            # "Progesterone receptors found in less than 10% of the neoplastic cell nuclei":
            # found, so some nuclei stain; the form gives "not found" for none.
            detail["percent_status"] = "positive"
        elif lt in ("<", "less than") and p > 1:
            # "<5%" may be 0% or 4%: either side of the ASCO/CAP 1% threshold.
            pct = None
        else:
            pct_status = "negative" if (p < 1 or lt in ("<", "less than")) else "positive"
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
            by_percent = detail.get("percent_status")
            if (by_percent is not None and by_percent != status) or (
                by_percent is None and "percent" in detail and status == "negative"
            ):
                # "Negative (5% weak staining)", "negative (<5%)": a status read by an older
                # cut-off than the ASCO/CAP 1%; kept as a fact, not as an answer.
                amount = (
                    f"{detail['percent']} of nuclei stain"
                    if "percent" in detail
                    else f"Allred proportion score {detail['allred_proportion_score']}"
                )
                detail["conflict"] = f"stated {status} but {amount} (ASCO/CAP: >= 1% positive)"
            return status, detail
    if pct:
        detail["inferred_from"] = (
            f"{pct.group(0).strip()} of nuclei staining (ASCO/CAP: >= 1% positive)"
        )
        return detail["percent_status"], detail
    if "allred_proportion_score" in detail:
        detail["inferred_from"] = (
            f"Allred proportion score {detail['allred_proportion_score']} "
            "(2 and up: >= 1% of nuclei, ASCO/CAP positive)"
        )
        return detail["percent_status"], detail
    if status == "equivocal":
        return None, detail
    return None, detail


# "HER-2/NEU IS INTERPRETED AS WEAKLY POSITIVE (SCORE 2+)": the report's own reading of
# its score wins over today's scale (before the ASCO/CAP 2007 guideline, the HercepTest
# key called 2+ "weakly positive"; the 2+ is kept as the score).
INTERPRETED_AS = re.compile(
    r"\binterpreted\s+as\s+(?:(?:weakly|strongly)\s+)?(?P<s>positive|negative|equivocal)\b",
    re.IGNORECASE,
)


def _her2(window: str) -> tuple[str | None, dict]:
    detail: dict = {}
    score = HER2_SCORE.search(window[:70])
    status, m = _status_words(window)
    ish_word = ISH_WORDS.search(window[:50])
    ihc_word = IHC_WORDS.search(window[:50])
    # "by IHC: EQUIVOCAL, block sent for FISH": the method named first is the result's.
    ish = ish_word is not None and (ihc_word is None or ish_word.start() < ihc_word.start())
    if ish and ORDERED_BEFORE.search(window[max(0, ish_word.start() - 20) : ish_word.start()]):
        ish = False  # "equivocal, block sent for FISH": the ISH test is ordered, not read
    scores = {x.group("s") or x.group("s2") or x.group("s3") for x in HER2_SCORE.finditer(window)}
    if len(scores) > 1 and len(set(KEY_STATUSES.findall(window.lower()))) > 1:
        # "negative (score 0/1+), equivocal (score 2+)": the scale's key, not a result
        # ("NEGATIVE (0). Negative (0-1+)" is a result with its range: one status).
        return None, detail
    if status in ("not_performed", "pending") and (score is None or m.start() < score.start()):
        return status, detail
    if score and (
        THRESHOLD_AFTER.match(window, score.end())
        or CONDITIONAL_BEFORE.search(window[max(0, score.start() - 12) : score.start()])
    ):
        score = None  # "scores of 2 are considered equivocal": the scoring key
    if score:
        s = score.group("s") or score.group("s2") or score.group("s3")
        detail["ihc_score"] = f"{s}+"
        stated = INTERPRETED_AS.search(window, 0, score.start())
        if stated:
            return stated.group("s").lower(), detail
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
        status = "positive" if sign.group("s").lower() in ("+", "pos") else "negative"
        if ish:  # "HER2+ by FISH": an ISH result, not the IHC one
            detail["ish"] = "amplified" if status == "positive" else "not amplified"
        return status, detail
    return None, detail


def _results_block(doc: Document, mentions: list[Mention], i: int) -> tuple[str | None, dict]:
    """The labelled interpretation of a HER2 results block (see RESULTS_HEADING)."""
    x = mentions[i]
    limit = min(len(doc.text), x.end + BLOCK_REACH)
    for nxt in mentions[i + 1 :]:
        if nxt.marker != x.marker:
            limit = min(limit, nxt.start)
            break
    block = doc.text[x.end : limit]
    m = BLOCK_INTERPRETATION.search(block)
    if m is None:
        return None, {}
    status = m.group("s").lower()
    detail: dict = {"read_from": "results block"}
    if m.group("i") is not None:
        detail["ihc_score"] = f"{m.group('i')}+"
    elif ISH_WORDS.search(block[: m.start()]) and not IHC_WORDS.search(block[: m.start()]):
        detail["ish"] = {"positive": "amplified", "negative": "not amplified"}.get(
            status, "equivocal"
        )
    return status, detail


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
        if (
            REFERENCE_BEFORE.search(doc.text[max(0, x.start - 80) : x.start])
            or KEY_IN_WINDOW.search(window)
            or POPULATION_AFTER.search(window)
            or METHOD_NOTE.search(window[:80])
            or GENERAL_STATEMENT.search(window[:90])
            or NON_TUMOUR_BEFORE.search(doc.text[max(0, x.start - 100) : x.start])
            or INTERNAL_CONTROL.search(window[:100])
        ):
            results[i] = (x, None, {"not_a_result": True})
            continue
        if x.kind == "receptor":
            value, detail = _receptor(window)
        elif x.kind == "her2":
            value, detail = _her2(window)
            if value is None and RESULTS_HEADING.match(window):
                value, detail = _results_block(doc, mentions, i)
            if value in ("positive", "negative", "equivocal") and not (
                {"ihc_score", "ish"} & set(detail)
            ):
                limit = mentions[i + 1].start if i + 1 < len(mentions) else len(doc.text)
                tail = doc.text[x.end : min(limit, x.end + len(window) + METHOD_REACH)]
                if METHOD_ISH_AFTER.search(tail):
                    detail["ish"] = {
                        "positive": "amplified",
                        "negative": "not amplified",
                        "equivocal": "equivocal",
                    }[value]
        elif x.kind == "msi":
            # The mention itself may carry the result ("microsatellite stable", "MSI-H").
            value, detail = _gene(doc.text[x.start : x.end] + window, x.kind)
        else:
            value, detail = _gene(window, x.kind)
        if value is None and chained and results[i + 1] is not None:
            nxt = results[i + 1]
            # "ER/PR/HER2: negative" shares a plain status word across kinds; a HER2
            # score or ISH result is HER2's own and is never shared with a receptor.
            plain = not ({"ihc_score", "ish", "percent"} & set(nxt[2]))
            if nxt[1] is not None and (
                nxt[0].kind == x.kind
                or {nxt[0].kind, x.kind} <= {"receptor"}
                or (
                    {nxt[0].kind, x.kind} == {"receptor", "her2"}
                    and plain
                    and nxt[1] in ("positive", "negative")
                )
            ):
                value, detail = nxt[1], {**nxt[2], "shared_with": nxt[0].marker}
        negated_before = NO_BEFORE.search(doc.text[max(0, x.start - 12) : x.start])
        if (
            negated_before
            and value == "positive"
            and detail.get("alteration")
            and FOUND_AFTER.match(window)
        ):
            # "No ALK rearrangement was identified": the alteration word names what was
            # looked for; the "no" before the marker is the result.
            value, detail = "negative", {"read_before": "no ... " + detail["alteration"]}
        if value is None and negated_before:
            found = FOUND_AFTER.match(window)
            if found:
                # "No estrogen receptors found in tumour cell nuclei."
                value, detail = "negative", {"read_before": "no ... " + found.group("w")}
        if value is None:
            before = doc.text[max(0, x.start - 45) : x.start]
            b = BEFORE_STATUS.search(before)
            if b:
                word = b.group("status").lower()
                value = (
                    "negative"
                    if ("neg" in word or "non" in word)
                    else "equivocal"
                    if "equiv" in word or "indeterm" in word
                    else "positive"
                )
                detail = {"read_before": b.group(0).strip()}
                if x.kind == "her2" and ISH_WORDS.search(window[:20]):
                    # "negative for HER2 FISH": the ISH result, not the IHC one
                    detail["ish"] = "not amplified" if value == "negative" else "amplified"
        results[i] = (x, value, detail)

    facts: list[Fact] = []
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for x, value, detail in results:
        if detail.get("not_a_result"):
            continue
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
        if (
            x.marker in ("ER", "PR", "HER2")
            and value in ("positive", "negative", "equivocal")
            and "conflict" not in detail
        ):
            weight = doc.weight_at(x.start)
            if x.marker == "HER2" and EXPRESSION_SCORE.match(doc.text[x.end : x.end + 16]):
                weight = 0.0
            elif x.marker == "HER2":
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
