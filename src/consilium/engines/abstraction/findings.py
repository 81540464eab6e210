"""Other pathology findings: tumour size, lymph nodes (examined, positive), margins,
lymphovascular invasion, grade, laterality and the stated stage group."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consilium.engines.abstraction.lexicon import load
from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
NUMBER_WORDS.update({"no": 0, "none": 0, "single": 1, "thirty": 30, "forty": 40})
_NUM_WORD = (
    r"(?:twenty|thirty|forty)(?:[- ](?:one|two|three|four|five|six|seven|eight"
    r"|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|tw"
    r"elve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
)
_COUNT = rf"(?:\d{{1,3}}|{_NUM_WORD}|(?:multiple|several)(?=\s*\(\d))(?:\s*\(\d{{1,3}}\))?"


def number(raw: str) -> int | None:
    raw = raw.strip().lower()
    m = re.search(r"\((\d{1,3})\)", raw)
    if m:
        return int(m.group(1))
    raw = re.sub(r"\s*\(.*$", "", raw)
    if raw.isdigit():
        return int(raw)
    parts = re.split(r"[- ]", raw)
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]
    return NUMBER_WORDS.get(raw)


def _prov(doc: Document, start: int, end: int) -> Provenance:
    return Provenance(doc.document_id, start, end, doc.sentence(start), doc.section_at(start).name)


# -- tumour size -----------------------------------------------------------------------
_DIMS = (
    r"(?P<dims>\d{1,2}(?:\.\d{1,2})?(?:\s*(?:x|X|×|by)\s*\d{1,2}(?:\.\d{1,2})?"
    r"){0,2})\s*(?P<unit>cm|mm|centimet\w*|millimet\w*)\b"
)
SIZE_LABELLED = re.compile(
    r"(?:(?:invasive )?tumou?r size|size of (?:the )?(?:invasive )?(?:tumou?r|"
    r"carcinoma|lesion|mass)|(?:greatest|largest|maximum|maximal) (?:tumou?r )"
    # "THE TUMOR HAS A MAXIMUM GROSS DIMENSION OF 2.7 CM"
    r"?(?:gross )?(?:dimension|diameter|size|extent)|size \(greatest dimension\)|size of "
    r"invasive (?:component|carcinoma)|invasive (?:tumou?r|carcinoma) size|tum"
    r"ou?r diameter|microscopic size)"
    # The value follows the label without a new sentence in between.
    r"(?:(?!\.\s+[A-Z])[^0-9]){0,45}?" + _DIMS,
    re.IGNORECASE,
)
SIZE_NARRATIVE = re.compile(
    (
        r"(?:carcinoma|tumou?r|mass|neoplasm|lesion|nodule|adenocarcinoma|melanoma"
        r"|mesothelioma|seminoma)\W{1,3}(?:[\w-]+\W{1,3}){0,5}?(?:measur\w*|spanni"
        r"ng|sized?|of|up to|which is)\W{1,3}(?:approximately |approx\.? |up to |a"
        r"t least |about )?"
    )
    + _DIMS
    + r"|(?<![\d.])"
    + _DIMS.replace("dims", "dims2").replace("unit", "unit2")
    # "forming a 2.0 x 1.8 x 1.5 cm. circumscribed mass": a scanned line end after "cm",
    # not a new sentence ("12.0 CM. THE TUMOR ...")
    + r"(?:\.(?=\s+(?-i:[a-z])))?\s+(?:[\w-]+\s+){0,3}?"
    + r"(?:carcinoma|tumou?r|mass|neoplasm|lesion|nodule)",
    re.IGNORECASE,
)
# "..., MEASURING 3.5 CM IN LARGEST DIMENSION", "ranging in size from 1.0 cm up to 3.7 cm"
SIZE_DIMENSION = re.compile(
    r"(?:measur\w*|spanning|up to)\W{1,3}(?:at least |approximately |approx\.? |about )?"
    + _DIMS
    + r"\W{0,3}in\W{1,3}(?:largest|greatest|maximum|maximal)\W{1,3}(?:dimension|diameter|extent)"
    + r"|ranging in size\.?\s+from \d{1,2}(?:\.\d{1,2})?\s*(?:cm|mm)?\s*(?:up )?to\W{1,3}"
    + _DIMS.replace("dims", "dims2").replace("unit", "unit2"),
    re.IGNORECASE,
)
# "..., NUCLEAR GRADE III/III, MEASURING 1.9 CM MICROSCOPICALLY": any measurement, taken
# only when it is anchored to the carcinoma in the diagnosis (see _anchored).
SIZE_MEASURING = re.compile(
    r"(?:measur\w*|spanning|spans|extends over|covers)\W{1,3}(?:an area of )?"
    r"(?:at least |approximately |approx\.? |about |up to )?" + _DIMS,
    re.IGNORECASE,
)
# The size written right after the carcinoma's name, as the next item of the diagnosis
# line: "INFILTRATING DUCTAL CARCINOMA ("A2-A7"), 4.5 BY 4.5 BY 3.5 CM, NOTTINGHAM 6/9",
# "MEDULLARY CARCINOMA, 2.0 CM.", "INFILTRATING DUCT CARCINOMA. 1.4 CM IN GREATEST
# DIMENSION". Taken only when anchored to the carcinoma in the diagnosis (_anchored).
SIZE_AFTER_NAME = re.compile(
    r"\b(?:adeno)?carcinoma\W{1,3}(?:\([^()]{1,20}\)\W{1,3})?\(?"
    + _DIMS
    + r"(?=\s*(?:[,.;()]|in (?:greatest|largest|maximum) dimension))",
    re.IGNORECASE,
)
SIZE_EXCLUDE_AFTER = re.compile(
    (
        r"^\s*(?:\)?\s*(?:from|to|away|of (?:the )?(?:closest |nearest |deep |inked )?margin)|(?:\w"
        r"+\s){0,2}(?:from|to) (?:the )?(?:\w+ )?(?:margin|nipple|skin|surface|edg"
        r"e|pleura)"
        # "1.0 cm of in situ carcinoma", "2.2 cm of duct carcinoma in situ"
        r"|(?:of\s+)?(?:[\w-]+\s+){0,3}?(?:carcinoma\s+)?in[- ]situ"
        r"|(?:of\s+)?(?:DCIS|LCIS|intraductal)"
        # "over 0.1 cm: 7.0 cm": a number inside the label, before its colon
        r"|\.?\s*:)"
    ),
    re.IGNORECASE,
)
# A labelled size that is not the tumour's: the specimen, a margin, a node, in situ
# carcinoma ("Specimen size: greatest dimension 7.2 cm", "Intraductal carcinoma: size").
LABEL_NOT_TUMOUR = re.compile(
    r"(?:specimen|margin|lymph node|node|metasta\w*|nipple|areola|skin|ellipse|in situ|"
    r"DCIS|LCIS|intraductal|extranodal|fragment|cyst|weigh\w*|grams?)\W+(?:[\w()-]+\W+){0,3}$"
    # "Specimen size (for excisions less than total mastectomy). Greatest dimension: 9 cm"
    r"|specimen (?:size|dimensions?)\b[^0-9]{0,70}$",
    re.IGNORECASE,
)
# "Greatest dimension: 2.0 cm and 2.4 cm": the tumours' sizes listed; the largest counts.
MORE_DIMS = re.compile(
    r"\s*(?:,|;|and|&)\s*" + _DIMS.replace("dims", "more").replace("unit", "moreunit")
)
SIZE_EXCLUDE_BEFORE = re.compile(
    (
        r"(?:lymph node|node|metasta\w*|deposit|in situ|DCIS|LCIS|specimen|skin|ellipse|"
        r"fragment|aggregate|margin|cyst|fat|fatty|tissue|portion|piece|structures?|nipple|"
        r"biopsy site|distance|mastectomy|breast|clearance)\W"
        r"+(?:[\w-]+\W+){0,4}$"
    ),
    re.IGNORECASE,
)


LABEL_COLON_VALUE = re.compile(r"\.?\s*:\s*" + _DIMS)
NODE_SENTENCE = re.compile(r"lymph nodes?|\bnodes?\b|extranodal|metasta", re.IGNORECASE)


# A narrative size in the diagnosis is the carcinoma's when the nearest subject before it,
# in the same part of the report, is the carcinoma ("INVASIVE DUCTAL CARCINOMA, GRADE
# III/III (MARKED VARIATION IN SIZE AND SHAPE), MEASURING 4.5 CM IN LARGEST DIMENSION")
# and not something else ("Extracapsular extension: present, measuring < 2 mm", "ductal
# carcinoma in situ ... measuring", "several microscopic foci ..., up to 0.5 cm").
ANCHOR_SECTIONS = ("diagnosis", "synoptic", "microscopic", "unlabelled", "comment")
TUMOUR_SUBJECT = re.compile(
    r"(?P<tumour>\b(?:carcinoma|adenocarcinoma|tumou?rs?|neoplasm|melanoma|sarcoma|seminoma"
    r"|mesothelioma)\b)"
    r"|(?P<other>in[- ]situ|\bDCIS\b|\bLCIS\b|intraductal|metasta\w*|extra-?capsular|"
    r"extra-?nodal|lymph nodes?|\bnodes?\b|\bfoci\b|additional|satellite|second|separate|"
    r"biopsy site|cavity|cyst|specimen|fragment|margin|tumou?r bed)",
    re.IGNORECASE,
)
ANCHOR_LOOKBACK = 250
FOCI_OF = re.compile(r"\bfoci\b", re.IGNORECASE)


@dataclass
class Size:
    cm: float
    start: int
    end: int
    labelled: bool
    section: str
    # A narrative size whose subject is the carcinoma, in the diagnosis (see TUMOUR_SUBJECT).
    anchored: bool = False

    @property
    def firm(self) -> bool:
        """Labelled, or anchored to the carcinoma in the diagnosis: firm enough to stage."""
        return self.labelled or self.anchored


def _anchored(doc: Document, start: int, section: str) -> bool:
    if section not in ANCHOR_SECTIONS:
        return False
    lo = max(doc.section_at(start).start, start - ANCHOR_LOOKBACK)
    subjects = list(TUMOUR_SUBJECT.finditer(doc.text, lo, start))
    if not subjects or subjects[-1].group("tumour") is None:
        return False
    # "several microscopic foci of infiltrating carcinoma, up to 0.5 cm": scattered foci,
    # not the tumour's size.
    return not FOCI_OF.search(doc.text, max(lo, subjects[-1].start() - 40), subjects[-1].start())


def _size_cm(dims: str, unit: str) -> float:
    values = [float(v) for v in re.findall(r"\d+(?:\.\d+)?", dims)]
    largest = max(values)
    return largest / 10 if unit.lower().startswith("m") else largest


def sizes(doc: Document) -> list[Size]:
    found: list[Size] = []
    for regex, labelled in (
        (SIZE_LABELLED, True),
        (SIZE_NARRATIVE, False),
        (SIZE_DIMENSION, False),
        (SIZE_MEASURING, False),
        (SIZE_AFTER_NAME, False),
    ):
        for m in regex.finditer(doc.text):
            dims = m.group("dims") if m.groupdict().get("dims") else m.groupdict().get("dims2")
            unit = m.group("unit") if m.groupdict().get("unit") else m.groupdict().get("unit2")
            if not dims or not unit:
                continue
            start = m.start("dims") if m.groupdict().get("dims") else m.start("dims2")
            end = m.end("unit") if m.groupdict().get("unit") else m.end("unit2")
            after = doc.text[end : end + 40]
            if labelled and LABEL_COLON_VALUE.match(after):
                # "over 0.1 cm: 2.5 cm": the number was part of the label; the value follows.
                value = LABEL_COLON_VALUE.match(after)
                dims, unit = value.group("dims"), value.group("unit")
                start, end = end + value.start("dims"), end + value.end("unit")
                after = doc.text[end : end + 40]
            if SIZE_EXCLUDE_AFTER.match(after):
                continue
            # (Right after the carcinoma's name, the size is the carcinoma's whatever the
            # line began with: "MASTECTOMY: - INFILTRATING DUCTAL CARCINOMA, 4.5 CM".)
            if (
                not labelled
                and regex is not SIZE_AFTER_NAME
                and SIZE_EXCLUDE_BEFORE.search(doc.text[max(0, start - 60) : start])
            ):
                continue
            if labelled:
                before = doc.text[max(0, m.start() - 80) : m.start()]
                if ". " in before[-40:]:
                    before = before[before.rindex(". ") + 2 :]  # the label's own sentence only
                if LABEL_NOT_TUMOUR.search(before):
                    continue
            if not labelled and NODE_SENTENCE.search(doc.text[doc.sentence_span(start)[0] : start]):
                continue  # "... lymph node is positive, with a focus measuring 0.9 cm"
            cm = _size_cm(dims, unit)
            more = MORE_DIMS.match(doc.text, end) if labelled else None
            while more is not None:
                cm = max(cm, _size_cm(more.group("more"), more.group("moreunit")))
                end = more.end()
                more = MORE_DIMS.match(doc.text, end)
            if not 0.05 <= cm <= 40:
                continue
            if any(s.start == start for s in found):
                continue
            section = doc.section_at(start).name
            anchored = not labelled and _anchored(doc, start, section)
            if regex in (SIZE_MEASURING, SIZE_AFTER_NAME) and not anchored:
                continue
            found.append(Size(cm, start, end, labelled, section, anchored))
    return found


def tumour_size(doc: Document) -> tuple[Size | None, list[Fact]]:
    found = sizes(doc)
    facts = [
        Fact(
            "tumour_size_cm",
            s.cm,
            _prov(doc, s.start, s.end),
            confidence=0.85 if s.labelled else 0.75 if s.anchored else 0.6,
            detail={
                "labelled": s.labelled,
                "anchored": s.anchored,
                "text": doc.text[s.start : s.end],
            },
        )
        for s in found
    ]
    tiers = [
        [s for s in found if s.labelled],
        [s for s in found if s.anchored],
        [
            s
            for s in found
            if s.section in ("diagnosis", "synoptic", "microscopic", "unlabelled", "comment")
        ],
        [s for s in found if s.section == "gross"],
    ]
    for tier in tiers:
        if tier:
            return max(tier, key=lambda s: s.cm), facts
    return None, facts


# -- lymph nodes ---------------------------------------------------------------------
# "lymph modes": a scanned report's misreading.
# "LYMPH. NODES": a scanned line end inside the term.
_NODE = r"(?:lymph(?:-|\.?\s+)?[nm]odes?|nodes?|LNs?|SLNs?)"
# A scanned report's line end, kept as a period, between a node's site and the word
# "lymph nodes" ("in 5 of 18 axillary. lymph nodes"): the phrase goes on.
_SITE_BREAK = (
    r"(?:axillary|sentinel|regional|hilar|pelvic|mediastinal|peribronchial|pericolic"
    r"|perigastric|cervical|neck)\.\s+"
)
NODE_FRACTION = re.compile(
    r"\(\s*(?P<k>\d{1,2})\s*/\s*(?P<n>\d{1,2})\s*\)|(?<![\d/.])(?P<k2>\d{1,2})"
    r"\s*/\s*(?P<n2>\d{1,2})(?![\d/.])"
)
# "six (6) out or nineteen (19)": a scanned report's "out of".
_OUT_OF = r"(?:out\s+o[fr]|of)"
# "Multiple (10 of 19) left axillary lymph nodes", "A single (of 6) lymph node is
# positive", "Two (of 3) axillary sentinel lymph nodes": the count and its total in
# brackets before the site.
NODE_OF = re.compile(
    rf"(?:(?P<k>{_COUNT})\s+|(?P<k3>a\.?\s+single|{_NUM_WORD})\W{{1,3}}\(){_OUT_OF}\s+"
    rf"(?P<n>{_COUNT})\)?\.?\s+(?:[\w/-]+\s+){{0,4}}?(?:{_SITE_BREAK})?{_NODE}",
    re.IGNORECASE,
)
NODE_OF_REVERSED = re.compile(
    rf"{_NODE}[^.;]{{0,40}}?(?P<k>{_COUNT})\s+{_OUT_OF}\s+(?P<n>{_COUNT})(?!\s*(?:cores|fragments|slides|blocks))",
    re.IGNORECASE,
)
NODE_NEG = re.compile(
    rf"(?P<n>{_COUNT})\s+(?:[\w/-]+\s+){{0,4}}?{_NODE}\W{{0,4}}"
    # "one (1) hilar lymph node and associated fibroadipose tissue, negative for tumor"
    # (a scanned line end after "and": "AND. ASSOCIATED FIBROADIPOSE TISSUE")
    rf"(?:and\.?\s+(?:associated\.?\s+)?(?:fibro)?(?:adipose|fatty|soft)\s+tissue\W{{1,4}})?"
    rf"(?:\w+\W+){{0,2}}?(?:negative|"
    rf"free of|benign|no evidence of|without|no metasta\w*|no tumou?r|no carcinoma|uninvolved)"
    # "lymph node (1), negative for tumor"
    rf"|{_NODE}\s*\((?P<n2>\d{{1,2}})\)\W{{0,4}}(?:\w+\W+){{0,2}}?(?:negative|benign|free of)",
    re.IGNORECASE,
)
# Counts without a fraction: "carcinoma in 1 sentinel node", "no evidence of carcinoma in
# 14 lymph nodes", "no tumor is identified in multiple (14) left lower paratracheal
# (station 4L) lymph nodes" (negated: that many negative nodes), "one (1) lymph node
# positive for metastatic carcinoma".
NODE_IN = re.compile(
    rf"(?:carcinoma|metasta\w*|tumou?r|malignancy)\s+(?:is\s+|was\s+)?(?:present\s+|seen\s+|"
    rf"identified\s+)?in\s+(?P<k>{_COUNT})\.?\s+(?:[\w/-]+\s+|\([^()]{{1,20}}\)\s+){{0,4}}?(?:{_SITE_BREAK})?{_NODE}\b"
    rf"(?!\s*\(\s*\d)",
    re.IGNORECASE,
)
NODE_K_POSITIVE = re.compile(
    rf"(?<!\bof\s)(?P<k>{_COUNT})\s+(?:[\w/-]+\s+){{0,3}}?{_NODE},?\s+(?:(?:is|are)\s+)?"
    rf"(?:positive|involved by|with metasta\w*|containing metasta\w*)",
    re.IGNORECASE,
)
NODE_EXAMINED = re.compile(
    rf"(?:(?:number|no\.|#|total)\s+(?:of\s+)?)?(?:regional\s+)?{_NODE}\s+(?:examined|identified|recovered|retrieved|submitted|sampled|received|found)\W{{0,5}}(?P<n>{_COUNT})"
    # "Lymph nodes: Number with metastases: 1; Number examined: 23"
    rf"|(?:total\s+(?:number\s+)?|number\s+)(?:of\s+)?(?:nodes\s+)?(?:examined|sampled|retrieved)"
    rf"\W{{0,5}}(?P<n2>{_COUNT})",
    re.IGNORECASE,
)
NODE_POSITIVE = re.compile(
    rf"(?:(?:number|no\.|#|total)\s+(?:of\s+)?)?"
    rf"(?:{_NODE}\s+(?:positive|involved|(?:with|containing) (?:metasta\w*|tumou?r|"
    rf"carcinoma))|(?:positive|involved|metastatic)\s+{_NODE}"
    # "Lymph Nodes: Number with metastasis: 0"
    rf"|(?<=number )with metasta\w*)"
    # "Total number of lymph nodes containing metastatic carcinoma: 0"
    # (not a measurement: "the positive lymph node (1.7 cm in greatest dimension)")
    rf"(?:\s+for\s+\w+|\s+(?:carcinoma|tumou?r|disease))?\W{{0,5}}(?P<k>{_COUNT})(?![.,]\d)",
    re.IGNORECASE,
)
# "Lymph nodes, right lobar, excision: Granuloma (1/8)": nodes with a benign finding,
# not with tumour.
BENIGN_FINDING_BEFORE = re.compile(
    r"\b(?:granulom\w*|sarcoid\w*|reactive|hyperplasia|anthraco\w*|histiocyt\w*)"
    r"[^.;()]{0,30}$",
    re.IGNORECASE,
)
TUMOUR_WORD = re.compile(r"metasta|carcinom|tumou?r|malignan", re.IGNORECASE)
NOT_NODE_CONTEXT = re.compile(
    (
        r"(?:score|grade|allred|nottingham|gleason|total|nuclear|mitotic|tubul\w*|hpf|er|pr|her2|ki-?67|\d"
        r"+/\d+/|slide|block|cassette|page)\W*$"
    ),
    re.IGNORECASE,
)


# A node said to hold tumour, in any wording ("a single left axillary lymph node is
# positive for metastatic carcinoma", "metastatic carcinoma in one lymph node"). When the
# counts read add up to no positive node but the text says this, a count was missed.
POSITIVE_NODE_STATEMENT = re.compile(
    rf"{_NODE}\W+(?:[\w()/.-]+\W+){{0,6}}?(?:is|are)\W+positive\b"
    rf"|metasta\w*\s+(?:\w+\s+){{0,2}}?(?:carcinoma|tumou?r|disease|deposits?)\W+"
    rf"(?:is\s+|are\s+)?(?:present\s+)?(?:in|involving|to)\W+(?:[\w()-]+\W+){{0,4}}?{_NODE}"
    rf"|(?:positive|involved)\s+{_NODE}"
    rf"|{_NODE}\s+(?:positive|with (?:metasta\w*|tumou?r|carcinoma)"
    rf"|containing (?:metasta\w*|tumou?r))",
    re.IGNORECASE,
)


NEGATION_NEAR = re.compile(r"\b(?:no|not|without|negative|free)\b", re.IGNORECASE)


# "Metastasis to regional lymph nodes is ABSENT", "the number of involved nodes is 0": a
# node statement negated after it.
NEGATED_AFTER = re.compile(
    r"\W{0,3}(?:(?:is|are|was|were)\s+)?(?:absent|negative|not (?:identified|seen|present)|0|zero"
    r"|none)\b",
    re.IGNORECASE,
)


def _positive_node_statement(doc: Document) -> re.Match[str] | None:
    for m in POSITIVE_NODE_STATEMENT.finditer(doc.text):
        # Negation in the statement itself ("no lymph node is positive"); the assertion
        # window would also reach back into the previous sentence's "negative for tumour".
        if NEGATION_NEAR.search(doc.text[max(0, m.start() - 15) : m.end()]):
            continue
        if NEGATED_AFTER.match(doc.text, m.end()):
            continue
        return m
    return None


@dataclass
class NodeCount:
    positive: int
    examined: int | None
    start: int
    end: int
    how: str


def node_counts(doc: Document) -> list[NodeCount]:
    text = doc.text
    found: list[NodeCount] = []

    def near_node(start: int, end: int) -> bool:
        before = text[max(0, start - 90) : start]
        after = text[end : end + 30]
        return bool(
            re.search(_NODE, before, re.IGNORECASE) or re.search(_NODE, after, re.IGNORECASE)
        )

    for m in NODE_FRACTION.finditer(text):
        k = int(m.group("k") or m.group("k2"))
        n = int(m.group("n") or m.group("n2"))
        if not (0 <= k <= n and 0 < n <= 80):
            continue
        if NOT_NODE_CONTEXT.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        before = text[max(0, m.start() - 60) : m.start()]
        if k and BENIGN_FINDING_BEFORE.search(before) and not TUMOUR_WORD.search(before):
            continue
        if not near_node(m.start(), m.end()):
            continue
        found.append(NodeCount(k, n, m.start(), m.end(), "fraction"))
    for regex in (NODE_OF, NODE_OF_REVERSED):
        for m in regex.finditer(text):
            g = "k3" if regex is NODE_OF and m.group("k3") else "k"
            k = number(re.sub(r"^a\.?\s+", "", m.group(g), flags=re.IGNORECASE))
            n = number(m.group("n"))
            if k is None or n is None or not (0 <= k <= n and 0 < n <= 80):
                continue
            # The same count written twice ("five of twelve lymph nodes (5/12)"); two
            # phrases in words are two statements ("1 of 3 ... from level II. ... 1 of 3
            # ... from level III").
            if any(
                (f.positive, f.examined) == (k, n)
                and (
                    f.start == m.start(g)  # one phrase read both ways
                    or (f.how == "fraction" and abs(f.start - m.start(g)) < 80)
                )
                for f in found
            ):
                continue
            found.append(NodeCount(k, n, m.start(g), m.end("n"), "k of n"))
    for regex in (NODE_IN, NODE_K_POSITIVE):
        for m in regex.finditer(text):
            k = number(m.group("k"))
            if k is None or not 0 < k <= 80:
                continue
            if any(f.start - 60 <= m.start("k") <= f.end + 60 for f in found):
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            if regex is NODE_IN and NEGATION_NEAR.search(before):
                found.append(NodeCount(0, k, m.start("k"), m.end(), "negative nodes"))
            elif not NEGATION_NEAR.search(before[-12:]):
                found.append(NodeCount(k, k, m.start("k"), m.end(), "positive nodes"))
    for m in NODE_NEG.finditer(text):
        n = number(m.group("n") or m.group("n2"))
        if n is None or not 0 < n <= 80:
            continue
        if any(
            f.start <= m.start() <= f.end + 60 or m.start() <= f.start <= m.end() for f in found
        ):
            continue
        g = "n" if m.group("n") else "n2"
        found.append(NodeCount(0, n, m.start(g), m.end(), "negative nodes"))
    return found


@dataclass
class NodeTotals:
    positive: int | None
    examined: int | None
    basis: str
    start: int
    end: int
    # The most positive nodes one count or statement gives: a floor when the total is
    # unknown (counts that repeat each other, a positive node without a count).
    at_least: int = 0
    # With repeated fractions: the most there can be (every repeat a different node).
    at_most: int | None = None


def node_totals(doc: Document) -> tuple[NodeTotals | None, list[Fact]]:
    statement = _positive_node_statement(doc)
    totals, facts = _node_totals(doc, statement is not None)
    counted = [f.value for f in facts if f.name == "lymph_nodes_positive"]
    floor = max(counted, default=0)
    if floor == 0 and (totals is None or totals.positive is None) and statement is not None:
        floor = 1
        if totals is None:
            totals = NodeTotals(
                None,
                None,
                "a lymph node said to hold tumour, without a count",
                statement.start(),
                statement.end(),
            )
    if totals is not None:
        totals.at_least = max(floor, totals.positive or 0)
    return totals, facts


# "All sampled lymph nodes are benign", "the intrapulmonary lymph node is negative for
# tumor": nodes said to be free of tumour, without a count.
NODES_STATED_NEGATIVE = re.compile(
    rf"{_NODE}\s+(?:are|is|were|was)\s+(?:all\s+)?(?:benign|negative|free of (?:tumou?r|"
    rf"carcinoma|metasta\w*|malignancy)|uninvolved)"
    # "Lymph Nodes: Not involved", "Lymph nodes, no evidence of metastatic disease",
    # "Benign lymph nodes", "a single benign lymph node is identified"
    rf"|{_NODE}\s*(?:[:,]|\bwith\b)\s*(?:not involved|uninvolved|negative|benign"
    rf"|no (?:evidence of )?(?:metasta\w*|tumou?r|carcinoma|malignancy))"
    rf"|\bbenign\s+{_NODE}"
    # "Lymph node status: Negative."
    rf"|{_NODE}\s+status\s*:\s*(?:negative|benign|not involved|uninvolved)\b"
    # "There is no lymph nodes metastasis."
    rf"|\bno\s+{_NODE}\s+metasta\w*",
    re.IGNORECASE,
)


# A metastasis reported without naming the node ("FROZEN SECTION DIAGNOSIS: POSITIVE FOR
# MICROMETASTATIC CARCINOMA", OCR's "MICROMIETASTATIC", "clusters of metastatic ductal
# carcinoma was found"): nodes stated negative elsewhere do not make it N0.
METASTASIS_FOUND = re.compile(
    r"positive for (?:\w+ )?(?:micro)?metasta|micro-?m\w{0,2}tasta|isolated tumou?r cells"
    r"|(?<!no )metasta\w*(?: [\w-]+){0,5} (?:was|were|is|are) (?:found|present|seen)",
    re.IGNORECASE,
)


# The level or station a count belongs to, named right after it ("1 OF 3 LYMPH NODES FROM
# LEVEL II") or in the part label before it ("LYMPH NODE, STATION 5: ...").
NODE_LEVEL = re.compile(
    r"\b(?:levels?|station|zone)\s+(?P<id>[IVX]{1,4}[AB]?|\d{1,2}[ABLR]?)\b", re.IGNORECASE
)


def _level_of(doc: Document, count: NodeCount) -> str | None:
    """The level named with the count in its own sentence (not the next part's label)."""
    start, end = doc.sentence_span(count.start)
    after = NODE_LEVEL.search(doc.text, count.end, min(count.end + 45, max(end, count.end)))
    if after:
        return after.group("id").upper()
    before = list(NODE_LEVEL.finditer(doc.text, max(start, count.start - 60), count.start))
    return before[-1].group("id").upper() if before else None


def _levels_apart(doc: Document, same: list[NodeCount]) -> bool:
    """Whether counts with one fraction each name a level or station of their own: two
    neck levels of "1 of 3" each are two positive nodes, not one told twice."""
    levels = [_level_of(doc, c) for c in same]
    return None not in levels and len(set(levels)) == len(levels)


def _told_again(doc: Document, same: list[NodeCount]) -> bool:
    """Whether counts with one fraction are one count told again: a single count, or a
    fraction of several nodes each time in a different section. A repeated "1/1" may be
    two sentinel nodes of one each, and two "1 of 3" in one diagnosis may be two neck
    levels; those stay a range."""
    if len(same) < 2:
        return True
    sections = [doc.section_at(c.start).name for c in same]
    return (same[0].examined or 0) >= 2 and len(set(sections)) == len(sections)


def _node_totals(doc: Document, positive_stated: bool) -> tuple[NodeTotals | None, list[Fact]]:
    """The node totals from the counts; ``positive_stated``: the report says, in some
    wording, that a node holds tumour (see POSITIVE_NODE_STATEMENT)."""
    text = doc.text
    facts: list[Fact] = []
    examined = [(number(m.group("n") or m.group("n2")), m) for m in NODE_EXAMINED.finditer(text)]
    positive = [(number(m.group("k")), m) for m in NODE_POSITIVE.finditer(text)]
    for value, m in examined:
        if value is not None:
            facts.append(
                Fact(
                    "lymph_nodes_examined",
                    value,
                    _prov(doc, m.start(), m.end()),
                    confidence=0.85,
                )
            )
    for value, m in positive:
        if value is not None:
            facts.append(
                Fact(
                    "lymph_nodes_positive",
                    value,
                    _prov(doc, m.start("k"), m.end("k")),
                    confidence=0.85,
                )
            )
    counts = node_counts(doc)
    for c in counts:
        facts.append(
            Fact(
                "lymph_nodes_positive",
                c.positive,
                _prov(doc, c.start, c.end),
                confidence=0.75,
                detail={"examined": c.examined, "found_as": c.how},
            )
        )
    labelled_pos = [v for v, _ in positive if v is not None]
    labelled_ex = [v for v, _ in examined if v is not None]
    if labelled_pos and len(set(labelled_pos)) == 1:
        m = positive[0][1]
        return NodeTotals(
            labelled_pos[0],
            max(labelled_ex) if labelled_ex else None,
            "stated count of positive nodes",
            m.start("k"),
            m.end("k"),
        ), facts
    if not counts:
        negative = NODES_STATED_NEGATIVE.search(text)
        if (
            negative is not None
            and not labelled_pos
            and not positive_stated
            and not METASTASIS_FOUND.search(text)
        ):
            return NodeTotals(
                0,
                None,
                "lymph nodes stated free of tumour, without a count",
                negative.start(),
                negative.end(),
            ), facts
        return None, facts
    ks = [c.positive for c in counts]
    total_k = sum(ks)
    ns = [c.examined or 0 for c in counts]
    # A summary fraction equal to the sum of the others is the total (not to be added).
    for c in counts:
        if (
            len(counts) > 2
            and c.positive == total_k - c.positive
            and (c.examined or 0) == sum(ns) - (c.examined or 0)
        ):
            return NodeTotals(
                c.positive, c.examined, "stated total of the specimens' nodes", c.start, c.end
            ), facts
    if sum(c.positive for c in counts) == 0 and positive_stated:
        first = counts[0]
        return NodeTotals(
            None, None, "node counts read miss a node said to be positive", first.start, first.end
        ), facts
    distinct = {(c.positive, c.examined) for c in counts}
    groups = {p: [c for c in counts if (c.positive, c.examined) == p] for p in distinct}
    repeated = [g for (k, _), g in groups.items() if k and len(g) > 1]
    # Every repeat names a level or station of its own ("1 of 3 ... from level II", "1 of
    # 3 ... from level III"): different nodes, to be added.
    named_apart = bool(repeated) and all(_levels_apart(doc, g) for g in repeated)
    if len(distinct) == 1 and not named_apart:
        # One count, or the same count written again ("2/11 positive (axillary 2/11)").
        c = counts[0]
        return NodeTotals(
            c.positive,
            c.examined,
            f"count of positive nodes ({c.positive}/{c.examined})",
            c.start,
            c.end,
        ), facts
    dedup_k = sum(k for k, _ in distinct)
    first = counts[0]
    if (
        not named_apart
        and dedup_k != total_k
        and all(_told_again(doc, groups[(k, n)]) for k, n in distinct if k)
    ):
        # The same fraction of several nodes in different parts of the report (frozen
        # section, final diagnosis, microscopic) is the same nodes told again: "2 of 3
        # (2/3)" twice is two nodes.
        pairs = sorted(distinct, key=lambda p: -p[0])
        return NodeTotals(
            dedup_k,
            sum(n or 0 for _, n in distinct),
            f"sum of distinct node counts per specimen, repeats read once "
            f"({', '.join(f'{k}/{n}' for k, n in pairs)})",
            first.start,
            counts[-1].end,
        ), facts
    if total_k == 0:
        return NodeTotals(
            0, max(ns), "no positive node among those examined", first.start, counts[-1].end
        ), facts
    if dedup_k == total_k or named_apart:
        return NodeTotals(
            total_k,
            sum(ns),
            f"sum of node counts per specimen "
            f"({', '.join(f'{c.positive}/{c.examined}' for c in counts)})"
            + (", each repeat at a level of its own" if named_apart else ""),
            first.start,
            counts[-1].end,
        ), facts
    return NodeTotals(
        None,
        None,
        f"node counts ambiguous (repeated fractions: {dedup_k} to {total_k} positive)",
        first.start,
        counts[-1].end,
        at_least=dedup_k,
        at_most=total_k,
    ), facts


# -- margins, LVI, grade, laterality, stage ------------------------------------------
MARGIN = re.compile(
    (
        r"(?:surgical |resection |excision(?:al)? )?margins?(?: of (?:resection|ex"
        r"cision))?(?: status)?"
    ),
    re.IGNORECASE,
)
MARGIN_POS = re.compile(
    r"\b(?:positive|involved|tumou?r (?:is )?(?:present )?at|transected|extends? to)\b|\bR[12]\b",
    re.IGNORECASE,
)
MARGIN_NEG = re.compile(
    r"\b(?:negative|free|uninvolved|clear|not involved|"
    r"widely free|tumou?r[- ]free|no (?:tumou?r|carcinoma)|R0)\b",
    re.IGNORECASE,
)
LVI = re.compile(
    (
        r"(?:lympho-?vascular|lymphatic(?:/vascular)?|angiolymphatic|vascular|veno"
        r"us|perineural|lymph-?vascular)\s*(?:space\s+)?(?:invasion|involvement|pe"
        r"rmeation|emboli)|\bLVI\b"
    ),
    re.IGNORECASE,
)
LVI_CODE = re.compile(r"(?<![A-Za-z])(?:p?L)(?P<l>[01oO])\s*,?\s*p?V(?P<v>[012oO])(?![A-Za-z0-9])")
GRADE = re.compile(
    r"(?:(?:histologic(?:al)?|nottingham|combined|overall|modified (?:bloom[- "
    r"]richardson|sbr)|sbr|elston|bloom[- ]richardson|fuhrman|who/isup|isup|nu"
    r"clear|tumou?r|fnclcc)\s+(?:\(?\w+\)?\s+)?grade|grade\s*\(?(?:nottingham|sbr|fuhrman)\)"
    r"?)\s*[:\-]?\s*(?:is\s+)?(?:(?:fuhrman|isup|who/isup|nottingham|sbr)\s+)?(?:G\s?)?"
    r"(?P<g>[1-4]|I{1,3}V?|IV|Il|ll)(?![\w])"
    # "Fuhrman grade 3-4/4": a range; the higher grade is the tumour's
    r"(?:\s*(?:-|to)\s*(?P<ghi>[1-4]|I{1,3}V?|IV)(?![\w]))?"
    r"(?:\s*(?:of|/)\s*[34])?"
    # "(Grade 3 of 4)", "grade 2/3": a grade on its stated scale needs no qualifier
    r"|(?<![A-Za-z])grade\s*[:\-]?\s*(?P<g3>[1-4]|I{1,3}V?|IV)(?:\s*(?:-|to)\s*(?P<g3hi>[1-4]|I{1,3}V?|IV))?"
    r"\s*(?:of|/|out of)\s*[34](?![\w/])"
    # "G2", not a block key ("G1: left para-aortic lymph nodes")
    r"|(?<![A-Za-z])G\s?(?P<g2>[1-4]|I{1,3}|IV)(?![\w+])(?!\s*:)"
    # "poorly to moderately differentiated": the worse of the two is the grade
    r"|(?P<diff>well|moderately|poorly|un)(?:\s*(?:to|-|and)\s*(?P<diff2>well|moderately|poorly))?"
    r"[- ]differentiated"
    # high/low grade of a precursor lesion (dysplasia, PIN, PanIN, SIL, DCIS) is not the
    # carcinoma's grade
    r"|(?P<hl>high|low)[- ]grade(?!\W+(?:[\w-]+\W+){0,2}?(?:dysplasia|intraepithelial|PIN|"
    r"PanIN|SIL|DCIS|in situ|adenoma|squamous intraepithelial))",
    re.IGNORECASE,
)
ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "IL": "2", "LL": "2"}
DIFF = {"well": "G1", "moderately": "G2", "poorly": "G3", "un": "G4"}
LATERALITY = re.compile(
    (
        r"\b(?P<side>left|right|bilateral|lt\.?|rt\.?)\b(?=\W+(?:[\w-]+\W+){0,3}?(?:breast|lung|kidney|lobe|thyroid|ovary|testis|testicle|adrenal|eye|axilla\w"
        r"*|upper|lower|renal|nephrectomy|mastectomy|orchiectomy|globe))"
    ),
    re.IGNORECASE,
)


