"""Case preparation: abstracting each record's text into proposed facts (in the
background after upload), people confirming, correcting, rejecting or entering facts,
and the case summary, completeness checklist and clinical timeline drawn from them.

Rules live here; pages, the API, the background task and the demo seed call these
functions. Every read or write made for a person goes through ``audited``; the
background run writes its own audit event on the "task" channel.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import ALLOWED, FAILED, audited, record
from consilium.apps.cases.services import RuleError
from consilium.apps.preparation.models import AbstractionRun, CaseFact, FactReview
from consilium.engines.abstraction import abstract
from consilium.engines.abstraction.merge import (
    CaseSummary,
    FactRecord,
    InvalidValue,
    check_name,
    describe,
    is_placeholder,
    merge,
    normalize_value,
)
from consilium.engines.abstraction.timeline import RecordInfo, TimelineEntry, clinical_timeline
from consilium.engines.abstraction.version import engine_version
from consilium.engines.knowledge.completeness import (
    ChecklistResult,
    FactOnFile,
    RecordOnFile,
    checklist_for,
    evaluate,
)

log = logging.getLogger(__name__)

Run = AbstractionRun.Status
# A run still queued or running after this long lost its worker (a restart); asking
# again starts a new one instead of waiting for it forever.
STALE_AFTER = timedelta(minutes=30)
REVIEW_ACTIONS = {
    "confirm": CaseFact.Review.CONFIRMED,
    "correct": CaseFact.Review.CORRECTED,
    "reject": CaseFact.Review.REJECTED,
}


class InvalidFact(RuleError):
    """The value or note a person gave is at fault (the API answers 422 for it, naming
    ``field``)."""

    def __init__(self, message: str, field: str = "value"):
        super().__init__(message)
        self.field = field


def system_actor() -> Actor:
    """The background worker: no user, its own channel in the audit trail."""
    return Actor(AnonymousUser(), "task")


def text_digest(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


# --- abstraction runs ---------------------------------------------------------------------


def _done_run(document, digest: str, version: str) -> AbstractionRun | None:
    return (
        AbstractionRun.objects.filter(
            document=document, text_sha256=digest, engine_version=version, status=Run.DONE
        )
        .order_by("-pk")
        .first()
    )


def _active_run(document, digest: str, version: str) -> AbstractionRun | None:
    fresh = timezone.now() - STALE_AFTER
    return (
        AbstractionRun.objects.filter(
            document=document,
            text_sha256=digest,
            engine_version=version,
            status__in=(Run.QUEUED, Run.RUNNING),
            queued_at__gte=fresh,
        )
        .order_by("-pk")
        .first()
    )


def _no_text_run(document) -> AbstractionRun:
    why = document.text_detail or "The record has no text layer to read."
    latest = document.abstraction_runs.order_by("-pk").first()
    if latest is not None and latest.status == Run.NO_TEXT:
        if latest.error != why:  # e.g. OCR was unavailable, then failed when retried
            latest.error = why
            latest.save(update_fields=["error"])
        return latest
    now = timezone.now()
    return AbstractionRun.objects.create(
        case_id=document.case_id,
        document=document,
        status=Run.NO_TEXT,
        engine_version=engine_version(),
        text_sha256=text_digest(""),
        started_at=now,
        finished_at=now,
        error=why,
    )


def queue_abstraction(document) -> AbstractionRun | None:
    """Queue the abstraction of a record's text, to run once the current transaction
    commits. Returns the run the record's status shows: the queued one, the finished run
    for the same text and engine version (nothing is queued then), an unfinished one, or
    a "no text" run for a record whose text could not be read. None for a record that
    has no text by nature (an image, a DICOM study) and for a scan OCR has not read yet
    (the OCR task queues its abstraction when done)."""
    from consilium.apps.preparation.tasks import abstract_document_task
    from consilium.apps.records.models import Document
    from consilium.background import after_commit

    if document.text_status in Document.OCR_PENDING:
        return None
    if not (document.text or "").strip():
        if document.text_status in Document.UNREAD:
            return _no_text_run(document)
        return None
    digest, version = text_digest(document.text), engine_version()
    existing = _done_run(document, digest, version) or _active_run(document, digest, version)
    if existing is not None:
        return existing
    run = AbstractionRun.objects.create(
        case_id=document.case_id,
        document=document,
        status=Run.QUEUED,
        engine_version=version,
        text_sha256=digest,
    )
    after_commit(abstract_document_task, run.pk)
    return run


def effective_date_of(document) -> date:
    """The date a record's facts hold: the date it speaks for, else when it came in."""
    if document.record_date:
        return document.record_date
    return timezone.localtime(document.uploaded_at).date()


