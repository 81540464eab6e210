"""FHIR in and out of a case: import a Bundle, NDJSON file or Bulk export into the
case's facts and records; export the case summary as mCODE and the signed opinion as a
FHIR document. Pages, the API and ``consilium fhir`` all call these.

Import: the engine reads and validates (engines/fhir); here the whole import is stored
in one transaction, so a failure part way (a file that cannot be read, a database
error) stores nothing of it. The transaction starts by locking the case row: a second
import into the same case (from another coordinator, the API or the command) waits for
the first to commit, then finds what it stored. Facts are CaseFact rows (source fhir)
keyed on the case, the resource (``fhir_reference``) and the fact name, a key the
database holds unique, so importing the same resources again adds nothing; a resource
that changed updates its facts while they are still only proposed, and leaves a fact a
person already reviewed as it is (counted). Attachments become records through
``records.services.add_document`` (content checks, text extraction), with the
resource's date as the record date and the resource in the record's metadata, keyed
the same way.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.cases.services import RuleError, log
from consilium.apps.preparation.facts import current_facts, lab_series
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.apps.records.services import add_document
from consilium.engines.casework.roles import Role
from consilium.engines.fhir import (
    Importer,
    OpinionData,
    PatientMismatch,
    Person,
    opinion_bundle,
    summary_bundle,
)
from consilium.engines.fhir.model import Extract, ImportReport
from consilium.engines.fhir.read import Input
from consilium.engines.fhir.write import Recommendation

#: Resources looked up and written together (one query for what is stored already).
BATCH_SIZE = 200
#: ``CaseFact.fhir_reference``'s length: a longer reference is kept recognizable by a hash.
REFERENCE_LENGTH = 200
#: The database's key of a FHIR fact (models.CaseFact.Meta.constraints).
FACT_KEY = "casefact_one_per_fhir_resource_and_name"
#: The database's key of a record from a FHIR attachment (records.Document.Meta).
DOCUMENT_KEY = "document_one_per_fhir_attachment"


class ImportFailed(RuleError):
    """The import stopped part way; nothing of it was stored."""


def person_of(member) -> Person:
    return Person(
        first_name=member.first_name,
        last_name=member.last_name,
        birth_date=member.date_of_birth,
        sex=member.sex or None,
        identifier=member.member_number or None,
        identifier_system=f"urn:consilium:program:{member.program_id}:member-number",
    )


def known_patients(case: Case) -> set[str]:
    """The FHIR Patients earlier imports of this case matched to the member: a later
    input without a Patient resource may still refer to them."""
    refs = set(
        CaseFact.objects.filter(case=case, source=CaseFact.Source.FHIR)
        .values_list("detail__patient", flat=True)
        .distinct()
    )
    refs |= set(
        Document.objects.filter(case=case, metadata__has_key="fhir_patient")
        .values_list("metadata__fhir_patient", flat=True)
        .distinct()
    )
    return {r for r in refs if isinstance(r, str) and r}


def stored_reference(reference: str) -> str:
    """The resource's key as ``CaseFact.fhir_reference`` holds it. A reference longer
    than the column keeps its start and a hash of the whole, so two long references
    that share a start stay apart and the same one always maps to the same key."""
    if len(reference) <= REFERENCE_LENGTH:
        return reference
    digest = hashlib.sha256(reference.encode()).hexdigest()[:40]
    return f"{reference[: REFERENCE_LENGTH - 49]}…#sha256:{digest}"


def fhir_source(reference: str, attachment: int) -> str:
    """A record's key as ``Document.fhir_source`` holds it: the resource's key, then the
    attachment's index."""
    return f"{stored_reference(reference)}#{attachment}"


