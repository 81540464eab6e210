"""A Consilium case as a MatchMiner patient: the case's ``PatientProfile`` turned into the
clinical document and genomic documents that ``patients.build_patients`` makes from
MatchMiner files, so CTML trials match a case exactly as they match a patient file.

- cancer type (an OncoTree code) -> ONCOTREE_PRIMARY_DIAGNOSIS_NAME, the node's name;
  birth date -> BIRTH_DATE; sex -> GENDER;
- a named variant ("L858R", "p.V600E", "exon 19 deletion") -> a MUTATION document with
  TRUE_PROTEIN_CHANGE "p.L858R", the exon and the MAF classification where the name
  says them;
- an amplification, gain or deletion -> a CNV document with MatchMiner's CNV_CALL;
- a fusion or rearrangement -> an SV document (both partners when named);
- a negative result of a sequenced gene -> a wildtype document;
- MSI-H / dMMR / MSS / pMMR / MLH1... -> one MMR_STATUS document; TMB -> the clinical
  TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE.

What does not map is kept in ``Translation.not_used`` with the reason, so a report can
say what the match could not see. The vocabulary is data: ``data/profile_documents.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from consilium.engines.decision import markers
from consilium.engines.decision.markers import NEGATIVE, POSITIVE, UNCLEAR, Reading
from consilium.engines.decision.profile import Biomarker, PatientProfile
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree
from consilium.engines.trials.patients import Patient

DATA = Path(__file__).with_name("data") / "profile_documents.yaml"

Doc = dict[str, Any]

_MMR_NAMES = frozenset({"MSI", "MMR", "DMMR"}) | markers.MMR_PROTEINS
_GENE = re.compile(r"^[A-Z][A-Z0-9]{1,14}$")
_AMINO3 = {
    "ALA": "A",
    "ARG": "R",
    "ASN": "N",
    "ASP": "D",
    "CYS": "C",
    "GLN": "Q",
    "GLU": "E",
    "GLY": "G",
    "HIS": "H",
    "ILE": "I",
    "LEU": "L",
    "LYS": "K",
    "MET": "M",
    "PHE": "F",
    "PRO": "P",
    "SER": "S",
    "THR": "T",
    "TRP": "W",
    "TYR": "Y",
    "VAL": "V",
    "TER": "*",
}
_AA3 = "|".join(_AMINO3)
# The same in three-letter amino acids (p.Leu858Arg, p.Glu746_Ala750del, p.Arg213Ter).
_PROTEIN3 = re.compile(
    rf"(?<![A-Za-z0-9.])(?:p\.)?\(?(?P<ref>{_AA3})(?P<pos>\d{{1,4}})"
    rf"(?:_(?P<ref2>{_AA3})(?P<pos2>\d{{1,4}}))?"
    rf"(?P<tail>delins(?:{_AA3})+|del|ins(?:{_AA3})+|dup|(?:{_AA3})?fs(?:\*\d+|Ter\d+)?|{_AA3}|\*|=)"
    r"\)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_AA3_RUN = re.compile(_AA3, re.IGNORECASE)
# A protein change in HGVS short form, "p." optional: V600E, R213*, E746_A750del,
# A767_V769dup, A775_G776insYVMA, L747fs, L747Sfs*5.
_PROTEIN = re.compile(
    r"(?<![A-Za-z0-9.])(?:p\.)?\(?"
    r"(?P<ref>[A-Z])(?P<pos>\d{1,4})(?P<range>_[A-Z]\d{1,4})?"
    r"(?P<tail>delins[A-Z]+|del|ins[A-Z]+|dup|[A-Z]?fs(?:\*\d+)?|[A-Z*=])"
    r"\)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_EXON = re.compile(r"\bex(?:on)?\s*(\d{1,2})\b", re.IGNORECASE)
_PAIR = re.compile(r"\b([A-Z][A-Z0-9]{1,14})\s*(?:-|::|/|–)\s*([A-Z][A-Z0-9]{1,14})\b")
_NUMBER = re.compile(r"^\s*(\d{1,4}(?:\.\d+)?)\s*(mut\w*\s*/\s*mb|/\s*mb)?\s*$", re.IGNORECASE)


@cache
def vocabulary() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class NotUsed:
    """A profile fact the documents do not carry, and why."""

    fact: str
    reason: str

    def __str__(self) -> str:
        return f"{self.fact}: {self.reason}"


@dataclass
class Translation:
    patient: Patient
    not_used: list[NotUsed] = field(default_factory=list)

    @property
    def clinical(self) -> Doc:
        return self.patient.clinical

    @property
    def genomic(self) -> list[Doc]:
        return self.patient.genomic


def patient_from_profile(
    profile: PatientProfile, sample_id: str, tree: OncoTree | None = None
) -> Patient:
    """The MatchMiner patient for a profile (see ``translate`` for what is left out)."""
    return translate(profile, sample_id, tree).patient


def translate(profile: PatientProfile, sample_id: str, tree: OncoTree | None = None) -> Translation:
    """The patient's documents, and each profile fact they do not carry with the reason.
    ``tree`` is the OncoTree release the matcher uses (the shipped one by default), so the
    diagnosis name is one the matcher knows."""
    vocab = vocabulary()
    fields = vocab["clinical_fields"]
    tree = tree or shipped_tree()
    not_used: list[NotUsed] = []
    clinical: Doc = {"SAMPLE_ID": sample_id}

    diagnosis = _diagnosis_name(profile.cancer_type, tree)
    if diagnosis is not None:
        clinical[fields["diagnosis"]] = diagnosis
    elif profile.cancer_type:
        not_used.append(
            NotUsed(
                f"cancer type {profile.cancer_type}",
                "not an OncoTree code or name; diagnosis criteria cannot be met",
            )
        )
    else:
        not_used.append(NotUsed("cancer type", "unknown; diagnosis criteria cannot be met"))

    if profile.birth_date is not None:
        clinical[fields["birth_date"]] = profile.birth_date.isoformat()
    else:
        not_used.append(NotUsed("birth date", "unknown; age criteria cannot be met"))
    gender = vocab["gender"].get((profile.sex or "").lower())
    if gender:
        clinical[fields["gender"]] = gender
    else:
        not_used.append(NotUsed("sex", "unknown; gender criteria cannot be met"))

    genomic: list[Doc] = []
    mmr: list[tuple[str, Reading]] = []
    seen: set[str] = set()
    for key, marker in profile.biomarkers.items():
        name = markers.canonical(marker.name or key)
        if name in seen:
            continue  # the profile keeps the most recent result first
        seen.add(name)
        reading = markers.read_one(name, marker)
        if name in _MMR_NAMES:
            mmr.append((name, reading))
        elif name == "TMB":
            tmb = _tmb(marker, reading)
            if tmb is None:
                not_used.append(
                    NotUsed(
                        reading.text or "TMB",
                        "no value in mutations per megabase; TMB criteria compare numbers",
                    )
                )
            else:
                clinical[fields["tmb"]] = tmb
        else:
            doc, reason = _genomic(name, marker, reading, vocab)
            if doc is None:
                not_used.append(NotUsed(reading.text or name, reason))
            else:
                genomic.append(doc)
    mmr_doc = _mmr(mmr, vocab, not_used)
    if mmr_doc is not None:
        genomic.append(mmr_doc)

    not_used.extend(_clinical_facts_not_used(profile))
    genomic = [{"SAMPLE_ID": sample_id, **doc} for doc in genomic]
    patient = Patient(sample_id, clinical, genomic, profile.birth_date)
    patient.index()
    return Translation(patient, not_used)


# --- clinical -----------------------------------------------------------------------


def _diagnosis_name(cancer_type: str | None, tree: OncoTree) -> str | None:
    """The OncoTree name MatchMiner's ONCOTREE_PRIMARY_DIAGNOSIS_NAME holds."""
    if not cancer_type or not cancer_type.strip():
        return None
    node = tree.by_code(cancer_type.strip())
    if node is None:
        codes = tree.resolve(cancer_type)
        node = tree.by_code(codes[0]) if codes else None
    if node is None or node.code == "TISSUE":
        return None
    return node.name


