"""Cancer type (OncoTree code) and histology (ICD-O-3 morphology) from site and histology
lexicons (data/cancer_types.yaml).

Each histology mention votes for the rules that use it; a rule that needs a site gets
the share of site evidence near the mention and in the whole report. Section weights and
assertions (negated, historical) scale the vote. The winner must clearly lead; when two
subtypes of the same family are close, the family's code is answered instead (as
specific as the text supports), and when families are close, nothing is answered."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from consilium.engines.abstraction.lexicon import Matcher, load
from consilium.engines.abstraction.model import Fact, Provenance
from consilium.engines.abstraction.text import Document

NEAR = 160  # characters around a histology mention that count as "near"
#: A histology's home site stands in for a site only when the report names none.
HOME_SITE_FACTOR = 0.7
#: "Primary site: stomach", "Tumor site: cervix": the form field naming the primary
#: weighs this many times a site word elsewhere.
PRIMARY_SITE_WEIGHT = 3.0
PRIMARY_SITE_LABEL = re.compile(
    r"(?:primary (?:tumou?r )?site|site of (?:the )?primary(?: tumou?r)?|tumou?r site|"
    r"tumou?r location|anatomic(?:al)? site|primary organ)[^:.]{0,25}[:\-]\s*"
    r"(?:\w+[ ,/()-]{1,3}){0,3}?$",
    re.IGNORECASE,
)
#: "Incidental prostatic adenocarcinoma" in a cystoprostatectomy: a second, minor tumour.
INCIDENTAL = re.compile(r"incidental(?:ly)?\W+(?:[\w-]+\W+){0,3}$", re.IGNORECASE)
INCIDENTAL_WEIGHT = 0.25
STATED_MORPHOLOGY = re.compile(r"(?<![\w/])(?:M\s?[-:]?\s?)?([89]\d{3})\s?/\s?([0-3])(?![\w/])")
ASSERTION_WEIGHT = {
    "present": 1.0,
    "possible": 0.4,
    "historical": 0.25,
    "absent": 0.0,
    "not_performed": 0.0,
    "pending": 0.0,
}


@cache
def _mixed() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str], float]:
    """The histologies that have mixed-type codes and the wording that makes a mention of
    them mixed (data/cancer_types.yaml ``mixed_types``)."""
    spec = load("cancer_types")["mixed_types"]
    mixed = "|".join(spec["mixed_words"])
    component = "|".join(spec["component_words"])
    terms = "|".join(spec["component_terms"])
    # After the mention: "…, mixed mucinous", "(partim mucinosum)", "…, mucinous type",
    # "with mucinous differentiation", "and micropapillary component".
    after = re.compile(
        rf"^[\s,;:(-]{{0,4}}(?:(?:with|and|of(?: the)?)\s+)?(?:[\w-]+\s+){{0,2}}?"
        rf"(?:(?:{mixed})\b|(?:{component})\s+(?:[\w-]+\s+)?(?:{terms})\b)",
        re.IGNORECASE,
    )
    # Before it: "mixed infiltrating duct and mucinous carcinoma".
    before = re.compile(rf"\b(?:{mixed})\b(?:\W+[\w-]+){{0,4}}\W*$", re.IGNORECASE)
    return frozenset(spec["histologies"]), after, before, float(spec["confidence"])


def _mixed_with_another_type(doc: Document, kind: str, start: int, end: int) -> bool:
    histologies, after, before, _ = _mixed()
    if kind not in histologies:
        return False
    s_start, s_end = doc.sentence_span(start)
    return bool(
        after.match(doc.text[end : min(s_end, end + 80)])
        or before.search(doc.text[max(s_start, start - 60) : start])
    )


@dataclass(frozen=True)
class Rule:
    code: str
    histology: str
    sites: tuple[str, ...]
    weight: float


@cache
def _lexicon():
    data = load("cancer_types")
    sites = {
        name: (Matcher(spec["strong"]), Matcher(spec["weak"]) if spec.get("weak") else None)
        for name, spec in data["sites"].items()
    }
    histologies = {
        name: (Matcher(spec["patterns"], plural=True), spec)
        for name, spec in data["histologies"].items()
    }
    rules = [
        Rule(r["code"], r["histology"], tuple(r["sites"]), float(r["weight"]))
        for r in data["rules"]
    ]
    parents = dict(data.get("parents") or {})
    return sites, histologies, rules, parents


def family(code: str) -> str:
    parents = _lexicon()[3]
    while code in parents:
        code = parents[code]
    return code


@dataclass
class _Mention:
    kind: str
    start: int
    end: int
    weight: float


def _site_mentions(doc: Document) -> list[_Mention]:
    sites = _lexicon()[0]
    found = []
    for name, (strong, weak) in sites.items():
        for matcher, w in ((strong, 1.0), (weak, 0.3)):
            if matcher is None:
                continue
            for m in matcher.finditer(doc.text):
                weight = w * doc.weight_at(m.start())
                if PRIMARY_SITE_LABEL.search(doc.text[max(0, m.start() - 60) : m.start()]):
                    weight *= PRIMARY_SITE_WEIGHT
                found.append(_Mention(name, m.start(), m.end(), weight))
    return found


def _histology_mentions(doc: Document) -> list[_Mention]:
    histologies = _lexicon()[1]
    raw = []
    for name, (matcher, _spec) in histologies.items():
        for m in matcher.finditer(doc.text):
            raw.append((m.start(), m.end(), name))
    # Drop a mention inside a longer one ("ductal carcinoma" in "invasive ductal carcinoma").
    raw.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, name in raw:
        if any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in kept):
            continue
        kept.append((start, end, name))
    mentions = []
    for start, end, name in kept:
        assertion = doc.assertion(start, end, post_window=14, pre_window=40)
        w = ASSERTION_WEIGHT[assertion.status] * doc.weight_at(start)
        if INCIDENTAL.search(doc.text[max(0, start - 40) : start]):
            w *= INCIDENTAL_WEIGHT
        if w > 0:
            mentions.append(_Mention(name, start, end, w))
    return mentions


def classify(doc: Document) -> tuple[list[Fact], str | None, str | None]:
    """Facts for cancer type and histology, the summary OncoTree code and the ICD-O-3
    morphology (or None for each when the evidence is weak)."""
    sites_lex, histologies, rules, _ = _lexicon()
    site_mentions = _site_mentions(doc)
    histo_mentions = _histology_mentions(doc)
    facts: list[Fact] = []

    site_total: dict[str, float] = defaultdict(float)
    for s in site_mentions:
        site_total[s.kind] += s.weight
    all_sites = sum(site_total.values()) or 1.0
    named_site = bool(site_total)

    by_histology: dict[str, list[Rule]] = defaultdict(list)
    for r in rules:
        by_histology[r.histology].append(r)

    scores: dict[str, float] = defaultdict(float)
    best_mention: dict[str, tuple[float, _Mention]] = {}
    for h in histo_mentions:
        near = [s for s in site_mentions if s.end >= h.start - NEAR and s.start <= h.end + NEAR]
        near_total = sum(s.weight for s in near)
        home = histologies[h.kind][1].get("home_site")
        # Where a histology arises at several sites (urothelial: bladder or upper tract),
        # its site is weighed among those sites only: a cystoprostatectomy's many
        # "prostate" words say nothing about where its urothelial carcinoma is.
        candidates = {x for r in by_histology.get(h.kind, []) for x in r.sites}
        if candidates:
            pool = sum(site_total[x] for x in candidates) or 1.0
            near_pool = sum(s.weight for s in near if s.kind in candidates)
        else:
            pool, near_pool = all_sites, near_total
        for r in by_histology.get(h.kind, []):
            if r.sites and not named_site and home in r.sites:
                factor = HOME_SITE_FACTOR  # no site named anywhere: the histology's own
            elif r.sites:
                doc_share = sum(site_total[x] for x in r.sites) / pool
                if near_pool:
                    local = sum(s.weight for s in near if s.kind in r.sites) / near_pool
                    factor = 0.5 * local + 0.5 * doc_share
                else:
                    factor = doc_share
            else:
                factor = 1.0
            vote = h.weight * r.weight * factor
            if vote <= 0:
                continue
            scores[r.code] += vote
            if vote > best_mention.get(r.code, (0.0, h))[0]:
                best_mention[r.code] = (vote, h)

    code, confidence = _decide(scores)
    morphology = None
    stated = None
    # A stated ICD-O-3 code answers when the report states one malignant code; a
    # checklist printing every option's code ("Adenoid cystic carcinoma 8200/3 ...
    # Invasive lobular carcinoma 8520/3") states none in particular.
    malignant = [m for m in STATED_MORPHOLOGY.finditer(doc.text) if m.group(2) == "3"]
    if len({f"{m.group(1)}/3" for m in malignant}) == 1:
        stated = (f"{malignant[0].group(1)}/3", malignant[0])
    if code is not None:
        vote, h = best_mention.get(code) or max(best_mention.values(), key=lambda t: t[0])
        facts.append(
            Fact(
                "cancer_type",
                code,
                _prov(doc, h.start, h.end),
                confidence=round(confidence, 2),
                detail={
                    "histology_mention": doc.text[h.start : h.end],
                    "scores": {
                        k: round(v, 2) for k, v in sorted(scores.items(), key=lambda kv: -kv[1])[:4]
                    },
                },
            )
        )
        histo_spec = histologies[h.kind][1]
        # A "not otherwise specified" code is a fact, not an answer: registries record
        # the specific subtype, which the mention does not give.
        morphology = (
            None if histo_spec.get("nos") or histo_spec.get("ambiguous") else histo_spec["icdo3"]
        )
        histology_confidence = round(min(confidence, 0.8), 2)
        detail = {"name": histo_spec["name"]}
        if morphology is not None and _mixed_with_another_type(doc, h.kind, h.start, h.end):
            # A mixed tumour has its own combination code, which the mention does not give.
            histology_confidence = min(histology_confidence, _mixed()[3])
            detail["weak"] = "mixed with another histologic type (a combination code applies)"
            fact_value, morphology = morphology, None
        else:
            fact_value = morphology
        facts.append(
            Fact(
                "histology",
                fact_value,
                _prov(doc, h.start, h.end),
                basis="inferred" if stated is None else "stated",
                inferred_from=(
                    f"ICD-O-3 morphology of '{doc.text[h.start : h.end]}' ({histo_spec['name']})"
                ),
                confidence=histology_confidence,
                detail=detail,
            )
        )
    if stated is not None:
        code_str, m = stated
        facts = [f for f in facts if f.name != "histology"]
        facts.append(
            Fact(
                "histology",
                code_str,
                _prov(doc, m.start(1), m.end(2)),
                confidence=0.95,
                detail={"icdo3": code_str},
            )
        )
        morphology = code_str
    return facts, code, morphology


def _decide(scores: dict[str, float]) -> tuple[str | None, float]:
    total = sum(scores.values())
    if total <= 0:
        return None, 0.0
    families: dict[str, float] = defaultdict(float)
    for code, s in scores.items():
        families[family(code)] += s
    ranked_families = sorted(families.items(), key=lambda kv: -kv[1])
    top_family, top_score = ranked_families[0]
    family_confidence = top_score / total
    if top_score < 0.6 or family_confidence < 0.55:
        return None, family_confidence
    members = sorted(
        ((c, s) for c, s in scores.items() if family(c) == top_family), key=lambda kv: -kv[1]
    )
    subtypes = [(c, s) for c, s in members if c != top_family]
    if not subtypes:
        return top_family, family_confidence
    # A generic mention ("renal cell carcinoma") is compatible with any subtype, so a
    # subtype must lead the other subtypes only; otherwise the family code is answered.
    best, best_score = subtypes[0]
    share = best_score / sum(s for _, s in subtypes)
    if share < 0.6:
        return top_family, family_confidence
    return best, family_confidence * share**0.5


def _prov(doc: Document, start: int, end: int) -> Provenance:
    return Provenance(doc.document_id, start, end, doc.sentence(start), doc.section_at(start).name)
