"""Case preparation routes of the JSON API: the merged facts with their provenance, a
person's review of a fact, a fact entered by hand, the completeness checklist, and
re-running the abstraction of the case's records."""

from __future__ import annotations

from django.urls import reverse
from ninja import Router, Status

from consilium.apps.access.audit import audited
from consilium.apps.cases.api import ERRORS, actor_of, invalid, not_found
from consilium.apps.cases.lookup import get_case
from consilium.apps.preparation import services
from consilium.apps.preparation.models import AbstractionRun, CaseFact, FactReview
from consilium.apps.preparation.schemas import (
    CandidateValue,
    ChecklistItemOut,
    ChecklistOut,
    FactOut,
    FactsOut,
    ManualFactIn,
    MergedFactOut,
    Provenance,
    RerunOut,
    ReviewIn,
    ReviewOut,
    RunOut,
    SeriesPointOut,
)
from consilium.engines.abstraction.merge import MergedFact, SeriesPoint, is_weak
from consilium.engines.knowledge.completeness import ChecklistResult

router = Router(tags=["case preparation"])


def _run(run: AbstractionRun) -> RunOut:
    return RunOut.model_validate(run, from_attributes=True)


def _fact(case, fact: CaseFact, reviews: list[FactReview], weak: bool) -> FactOut:
    viewer = None
    if fact.document_id and fact.start is not None and fact.end is not None:
        text = fact.document.text if fact.document else ""
        viewer = reverse("records:view", args=[case.pk, fact.document_id]) + (
            services.viewer_query(fact, text)
        )
    reviewer = fact.reviewed_by
    return FactOut(
        id=fact.pk,
        name=fact.name,
        value=fact.current_value,
        proposed_value=fact.value,
        corrected_value=fact.corrected_value,
        display=fact.display,
        basis=fact.basis,
        inferred_from=fact.inferred_from,
        assertion=fact.assertion,
        confidence=fact.confidence,
        weak=weak,
        source=fact.source,
        review_status=fact.review_status,
        review_note=fact.review_note,
        reviewed_by=reviewer.display_name if reviewer else None,
        reviewed_at=fact.reviewed_at,
        effective_date=fact.effective_date,
        detail=fact.detail or {},
        provenance=Provenance(
            document_id=fact.document_id,
            start=fact.start,
            end=fact.end,
            sentence=fact.sentence,
            section=fact.section,
            fhir_reference=fact.fhir_reference,
            viewer_url=viewer,
        ),
        reviews=[
            ReviewOut(action=r.action, value=r.value, note=r.note, by=r.by.display_name, at=r.at)
            for r in reviews
        ],
    )


def _point(m: MergedFact, p: SeriesPoint) -> SeriesPointOut:
    return SeriesPointOut(
        taken_on=p.on,
        dated_by=p.dated_by,
        value=p.value,
        number=p.number,
        comparator=p.comparator,
        unit=p.unit,
        elevated=p.elevated,
        conflict=p.conflict,
        placeholder=p.placeholder,
        chosen=m.chosen is not None and p.best.id == m.chosen.id,
        fact_ids=[f.id for f in p.facts],
        document_ids=p.documents,
    )


def _merged(m: MergedFact) -> MergedFactOut:
    return MergedFactOut(
        name=m.name,
        label=m.label,
        group=m.group,
        value=m.value,
        shown=m.shown,
        why=m.why,
        chosen_fact_id=m.chosen.id if m.chosen else None,
        conflict=m.conflict,
        resolved=m.resolved,
        values=[
            CandidateValue(
                value=g.value,
                shown=g.shown,
                fact_ids=[f.id for f in g.facts],
                document_ids=g.documents,
            )
            for g in m.values
        ],
        weak_fact_ids=[f.id for f in m.weak],
        rejected_fact_ids=[f.id for f in m.rejected],
        series=[_point(m, p) for p in m.series],
    )


def _histories(case) -> dict[int, list[FactReview]]:
    out: dict[int, list[FactReview]] = {}
    for review in FactReview.objects.filter(fact__case=case).select_related("by"):
        out.setdefault(review.fact_id, []).append(review)
    return out


def _checklist(result: ChecklistResult) -> ChecklistOut:
    return ChecklistOut(
        checklist=result.checklist.key,
        label=result.checklist.label,
        version=result.version,
        cancer_type=result.cancer_type,
        advanced=result.advanced,
        complete=result.complete,
        missing=[r.item.key for r in result.missing],
        items=[
            ChecklistItemOut(
                key=r.item.key,
                what=r.item.what,
                why=r.item.why,
                state=r.state,
                met_by=r.met_by,
                document_id=r.document_id,
                fact_id=r.fact_id if isinstance(r.fact_id, int) else None,
                when=r.item.when,
                source_name=r.item.source.name,
                source_url=r.item.source.url,
            )
            for r in result.items
        ],
    )