def _clinical_facts_not_used(profile: PatientProfile) -> list[NotUsed]:
    """Facts CTML match trees have no key for (MatchMiner's clinical keys are age,
    diagnosis, gender and TMB)."""
    out: list[NotUsed] = []
    no_key = "CTML match trees have no key for it"
    staging = [
        f"{label} {value}"
        for label, value in (
            ("stage", profile.stage_group),
            ("pT", profile.pT),
            ("pN", profile.pN),
            ("pM", profile.pM),
        )
        if value
    ]
    if staging:
        out.append(NotUsed(", ".join(staging), no_key))
    if profile.metastatic is not None:
        out.append(NotUsed(f"metastatic: {'yes' if profile.metastatic else 'no'}", no_key))
    if profile.histology:
        out.append(
            NotUsed(f"histology {profile.histology}", "the OncoTree diagnosis stands for it")
        )
    if profile.ecog is not None:
        out.append(NotUsed(f"ECOG {profile.ecog}", no_key))
    if profile.brain_metastases is not None:
        out.append(
            NotUsed(f"brain metastases: {'yes' if profile.brain_metastases else 'no'}", no_key)
        )
    if profile.measurable_disease is not None:
        out.append(
            NotUsed(f"measurable disease: {'yes' if profile.measurable_disease else 'no'}", no_key)
        )
    if profile.treatments:
        names = ", ".join(t.name for t in profile.treatments)
        out.append(
            NotUsed(
                f"treatments ({names})",
                "prior-treatment criteria are not evaluated by this matcher",
            )
        )
    return out


