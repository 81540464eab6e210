"""One FHIR resource to plain facts and documents, in the case-fact vocabulary.

mCODE resources are recognized by the profile they declare in meta.profile and, when
they declare none, by their codes (SNOMED CT and ICD-10-CM conditions, LOINC staging,
tumor marker and genomic codes, drug names, procedure codes), from the tables in
data/. A resource that says nothing the case facts can hold raises ``Skip`` with the
reason, so the importer can count it instead of dropping it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

from consilium.engines.fhir import codes
from consilium.engines.fhir.model import Extract, PlainDocument, PlainFact
from consilium.engines.fhir.patients import normalize_reference
from consilium.engines.knowledge.oncotree import shipped_tree

#: The resource types whose content becomes facts or documents.
MAPPED = (
    "Condition",
    "Observation",
    "DiagnosticReport",
    "DocumentReference",
    "MedicationRequest",
    "MedicationAdministration",
    "Procedure",
)
TEXT_TYPES = ("text/plain", "text/html")


class Skip(Exception):
    """The resource is valid and the member's, but holds nothing for the case facts."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Context:
    """What other resources of the same input say: Medications by reference, and which
    Conditions are cancers (a Procedure done for one is cancer-related)."""

    medications: dict[str, dict] = field(default_factory=dict)
    cancer_conditions: set[str] = field(default_factory=set)

    def medication(self, ref: str) -> dict | None:
        return self.medications.get(ref) or self.medications.get(normalize_reference(ref))


@dataclass(frozen=True)
class Coding:
    system: str | None
    code: str | None
    display: str | None

    def as_dict(self) -> dict[str, str]:
        out = {"system": self.system, "code": self.code, "display": self.display}
        return {k: v for k, v in out.items() if v}


def extract(resource: dict, reference: str, where: str, ctx: Context) -> Extract:
    kind = resource["resourceType"]
    ex = Extract(reference, kind, where)
    handler = {
        "Condition": _condition,
        "Observation": _observation,
        "DiagnosticReport": _diagnostic_report,
        "DocumentReference": _document_reference,
        "MedicationRequest": _medication,
        "MedicationAdministration": _medication,
        "Procedure": _procedure,
    }[kind]
    handler(resource, ex, ctx)
    if not ex.facts and not ex.documents:
        raise Skip(ex.notes[0] if ex.notes else f"{kind} holds nothing for the case facts")
    return ex


# --- small readers ------------------------------------------------------------------------


def codings(concept: Any) -> list[Coding]:
    if not isinstance(concept, dict):
        return []
    out = []
    for c in concept.get("coding") or []:
        if isinstance(c, dict):
            out.append(Coding(c.get("system"), _str(c.get("code")), c.get("display")))
    return out


