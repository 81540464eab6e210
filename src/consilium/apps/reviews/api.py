"""Opinion routes of the JSON API: read, draft, sign, and add an addendum after signing."""

from __future__ import annotations

from ninja import Router, Status

from consilium.apps.access.audit import audited
from consilium.apps.cases.api import ERRORS, actor_of, not_found
from consilium.apps.cases.lookup import get_case
from consilium.apps.reviews import services
from consilium.apps.reviews.models import Addendum, Opinion
from consilium.apps.reviews.schemas import AddendumIn, AddendumOut, OpinionIn, OpinionOut

router = Router(tags=["opinion"])


def addendum_out(a: Addendum) -> AddendumOut:
    return AddendumOut(id=a.pk, text=a.text, author=a.author.display_name, created_at=a.created_at)


def opinion_out(case_id: int) -> OpinionOut:
    o = (
        Opinion.objects.select_related("author__user", "signed_by")
        .prefetch_related("recommendations", "addenda__author")
        .get(case_id=case_id)
    )
    return OpinionOut(
        id=o.pk,
        author=o.author.user.display_name,
        signed=o.is_signed,
        complete=o.is_complete,
        diagnosis_assessment=o.diagnosis_assessment,
        diagnosis_comment=o.diagnosis_comment,
        treatment_assessment=o.treatment_assessment,
        treatment_comment=o.treatment_comment,
        discrepancy=o.discrepancy,
        narrative=o.narrative,
        member_summary=o.member_summary,
        answers=[
            {"question": a.get("question", ""), "answer": a.get("answer", "")}
            for a in o.answers or []
        ],
        recommendations=[
            {"kind": r.kind, "text": r.text, "rationale": r.rationale}
            for r in o.recommendations.all()
        ],
        addenda=[addendum_out(a) for a in o.addenda.all()],
        created_at=o.created_at,
        updated_at=o.updated_at,
        signed_at=o.signed_at,
        signed_by=o.signed_by.display_name if o.signed_by else None,
    )


@router.get(
    "/{case_id}/opinion",
    response={200: OpinionOut, **ERRORS},
    summary="The expert's opinion (draft or signed)",
)
def get_opinion(request, case_id: int):
    """404 while the expert has not saved a draft yet."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "opinion.view")
    if not Opinion.objects.filter(case=case).exists():
        not_found(actor, "opinion.view", case, "no opinion yet")
    with audited(actor, "opinion.view", case):
        return opinion_out(case.pk)


@router.put(
    "/{case_id}/opinion", response={200: OpinionOut, **ERRORS}, summary="Save the opinion draft"
)
def save_opinion(request, case_id: int, payload: OpinionIn):
    """Replace the draft while the case is in review. Grades take the listed values
    (a wrong one is a 422 naming the field); a signed opinion never changes (409)."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "opinion.write")
    draft = services.OpinionDraft(
        **payload.model_dump(exclude={"recommendations"}),
        recommendations=[r.model_dump() for r in payload.recommendations],
    )
    services.save_draft(actor, case, draft)
    return opinion_out(case.pk)


@router.post(
    "/{case_id}/opinion/sign", response={200: OpinionOut, **ERRORS}, summary="Sign the opinion"
)
def sign_opinion(request, case_id: int):
    """Freezes the opinion, moves the case to OPINION_SIGNED and renders both reports.
    Refused (409) if the opinion is incomplete or the case is not in review."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "opinion.write")
    services.sign(actor, case)
    return opinion_out(case.pk)


@router.post(
    "/{case_id}/opinion/addenda",
    response={201: AddendumOut, **ERRORS},
    summary="Add an addendum to the signed opinion",
)
def add_addendum(request, case_id: int, payload: AddendumIn):
    actor = actor_of(request)
    case = get_case(actor, case_id, "opinion.write")
    return Status(201, addendum_out(services.add_addendum(actor, case, payload.text)))
