"""Decision-support routes of the JSON API: the case's testing gaps, therapy options and
trials, and adding one of them to the draft opinion's recommendations."""

from __future__ import annotations

from ninja import Router, Status

from consilium.apps.cases.api import ERRORS, actor_of, invalid
from consilium.apps.cases.lookup import get_case
from consilium.apps.decision import services
from consilium.apps.decision.schemas import AddedOut, AddIn, DecisionSupportOut

router = Router(tags=["decision support"])


@router.get(
    "/{case_id}/decision-support",
    response={200: DecisionSupportOut, **ERRORS},
    summary="Testing gaps, therapy options and trials for a case",
)
def decision_support(request, case_id: int):
    """Computed from the case's current facts on every call. Each gap, therapy and trial
    carries its ``id`` (to add it to the recommendations), the recommendation it would
    add, and whether the opinion already has it."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "decision.view")
    return services.panel(actor, case)


@router.post(
    "/{case_id}/decision-support/recommendations",
    response={200: AddedOut, 201: AddedOut, **ERRORS},
    summary="Add a gap, therapy or trial to the opinion's recommendations",
)
def add_recommendation(request, case_id: int, payload: AddIn):
    """The assigned expert, while the opinion is a draft (409 otherwise). **201** when
    added, **200** when the opinion already had it (nothing is duplicated); **422** when
    the item is not part of the case's current decision support."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "opinion.write")
    try:
        rec, created = services.add_item(actor, case, payload.item)
    except services.UnknownItem as exc:
        raise invalid("item", str(exc)) from None
    body = AddedOut(
        created=created,
        kind=rec.kind,
        text=rec.text,
        rationale=rec.rationale,
        position=rec.position,
    )
    return Status(201 if created else 200, body)