class _Progress:
    """Where the import is, for the message when it stops; the record files it wrote
    first, to remove them again if it stops."""

    def __init__(self) -> None:
        self.importer: Importer | None = None
        self.storing = ""  # what is being stored; else the importer's position counts
        self.new_blobs: set[str] = set()
        self.started = time.monotonic()  # before waiting for the case's turn

    @property
    def where(self) -> str:
        if self.storing:
            return self.storing
        return self.importer.position if self.importer is not None else ""

    def discard_blobs(self) -> None:
        try:
            for sha in self.new_blobs:
                if not Document.objects.filter(sha256=sha).exists():
                    storage.discard(sha)
        except (DatabaseError, OSError):
            # The import's own error is the one to report; a file left behind is never
            # served (no record points to it) and is stored once if imported again.
            pass


def import_fhir(
    actor, case: Case, source: Input, *, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Import ``source`` into ``case``; the report as a dict. Raises ``RuleError`` when
    the records are not the member's or the case is closed, and ``ImportFailed`` (a
    ``RuleError``) when the import stops part way; nothing is stored then."""
    with audited(actor, "fhir.import", case) as audit:
        audit.detail = f"FHIR import of {source.name}"
        at = _Progress()
        try:
            with transaction.atomic():
                report = _import(actor, case, source, progress, at)
        except (OSError, DatabaseError) as exc:
            at.discard_blobs()
            raise ImportFailed(_failure(source, at, exc)) from exc
        except BaseException as exc:
            at.discard_blobs()
            if not isinstance(exc, RuleError) and at.where:
                exc.add_note(f"FHIR import of {source.name} at {at.where}: nothing was stored")
            raise
        audit.detail = f"FHIR import of {source.name}: {_summary(report)}"
    return report.to_dict()


def _import(
    actor, case: Case, source: Input, progress: Callable[[int], None] | None, at: _Progress
) -> ImportReport:
    # The lock makes imports into one case take turns: the next one reads what this one
    # stored once it commits. (SQLite has no row locks; its write transactions, begun
    # IMMEDIATE, take turns already, waiting at most the database's busy timeout.) The
    # wait is bounded: a second import gives up after FHIR_IMPORT_WAIT seconds with a
    # message saying why, rather than hanging a request behind a long Bulk import.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{int(settings.FHIR_IMPORT_WAIT * 1000)}ms"],
            )
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status_enum.is_terminal:
        raise RuleError("FHIR records cannot be added to a closed case")
    importer = Importer(source, person_of(case.member), known_patients(case), progress)
    at.importer = importer
    try:
        importer.prepare()
    except PatientMismatch as exc:
        raise RuleError(exc.message, exc.reasons) from None
    report = importer.report
    batch: list[Extract] = []
    for extract in importer:
        batch.append(extract)
        if len(batch) >= BATCH_SIZE:
            _store(actor, case, batch, report, at)
            batch = []
    if batch:
        _store(actor, case, batch, report, at)
    if report.facts["created"] or report.documents["created"] or report.facts["updated"]:
        log(case, TimelineEvent.Kind.DOCUMENT, f"FHIR import: {_summary(report)}"[:300], actor)
    return report


def _failure(source: Input, at: _Progress, exc: Exception) -> str:
    where = f" at {at.where}" if at.where else ""
    text = str(exc)
    if isinstance(exc, IntegrityError) and any(
        key in text
        for key in (
            FACT_KEY,
            "preparation_casefact.fhir_reference",
            DOCUMENT_KEY,
            "records_document.fhir_source",
        )
    ):
        # Only when the case lock is missing (a database without row locks).
        cause = "another import was storing the same resources into this case"
    elif isinstance(exc, OperationalError) and _lock_wait_ended(exc):
        waited = time.monotonic() - at.started
        return (
            f"The FHIR import of {source.name} did not start: another FHIR import into "
            f"this case was still running after {waited:.0f} seconds of waiting. "
            "Nothing of it was stored; import it again when the other one has finished"
        )
    elif isinstance(exc, OSError):
        name = os.path.basename(exc.filename) if isinstance(exc.filename, str) else ""
        what = ": ".join(x for x in (exc.strerror or text, name) if x)
        cause = f"a file could not be read or written ({what})"
    else:
        cause = f"the database refused the write ({text.strip()})"
    return (
        f"The FHIR import of {source.name} stopped{where}: {cause}. Nothing of it was "
        "stored; import it again"
    )


def _lock_wait_ended(exc: OperationalError) -> bool:
    """The case lock was not granted in time: PostgreSQL's lock_timeout (SQLSTATE 55P03)
    or SQLite's busy timeout ("database is locked")."""
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state == "55P03" or "database is locked" in str(exc)


