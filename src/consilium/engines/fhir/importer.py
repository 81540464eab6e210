"""Reading a whole input for one member: whose records, which are valid, what they say.

Two passes over the input (NDJSON streams both times):

1. The Patients, Medications and cancer Conditions: which Patient is the member (by
   name and birth date), what each Medication is, which Conditions are cancers (a
   Procedure done for one of them is cancer-related). An input with no Patient resource
   (a lab's Observations referring to "Patient/123") is read once more for the patients
   its resources refer to: see ``Importer.prepare`` for whose records they are taken to be.
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
from dataclasses import dataclass, field

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


@dataclass
class Referrers:
    """The resources of an input that refer to one patient: how many, and the first."""

    count: int = 0
    first: list[str] = field(default_factory=list)  # "where: Type/id"


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
        # Input without a Patient resource, anchored by an earlier import: why a resource
        # of another patient is not the member's.
        self._not_member: str | None = None
        # The entry being read ("x.json entry[3] (Observation/a)"), for an error message.
        self.position = ""
        self._prepared = False

    # -- pass 1 ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Find the member's Patient; raise ``PatientMismatch`` when the input holds
        Patients and none is the member.

        An input without a Patient resource cannot be matched by name and birth date, so
        its resources are attributed by the patient they refer to (their ``subject``):

        - all refer to one patient, and no earlier import of the case matched another:
          they are the member's (whoever chose the case vouches for it);
        - some refer to a Patient an earlier import of the case matched to the member:
          those are imported, and each resource of any other patient is skipped with
          that patient named in the reason;
        - they refer to several patients, none matched before, or to one patient other
          than the one matched before: refused as a whole (``PatientMismatch``), with
          the resources and the patient each refers to, as nothing tells which is the
          member;
        - none names its patient: imported when an earlier import matched one patient,
          refused otherwise.
        """
        patients: list[FhirPatient] = []
        for entry in self.source.entries(FIRST_PASS):
            self.position = entry.where
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
        if patients:
            self.report.patients = sorted({p.reference for p in matched})
            self.report.patient_match = "name and birth date"
        else:
            self._by_reference()
        self._prepared = True

    def _by_reference(self) -> None:
        """No Patient resource in the input: attribute its resources by the patient
        they refer to (see ``prepare``)."""
        name = self.source.name
        referenced = self._referenced_patients()
        known = sorted(self.known)
        mine = [p for p in referenced if p in self.known]
        strangers = [p for p in referenced if p not in self.known]
        if not referenced:
            if not known:
                raise PatientMismatch(
                    f"{name} holds no Patient resource, and none of its resources says "
                    "whose record it is: nothing was imported. Include the member's "
                    "Patient, or a subject on each resource"
                )
            self.report.patients = known
            self.report.patient_match = "an earlier import of this case"
            return
        if not mine and not known and len(strangers) == 1:
            # One patient throughout, and the case was chosen for it.
            self._owner_of[strangers[0]] = strangers[0]
            self.report.patients = strangers
            self.report.patient_match = (
                f"the case chosen: {name} holds no Patient resource, and every resource "
                f"in it refers to {strangers[0]}"
            )
            return
        if not mine:
            if known:
                message = (
                    f"{name} holds no Patient resource and refers to "
                    f"{_listed(strangers)}, but earlier FHIR imports of this case matched "
                    f"the member to {_listed(known)}: nothing was imported. Include the "
                    "member's Patient so the records can be matched by name and birth date"
                )
            else:
                message = (
                    f"{name} holds no Patient resource and its resources refer to "
                    f"{len(strangers)} different patients ({_listed(strangers)}): which "
                    "one is the member cannot be told, so nothing was imported. Import "
                    "each patient's records into their own case, or include the member's "
                    "Patient"
                )
            raise PatientMismatch(message, _per_resource(referenced))
        self.report.patients = mine
        self.report.patient_match = "an earlier import of this case"
        if strangers:
            self._not_member = (
                f"the member is {_listed(mine)} (matched by an earlier import of this "
                "case), and this input holds no Patient resource"
            )

    def _referenced_patients(self) -> dict[str, Referrers]:
        """The patients the input's resources refer to, in input order, each with how
        many resources refer to it and the first of them."""
        found: dict[str, Referrers] = {}
        for entry in self.source.entries(frozenset(MAPPED)):
            self.position = entry.where
            r = entry.resource
            if r is None or r.get("resourceType") not in MAPPED:
                continue
            ref = _subject(r)
            if ref is None or not _is_patient_reference(ref):
                continue
            referrers = found.setdefault(normalize_reference(ref), Referrers())
            referrers.count += 1
            if len(referrers.first) < MAX_REASONS:
                label = reference_of(r, entry.full_url) or f"{r['resourceType']} (no id)"
                referrers.first.append(f"{entry.where}: {label}")
        return found

    # -- pass 2 ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Extract]:
        if not self._prepared:
            self.prepare()
        report = self.report
        for f in self.source.skipped_files():
            report.skip(f"file not read: {f.reason}", f.name)
        for entry in self.source.entries():
            self.position = entry.where
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
            self.position = f"{entry.where} ({label})"
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
        ref = _subject(r)
        if ref is None:
            if self._others or self._not_member:
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
        if not _is_patient_reference(ref):
            return None, f"the subject is not a Patient ({norm.split('/')[0]})"
        if self._not_member:
            return None, f"refers to {norm}, another patient: {self._not_member}"
        return None, "its subject is not a Patient of this input matched to the member"


def _subject(r: dict) -> str | None:
    subject = r.get("subject")
    ref = subject.get("reference") if isinstance(subject, dict) else None
    return ref if isinstance(ref, str) and ref.strip() else None


def _is_patient_reference(ref: str) -> bool:
    # A urn:uuid may only be resolved within a Bundle: taken as the patient it names.
    return normalize_reference(ref).startswith("Patient/") or ref.strip().startswith("urn:")


def _listed(refs: list[str], most: int = 5) -> str:
    shown = ", ".join(refs[:most])
    return shown + (f" and {len(refs) - most} more" if len(refs) > most else "")


def _per_resource(referenced: dict[str, Referrers]) -> list[str]:
    """Each resource and the patient it refers to, taking the patients in turn so every
    one of them shows up among the first reasons; at most ``MAX_REASONS`` lines."""
    lines: list[str] = []
    queues = {patient: list(r.first) for patient, r in referenced.items()}
    while len(lines) < MAX_REASONS and any(queues.values()):
        for patient, queue in queues.items():
            if queue and len(lines) < MAX_REASONS:
                lines.append(f"{queue.pop(0)} refers to {patient}")
    total = sum(r.count for r in referenced.values())
    if total > len(lines):
        lines.append(f"and {total - len(lines)} more resources")
    return lines


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