def _tmb(marker: Biomarker, reading: Reading) -> float | None:
    if "TMB" in reading.scores:
        return reading.scores["TMB"]
    # A bare number: mutations per megabase is the only unit TMB is reported in.
    for text in (marker.value, marker.status):
        m = _NUMBER.match(text or "")
        if m:
            return float(m.group(1))
    return None


def _mmr(
    readings: list[tuple[str, Reading]], vocab: dict[str, Any], not_used: list[NotUsed]
) -> Doc | None:
    """One MMR_STATUS document: deficient when any MSI/MMR result says so, proficient
    when MSI or MMR says so or all four proteins are retained."""
    if not readings:
        return None
    status = vocab["mmr_status"]
    deficient = [r for _, r in readings if r.result == POSITIVE]
    proficient = [r for _, r in readings if r.result == NEGATIVE]
    unread = [r for _, r in readings if r.result not in (POSITIVE, NEGATIVE)]
    for r in unread:
        not_used.append(NotUsed(r.text or r.marker, f"result {r.result.replace('_', ' ')}"))
    value = None
    if deficient:
        value = status["deficient"]
        for r in proficient:
            not_used.append(
                NotUsed(r.text, "disagrees with a deficient (MSI-H / dMMR) result, which is used")
            )
    elif proficient:
        whole = {r.marker for r in proficient if r.marker not in markers.MMR_PROTEINS}
        retained = {r.marker for r in proficient if r.marker in markers.MMR_PROTEINS}
        if whole or retained == markers.MMR_PROTEINS:
            value = status["proficient"]
        else:
            missing = ", ".join(sorted(markers.MMR_PROTEINS - retained))
            not_used.append(
                NotUsed(
                    ", ".join(sorted(r.text for r in proficient)),
                    f"proficiency needs all four proteins retained; {missing} not known",
                )
            )
    if value is None:
        return None
    return {
        "TRUE_HUGO_SYMBOL": None,
        "VARIANT_CATEGORY": vocab["variant_category"]["signature"],
        "MMR_STATUS": value,
        "WILDTYPE": False,
    }


# --- genes --------------------------------------------------------------------------


def _genomic(
    name: str, marker: Biomarker, reading: Reading, vocab: dict[str, Any]
) -> tuple[Doc | None, str]:
    """The genomic document for one gene result, or None and the reason."""
    text = _result_words(marker, reading)
    result = reading.result
    if result == UNCLEAR and _kind(text, vocab) not in (None, "expression"):
        # "homozygous deletion", "copy number gain": no result word, but the words name
        # an alteration found
        result = POSITIVE
    if result not in (POSITIVE, NEGATIVE):
        return None, f"result {result.replace('_', ' ')}"
    if name in vocab["not_genes"]:
        return None, vocab["not_genes"][name]
    gene = vocab["gene_symbols"].get(name, name)
    protein_reason = vocab["protein_markers"].get(name)
    if not _GENE.match(gene):
        return None, protein_reason or f"{name} is not a gene symbol"
    category = vocab["variant_category"]
    if result == NEGATIVE:
        if gene in vocab["wildtype_genes"] and protein_reason is None:
            return {"TRUE_HUGO_SYMBOL": gene, "WILDTYPE": True}, ""
        return None, (
            "a negative result; not a sequencing result, so no wildtype call (criteria "
            f"excluding {gene} alterations find none anyway)"
        )
    named = _named_variant(gene, text, vocab)
    protein = _protein_change(text)
    kind = "mutation" if named or protein else _kind(text, vocab)
    partners = _partners(gene, text)
    if kind is None and partners:
        kind = "fusion"
    if kind is None:
        kind = next((k for k, v in vocab["positive_means"].items() if gene in v["genes"]), None)
    if protein_reason and kind not in ("mutation", "amplification", "gain", "fusion"):
        return None, protein_reason
    if kind is None:
        return (
            None,
            "positive, but the kind of alteration (mutation, amplification, fusion) is not named",
        )
    if kind == "expression":
        return None, "protein expression; MatchMiner matches DNA findings only"
    if kind == "unspecified_deletion":
        return None, (
            "a deletion or loss without saying whether of copy number (homozygous, "
            "heterozygous) or of sequence (an exon, a protein change)"
        )
    doc: Doc = {"TRUE_HUGO_SYMBOL": gene, "WILDTYPE": False}
    if kind == "mutation":
        doc["VARIANT_CATEGORY"] = category["mutation"]
        if protein:
            doc["TRUE_PROTEIN_CHANGE"] = protein
            classification = _classification(protein, vocab)
            if classification:
                doc["TRUE_VARIANT_CLASSIFICATION"] = classification
        exon = _EXON.search(text)
        if exon:
            doc["TRUE_TRANSCRIPT_EXON"] = int(exon.group(1))
        if named:
            if "exon" in named:
                doc["TRUE_TRANSCRIPT_EXON"] = named["exon"]
            if named.get("classification"):
                doc["TRUE_VARIANT_CLASSIFICATION"] = named["classification"]
    elif kind == "fusion":
        doc["VARIANT_CATEGORY"] = category["sv"]
        doc["STRUCTURAL_VARIANT_COMMENT"] = (
            text if gene.casefold() in text.casefold() else f"{gene} {text}"
        )
        if partners:
            doc["LEFT_PARTNER_GENE"], doc["RIGHT_PARTNER_GENE"] = partners
    else:
        doc["VARIANT_CATEGORY"] = category["cnv"]
        doc["CNV_CALL"] = vocab["cnv_call"][kind]
    return doc, ""


