"""FHIR in and out of a case: import a Bundle, NDJSON file or Bulk export into the
case's facts and records; export the case summary as mCODE and the signed opinion as a
FHIR document. Pages, the API and ``consilium fhir`` all call these.

Import: the engine reads and validates (engines/fhir); here each batch of resources is
stored in one transaction. Facts are CaseFact rows (source fhir) keyed on the case, the
resource (``fhir_reference``) and the fact name, so importing the same resources again
adds nothing; a resource that changed updates its facts while they are still only
proposed, and leaves a fact a person already reviewed as it is (counted). Attachments
become records through ``records.services.add_document`` (content checks, text
extraction), with the resource's date as the record date and the resource in the
record's metadata, keyed the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.cases.services import RuleError, log
from consilium.apps.preparation.facts import current_facts
from consilium.apps.preparation.models import CaseFact
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

#: Resources stored per transaction: a failure loses at most one batch, and a re-run
#: picks up where it stopped (what was stored is recognized).
BATCH_SIZE = 200


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


def import_fhir(
    actor, case: Case, source: Input, *, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Import ``source`` into ``case``; the report as a dict. Raises ``RuleError`` when
    the records are not the member's or the case is closed (nothing is stored then)."""
    with audited(actor, "fhir.import", case) as audit:
        audit.detail = f"FHIR import of {source.name}"
        if case.status_enum.is_terminal:
            raise RuleError("FHIR records cannot be added to a closed case")
        importer = Importer(source, person_of(case.member), known_patients(case), progress)
        try:
            importer.prepare()
        except PatientMismatch as exc:
            raise RuleError(exc.message, exc.reasons) from None
        report = importer.report
        batch: list[Extract] = []
        for extract in importer:
            batch.append(extract)
            if len(batch) >= BATCH_SIZE:
                _store(actor, case, batch, report)
                batch = []
        if batch:
            _store(actor, case, batch, report)
        summary = _summary(report)
        audit.detail = f"FHIR import of {source.name}: {summary}"
        if report.facts["created"] or report.documents["created"] or report.facts["updated"]:
            log(case, TimelineEvent.Kind.DOCUMENT, f"FHIR import: {summary}"[:300], actor)
    return report.to_dict()


def _summary(report: ImportReport) -> str:
    return (
        f"{report.imported_total} resources imported, {report.facts['created']} facts and "
        f"{report.documents['created']} records added, {report.errors_total} invalid, "
        f"{report.skipped_total} skipped"
    )


def _store(actor, case: Case, batch: list[Extract], report: ImportReport) -> None:
    refs = [e.reference for e in batch]
    with transaction.atomic():
        existing = {
            (f.fhir_reference, f.name): f
            for f in CaseFact.objects.filter(
                case=case, source=CaseFact.Source.FHIR, fhir_reference__in=refs
            )
        }
        stored_docs = {
            (d.metadata.get("fhir"), d.metadata.get("fhir_attachment", 0))
            for d in Document.objects.filter(case=case, metadata__fhir__in=refs).only("metadata")
        }
        new: list[CaseFact] = []
        for ex in batch:
            seen: set[str] = set()
            for fact in ex.facts:
                if fact.name in seen:
                    continue
                seen.add(fact.name)
                detail = {**fact.detail, "patient": ex.patient, "resource_type": ex.resource_type}
                row = existing.get((ex.reference, fact.name))
                if row is None:
                    new.append(
                        CaseFact(
                            case=case,
                            source=CaseFact.Source.FHIR,
                            name=fact.name[:60],
                            value=fact.value[:300],
                            display=fact.display[:300],
                            basis="stated",
                            assertion=fact.assertion,
                            confidence=1.0,
                            detail=detail,
                            fhir_reference=ex.reference[:200],
                            effective_date=fact.effective_date,
                            created_by=actor.user,
                        )
                    )
                elif row.value == fact.value[:300] and row.effective_date == fact.effective_date:
                    report.facts["unchanged"] += 1
                elif row.review_status == CaseFact.Review.PROPOSED:
                    row.value, row.display = fact.value[:300], fact.display[:300]
                    row.detail, row.effective_date = detail, fact.effective_date
                    row.assertion = fact.assertion
                    row.save(
                        update_fields=["value", "display", "detail", "effective_date", "assertion"]
                    )
                    report.facts["updated"] += 1
                else:
                    report.facts["kept as reviewed"] += 1
            for doc in ex.documents:
                if (ex.reference, doc.attachment) in stored_docs:
                    report.documents["unchanged"] += 1
                    continue
                _add_document(actor, case, ex, doc, report)
        CaseFact.objects.bulk_create(new)
        report.facts["created"] += len(new)


def _add_document(actor, case: Case, ex: Extract, doc, report: ImportReport) -> None:
    try:
        stored = add_document(
            actor, case, data=doc.content, filename=doc.filename, kind=doc.kind, title=doc.title
        )
    except RuleError as exc:
        # The file itself is refused (type, size); the resource's facts still count.
        report.error(ex.where, ex.reference, f"attachment {doc.attachment}: {exc.message}")
        report.documents["refused"] += 1
        return
    metadata = {
        **stored.metadata,
        "fhir": ex.reference,
        "fhir_attachment": doc.attachment,
        "fhir_patient": ex.patient,
    }
    if doc.source_media_type and doc.source_media_type != doc.media_type:
        metadata["fhir_content_type"] = doc.source_media_type
    Document.objects.filter(pk=stored.pk).update(
        record_date=doc.date or stored.record_date, metadata=metadata
    )
    report.documents["created"] += 1


# --- export --------------------------------------------------------------------------------


def _key(case: Case) -> str:
    # The case's creation instant makes the derived resource ids differ between two
    # installations that both have a case 1.
    return f"consilium:case:{case.pk}:{case.created_at.isoformat()}"


def export_summary(actor, case: Case) -> dict:
    """The case as an mCODE STU4 Bundle, from its current facts and the member."""
    with audited(actor, "fhir.export", case) as audit:
        audit.detail = "mCODE summary bundle"
        bundle = summary_bundle(
            person_of(case.member),
            current_facts(case),
            key=_key(case),
            now=timezone.now(),
            cancer_type=case.cancer_type_code or None,
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
