"""The one access policy: who may do what to which case.

Deny by default. A rule names, for each role allowed an action, the relation the user
must have to the case: their own case (member), a case where they are the treating
physician, a case assigned to them (expert), a case of their program (coordinator), or
none (the action is not about one case). A user with no rule for an action is refused.

Pages, the API and commands all ask here. ``require`` also writes the audit event for a
denied attempt, and raises ``NotFound`` when the user may not even see the case, so its
existence does not leak.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from consilium.engines.casework.roles import Role


class Relation(StrEnum):
    OWN = "own"  # the member whose case it is
    TREATING = "treating"  # the case's treating physician
    ASSIGNED = "assigned"  # the expert assigned to the case
    PROGRAM = "program"  # a coordinator of the case's program
    NONE = "none"  # the role alone suffices; the action is not about one case


M, P, C, E, A = Role.MEMBER, Role.PHYSICIAN, Role.COORDINATOR, Role.EXPERT, Role.ADMIN
R = Relation
_SEE_CASE = {M: R.OWN, P: R.TREATING, E: R.ASSIGNED, C: R.PROGRAM}

RULES: dict[str, dict[Role, Relation]] = {
    # cases
    "case.list": {M: R.NONE, P: R.NONE, E: R.NONE, C: R.NONE},
    "case.view": _SEE_CASE,
    "case.request": {M: R.NONE},  # a member asks for a review for themself
    "case.refer": {P: R.NONE},  # a physician refers a patient
    "case.open": {C: R.NONE},  # a coordinator opens a case (e.g. proactive)
    "case.edit": {C: R.PROGRAM},
    "case.transition": _SEE_CASE,  # the transition table then decides by role and state
    "case.assign": {C: R.PROGRAM},
    "member.lookup": {P: R.NONE, C: R.NONE},
    # intake
    "consent.view": _SEE_CASE,
    "consent.sign": {M: R.OWN},
    "consent.record": {C: R.PROGRAM},
    "consent.revoke": {M: R.OWN, C: R.PROGRAM},
    "coverage.view": {C: R.PROGRAM},
    "coverage.check": {C: R.PROGRAM},
    # records
    "document.view": _SEE_CASE,
    "document.upload": {M: R.OWN, P: R.TREATING, C: R.PROGRAM},
    "timeline.view": _SEE_CASE,
    # case preparation: abstracted facts, their confirmation, FHIR in and out
    "facts.view": {P: R.TREATING, E: R.ASSIGNED, C: R.PROGRAM},
    "facts.review": {E: R.ASSIGNED, C: R.PROGRAM},  # confirm or correct a fact
    "abstraction.run": {C: R.PROGRAM},
    "fhir.import": {P: R.TREATING, C: R.PROGRAM},
    "fhir.export": {P: R.TREATING, E: R.ASSIGNED, C: R.PROGRAM},
    # decision support: testing gaps, therapies, trials for one case
    "decision.view": {E: R.ASSIGNED, C: R.PROGRAM},
    # review
    "opinion.view": {E: R.ASSIGNED, C: R.PROGRAM},
    "opinion.write": {E: R.ASSIGNED},
    # delivery
    "report.physician.view": {P: R.TREATING, E: R.ASSIGNED, C: R.PROGRAM},
    "report.member.view": {M: R.OWN, P: R.TREATING, E: R.ASSIGNED, C: R.PROGRAM},
    "followup.view": _SEE_CASE,
    "followup.ask": {M: R.OWN},
    "followup.answer": {E: R.ASSIGNED},
    # trial registry (no patient data) and proactive outreach from claims; the outreach
    # pages show only the coordinator's own program
    "trials.view": {E: R.NONE, C: R.NONE, A: R.NONE},
    "trials.manage": {C: R.NONE, A: R.NONE},
    "outreach.view": {C: R.NONE},
    "outreach.scan": {C: R.NONE},
    "outreach.decide": {C: R.NONE},
    # administration
    "audit.view": {A: R.NONE},
    "users.manage": {A: R.NONE},
    "program.settings": {A: R.NONE},
    "tokens.own": {M: R.NONE, P: R.NONE, E: R.NONE, C: R.NONE, A: R.NONE},
}


class NotFound(Http404):
    """The object does not exist, or the user may not know it does."""


class Forbidden(PermissionDenied):
    """The user may see the case but not do this to it."""


def role_of(user) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def _related(user, case, relation: Relation) -> bool:
    if relation is Relation.NONE:
        return True
    if case is None:
        return False
    if relation is Relation.OWN:
        return case.member.user_id == user.pk
    if relation is Relation.TREATING:
        return case.physician_id is not None and case.physician.user_id == user.pk
    if relation is Relation.ASSIGNED:
        return case.expert_id is not None and case.expert.user_id == user.pk
    if relation is Relation.PROGRAM:
        return user.program_id is not None and case.program_id == user.program_id
    return False


def _relation_q(user, relation: Relation) -> Q | None:
    """The same relation as a filter over cases, for lists (None: no case qualifies)."""
    if relation is Relation.OWN:
        return Q(member__user_id=user.pk)
    if relation is Relation.TREATING:
        return Q(physician__user_id=user.pk)
    if relation is Relation.ASSIGNED:
        return Q(expert__user_id=user.pk)
    if relation is Relation.PROGRAM:
        return Q(program_id=user.program_id) if user.program_id else None
    return None


def permits(user, action: str, case=None) -> bool:
    role = role_of(user)
    if role is None:
        return False
    relation = RULES.get(action, {}).get(role)
    if relation is None:
        return False
    return _related(user, case, relation)


def visible_cases(user, queryset: QuerySet | None = None, action: str = "case.view") -> QuerySet:
    """The cases ``user`` may ``action``, as a filter: the list form of ``permits``."""
    from consilium.apps.cases.models import Case

    qs = Case.objects.all() if queryset is None else queryset
    role = role_of(user)
    relation = RULES.get(action, {}).get(role) if role else None
    q = _relation_q(user, relation) if relation else None
    return qs.filter(q) if q is not None else qs.none()


def require(actor, action: str, case=None, *, obj=None) -> None:
    """Refuse (and audit the refusal) unless ``actor`` may ``action`` the case."""
    if permits(actor.user, action, case):
        return
    from consilium.apps.access import audit

    audit.record(actor, action, audit.DENIED, case=case, obj=obj)
    if case is not None and not permits(actor.user, "case.view", case):
        raise NotFound("No such case")
    raise Forbidden(f"Your role may not do '{action}' here")