def _fact_rows(document, run: AbstractionRun, facts) -> list[CaseFact]:
    when = effective_date_of(document)
    rows = []
    for fact in facts:
        value = str(fact.value)[:300]
        rows.append(
            CaseFact(
                case_id=document.case_id,
                document=document,
                run=run,
                source=CaseFact.Source.TEXT,
                name=fact.name[:60],
                value=value,
                display=describe(fact.name, value, fact.detail)[:300],
                basis=fact.basis,
                assertion=fact.assertion,
                confidence=float(fact.confidence),
                inferred_from=fact.inferred_from or "",
                detail=dict(fact.detail or {}),
                start=fact.provenance.start,
                end=fact.provenance.end,
                sentence=fact.provenance.sentence,
                section=(fact.provenance.section or "")[:60],
                effective_date=when,
            )
        )
    return rows


def _replace_proposals(document, run: AbstractionRun, facts, *, first: bool = False) -> int:
    """Swap the record's unreviewed text proposals for the new ones; a fact a person has
    reviewed stays, and a new proposal repeating it (same name, value and span) is not
    added again. ``first``: the record has never been abstracted (nothing to swap)."""
    ours = (
        ()
        if first
        else CaseFact.objects.filter(document=document, source=CaseFact.Source.TEXT)
        .annotate(review_count=Count("reviews"))
        .values_list("pk", "name", "value", "start", "end", "review_status", "review_count")
    )
    stale, reviewed = [], set()
    for pk, name, value, start, end, status, review_count in ours:
        if status == CaseFact.Review.PROPOSED and not review_count:
            stale.append(pk)
        else:
            reviewed.add((name, value, start, end))
    if stale:
        CaseFact.objects.filter(pk__in=stale).delete()
    rows = [
        r
        for r in _fact_rows(document, run, facts)
        if (r.name, r.value, r.start, r.end) not in reviewed
    ]
    CaseFact.objects.bulk_create(rows)
    return len(rows)


def abstract_document(
    document, *, run: AbstractionRun | None = None, audit: bool = True, new: bool = False
) -> AbstractionRun:
    """Abstract one record's text now and store its facts. Idempotent: when a finished
    run exists for the same text and engine version, that run is returned and nothing
    is written (a queued ``run`` made redundant is removed). A new engine version
    replaces the proposals nobody reviewed and keeps the reviewed ones.

    ``audit=False`` only for a caller that audits the whole of its work itself, and
    ``new=True`` only for a record created in the same transaction (no earlier run or
    fact can exist, so they are not looked for): both for the demo seed, which writes
    one audit event for everything it creates and must stay quick."""
    text = document.text or ""
    digest, version = text_digest(text), engine_version()
    if not text.strip():
        if run is not None and run.status == Run.QUEUED:
            run.delete()
        return _no_text_run(document)
    done = None if new else _done_run(document, digest, version)
    if done is not None and (run is None or done.pk != run.pk):
        if run is not None and run.status in (Run.QUEUED, Run.RUNNING):
            run.delete()
        return done
    if run is None or run.text_sha256 != digest or run.engine_version != version:
        run = AbstractionRun.objects.create(
            case_id=document.case_id,
            document=document,
            engine_version=version,
            text_sha256=digest,
            status=Run.RUNNING,
            started_at=timezone.now(),
        )
    else:
        run.status, run.started_at, run.error = Run.RUNNING, timezone.now(), ""
        run.save(update_fields=["status", "started_at", "error"])
    actor = system_actor()
    try:
        result = abstract(text, str(document.pk))
        with transaction.atomic():
            run.fact_count = _replace_proposals(document, run, result.facts, first=new)
            run.status, run.finished_at = Run.DONE, timezone.now()
            run.save(update_fields=["fact_count", "status", "finished_at"])
            if audit:
                record(
                    actor,
                    "abstraction.run",
                    ALLOWED,
                    case=document.case,
                    obj=run,
                    detail=f"record {document.pk}: {run.fact_count} facts proposed ({version})",
                )
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded on the run and shown
        log.exception("abstraction of record %s failed", document.pk)
        run.status, run.finished_at = Run.FAILED, timezone.now()
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.save(update_fields=["status", "finished_at", "error"])
        if audit:
            record(actor, "abstraction.run", FAILED, case=document.case, obj=run, detail=run.error)
    return run