def margins(doc: Document) -> list[Fact]:
    facts = []
    for m in MARGIN.finditer(doc.text):
        window = doc.text[m.end() : m.end() + 60]
        window = re.split(r"[.;]\s", window)[0]
        before = doc.text[max(0, m.start() - 40) : m.start()]
        neg, pos = MARGIN_NEG.search(window), MARGIN_POS.search(window)
        if neg is None and pos is None:
            neg, pos = MARGIN_NEG.search(before), None
        if neg is not None and (pos is None or neg.start() < pos.start()):
            value = "negative"
        elif pos is not None:
            value = "positive"
        else:
            continue
        facts.append(Fact("margins", value, _prov(doc, m.start(), m.end()), confidence=0.75))
    for m in re.finditer(r"(?<![A-Za-z])R(?P<r>[012])(?![A-Za-z0-9])", doc.text):
        if re.search(
            r"(?:p?T\w*|N\w*|M\w*|V[012o]|L[01o])\W*$", doc.text[max(0, m.start() - 12) : m.start()]
        ):
            facts.append(
                Fact(
                    "margins",
                    "negative" if m.group("r") == "0" else "positive",
                    _prov(doc, m.start(), m.end()),
                    confidence=0.85,
                    detail={"residual_tumour": f"R{m.group('r')}"},
                )
            )
    return facts