def _result_words(marker: Biomarker, reading: Reading) -> str:
    """The words naming the alteration: the variant, the kind, a person's free text
    (once each; the bare result words left out)."""
    parts: list[str] = []
    for x in (reading.alteration, marker.alteration, marker.status):
        x = (x or "").strip()
        if (
            x
            and x.casefold() not in ("positive", "pos", "negative", "neg")
            and not any(x.casefold() == p.casefold() for p in parts)
        ):
            parts.append(x)
    return " ".join(parts)


def _named_variant(gene: str, text: str, vocab: dict[str, Any]) -> dict[str, Any] | None:
    for entry in vocab["named_variants"]:
        if gene in entry["gene"] and re.search(entry["pattern"], text, re.IGNORECASE):
            return entry
    return None


def _kind(text: str, vocab: dict[str, Any]) -> str | None:
    for entry in vocab["alteration_kinds"]:
        if re.search(entry["pattern"], text, re.IGNORECASE):
            return entry["kind"]
    return None


def _partners(gene: str, text: str) -> tuple[str, str] | None:
    """The 5' and 3' genes of a fusion named like "EML4-ALK" or "EML4::ALK"."""
    for m in _PAIR.finditer(text.upper()):
        left, right = m.group(1), m.group(2)
        if gene in (left, right) and left != right:
            return left, right
    return None


def protein_change(text: str) -> str | None:
    """The protein change named in ``text`` as MatchMiner writes TRUE_PROTEIN_CHANGE
    ("p.L858R", "p.E746_A750del"); three-letter amino acids are written as one letter."""
    return _protein_change(text)


def _protein_change(text: str) -> str | None:
    if not text:
        return None
    three = _PROTEIN3.search(text)
    if three is not None:
        text = _one_letter(three)
    m = _PROTEIN.search(text)
    if m is None:
        return None
    tail = m.group("tail")
    low = tail.lower()
    if low.startswith(("delins", "ins")):
        head = "delins" if low.startswith("delins") else "ins"
        tail = head + tail[len(head) :].upper()
    elif low in ("del", "dup"):
        tail = low
    elif "fs" in low:
        i = low.index("fs")
        tail = tail[:i].upper() + "fs" + tail[i + 2 :]
    else:
        tail = tail.upper()
    span = (m.group("range") or "").upper()
    return f"p.{m.group('ref').upper()}{m.group('pos')}{span}{tail}"


def _one_letter(m: re.Match[str]) -> str:
    def aa(run: str) -> str:
        return _AA3_RUN.sub(lambda x: _AMINO3[x.group(0).upper()], run)

    span = f"_{aa(m.group('ref2'))}{m.group('pos2')}" if m.group("ref2") else ""
    tail = m.group("tail")
    low = tail.lower()
    for word in ("delins", "del", "ins", "dup"):
        if low.startswith(word):
            tail = word + aa(tail[len(word) :])
            break
    else:
        if "fs" in low:
            i = low.index("fs")
            tail = aa(tail[:i]) + "fs" + tail[i + 2 :].lower().replace("ter", "*")
        else:
            tail = aa(tail)
    return f"p.{aa(m.group('ref'))}{m.group('pos')}{span}{tail}"


def _classification(protein: str, vocab: dict[str, Any]) -> str | None:
    names = vocab["variant_classification"]
    body = protein.removeprefix("p.")
    if "fs" in body or "delins" in body:
        return None
    if body.endswith("del"):
        return names["in_frame_deletion"]
    if body.endswith("dup") or "ins" in body:
        return names["in_frame_insertion"]
    m = re.fullmatch(r"([A-Z])\d+([A-Z*=])", body)
    if m is None:
        return None
    ref, alt = m.groups()
    if alt == "*":
        return names["nonsense"]
    if alt in ("=", ref):
        return names["silent"]
    return names["missense"]
