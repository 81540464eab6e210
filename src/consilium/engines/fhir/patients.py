"""Whose records are these: matching a FHIR Patient to the case's member.

A Patient matches when its birth date equals the member's and one of its names has the
member's family name and one of the member's given names. Names are compared without
case, accents, punctuation or digits: "O'Keefe54" (Synthea appends digits to names)
matches "OKeefe" and "O'Keefe". The birth date must be exact: many people share a name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Person:
    """The case's member, as plain data."""

    first_name: str
    last_name: str
    birth_date: date
    sex: str | None = None  # female | male | other | unknown
    identifier: str | None = None  # the plan's member number
    identifier_system: str | None = None


@dataclass
class FhirPatient:
    reference: str  # "Patient/abc"
    where: str
    aliases: set[str] = field(default_factory=set)
    names: list[tuple[list[str], str]] = field(default_factory=list)  # (given, family)
    birth_date: str | None = None

    @property
    def label(self) -> str:
        if self.names:
            given, family = self.names[0]
            name = " ".join([*given, family]).strip()
        else:
            name = "no name"
        return f"{self.reference} ({name}, born {self.birth_date or 'unknown'})"


def patient_from(resource: dict, full_url: str | None, where: str) -> FhirPatient:
    ref = reference_of(resource, full_url)
    p = FhirPatient(ref, where, aliases={ref})
    if full_url:
        p.aliases.add(full_url)
        p.aliases.add(normalize_reference(full_url))
    for name in resource.get("name") or []:
        if not isinstance(name, dict):
            continue
        given = [g for g in name.get("given") or [] if isinstance(g, str)]
        family = name.get("family") if isinstance(name.get("family"), str) else ""
        if not (given or family) and isinstance(name.get("text"), str):
            parts = name["text"].split()
            given, family = parts[:-1], parts[-1] if parts else ""
        p.names.append((given, family))
    birth = resource.get("birthDate")
    p.birth_date = birth if isinstance(birth, str) else None
    return p


def reference_of(resource: dict, full_url: str | None = None) -> str:
    """How facts refer to a resource: "Type/id", else the entry's fullUrl."""
    kind = resource.get("resourceType", "Resource")
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        return f"{kind}/{rid}"
    if full_url:
        return full_url
    return ""


def normalize_reference(ref: str) -> str:
    """ "http://server/fhir/Patient/1/_history/2" -> "Patient/1"; a urn:uuid stays."""
    ref = ref.strip()
    if ref.startswith("urn:"):
        return ref
    ref = re.sub(r"/_history/[^/]+$", "", ref)
    parts = ref.rstrip("/").split("/")
    if len(parts) >= 2:
        return f"{parts[-2]}/{parts[-1]}"
    return ref


def _norm(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalpha()).casefold()


def _tokens(text: str) -> set[str]:
    return {t for t in (_norm(w) for w in re.split(r"[\s\-]+", text)) if t}


def mismatch(member: Person, patient: FhirPatient) -> str | None:
    """None when ``patient`` is the member; otherwise why not, in words."""
    if not patient.birth_date:
        return f"{patient.label} has no birth date to compare with the member's"
    if patient.birth_date[:10] != member.birth_date.isoformat():
        return (
            f"{patient.label}: the birth date differs from the member's "
            f"({member.birth_date.isoformat()})"
        )
    if not patient.names:
        return f"{patient.label} has no name to compare with the member's"
    family = _norm(member.last_name)
    given = _tokens(member.first_name)
    for patient_given, patient_family in patient.names:
        family_ok = _norm(patient_family) == family or family in _tokens(patient_family)
        given_ok = bool(given & {t for g in patient_given for t in _tokens(g)})
        if family_ok and given_ok:
            return None
    return (
        f"{patient.label}: the name differs from the member's "
        f"({member.first_name} {member.last_name})"
    )