def lymphovascular_invasion(doc: Document) -> list[Fact]:
    facts = []
    for m in LVI.finditer(doc.text):
        post = doc.text[m.end() : m.end() + 40]
        label = re.match(
            r"\s*[:\-]\s*(present|identified|seen|absent|not identified|"
            r"not seen|none|negative|positive|indeterminate|suspicious)",
            post,
            re.IGNORECASE,
        )
        if label:
            word = label.group(1).lower()
            value = (
                "absent"
                if word in ("absent", "not identified", "not seen", "none", "negative")
                else "indeterminate"
                if word in ("indeterminate", "suspicious")
                else "present"
            )
        else:
            a = doc.assertion(m.start(), m.end())
            value = {"present": "present", "absent": "absent", "possible": "indeterminate"}.get(
                a.status
            )
            if value is None:
                continue
        kind = (
            "perineural invasion"
            if "perineural" in m.group(0).lower()
            else "lymphovascular invasion"
        )
        facts.append(
            Fact(
                "perineural_invasion"
                if kind.startswith("perineural")
                else "lymphovascular_invasion",
                value,
                _prov(doc, m.start(), m.end()),
                confidence=0.8,
            )
        )
    for m in LVI_CODE.finditer(doc.text):
        lv = m.group("l").replace("o", "0").replace("O", "0")
        facts.append(
            Fact(
                "lymphovascular_invasion",
                "present" if lv == "1" else "absent",
                _prov(doc, m.start(), m.end()),
                confidence=0.8,
                detail={"code": m.group(0)},
            )
        )
    return facts