@dataclass
class RerunResult:
    queued: int = 0
    up_to_date: int = 0
    in_progress: int = 0
    no_text: int = 0
    ocr_queued: int = 0
    runs: list[AbstractionRun] = field(default_factory=list)

    @property
    def message(self) -> str:
        parts = []
        if self.queued:
            parts.append(f"{self.queued} record(s) queued for abstraction")
        if self.ocr_queued:
            parts.append(f"{self.ocr_queued} scanned record(s) queued for OCR")
        if self.in_progress:
            parts.append(f"{self.in_progress} already in progress")
        if self.up_to_date:
            parts.append(f"{self.up_to_date} already up to date")
        if self.no_text:
            parts.append(f"{self.no_text} without text to read")
        return "; ".join(parts) or "No records to abstract"


def rerun_abstraction(actor, case) -> RerunResult:
    """Ask again for every record of the case; only records whose text or the engine
    changed since their last finished run (or whose run failed) are queued. A scan OCR
    could not read (Tesseract missing or failing) or whose OCR worker was lost is
    queued for OCR again; its abstraction follows."""
    from consilium.apps.records.models import Document
    from consilium.apps.records.services import ocr_stale, retry_ocr

    retry = {Document.TextStatus.OCR_FAILED, Document.TextStatus.OCR_UNAVAILABLE}
    with audited(actor, "abstraction.run", case) as audit:
        if case.status_enum.is_terminal:
            raise RuleError("The case is closed; its records are no longer abstracted")
        result = RerunResult()
        version = engine_version()
        for document in case.documents.all():
            if document.text_status in retry or ocr_stale(document):
                retry_ocr(document)
                result.ocr_queued += 1
                continue
            if document.ocr_pending:
                result.in_progress += 1
                continue
            if not (document.text or "").strip():
                if document.text_status in Document.UNREAD:
                    result.no_text += 1
                continue
            digest = text_digest(document.text)
            if _done_run(document, digest, version):
                result.up_to_date += 1
            elif _active_run(document, digest, version):
                result.in_progress += 1
            else:
                run = queue_abstraction(document)
                result.queued += 1
                result.runs.append(run)
        audit.detail = result.message
    return result


def latest_runs(case) -> dict[int, AbstractionRun]:
    """The latest run of each record of the case, by record id."""
    latest: dict[int, AbstractionRun] = {}
    for run in AbstractionRun.objects.filter(case=case).order_by("document_id", "-pk"):
        latest.setdefault(run.document_id, run)
    return latest


# --- people's word on facts -----------------------------------------------------------------


def _refuse_if_closed(case) -> None:
    if case.status_enum.is_terminal:
        raise RuleError("The case is closed; its facts can no longer be changed")


