"""The FHIR engine's code tables (data/*.yaml), loaded once, and lookups over them.

Knowledge lives in the data files, each naming its public source; this module only
indexes them. Systems are the canonical FHIR URIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from consilium.engines.abstraction.lexicon import Matcher
from consilium.engines.abstraction.lexicon import load as load_abstraction

DATA = Path(__file__).with_name("data")

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
HGNC = "http://www.genenames.org/geneId"
AJCC = "http://cancerstaging.org"
# OncoTree has no HL7-registered URI; this is the one its own site answers at.
ONCOTREE = "https://oncotree.mskcc.org"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"


@cache
def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text())


def versions() -> dict[str, str]:
    return {p.stem: str(load(p.stem).get("version")) for p in sorted(DATA.glob("*.yaml"))}


# --- mCODE profiles -----------------------------------------------------------------------


@cache
def _profiles() -> tuple[dict[str, str], dict[str, str]]:
    data = load("mcode_profiles")
    base = data["base"]
    by_key = {key: base + name for key, name in data["profiles"].items()}
    by_url = {url: key for key, url in by_key.items()}
    for name, key in (data.get("earlier") or {}).items():
        by_url[base + name] = key
    return by_key, by_url


def profile_url(key: str) -> str:
    return _profiles()[0][key]


def profile_keys(resource: dict) -> set[str]:
    """The mCODE profiles a resource declares in meta.profile (version suffix ignored)."""
    meta = resource.get("meta") or {}
    found = set()
    for url in meta.get("profile") or []:
        if isinstance(url, str):
            key = _profiles()[1].get(url.split("|", 1)[0])
            if key:
                found.add(key)
    return found


# --- conditions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CancerCode:
    kind: str  # primary | secondary
    oncotree: str | None = None
    stage_group: str | None = None
    site: str | None = None
    brain_metastases: bool = False


def _icd_key(code: str) -> str:
    return code.replace(".", "").strip().upper()


@cache
def _icd_tables() -> tuple[dict[str, str], dict[str, dict]]:
    data = load("condition_codes")["icd10cm"]
    return (
        {_icd_key(k): v for k, v in data["primary"].items()},
        {_icd_key(k): v for k, v in data["secondary"].items()},
    )


def cancer_code(system: str | None, code: str | None) -> CancerCode | None:
    """What a condition code says about cancer: primary (with its OncoTree code when
    known) or secondary; None when the code is not a cancer in the tables."""
    if not code:
        return None
    if system in (ICD10CM, ICD10):
        key = _icd_key(code)
        primary, secondary = _icd_tables()
        for n in range(len(key), 2, -1):
            if key[:n] in secondary:
                entry = secondary[key[:n]]
                return CancerCode(
                    "secondary",
                    site=entry.get("site"),
                    brain_metastases=bool(entry.get("brain_metastases")),
                )
            if key[:n] in primary:
                return CancerCode("primary", oncotree=primary[key[:n]])
        return None
    if system == SNOMED:
        entry = load("condition_codes")["snomed"].get(code)
        if entry is None:
            return None
        return CancerCode(
            entry["kind"],
            oncotree=entry.get("oncotree"),
            stage_group=entry.get("stage_group"),
            site=entry.get("site"),
            brain_metastases=bool(entry.get("brain_metastases")),
        )
    return None


def icdo3_from_snomed(code: str) -> str | None:
    entry = load("condition_codes")["morphology"].get(code)
    return entry["icdo3"] if entry else None


# --- observations -------------------------------------------------------------------------


def staging(code: str) -> dict | None:
    return load("observation_codes")["staging"].get(code)


def staging_code(fact: str, staging_type: str, axis: str | None = None) -> tuple[str, str]:
    """The LOINC code (and display) the writer uses for a stage group or a category."""
    for code, entry in load("observation_codes")["staging"].items():
        if entry["staging"] != staging_type:
            continue
        if (fact == "stage_group" and entry.get("fact") == "stage_group") or (
            axis is not None and entry.get("axis") == axis
        ):
            return code, entry["display"]
    raise KeyError((fact, staging_type, axis))


def marker(code: str) -> str | None:
    entry = load("observation_codes")["markers"].get(code)
    return entry["symbol"] if entry else None


def marker_code(symbol: str) -> tuple[str, str] | None:
    for code, entry in load("observation_codes")["markers"].items():
        if entry["symbol"].upper() == symbol.upper():
            return code, entry["display"]
    return None


def genomic(key: str) -> tuple[str, str]:
    entry = load("observation_codes")["genomic"][key]
    return entry["code"], entry["display"]


@cache
def genes() -> frozenset[str]:
    return frozenset(g.upper() for g in load("observation_codes")["genes"])


def ecog_code() -> tuple[str, str]:
    entry = load("observation_codes")["performance"]["ecog"]
    return entry["code"], entry["display"]


def result_status(system: str | None, code: str | None) -> str | None:
    table = load("observation_codes")["results"].get(system or "") or {}
    return table.get(code or "")


def above_range(system: str | None, code: str | None) -> bool | None:
    """Whether an interpretation code puts a number above its reference range (H, HH),
    not above it (N, L), or says neither (None)."""
    table = load("observation_codes")["range_flags"].get(system or "") or {}
    flag = table.get(code or "")
    return flag if isinstance(flag, bool) else None


def range_interpretation(elevated: bool) -> dict:
    """The interpretation coding the writer gives a value above its range (H) or not (N)."""
    return dict(load("observation_codes")["write_range_flags"]["above" if elevated else "within"])


UCUM = "http://unitsofmeasure.org"


@cache
def _ucum_folded() -> dict[str, str]:
    return {unit.casefold(): code for unit, code in load("observation_codes")["ucum"].items()}


def ucum(unit: str) -> str | None:
    """The UCUM code of a unit as written ("ng/mL", also "ng/ml"); None when the table
    does not have it."""
    table = load("observation_codes")["ucum"]
    return table.get(unit) or _ucum_folded().get(unit.strip().casefold())


def write_result(kind: str, status: str) -> dict | None:
    entry = load("observation_codes")["write_results"][kind].get(status)
    return dict(entry) if entry else None


@cache
def _result_words() -> list[tuple[str, re.Pattern[str]]]:
    data = load("observation_codes")["result_words"]
    return [(status, _words(patterns)) for status, patterns in data.items()]


def status_from_words(text: str) -> str | None:
    for status, pattern in _result_words():
        if pattern.search(text):
            return status
    return None


@cache
def _msi_words() -> list[tuple[str, re.Pattern[str]]]:
    data = load("observation_codes")["msi_words"]
    return [(value, _words(patterns)) for value, patterns in data.items()]


def msi_value(text: str) -> str | None:
    for value, pattern in _msi_words():
        if pattern.search(text):
            return value
    return None


def document_kind(loinc: str | None = None, category: str | None = None) -> str | None:
    data = load("observation_codes")
    if loinc and loinc in data["document_types"]:
        return data["document_types"][loinc]
    if category and category in data["report_categories"]:
        return data["report_categories"][category]
    return None


@cache
def _marker_names() -> list[tuple[str, Matcher]]:
    markers = load_abstraction("biomarkers")["markers"]
    return [(name, Matcher(spec["patterns"])) for name, spec in markers.items()]


def marker_from_text(text: str) -> str | None:
    """The biomarker a code's text names ("Estrogen receptor Ag ..." -> ER), from the
    text abstraction's marker vocabulary; the earliest, longest mention wins."""
    best = None
    for name, matcher in _marker_names():
        m = matcher.search(text)
        if m and (best is None or (m.start(), -m.end()) < best[0]):
            best = ((m.start(), -m.end()), name)
    return best[1] if best else None