def grading_system(cancer_code: str | None) -> str:
    data = load("grading")
    for system, codes in data["systems"].items():
        if cancer_code in codes:
            return system
    return data["default"]


TWO_TIER = {"G1": "Low Grade", "G3": "High Grade", "G4": "High Grade"}


def grade(doc: Document, cancer_code: str | None = None) -> tuple[Fact | None, list[Fact]]:
    """The tumour's grade, read by the grading system of its site (data/grading.yaml)."""
    system = grading_system(cancer_code)
    data = load("grading")
    weak_evidence = data["evidence"]
    other_system = [
        re.compile(p, re.IGNORECASE) for p in data["other_systems"].get(cancer_code or "", [])
    ]
    facts = []
    for m in GRADE.finditer(doc.text):
        low = None  # the lower end of a range ("grade 3-4", "moderately to poorly")
        if m.group("g") or m.group("g2") or m.group("g3"):
            raw = (
                m.group("ghi") or m.group("g") or m.group("g3hi") or m.group("g3") or m.group("g2")
            ).upper()
            value = f"G{ROMAN.get(raw, raw)}"
            explicit = m.group("g") is not None or m.group("g3") is not None
            if m.group("ghi") or m.group("g3hi"):
                raw_low = (m.group("g") or m.group("g3")).upper()
                low = f"G{ROMAN.get(raw_low, raw_low)}"
        elif m.group("diff"):
            ends = [DIFF[d.lower()] for d in (m.group("diff"), m.group("diff2")) if d]
            value = max(ends)
            low = min(ends) if len(ends) == 2 else None
            explicit = False
            if system in ("explicit_only", "nuclear", "two_tier"):
                # Differentiation words do not give this site's grade: a fact only.
                facts.append(
                    Fact(
                        "grade",
                        value,
                        _prov(doc, m.start(), m.end()),
                        confidence=0.4,
                        detail={"text": m.group(0), "grading": system},
                    )
                )
                continue
        else:
            value = "High Grade" if m.group("hl").lower() == "high" else "Low Grade"
            explicit = system == "two_tier"
        if system == "two_tier" and value.startswith("G"):
            if value not in TWO_TIER:
                continue
            value = TWO_TIER[value]
            if low is not None:
                low = TWO_TIER.get(low)
        lower = m.group(0).lower()
        if "nuclear" in lower and "fuhrman" not in lower and system != "nuclear":
            continue  # DCIS nuclear grade is not the tumour grade
        a = doc.assertion(m.start(), m.end(), post_window=10)
        if a.status != "present":
            continue
        confidence = 0.85 if explicit else 0.65
        detail = {"text": m.group(0)}
        section = doc.section_at(m.start()).name
        s_start, s_end = doc.sentence_span(m.start())
        if low is not None and low != value:
            confidence, detail["weak"] = weak_evidence["range_confidence"], "a range of grades"
        elif m.group("g2") and section == "gross":
            confidence = weak_evidence["gross_code_confidence"]
            detail["weak"] = "a bare G code in the gross description (a block key)"
        elif any(p.search(doc.text, s_start, s_end) for p in other_system):
            confidence = weak_evidence["other_system_confidence"]
            detail["weak"] = "a grade on another grading system than the site's G grade"
        facts.append(
            Fact(
                "grade", value, _prov(doc, m.start(), m.end()), confidence=confidence, detail=detail
            )
        )
    explicit = [f for f in facts if f.confidence >= 0.85]
    pool = explicit or [f for f in facts if f.confidence >= 0.65]
    if not pool:
        return None, facts
    values = {f.value for f in pool}
    if len(values) == 1:
        return pool[0], facts
    numeric = sorted(v for v in values if v.startswith("G"))
    if values == {"High Grade", "Low Grade"} and explicit:
        return next(f for f in pool if f.value == "High Grade"), facts
    if explicit and numeric and len(numeric) == len(values):
        # Several tumours or components: the highest grade is the one reported.
        return next(f for f in pool if f.value == numeric[-1]), facts
    return None, facts


