"""Reading a whole input for one member: whose records, which are valid, what they say.

Two passes over the input (NDJSON streams both times):

1. The Patients, Medications and cancer Conditions: which Patient is the member (by
   name and birth date), what each Medication is, which Conditions are cancers (a
   Procedure done for one of them is cancer-related).
2. Every resource: not a resource (bad JSON, no resourceType) -> an error; a type not
   imported -> skipped; another patient's -> skipped; invalid FHIR R4(B) -> an error
   with the validator's reason; nothing for the case facts -> skipped with the reason;
   otherwise an ``Extract`` of facts and documents.

Every resource read is counted exactly once in the report: imported, error or skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator

from consilium.engines.fhir import validate
from consilium.engines.fhir.mapping import MAPPED, Context, Skip, extract, is_cancer_condition
from consilium.engines.fhir.model import Extract, ImportReport
from consilium.engines.fhir.patients import (
    FhirPatient,
    Person,
    mismatch,
    normalize_reference,
    patient_from,
    reference_of,
)
from consilium.engines.fhir.read import Input

SUPPORTED = frozenset({"Patient", "Medication", *MAPPED})
FIRST_PASS = frozenset({"Patient", "Medication", "Condition"})
#: Reasons listed for a refusal before "and N more".
MAX_REASONS = 20


class PatientMismatch(Exception):
    """The records are not (provably) the member's: nothing is imported."""

    def __init__(self, message: str, reasons: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.reasons = tuple(reasons) or (message,)


class Importer:
    def __init__(
        self,
        source: Input,
        member: Person,
        known_patients: Iterable[str] = (),
        progress: Callable[[int], None] | None = None,
    ):
        self.source, self.member = source, member
        self.known = {normalize_reference(p) for p in known_patients if p}
        self.progress = progress
        self.report = ImportReport(source=source.name)
        self.ctx = Context()
        self._owner_of: dict[str, str] = {}  # any alias of the member's Patient -> its ref
        self._others: set[str] = set()  # aliases of the other Patients in the input
        self._prepared = False

    # -- pass 1 ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Find the member's Patient; raise ``PatientMismatch`` when the input holds
        Patients and none is the member, or holds none and no earlier import of this
        case matched one."""
        patients: list[FhirPatient] = []
        for entry in self.source.entries(FIRST_PASS):
            r = entry.resource
            if r is None:
                continue
            kind = r.get("resourceType")
            if kind == "Patient":
                patients.append(patient_from(r, entry.full_url, entry.where))
            elif kind == "Medication":
                for alias in _aliases(r, entry.full_url):
                    self.ctx.medications[alias] = r
            elif kind == "Condition" and is_cancer_condition(r):
                self.ctx.cancer_conditions.update(_aliases(r, entry.full_url))

        matched = [p for p in patients if mismatch(self.member, p) is None]
        if patients and not matched:
            reasons = [mismatch(self.member, p) or "" for p in patients[:MAX_REASONS]]
            if len(patients) > MAX_REASONS:
                reasons.append(f"and {len(patients) - MAX_REASONS} more patients")
            name = f"{self.member.first_name} {self.member.last_name}"
            raise PatientMismatch(
                f"No Patient in {self.source.name} is the member {name} "
                f"(born {self.member.birth_date.isoformat()}): nothing was imported",
                reasons,
            )
        if not patients and not self.known:
            raise PatientMismatch(
                f"{self.source.name} holds no Patient resource, and no earlier FHIR import "
                "of this case matched one: include the member's Patient so the records "
                "can be matched to the member"
            )
        for p in matched:
            for alias in p.aliases:
                self._owner_of[alias] = p.reference
                self._owner_of[normalize_reference(alias)] = p.reference
        for ref in self.known:
            self._owner_of.setdefault(ref, ref)
        for p in patients:
            if p not in matched:
                self._others.update(p.aliases)
                self._others.update(normalize_reference(a) for a in p.aliases)
        self.report.patients = sorted({p.reference for p in matched} or self.known)
        self._prepared = True

    # -- pass 2 ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Extract]:
        if not self._prepared:
            self.prepare()
        report = self.report
        for f in self.source.skipped_files():
            report.skip(f"file not read: {f.reason}", f.name)
        for entry in self.source.entries():
            if self.progress is not None:
                self.progress(1)
            report.total += 1
            if entry.resource is None:
                report.error(entry.where, entry.full_url or "(not a resource)", entry.problem or "")
                continue
            r = entry.resource
            kind = r["resourceType"]
            ref = reference_of(r, entry.full_url)
            label = ref or f"{kind} (no id)"
            if kind not in SUPPORTED:
                if validate.is_resource_type(kind):
                    report.skip(f"{kind} resources are not imported", label)
                else:
                    report.error(entry.where, label, f"{kind!r} is not a FHIR resource type")
                continue
            if kind == "Patient":
                self._patient(r, entry, label)
                continue
            if kind == "Medication":
                if self._valid(r, entry.where, label):
                    report.imported[kind] += 1
                continue
            owner, why_not = self._owner(r)
            if owner is None:
                report.skip(why_not or "not the member's", label)
                continue
            if not self._valid(r, entry.where, label):
                continue
            if not ref:
                # No id and no fullUrl: key it by its content, so a re-import of the same
                # resource is still recognized.
                ref = f"{kind}@sha256:{_content_hash(r)}"
            try:
                ex = extract(r, ref, entry.where, self.ctx)
            except Skip as skip:
                report.skip(skip.reason, label)
                continue
            ex.patient = owner
            for note in ex.notes:
                report.parts_skipped[note] += 1
            report.imported[kind] += 1
            yield ex

    def _patient(self, r: dict, entry, label: str) -> None:
        aliases = _aliases(r, entry.full_url)
        if aliases & set(self._owner_of):
            if self._valid(r, entry.where, label):
                self.report.imported["Patient"] += 1
        else:
            self.report.skip("Patient: another person than the member", label)

    def _valid(self, r: dict, where: str, label: str) -> bool:
        reason = validate.reason(r)
        if reason:
            self.report.error(where, label, reason)
            return False
        return True

    def _owner(self, r: dict) -> tuple[str | None, str | None]:
        subject = r.get("subject")
        ref = subject.get("reference") if isinstance(subject, dict) else None
        if not isinstance(ref, str) or not ref:
            if self._others:
                return None, (
                    "no subject, and the input holds other patients: whose record it is "
                    "cannot be told"
                )
            owners = set(self._owner_of.values())
            if len(owners) == 1:
                return next(iter(owners)), None
            return None, "no subject: whose record it is cannot be told"
        norm = normalize_reference(ref)
        owner = self._owner_of.get(ref) or self._owner_of.get(norm)
        if owner:
            return owner, None
        if ref in self._others or norm in self._others:
            return None, "belongs to another patient than the member"
        if not (norm.startswith("Patient/") or ref.startswith("urn:")):
            return None, f"the subject is not a Patient ({norm.split('/')[0]})"
        return None, "its subject is not a Patient of this input matched to the member"


def _aliases(r: dict, full_url: str | None) -> set[str]:
    out = set()
    ref = reference_of(r)
    if ref:
        out.add(ref)
    if full_url:
        out.add(full_url)
        out.add(normalize_reference(full_url))
    return out


def _content_hash(r: dict) -> str:
    return hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()[:40]
