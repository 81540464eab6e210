"""Fetching a case for a user: missing and hidden answer the same 404."""

from __future__ import annotations

from consilium.apps.access.audit import DENIED, record
from consilium.apps.access.policy import NotFound, permits, require
from consilium.apps.cases.models import Case

CASE_RELATED = ("member", "member__user", "physician", "expert", "expert__user", "program")


def get_case(actor, pk: int, action: str = "case.view") -> Case:
    """The case, if ``actor`` may ``action`` it; otherwise NotFound (404) or Forbidden (403
    for a case the actor may see but not act on). Every refusal is audited."""
    case = Case.objects.select_related(*CASE_RELATED).filter(pk=pk).first()
    if case is None:
        record(actor, action, DENIED, detail=f"no case {pk}")
        raise NotFound("No such case")
    if not permits(actor.user, "case.view", case):
        record(actor, action, DENIED, case=case)
        raise NotFound("No such case")
    require(actor, action, case)
    return case