def laterality(doc: Document) -> list[Fact]:
    facts = []
    for m in LATERALITY.finditer(doc.text):
        side = m.group("side").lower().rstrip(".")
        side = {"lt": "left", "rt": "right"}.get(side, side)
        facts.append(
            Fact(
                "laterality",
                side,
                _prov(doc, m.start(), m.end()),
                confidence=0.8
                if doc.section_at(m.start()).name in ("diagnosis", "synoptic")
                else 0.6,
            )
        )
    return facts


def subdivided_groups(cancer_code: str | None) -> frozenset[str]:
    """The stage groups the site's AJCC 7th edition table divides into subgroups."""
    for spec in load("staging")["stage_groups"]["subdivided"].values():
        if cancer_code in spec["codes"]:
            return frozenset(spec["groups"])
    return frozenset()


def stage_group(doc: Document, cancer_code: str | None = None) -> tuple[Fact | None, list[Fact]]:
    """The stated stage group. Every statement is a fact; the summary answers only a
    complete group (not "I" where the site has IA and IB) stated as this specimen's (not
    in a historical statement), and only when those answers agree (data/staging.yaml)."""
    data = load("staging")
    rules = data["stage_groups"]
    pattern = re.compile(data["stage_pattern"], re.IGNORECASE)
    subdivided = subdivided_groups(cancer_code)
    facts = []
    for m in pattern.finditer(doc.text):
        stage = m.group("stage").upper()
        sub = (m.group("sub") or "").upper().strip()
        if (
            m.group("stage") not in ("0", "0is", "I", "II", "III", "IV")
            and not m.group("stage").isupper()
        ):
            continue
        if re.search(
            r"(?:clinical|c)\s*$", doc.text[max(0, m.start() - 10) : m.start()], re.IGNORECASE
        ):
            continue
        end = m.end("sub") if m.group("sub") else m.end("stage")
        confidence, detail = 0.85, {}
        assertion = doc.assertion(m.start(), end, post_window=10).status
        if assertion not in rules["weak_assertions"]:
            assertion = "present"
        else:
            confidence = rules["weak_assertion_confidence"]
            detail["weak"] = f"stated as {assertion}"
        if assertion == "present" and not sub and stage in subdivided:
            confidence = min(confidence, rules["incomplete_confidence"])
            detail["weak"] = f"the site's AJCC 7th edition divides stage {stage} into subgroups"
        facts.append(
            Fact(
                "stage_group",
                stage + sub,
                _prov(doc, m.start("stage"), end),
                confidence=confidence,
                assertion=assertion,
                detail=detail,
            )
        )
    strong = [f for f in facts if f.confidence >= rules["summary_min_confidence"]]
    if not strong:
        return None, facts
    values = {f.value for f in strong}
    return (strong[0] if len(values) == 1 else None), facts