def review_fact(actor, case, fact: CaseFact, action: str, *, value: str = "", note: str = ""):
    """Confirm, correct (with the corrected value) or reject a fact. The proposal itself is
    never overwritten: a correction is kept beside it, and every step is a FactReview."""
    with audited(actor, "facts.review", case, obj=fact) as audit:
        _refuse_if_closed(case)
        if fact.case_id != case.pk:
            raise RuleError("The fact belongs to another case")
        status = REVIEW_ACTIONS.get(action)
        if status is None:
            raise InvalidFact(
                f"Unknown review action {action!r}: confirm, correct or reject", "action"
            )
        note = (note or "").strip()
        before = fact.current_value
        if status == CaseFact.Review.CORRECTED:
            try:
                corrected = normalize_value(fact.name, value)
            except InvalidValue as exc:
                raise InvalidFact(f"The corrected value: {exc}") from None
            if corrected == fact.value:
                raise InvalidFact("The correction is the proposed value; confirm it instead")
            if fact.review_status == status and corrected == fact.corrected_value:
                raise RuleError(f"The fact is already corrected to {corrected!r}")
            if not note:
                raise InvalidFact(
                    "Say why the value is corrected (the note is kept with it)", "note"
                )
            fact.corrected_value = corrected
        else:
            if fact.review_status == status:
                raise RuleError(f"The fact is already {status.label.lower()}")
            if status == CaseFact.Review.REJECTED and not note:
                raise InvalidFact("Say why the fact is rejected (the note is kept with it)", "note")
            fact.corrected_value = ""
        fact.review_status = status
        fact.review_note = note
        fact.reviewed_by = actor.user
        fact.reviewed_at = timezone.now()
        with transaction.atomic():
            fact.save(
                update_fields=[
                    "review_status",
                    "corrected_value",
                    "review_note",
                    "reviewed_by",
                    "reviewed_at",
                ]
            )
            FactReview.objects.create(
                fact=fact,
                action=status,
                value=fact.current_value if status != CaseFact.Review.REJECTED else fact.value,
                note=note,
                by=actor.user,
                at=fact.reviewed_at,
            )
        audit.detail = f"{fact.name}: {status.label.lower()} ({before} → {fact.current_value})"
    return fact


def add_manual_fact(
    actor, case, *, name: str, value: str, note: str, effective_date: date | None = None
) -> CaseFact:
    """A fact a person states for what the records do not (an outside result read over
    the phone, a lab value): kept as entered by them, with where it comes from."""
    with audited(actor, "facts.review", case) as audit:
        _refuse_if_closed(case)
        try:
            name = check_name(name)
        except InvalidValue as exc:
            raise InvalidFact(f"The fact name: {exc}", "name") from None
        try:
            value = normalize_value(name, value)
        except InvalidValue as exc:
            raise InvalidFact(f"The value: {exc}") from None
        note = (note or "").strip()
        if not note:
            raise InvalidFact(
                "Say where the value comes from (e.g. an outside report and its date)", "note"
            )
        today = timezone.localdate()
        if effective_date is not None and effective_date > today:
            raise InvalidFact("The date the fact holds cannot be in the future", "effective_date")
        now = timezone.now()
        with transaction.atomic():
            fact = CaseFact.objects.create(
                case=case,
                source=CaseFact.Source.MANUAL,
                name=name,
                value=value,
                display=describe(name, value)[:300],
                basis="stated",
                confidence=1.0,
                effective_date=effective_date or today,
                created_by=actor.user,
                created_at=now,
                review_status=CaseFact.Review.CONFIRMED,
                review_note=note,
                reviewed_by=actor.user,
                reviewed_at=now,
            )
            FactReview.objects.create(
                fact=fact,
                action=CaseFact.Review.CONFIRMED,
                value=value,
                note=note,
                by=actor.user,
                at=now,
            )
        audit.obj = fact
        audit.detail = f"{name} entered: {value}"
    return fact


# --- the summary, checklist and timeline ----------------------------------------------------