def concept_text(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return concept["text"].strip()
    for c in codings(concept):
        if c.display:
            return c.display.strip()
    return ""


def _all_words(concept: Any) -> str:
    """Text, displays and codes of a concept, for word matching."""
    if not isinstance(concept, dict):
        return ""
    parts = [concept.get("text") or ""]
    for c in codings(concept):
        parts += [c.display or "", c.code or ""]
    return " | ".join(p for p in parts if isinstance(p, str) and p)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def as_date(value: Any) -> date | None:
    """The date of a FHIR date or dateTime as written (its own day, not converted to
    another time zone); a partial date ("2021-03", "2021") is its first day."""
    if not isinstance(value, str):
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _first_date(resource: dict, *paths: str) -> date | None:
    for path in paths:
        value: Any = resource
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        found = as_date(value)
        if found:
            return found
    return None


def _status_code(concept: Any) -> str | None:
    for c in codings(concept):
        if c.code:
            return c.code
    return None


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _recognized(ex_detail: dict, profiles: set[str], profile_key: str | None) -> dict:
    if profile_key and profile_key in profiles:
        ex_detail["recognized_by"] = "profile"
        ex_detail["profile"] = codes.profile_url(profile_key)
    else:
        ex_detail["recognized_by"] = "code"
    return ex_detail


# --- Condition ----------------------------------------------------------------------------


def _is_oncotree(system: str | None) -> bool:
    return bool(system) and "oncotree" in system.lower()


def _condition(res: dict, ex: Extract, ctx: Context) -> None:
    verification = _status_code(res.get("verificationStatus"))
    if verification in ("refuted", "entered-in-error"):
        raise Skip(f"Condition verification status is {verification}")
    profiles = codes.profile_keys(res)
    concept = res.get("code") or {}
    found, used = None, None
    for c in codings(concept):
        cancer = codes.cancer_code(c.system, c.code)
        if cancer is not None:
            found, used = cancer, c
            break
    onco = next((c for c in codings(concept) if _is_oncotree(c.system) and c.code), None)
    if "secondary_cancer_condition" in profiles:
        kind = "secondary"
    elif "primary_cancer_condition" in profiles:
        kind = "primary"
    elif found is not None:
        kind = found.kind
    elif onco is not None:
        kind = "primary"
    else:
        raise Skip("Condition is not a cancer in the code tables (SNOMED CT, ICD-10-CM)")

    when = _first_date(res, "onsetDateTime", "onsetPeriod.start", "recordedDate")
    profile_key = f"{kind}_cancer_condition"
    base = _recognized({}, profiles, profile_key)
    clinical = _status_code(res.get("clinicalStatus"))
    if clinical:
        base["clinical_status"] = clinical
    text = concept_text(concept)

    if kind == "secondary":
        site = concept_text((res.get("bodySite") or [None])[0]) or (found.site if found else "")
        detail = {**base, "code": (used or _first_coding(concept)).as_dict(), "site": site}
        ex.facts.append(PlainFact("metastatic", "true", text or "Metastatic disease", detail, when))
        if found is not None and found.brain_metastases:
            ex.facts.append(PlainFact("brain_metastases", "true", text, dict(detail), when))
        return

    tree = shipped_tree()
    code = None
    if onco is not None and tree.by_code(onco.code.upper()):
        code = onco.code.upper()
    elif found is not None and found.kind == "primary":
        code = found.oncotree
    if code is None:
        shown = used or _first_coding(concept)
        ex.notes.append(
            f"cancer condition code {shown.system or ''} {shown.code or text!r} has no OncoTree "
            "mapping in engines/fhir/data/condition_codes.yaml: no cancer_type fact"
        )
    else:
        node = tree.by_code(code)
        detail = {**base, "code": (used or onco or _first_coding(concept)).as_dict()}
        if node is not None:
            detail["oncotree_name"] = node.name
        ex.facts.append(PlainFact("cancer_type", code, node.name if node else text, detail, when))

    histology = _histology(res, ex)
    if histology is not None:
        ex.facts.append(
            PlainFact("histology", histology[0], histology[1], {**base, "from": "extension"}, when)
        )
    stage = None
    for item in res.get("stage") or []:
        if isinstance(item, dict):
            stage = _stage_group(_candidates(item.get("summary")))
            if stage:
                break
    if stage is None and found is not None and found.stage_group:
        stage = found.stage_group
    if stage:
        ex.facts.append(
            PlainFact("stage_group", stage, f"Stage {stage}", {**base, "from": "condition"}, when)
        )


def _first_coding(concept: Any) -> Coding:
    found = codings(concept)
    return found[0] if found else Coding(None, None, concept_text(concept) or None)


def _histology(res: dict, ex: Extract) -> tuple[str, str] | None:
    url = codes.profile_url("histology_morphology_behavior")
    for extension in res.get("extension") or []:
        if not isinstance(extension, dict) or extension.get("url") != url:
            continue
        concept = extension.get("valueCodeableConcept")
        for c in codings(concept):
            if c.system == codes.ICDO3 and c.code:
                return c.code, c.display or concept_text(concept)
            if c.system == codes.SNOMED and c.code:
                icdo3 = codes.icdo3_from_snomed(c.code)
                if icdo3:
                    return icdo3, c.display or concept_text(concept)
        ex.notes.append(
            f"histology {concept_text(concept)!r} has no ICD-O-3 mapping: no histology fact"
        )
    return None


# --- values: stage, categories, statuses ---------------------------------------------------

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
_STAGE = re.compile(
    r"(?<![A-Za-z0-9])(?:stage\s*)?(?P<g>IV|I{1,3}|0|[1-4]|IS)(?P<s>[A-C][12]?)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_CATEGORY = re.compile(
    r"(?<![A-Za-z0-9])(?P<pre>y?r?[cpa]?)(?P<axis>[TNM])\s?(?P<cat>is|X|x|[0-4])"
    r"(?P<sub>mi|[a-d][12]?)?(?![A-Za-z0-9])"
)


def _candidates(concept: Any) -> list[str]:
    """Codes first (an AJCC code keeps the prefix: "ypT2"), then displays and text."""
    out: list[str] = []
    if isinstance(concept, dict):
        found = codings(concept)
        out += [c.code for c in found if c.code]
        out += [c.display for c in found if c.display]
        if isinstance(concept.get("text"), str):
            out.append(concept["text"])
    return out


def _stage_group(candidates: Iterable[str]) -> str | None:
    for raw in candidates:
        m = _STAGE.search(raw.strip())
        if m:
            group = m.group("g").upper()
            group = _ROMAN.get(group, group)
            return group + (m.group("s") or "").upper()
    return None


def _category(candidates: Iterable[str], axis: str) -> tuple[str, str] | None:
    """("T2", "p") from "pT2", "T2 category", or a bare "2" for a T observation."""
    for raw in candidates:
        raw = raw.strip()
        for m in _CATEGORY.finditer(raw):
            if m.group("axis") != axis:
                continue
            cat = m.group("cat")
            cat = "is" if cat.lower() == "is" else cat.upper()
            return f"{axis}{cat}{(m.group('sub') or '').lower()}", m.group("pre").lower()
        bare = re.fullmatch(r"(is|X|x|[0-4])(mi|[a-d][12]?)?", raw)
        if bare:
            cat = bare.group(1)
            cat = "is" if cat.lower() == "is" else cat.upper()
            return f"{axis}{cat}{(bare.group(2) or '').lower()}", ""
    return None


def _value_strings(res: dict) -> list[str]:
    out = []
    if isinstance(res.get("valueString"), str):
        out.append(res["valueString"])
    out += _candidates(res.get("valueCodeableConcept"))
    return out


# --- Observation --------------------------------------------------------------------------

_TNM_PROFILES = {
    "tnm_stage_group": None,
    "tnm_primary_tumor_category": "T",
    "tnm_regional_nodes_category": "N",
    "tnm_distant_metastases_category": "M",
}


def _observation(res: dict, ex: Extract, ctx: Context) -> None:
    status = res.get("status")
    if status in ("entered-in-error", "cancelled"):
        raise Skip(f"Observation status is {status}")
    profiles = codes.profile_keys(res)
    concept = res.get("code") or {}
    loinc = [c.code for c in codings(concept) if c.system == codes.LOINC and c.code]
    when = _first_date(res, "effectiveDateTime", "effectivePeriod.start", "issued")

    tnm_profile = next((k for k in _TNM_PROFILES if k in profiles), None)
    stage_entry = next((codes.staging(c) for c in loinc if codes.staging(c)), None)
    if tnm_profile or stage_entry:
        _staging(res, ex, profiles, tnm_profile, stage_entry, when)
        return
    variant_code = codes.genomic("variant")[0]
    if "genomic_variant" in profiles or variant_code in loinc:
        _variant(res, ex, profiles, when)
        return
    ecog = codes.ecog_code()[0]
    if "ecog_performance_status" in profiles or ecog in loinc:
        _ecog(res, ex, profiles, when)
        return
    symbol = next((codes.marker(c) for c in loinc if codes.marker(c)), None)
    if "tumor_marker_test" in profiles or symbol:
        if symbol is None:
            symbol = codes.marker_from_text(_all_words(concept))
        if symbol is None:
            raise Skip("tumor marker test names no biomarker the tables know")
        _marker(res, ex, profiles, symbol, when)
        return
    raise Skip(
        "Observation is not a stage, tumor marker, genomic variant or ECOG score in the tables"
    )


def _staging(res, ex, profiles, tnm_profile, stage_entry, when) -> None:
    axis = _TNM_PROFILES.get(tnm_profile) if tnm_profile else None
    if stage_entry is not None:
        axis = stage_entry.get("axis", axis)
    staging_type = stage_entry["staging"] if stage_entry else None
    detail = _recognized({}, profiles, tnm_profile)
    code = _first_coding(res.get("code"))
    detail["code"] = code.as_dict()
    values = _value_strings(res)
    if axis is None:  # stage group
        stage = _stage_group(values)
        if stage is None:
            raise Skip(f"stage group value {values[:1] or 'missing'} is not a stage")
        if staging_type:
            detail["staging"] = staging_type
        ex.facts.append(PlainFact("stage_group", stage, f"Stage {stage}", detail, when))
        return
    found = _category(values, axis)
    if found is None:
        raise Skip(f"{axis} category value {values[:1] or 'missing'} is not a {axis} category")
    value, prefix = found
    clinical = prefix.endswith("c") or (not prefix and staging_type == "clinical")
    detail["prefix"] = prefix or ("c" if clinical else "p")
    detail["staging"] = staging_type or ("clinical" if clinical else "pathologic")
    name = f"{'c' if clinical else 'p'}{axis}"
    ex.facts.append(PlainFact(name, value, f"{name[0]}{value}", detail, when))


def _status_of(res: dict, symbol: str | None = None) -> tuple[str | None, dict]:
    """(value, detail) of a result: a status word, an MSI class, a number with its
    unit, or the text as written."""
    detail: dict = {}
    concept = res.get("valueCodeableConcept")
    if concept is not None:
        for c in codings(concept):
            status = codes.result_status(c.system, c.code)
            if status:
                return status, detail
        words = _all_words(concept)
        if symbol == "MSI" and codes.msi_value(words):
            return codes.msi_value(words), detail
        status = codes.status_from_words(words)
        if status:
            return status, detail
        text = concept_text(concept)
        return (text or None), detail
    if isinstance(res.get("valueString"), str):
        text = res["valueString"].strip()
        if symbol == "MSI" and codes.msi_value(text):
            return codes.msi_value(text), detail
        return (codes.status_from_words(text) if _is_status_phrase(text) else text) or None, detail
    quantity = res.get("valueQuantity")
    if isinstance(quantity, dict) and quantity.get("value") is not None:
        number = _number(quantity["value"])
        unit = quantity.get("unit") or quantity.get("code") or ""
        comparator = quantity.get("comparator") or ""
        detail["value"] = number
        if unit:
            detail["unit"] = unit
        if unit == "%":
            detail["percent"] = quantity_text(number, unit, comparator)
        return quantity_text(number, unit, comparator), detail
    if res.get("valueInteger") is not None:
        detail["value"] = _number(res["valueInteger"])
        return detail["value"], detail
    if isinstance(res.get("valueBoolean"), bool):
        return ("positive" if res["valueBoolean"] else "negative"), detail
    for interpretation in res.get("interpretation") or []:
        for c in codings(interpretation):
            status = codes.result_status(c.system, c.code)
            if status:
                return status, detail
    return None, detail


def quantity_text(number: str, unit: str = "", comparator: str = "") -> str:
    """ "12 mut/Mb", "20%" (a percent sign sticks to its number, as in reports)."""
    sep = "" if unit == "%" else " "
    return f"{comparator}{number}{sep}{unit}".strip()


def _is_status_phrase(text: str) -> bool:
    """A short result phrase ("Positive", "Not detected"), not a sentence with numbers."""
    return len(text) <= 40 and not re.search(r"\d", text) and bool(codes.status_from_words(text))


def _marker(res, ex, profiles, symbol, when) -> None:
    value, extra = _status_of(res, symbol)
    detail = _recognized({}, profiles, "tumor_marker_test")
    detail["code"] = _first_coding(res.get("code")).as_dict()
    detail.update(extra)
    # Interpretation beside a number ("12 mut/Mb", High) is kept with the number; H or
    # N against the reference range is the "elevated" flag a serum marker's value carries
    # (as the text abstraction reads it from "(H)" or "normal").
    if "value" in extra:
        quantity = res.get("valueQuantity") or {}
        if quantity.get("comparator"):
            detail["comparator"] = quantity["comparator"]
        for interpretation in res.get("interpretation") or []:
            for c in codings(interpretation):
                status = codes.result_status(c.system, c.code)
                if status:
                    detail["status"] = status
                flag = codes.above_range(c.system, c.code)
                if flag is not None:
                    detail["elevated"] = flag
    _components(res, detail)
    assertion = "present"
    if value is None:
        if res.get("status") in ("registered", "preliminary"):
            value, assertion = "pending", "pending"
        else:
            raise Skip(f"{symbol} result has no value")
    ex.facts.append(PlainFact(symbol, value, f"{symbol} {value}", detail, when, assertion))


def _components(res: dict, detail: dict) -> None:
    aa = codes.genomic("amino_acid_change")[0]
    dna = codes.genomic("dna_change")[0]
    for comp in res.get("component") or []:
        if not isinstance(comp, dict):
            continue
        code = comp.get("code") or {}
        keys = {c.code for c in codings(code) if c.system == codes.LOINC}
        value = comp.get("valueString") or concept_text(comp.get("valueCodeableConcept"))
        if not value:
            continue
        if aa in keys:
            detail["variant"] = value
        elif dna in keys:
            detail["dna_change"] = value
        elif not keys and concept_text(code).lower() in ("alteration", "variant", "score"):
            detail[concept_text(code).lower()] = value


def _variant(res, ex, profiles, when) -> None:
    gene_code = codes.genomic("gene_studied")[0]
    gene = None
    for comp in res.get("component") or []:
        if not isinstance(comp, dict):
            continue
        if gene_code in {c.code for c in codings(comp.get("code"))}:
            concept = comp.get("valueCodeableConcept")
            gene = next((c.display for c in codings(concept) if c.display), None) or concept_text(
                concept
            )
            break
    if not gene:
        raise Skip("genomic variant names no gene studied (component 48018-6)")
    symbol = codes.marker_from_text(gene) or gene.strip().upper()
    value, extra = _status_of(res, symbol)
    detail = _recognized({}, profiles, "genomic_variant")
    detail["gene"] = gene
    detail.update(extra)
    _components(res, detail)
    assertion = "present"
    if value is None:
        if "variant" in detail:
            value = "positive"  # a named variant is a finding
        elif res.get("status") in ("registered", "preliminary"):
            value, assertion = "pending", "pending"
        else:
            raise Skip(f"{symbol} variant result has no value")
    ex.facts.append(PlainFact(symbol, value, f"{symbol} {value}", detail, when, assertion))


def _ecog(res, ex, profiles, when) -> None:
    score = None
    if res.get("valueInteger") is not None:
        score = _number(res["valueInteger"])
    else:
        for raw in _value_strings(res):
            m = re.search(r"(?<!\d)([0-5])(?!\d)", raw)
            if m:
                score = m.group(1)
                break
    if score is None or score not in "012345":
        raise Skip("ECOG performance status has no score 0-5")
    detail = _recognized({}, profiles, "ecog_performance_status")
    ex.facts.append(PlainFact("ecog", score, f"ECOG {score}", detail, when))


# --- DiagnosticReport and DocumentReference --------------------------------------------------


def _diagnostic_report(res: dict, ex: Extract, ctx: Context) -> None:
    status = res.get("status")
    if status in ("entered-in-error", "cancelled"):
        raise Skip(f"DiagnosticReport status is {status}")
    profiles = codes.profile_keys(res)
    categories = [c.code for cat in res.get("category") or [] for c in codings(cat)]
    loinc = [c.code for c in codings(res.get("code")) if c.system == codes.LOINC]
    kind = next((codes.document_kind(loinc=c) for c in loinc if codes.document_kind(loinc=c)), None)
    kind = kind or next(
        (codes.document_kind(category=c) for c in categories if codes.document_kind(category=c)),
        None,
    )
    if "genomics_report" in profiles:
        kind = "genomic_lab_report"
    title = concept_text(res.get("code")) or "Diagnostic report"
    when = _first_date(res, "effectiveDateTime", "effectivePeriod.start", "issued")
    for i, attachment in enumerate(res.get("presentedForm") or []):
        _attachment(attachment, i, title, when, kind or "other", ex)
    # Results contained in the report itself; results that are resources of their own
    # are read from those resources.
    contained = {
        c.get("id"): c
        for c in res.get("contained") or []
        if isinstance(c, dict) and c.get("resourceType") == "Observation"
    }
    for result in res.get("result") or []:
        ref = result.get("reference") if isinstance(result, dict) else None
        if isinstance(ref, str) and ref.startswith("#") and ref[1:] in contained:
            try:
                _observation(contained[ref[1:]], ex, ctx)
            except Skip as skip:
                ex.notes.append(f"contained {ref}: {skip.reason}")
    if not ex.facts and not ex.documents and not ex.notes:
        ex.notes.append(
            "DiagnosticReport has no attachment (presentedForm) and no contained results; "
            "its results are read from their own Observation resources"
        )


def _document_reference(res: dict, ex: Extract, ctx: Context) -> None:
    status = res.get("status")
    if status == "entered-in-error":
        raise Skip("DocumentReference status is entered-in-error")
    concept = res.get("type")
    loinc = [c.code for c in codings(concept) if c.system == codes.LOINC]
    kind = next((codes.document_kind(loinc=c) for c in loinc if codes.document_kind(loinc=c)), None)
    title = res.get("description") or concept_text(concept) or "Clinical document"
    when = _first_date(res, "date", "context.period.start")
    for i, content in enumerate(res.get("content") or []):
        attachment = content.get("attachment") if isinstance(content, dict) else None
        _attachment(attachment, i, title, when, kind or "clinical_note", ex)
    if not ex.documents and not ex.notes:
        ex.notes.append("DocumentReference has no attachment")


def _attachment(att: Any, index: int, title: str, when: date | None, kind: str, ex: Extract):
    if not isinstance(att, dict):
        return
    media = (att.get("contentType") or "").split(";")[0].strip().lower()
    if att.get("data") is None:
        if att.get("url"):
            ex.notes.append(
                f"attachment {index} is a link ({att['url']}), which is not fetched: "
                "send the content inline (attachment.data)"
            )
        else:
            ex.notes.append(f"attachment {index} has no content")
        return
    try:
        content = base64.b64decode(att["data"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        ex.notes.append(f"attachment {index} is not valid base64")
        return
    if not content:
        ex.notes.append(f"attachment {index} is empty")
        return
    name = att.get("title") or title
    out_media = media or "application/octet-stream"
    if media == "text/html":
        # Kept as its text: the records engine reads plain text, and tags would reach
        # the abstraction as words.
        content = html_to_text(content.decode("utf-8", errors="replace")).encode("utf-8")
        out_media = "text/plain"
    ext = {"text/plain": ".txt", "application/pdf": ".pdf"}.get(out_media, "")
    ex.documents.append(
        PlainDocument(
            title=str(att.get("title") or title)[:200],
            date=as_date(att.get("creation")) or when,
            content=content,
            media_type=out_media,
            filename=_filename(name, ext),
            kind=kind,
            attachment=index,
            source_media_type=media,
        )
    )


def _filename(title: str, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:80] or "document"
    return stem if stem.lower().endswith(ext) or not ext else stem + ext


class _Text(HTMLParser):
    BLOCK = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# --- treatments ---------------------------------------------------------------------------

_SEMANTIC_TAG = re.compile(r"\s*\((?:procedure|regime/therapy|product|substance)\)\s*$", re.I)


def _treatment_name(text: str) -> str:
    return _SEMANTIC_TAG.sub("", text).strip().lower()


def _medication(res: dict, ex: Extract, ctx: Context) -> None:
    kind = res["resourceType"]
    status = res.get("status")
    refused = (
        ("entered-in-error", "cancelled", "draft")
        if kind == "MedicationRequest"
        else (
            "entered-in-error",
            "not-done",
        )
    )
    if status in refused:
        raise Skip(f"{kind} status is {status}")
    profiles = codes.profile_keys(res)
    concept = res.get("medicationCodeableConcept")
    if concept is None and isinstance(res.get("medicationReference"), dict):
        ref = res["medicationReference"].get("reference") or ""
        medication = None
        if ref.startswith("#"):
            medication = next(
                (
                    c
                    for c in res.get("contained") or []
                    if isinstance(c, dict) and c.get("id") == ref[1:]
                ),
                None,
            )
        elif ref:
            medication = ctx.medication(ref)
        if medication is None:
            raise Skip(f"{kind}.medicationReference {ref!r} is not in the input")
        concept = medication.get("code")
    words = _all_words(concept)
    found = codes.therapies_in(words)
    profile_key = (
        "cancer_related_medication_request"
        if kind == "MedicationRequest"
        else "cancer_related_medication_administration"
    )
    if found:
        name, fact_class = found[0].name, found[0].kind
    elif profile_key in profiles:
        name, fact_class = _treatment_name(concept_text(concept)), None
        if not name:
            raise Skip(f"{kind} names no medication")
    else:
        raise Skip(f"{kind}: the medication is not a cancer therapy in the drug vocabulary")
    when = _first_date(
        res,
        "authoredOn",
        "effectiveDateTime",
        "effectivePeriod.start",
        "dispenseRequest.validityPeriod.start",
    )
    detail = _recognized({}, profiles, profile_key)
    detail.update({"class": fact_class, "date": when.isoformat() if when else None})
    drug = next((c for c in codings(concept) if c.system == codes.RXNORM), None)
    if drug is not None:
        detail["code"] = drug.as_dict()
    if status:
        detail["status"] = status
    if res.get("intent"):
        detail["intent"] = res["intent"]
    ex.facts.append(PlainFact("treatment", name, concept_text(concept) or name, detail, when))


def _procedure(res: dict, ex: Extract, ctx: Context) -> None:
    status = res.get("status")
    if status in ("not-done", "entered-in-error"):
        raise Skip(f"Procedure status is {status}")
    profiles = codes.profile_keys(res)
    concept = res.get("code") or {}
    text = concept_text(concept)
    classes: tuple[str, ...] = ()
    value = None
    recognized = "code"
    table_coding = None
    for c in codings(concept):
        if c.system == codes.SNOMED and c.code and codes.procedure_classes(c.code):
            classes, value = codes.procedure_classes(c.code)
            table_coding = c
            break
    if "cancer_related_surgical_procedure" in profiles:
        classes, recognized = ("surgery",), "profile"
    elif "radiotherapy_course_summary" in profiles:
        classes, recognized = ("radiation",), "profile"
    if not classes and _for_cancer(res, ctx):
        kinds = []
        for therapy in codes.therapies_in(_all_words(concept)):
            if therapy.kind not in kinds:
                kinds.append(therapy.kind)
        classes = tuple(kinds)
    if not classes:
        raise Skip("Procedure is not a cancer treatment (surgery, radiation, systemic therapy)")
    # The procedure's own words name it; a class-only code (written for a therapy named
    # in words, e.g. "folfox") does not replace them.
    name = _treatment_name(concept.get("text") or "") if isinstance(concept, dict) else ""
    name = name or value or _treatment_name(text)
    when = _first_date(res, "performedDateTime", "performedPeriod.start")
    detail: dict[str, Any] = {"recognized_by": recognized}
    if recognized == "profile":
        key = (
            "cancer_related_surgical_procedure"
            if "cancer_related_surgical_procedure" in profiles
            else "radiotherapy_course_summary"
        )
        detail["profile"] = codes.profile_url(key)
    detail.update({"class": classes[0], "date": when.isoformat() if when else None})
    if len(classes) > 1:
        detail["classes"] = list(classes)
    coding = table_coding or next((c for c in codings(concept) if c.system == codes.SNOMED), None)
    if coding is not None:
        detail["code"] = coding.as_dict()
    ex.facts.append(PlainFact("treatment", name, text or name, detail, when))


def _for_cancer(res: dict, ctx: Context) -> bool:
    for reason in res.get("reasonReference") or []:
        ref = reason.get("reference") if isinstance(reason, dict) else None
        if isinstance(ref, str) and (
            ref in ctx.cancer_conditions or normalize_reference(ref) in ctx.cancer_conditions
        ):
            return True
    for reason in res.get("reasonCode") or []:
        if any(codes.cancer_code(c.system, c.code) for c in codings(reason)):
            return True
    return False


def is_cancer_condition(res: dict) -> bool:
    """For the importer's first pass: is this Condition a cancer (by profile or code)?"""
    profiles = codes.profile_keys(res)
    if profiles & {"primary_cancer_condition", "secondary_cancer_condition"}:
        return True
    return any(
        codes.cancer_code(c.system, c.code) or _is_oncotree(c.system)
        for c in codings(res.get("code"))
    )