def _summary(report: ImportReport) -> str:
    return (
        f"{report.imported_total} resources imported, {report.facts['created']} facts and "
        f"{report.documents['created']} records added, {report.errors_total} invalid, "
        f"{report.skipped_total} skipped"
    )


def _store(actor, case: Case, batch: list[Extract], report: ImportReport, at: _Progress) -> None:
    """Store one batch (within the import's transaction)."""
    keys = {stored_reference(e.reference) for e in batch}
    # Rows stored by earlier imports, and (added below) those of this batch, so a
    # resource that comes twice in one input is stored once.
    rows = {
        (f.fhir_reference, f.name): f
        for f in CaseFact.objects.filter(
            case=case, source=CaseFact.Source.FHIR, fhir_reference__in=keys
        )
    }
    attachments = {fhir_source(e.reference, d.attachment) for e in batch for d in e.documents}
    stored_docs = set(
        Document.objects.filter(case=case, fhir_source__in=attachments).values_list(
            "fhir_source", flat=True
        )
    )
    new: list[CaseFact] = []
    for ex in batch:
        at.storing = f"{ex.where} ({ex.reference})"
        ref = stored_reference(ex.reference)
        seen: set[str] = set()
        for fact in ex.facts:
            if fact.name in seen:
                continue
            seen.add(fact.name)
            detail = {**fact.detail, "patient": ex.patient, "resource_type": ex.resource_type}
            value, display = fact.value[:300], fact.display[:300]
            row = rows.get((ref, fact.name[:60]))
            if row is None:
                row = CaseFact(
                    case=case,
                    source=CaseFact.Source.FHIR,
                    name=fact.name[:60],
                    value=value,
                    display=display,
                    basis="stated",
                    assertion=fact.assertion,
                    confidence=1.0,
                    detail=detail,
                    fhir_reference=ref,
                    effective_date=fact.effective_date,
                    created_by=actor.user,
                )
                rows[(ref, row.name)] = row
                new.append(row)
            elif row.value == value and row.effective_date == fact.effective_date:
                report.facts["unchanged"] += 1
            elif row.review_status == CaseFact.Review.PROPOSED:
                row.value, row.display = value, display
                row.detail, row.effective_date = detail, fact.effective_date
                row.assertion = fact.assertion
                if row.pk is not None:  # else it is written with the batch below
                    row.save(
                        update_fields=["value", "display", "detail", "effective_date", "assertion"]
                    )
                report.facts["updated"] += 1
            else:
                report.facts["kept as reviewed"] += 1
        for doc in ex.documents:
            if fhir_source(ex.reference, doc.attachment) in stored_docs:
                report.documents["unchanged"] += 1
                continue
            if _add_document(actor, case, ex, doc, report, at):
                stored_docs.add(fhir_source(ex.reference, doc.attachment))
    at.storing = f"{batch[-1].where}, writing the facts of the {len(batch)} resources read last"
    CaseFact.objects.bulk_create(new)
    report.facts["created"] += len(new)
    at.storing = ""