@router.get(
    "/{case_id}/facts",
    response={200: FactsOut, **ERRORS},
    summary="The case's facts: the merged summary and every fact with its provenance",
)
def list_facts(request, case_id: int):
    """``summary`` answers one value per fact name (``null``: not stated) with the rule
    that chose it and every candidate value; ``conflict`` marks records that disagree.
    ``facts`` lists each fact with its source span, review state and history."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "facts.view")
    with audited(actor, "facts.view", case) as audit:
        audit.detail = "api facts"
        prep = services.prepare(case)
        histories = _histories(case)
        weak = {f.id for m in prep.summary.facts.values() for f in m.weak}
        weak |= {f.id for f in prep.summary.treatments if is_weak(f)}
        return FactsOut(
            summary=[_merged(m) for m in prep.summary.facts.values()],
            conflicts=[m.name for m in prep.summary.conflicts],
            facts=[_fact(case, f, histories.get(f.pk, []), f.pk in weak) for f in prep.rows],
            runs=[_run(r) for r in prep.runs.values()],
        )


@router.post(
    "/{case_id}/facts/{fact_id}/review",
    response={200: FactOut, **ERRORS},
    summary="Confirm, correct or reject a fact",
)
def review_fact(request, case_id: int, fact_id: int, payload: ReviewIn):
    """``confirm`` keeps the proposal; ``correct`` keeps the proposal and adds the
    corrected ``value`` beside it (with a ``note``); ``reject`` (with a ``note``) takes
    the fact out of the summary. Every step is kept in the fact's ``reviews``. A value
    that cannot be right for the fact answers 422; repeating the current state, or a
    closed case, answers 409."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "facts.review")
    fact = CaseFact.objects.filter(pk=fact_id, case=case).first()
    if fact is None:
        not_found(actor, "facts.review", case, f"no fact {fact_id}")
    try:
        services.review_fact(
            actor, case, fact, payload.action, value=payload.value, note=payload.note
        )
    except services.InvalidFact as exc:
        raise invalid(exc.field, exc.message) from None
    fact = CaseFact.objects.select_related("document", "reviewed_by").get(pk=fact.pk)
    weak = is_weak(services.as_record(fact))
    return _fact(case, fact, list(fact.reviews.select_related("by")), weak)


@router.post(
    "/{case_id}/facts",
    response={201: FactOut, **ERRORS},
    summary="Enter a fact the records do not state",
)
def add_fact(request, case_id: int, payload: ManualFactIn):
    """The fact is kept as entered by the caller (source ``manual``), with the ``note``
    saying where the value comes from. Values are checked for the facts with a known
    form (TNM categories, stage groups, OncoTree codes, receptor statuses, numbers)."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "facts.review")
    try:
        fact = services.add_manual_fact(
            actor,
            case,
            name=payload.name,
            value=payload.value,
            note=payload.note,
            effective_date=payload.effective_date,
        )
    except services.InvalidFact as exc:
        raise invalid(exc.field, exc.message) from None
    return Status(201, _fact(case, fact, list(fact.reviews.select_related("by")), False))


@router.get(
    "/{case_id}/checklist",
    response={200: ChecklistOut, **ERRORS},
    summary="The completeness checklist for the case's cancer type",
)
def checklist(request, case_id: int):
    """Each item ``met`` (by which record or fact), ``pending``, ``missing``, or
    ``conditional`` (needed only once the disease is known to be advanced), with the
    public recommendation it comes from."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "facts.view")
    with audited(actor, "facts.view", case) as audit:
        audit.detail = "api checklist"
        return _checklist(services.prepare(case).checklist)


@router.post(
    "/{case_id}/abstraction",
    response={202: RerunOut, **ERRORS},
    summary="Re-run the abstraction of the case's records",
)
def rerun(request, case_id: int):
    """Queues only records whose text or the engine changed since their last finished
    run (or whose run failed): calling it twice queues nothing the second time. The runs
    finish in the background; their status is in ``GET .../facts`` (``runs``)."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "abstraction.run")
    result = services.rerun_abstraction(actor, case)
    return Status(
        202,
        RerunOut(
            queued=result.queued,
            up_to_date=result.up_to_date,
            in_progress=result.in_progress,
            no_text=result.no_text,
            ocr_queued=result.ocr_queued,
            message=result.message,
            # Re-read: a queue running inline may have finished them already.
            runs=[
                _run(r) for r in AbstractionRun.objects.filter(pk__in=[r.pk for r in result.runs])
            ],
        ),
    )
