"""The patient as decision support sees them: one plain profile, built from the case's
current facts (abstracted and confirmed, imported from FHIR, or entered by a person).

Every consumer (testing gaps, therapy matching, trial eligibility and ranking) reads this
profile and nothing else, so they all agree on what is known and what is unknown.
``None`` always means "not known", never "no".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Status words a biomarker fact can carry.
POSITIVE, NEGATIVE, EQUIVOCAL, PENDING, NOT_PERFORMED = (
    "positive",
    "negative",
    "equivocal",
    "pending",
    "not_performed",
)

#: Fact names that are not biomarkers.
NON_BIOMARKER_FACTS = frozenset(
    {
        "cancer_type",
        "histology",
        "grade",
        "laterality",
        "pT",
        "pN",
        "pM",
        "cT",  # clinical categories: staging, not biomarkers
        "cN",
        "cM",
        "stage_group",
        "tumour_size_cm",
        "margins",
        "lymphovascular_invasion",
        "perineural_invasion",
        "lymph_nodes_positive",
        "lymph_nodes_examined",
        "treatment",
        "metastatic",
        "ecog",
        "brain_metastases",
        "measurable_disease",
        "primary_site",
    }
)


@dataclass(frozen=True)
class Biomarker:
    """One biomarker result: ``status`` positive/negative/equivocal/pending/
    not_performed; ``alteration`` the variant when named (e.g. "L858R", "V600E",
    "exon 19 deletion", "amplification", "fusion"); ``value`` a number or score when
    the marker is quantitative (PD-L1 TPS 60, TMB 12, Ki-67 20, HER2 IHC "3+")."""

    name: str
    status: str | None
    alteration: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Treatment:
    name: str
    # surgery, chemotherapy, radiation, targeted, hormone, immunotherapy
    kind: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class PatientProfile:
    cancer_type: str | None = None  # OncoTree code, as specific as known
    stage_group: str | None = None  # e.g. "IIIA", "IV"
    pT: str | None = None
    pN: str | None = None
    pM: str | None = None
    metastatic: bool | None = None
    histology: str | None = None
    biomarkers: Mapping[str, Biomarker] = field(default_factory=dict)
    treatments: tuple[Treatment, ...] = ()
    ecog: int | None = None
    brain_metastases: bool | None = None
    measurable_disease: bool | None = None
    birth_date: date | None = None
    sex: str | None = None  # "female", "male" or None
    home: tuple[float, float] | None = None  # (latitude, longitude)

    def age_on(self, on: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    def biomarker(self, name: str) -> Biomarker | None:
        return self.biomarkers.get(name.upper()) or self.biomarkers.get(name)

    @property
    def advanced(self) -> bool | None:
        """Stage IV or metastatic; None when neither is known."""
        if self.metastatic:
            return True
        if self.stage_group:
            return self.stage_group.upper().removeprefix("STAGE").strip().startswith("IV")
        if self.pM:
            return self.pM.upper().endswith("M1") or self.pM.upper().startswith("M1")
        return self.metastatic


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "present", "positive", "1"}:
        return True
    if text in {"false", "no", "absent", "negative", "0"}:
        return False
    return None


def profile_from_facts(
    facts: Iterable[Mapping[str, Any]],
    *,
    cancer_type: str | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
    home: tuple[float, float] | None = None,
) -> PatientProfile:
    """Build the profile from current facts: dicts with ``name``, ``value`` (the current
    value: a correction if there is one), and optionally ``assertion``, ``detail``,
    ``effective_date``. Facts come most recent first; the first answer for a name wins.
    Rejected facts must not be passed. ``cancer_type`` is the case's own field, used
    when no fact names one."""
    seen: dict[str, Mapping[str, Any]] = {}
    biomarkers: dict[str, Biomarker] = {}
    treatments: list[Treatment] = []
    for fact in facts:
        name = str(fact["name"])
        value = fact.get("value")
        detail = fact.get("detail") or {}
        if name == "treatment":
            treatments.append(
                Treatment(str(value), _kind(detail.get("class")), _as_date(detail.get("date")))
            )
            continue
        if name not in NON_BIOMARKER_FACTS:
            key = name.upper()
            if key in biomarkers:
                continue
            assertion = fact.get("assertion") or "present"
            status = str(value).lower() if value is not None else None
            if assertion in (PENDING, NOT_PERFORMED):
                status = assertion
            biomarkers[key] = Biomarker(
                name=key,
                status=status,
                # The most specific name wins: the abstraction engine keeps the kind of
                # change in "alteration" ("mutation") and the variant ("L858R") apart.
                alteration=detail.get("variant")
                or detail.get("protein_change")
                or detail.get("alteration")
                or ("amplification" if detail.get("ish") == "amplified" else None),
                value=_first(detail, "percent", "score", "value", "ihc_score"),
            )
            continue
        seen.setdefault(name, fact)

    def get(name: str) -> Any:
        f = seen.get(name)
        return None if f is None else f.get("value")

    metastatic = _bool(get("metastatic")) if "metastatic" in seen else None
    pM = get("pM")
    if metastatic is None and pM and "1" in str(pM):
        metastatic = True
    return PatientProfile(
        cancer_type=get("cancer_type") or cancer_type or None,
        stage_group=get("stage_group"),
        pT=get("pT"),
        pN=get("pN"),
        pM=pM,
        metastatic=metastatic,
        histology=get("histology"),
        biomarkers=biomarkers,
        treatments=tuple(treatments),
        ecog=_int(get("ecog")),
        brain_metastases=_bool(get("brain_metastases")) if "brain_metastases" in seen else None,
        measurable_disease=(
            _bool(get("measurable_disease")) if "measurable_disease" in seen else None
        ),
        birth_date=birth_date,
        sex=sex,
        home=home,
    )


def _kind(value: Any) -> str | None:
    """One vocabulary for treatment classes: the text abstraction says
    "targeted_therapy" where FHIR facts say "targeted"."""
    if not value:
        return None
    return str(value).removesuffix("_therapy")


def _first(detail: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        if detail.get(key) not in (None, ""):
            return str(detail[key])
    return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