def _add_document(actor, case: Case, ex: Extract, doc, report: ImportReport, at: _Progress) -> bool:
    """Add the attachment as a record; False when the file itself is refused."""
    sha = storage.digest(doc.content)
    blob_existed = storage.path_for(sha).exists()
    try:
        stored = add_document(
            actor, case, data=doc.content, filename=doc.filename, kind=doc.kind, title=doc.title
        )
    except RuleError as exc:
        # The file itself is refused (type, size); the resource's facts still count.
        report.error(ex.where, ex.reference, f"attachment {doc.attachment}: {exc.message}")
        report.documents["refused"] += 1
        return False
    if not blob_existed:
        at.new_blobs.add(stored.sha256)
    metadata = {
        **stored.metadata,
        "fhir": ex.reference,
        "fhir_attachment": doc.attachment,
        "fhir_patient": ex.patient,
    }
    if doc.source_media_type and doc.source_media_type != doc.media_type:
        metadata["fhir_content_type"] = doc.source_media_type
    Document.objects.filter(pk=stored.pk).update(
        record_date=doc.date or stored.record_date,
        metadata=metadata,
        fhir_source=fhir_source(ex.reference, doc.attachment),
    )
    report.documents["created"] += 1
    return True


# --- export --------------------------------------------------------------------------------


def _key(case: Case) -> str:
    # The case's creation instant makes the derived resource ids differ between two
    # installations that both have a case 1.
    return f"consilium:case:{case.pk}:{case.created_at.isoformat()}"


def export_summary(actor, case: Case) -> dict:
    """The case as an mCODE STU4 Bundle, from its current facts and the member; a serum
    tumour marker as every value of its series, each dated when it was taken."""
    with audited(actor, "fhir.export", case) as audit:
        audit.detail = "mCODE summary bundle"
        bundle = summary_bundle(
            person_of(case.member),
            current_facts(case),
            key=_key(case),
            now=timezone.now(),
            cancer_type=case.cancer_type_code or None,
            series=lab_series(case),
        )
    return bundle


def opinion_available(actor, case: Case) -> bool:
    """Whether ``export_opinion`` would give the opinion to this actor now."""
    opinion = getattr(case, "opinion", None)
    if opinion is None or not opinion.is_signed:
        return False
    if actor.role is Role.PHYSICIAN:
        return case.reports.filter(kind="physician", delivered_at__isnull=False).exists()
    return True


def export_opinion(actor, case: Case) -> dict:
    """The signed opinion as a FHIR document (Composition + DiagnosticReport). Refused
    (409) before it is signed; a treating physician gets it once the report is
    delivered, as with the report itself."""
    from consilium.apps.reviews.models import Opinion

    with audited(actor, "fhir.export", case) as audit:
        audit.detail = "signed opinion"
        opinion = (
            Opinion.objects.select_related("author__user")
            .prefetch_related("recommendations", "addenda__author")
            .filter(case=case)
            .first()
        )
        if opinion is None or not opinion.is_signed:
            raise RuleError("The opinion is not signed yet: only a signed opinion is exported")
        audit.obj = opinion
        report = case.reports.filter(kind="physician").first()
        if actor.role is Role.PHYSICIAN and (report is None or report.delivered_at is None):
            raise RuleError("The expert report is not delivered yet")
        expert = opinion.author.user
        data = OpinionData(
            case_reference=case.reference,
            signed_at=opinion.signed_at,
            expert_name=expert.get_full_name() or expert.username,
            expert_credentials=expert.credentials,
            diagnosis=opinion.get_diagnosis_assessment_display(),
            diagnosis_comment=opinion.diagnosis_comment,
            treatment=opinion.get_treatment_assessment_display(),
            treatment_comment=opinion.treatment_comment,
            discrepancy=opinion.get_discrepancy_display(),
            narrative=opinion.narrative,
            answers=tuple(
                (str(a.get("question", "")), str(a.get("answer", "")))
                for a in opinion.answers or []
                if isinstance(a, dict)
            ),
            recommendations=tuple(
                Recommendation(r.get_kind_display(), r.text, r.rationale)
                for r in opinion.recommendations.all()
            ),
            addenda=tuple(
                (a.created_at, a.author.get_full_name() or a.author.username, a.text)
                for a in opinion.addenda.all()
            ),
            cancer_type=case.cancer_type_label,
            report_html=report.html if report else "",
        )
        bundle = opinion_bundle(person_of(case.member), data, key=_key(case), now=timezone.now())
    return bundle