def sentence_span(fact: CaseFact, text: str) -> tuple[int, int] | None:
    """Where the fact's sentence lies in the record's text (it holds the fact's span)."""
    if fact.start is None or fact.end is None or not fact.sentence or not text:
        return None
    size = len(fact.sentence)
    at = text.find(fact.sentence, max(0, fact.end - size), fact.start + size)
    if at < 0 or not (at <= fact.start and fact.end <= at + size):
        return None
    return at, at + size


def viewer_query(fact: CaseFact, text: str) -> str:
    """The record viewer's query marking the fact's span and sentence ("" without one)."""
    if fact.start is None or fact.end is None:
        return ""
    query = f"?hl={fact.start}-{fact.end}"
    around = sentence_span(fact, text)
    if around is not None:
        query += f"&s={around[0]}-{around[1]}"
    return query + "#hl"


def case_fact_rows(case) -> list[CaseFact]:
    return list(
        CaseFact.objects.filter(case=case)
        .select_related("document", "reviewed_by", "created_by")
        .order_by("name", "pk")
    )


def as_record(fact: CaseFact) -> FactRecord:
    doc = fact.document
    reviewer = fact.reviewed_by or fact.created_by
    return FactRecord(
        id=fact.pk,
        name=fact.name,
        value=fact.current_value,
        proposed_value=fact.value,
        display=fact.display,
        basis=fact.basis,
        assertion=fact.assertion,
        confidence=fact.confidence,
        review_status=fact.review_status,
        source=fact.source,
        document_id=fact.document_id,
        document_kind=doc.kind if doc else None,
        document_title=str(doc) if doc else "",
        effective_date=fact.effective_date,
        record_date=doc.record_date if doc else None,
        start=fact.start,
        end=fact.end,
        sentence=fact.sentence,
        section=fact.section,
        inferred_from=fact.inferred_from,
        fhir_reference=fact.fhir_reference,
        reviewed_by=reviewer.display_name if reviewer else "",
        detail=fact.detail or {},
    )


@dataclass
class Preparation:
    """Everything the case summary shows, computed once per request."""

    rows: list[CaseFact]
    records: list[FactRecord]
    summary: CaseSummary
    checklist: ChecklistResult
    timeline: list[TimelineEntry]
    runs: dict[int, AbstractionRun]
    documents: list

    @property
    def by_id(self) -> dict[int, CaseFact]:
        return {f.pk: f for f in self.rows}


def cancer_type_of(case, summary: CaseSummary) -> str | None:
    """The summary's cancer type when the records state one, else the case's own."""
    return summary.value("cancer_type") or case.cancer_type_code or None


def completeness(case, summary: CaseSummary, documents: Iterable) -> ChecklistResult:
    code = cancer_type_of(case, summary)
    facts = []
    for merged in summary.facts.values():
        if merged.chosen is None:
            continue
        facts.append(
            FactOnFile(
                merged.name,
                merged.shown,
                pending=is_placeholder(merged.chosen),
                id=merged.chosen.id,
            )
        )
    records = [
        RecordOnFile(
            d.pk,
            d.kind,
            str(d),
            d.text or "",
            ((d.metadata or {}).get("dicom") or {}).get("modality"),
        )
        for d in documents
    ]
    return evaluate(
        checklist_for(code), records, facts, cancer_type=code, advanced=summary.advanced
    )


def prepare(case) -> Preparation:
    """Summary, checklist and timeline of the case. The caller has passed the policy
    (``facts.view``) and audits the read."""
    rows = case_fact_rows(case)
    records = [as_record(f) for f in rows]
    summary = merge(records)
    documents = list(case.documents.all())
    infos = [
        RecordInfo(
            d.pk,
            d.kind,
            str(d),
            d.record_date,
            timezone.localtime(d.uploaded_at).date(),
            d.metadata or {},
        )
        for d in documents
    ]
    return Preparation(
        rows=rows,
        records=records,
        summary=summary,
        checklist=completeness(case, summary, documents),
        timeline=clinical_timeline(summary, records, infos),
        runs=latest_runs(case),
        documents=documents,
    )