# --- treatments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Therapy:
    name: str  # the word matched, lower case ("paclitaxel")
    kind: str  # the fact class


@cache
def _therapy_matchers() -> list[tuple[str, Matcher]]:
    classes = load("treatments")["classes"]
    vocab = load_abstraction("treatments")
    return [(fact_class, Matcher(vocab[source])) for source, fact_class in classes.items()]


def therapies_in(text: str) -> list[Therapy]:
    """Every treatment word in ``text`` with its class, in order of appearance; a word
    found inside a longer match of another class is not repeated."""
    hits = []
    for kind, matcher in _therapy_matchers():
        for m in matcher.finditer(text):
            hits.append((m.start(), -m.end(), m.group(0).lower(), kind))
    hits.sort()
    found: list[Therapy] = []
    end = -1
    for start, neg_end, word, kind in hits:
        if start < end:
            continue
        end = -neg_end
        found.append(Therapy(word, kind))
    return found


def procedure_classes(code: str) -> tuple[tuple[str, ...], str | None] | None:
    entry = load("treatments")["procedures"].get(code)
    if entry is None:
        return None
    return tuple(entry["classes"]), entry.get("value")


def procedure_code_for(kind: str) -> tuple[str, str] | None:
    code = load("treatments")["write_procedure_codes"].get(kind)
    if code is None:
        return None
    return code, load("treatments")["procedures"][code]["display"]


def systemic_classes() -> frozenset[str]:
    return frozenset(load("treatments")["systemic"])


def fact_class(kind: str | None) -> str | None:
    """A treatment class in the facts' vocabulary (the abstraction's "targeted_therapy"
    is the profile's "targeted")."""
    if kind is None:
        return None
    return load("treatments")["classes"].get(kind, kind)


def _words(patterns: list[str]) -> re.Pattern[str]:
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in ordered) + r")(?!\w)", re.IGNORECASE
    )
