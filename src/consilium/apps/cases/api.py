"""Case routes of the JSON API: list, open, read, lifecycle transitions and intake.

Every handler builds the actor, fetches the case through ``lookup.get_case`` (missing and
hidden answer the same 404, every refusal is audited) and either calls a service (which
audits) or wraps its read in ``audited``.
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, F, Q, Value, When
from django.db.models import Case as Conditional
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import DENIED, audited, record
from consilium.apps.access.policy import Forbidden, NotFound, require, visible_cases
from consilium.apps.cases import services
from consilium.apps.cases.lookup import CASE_RELATED, get_case
from consilium.apps.cases.models import Case
from consilium.apps.cases.schemas import (
    AssignmentIn,
    CaseDetail,
    CaseFilters,
    CaseIn,
    CasePage,
    CaseSummary,
    ConsentIn,
    ConsentOut,
    CoverageCheckOut,
    Error,
    Invalid,
    MemberSummary,
    PersonRef,
    Refusal,
    RevokeIn,
    TimelineEventOut,
    TransitionIn,
    TransitionOption,
)
from consilium.apps.people.models import Expert, Member, Physician
from consilium.engines.casework import lifecycle
from consilium.engines.casework.lifecycle import CLOCK_RUNNING
from consilium.engines.casework.roles import Role

router = Router(tags=["cases"])

# Documented on every case route; the handlers in consilium.api produce these bodies.
ERRORS = {401: Error, 403: Error, 404: Error, 409: Refusal, 422: Invalid}


def actor_of(request: HttpRequest) -> Actor:
    return Actor.from_request(request, channel="api")


def invalid(field: str, message: str) -> ValidationError:
    """A 422 naming the body field at fault, in ninja's own validation error shape."""
    return ValidationError(
        [{"type": "value_error", "loc": ["body", "payload", field], "msg": message}]
    )


def not_found(actor: Actor, action: str, case: Case, what: str):
    """An object missing from a visible case: audited, and the same 404 as a hidden case."""
    record(actor, action, DENIED, case=case, detail=what)
    raise NotFound(what)


# --- shaping -----------------------------------------------------------------------------


def _person(obj) -> PersonRef | None:
    if obj is None:
        return None
    name = obj.user.display_name if isinstance(obj, Expert) else obj.name
    return PersonRef(id=obj.pk, name=name)


def summary(case: Case, overdue: bool) -> CaseSummary:
    return CaseSummary(
        id=case.pk,
        reference=case.reference,
        status=case.status,
        status_label=case.status_enum.label,
        origin=case.origin,
        cancer_type_code=case.cancer_type_code,
        cancer_type_label=case.cancer_type_label,
        urgent=case.urgent,
        member_name=case.member.full_name,
        expert=_person(case.expert),
        request_date=case.request_date,
        due_date=case.due_date,
        overdue=overdue,
    )


def member_summary(case: Case, role: Role | None) -> MemberSummary:
    m = case.member
    identified = role in (Role.MEMBER, Role.PHYSICIAN, Role.COORDINATOR)
    return MemberSummary(
        full_name=m.full_name,
        age=m.age_on(timezone.localdate()),
        sex=m.sex,
        state=m.state,
        member_number=m.member_number if identified else None,
        date_of_birth=m.date_of_birth if identified else None,
    )


def detail(case: Case, actor: Actor) -> CaseDetail:
    role = actor.role
    verdicts = lifecycle.available(role, services.facts_for(case)) if role else []
    return CaseDetail(
        id=case.pk,
        reference=case.reference,
        status=case.status,
        status_label=case.status_enum.label,
        origin=case.origin,
        cancer_type_code=case.cancer_type_code,
        cancer_type_label=case.cancer_type_label,
        questions=list(case.questions or []),
        clinical_summary=case.clinical_summary,
        urgent=case.urgent,
        request_date=case.request_date,
        due_date=case.due_date,
        overdue=case.is_overdue(),
        closed_reason=case.closed_reason,
        member=member_summary(case, role),
        physician=_person(case.physician),
        expert=_person(case.expert),
        transitions=[
            TransitionOption(
                name=v.transition.name,
                label=v.transition.label,
                target=v.transition.target.value,
                allowed=v.allowed,
                needs_reason=v.transition.needs_reason,
                reasons=list(v.reasons),
            )
            for v in verdicts
        ],
    )


def _reload(case: Case) -> Case:
    return Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)


# --- list and open -----------------------------------------------------------------------

_REFERENCE = re.compile(r"^\s*(?:CR-?)?0*(\d{1,12})\s*$", re.IGNORECASE)


@router.get("", response={200: CasePage, **ERRORS}, summary="List the cases you may see")
def list_cases(request, filters: Query[CaseFilters]):
    """Cases visible to the caller, overdue first, then by due date. ``count`` is the
    number matching the filters; page with ``limit`` (at most 200) and ``offset``."""
    actor = actor_of(request)
    today = timezone.localdate()
    with audited(actor, "case.list") as audit:
        overdue_q = Q(status__in=[s.value for s in CLOCK_RUNNING], due_date__lt=today)
        qs = visible_cases(actor.user, Case.objects.select_related(*CASE_RELATED)).annotate(
            overdue_now=Conditional(
                When(overdue_q, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        if filters.status:
            qs = qs.filter(status=filters.status)
        if filters.cancer_type:
            qs = qs.filter(cancer_type_code__iexact=filters.cancer_type.strip())
        if filters.origin:
            qs = qs.filter(origin=filters.origin)
        if filters.overdue is not None:
            qs = qs.filter(overdue_q) if filters.overdue else qs.exclude(overdue_q)
        if filters.expert_id is not None:
            qs = qs.filter(expert_id=filters.expert_id)
        if filters.q and filters.q.strip():
            qs = qs.filter(_search(filters.q.strip()))
        # Nulls last on every database: cases not yet ready (no due date) come after.
        qs = qs.order_by("-overdue_now", F("due_date").asc(nulls_last=True), "-created_at", "-pk")
        count = qs.count()
        page = list(qs[filters.offset : filters.offset + filters.limit])
        audit.detail = f"{count} cases; {filters.model_dump(exclude_defaults=True)}"[:500]
    return CasePage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[summary(c, c.overdue_now) for c in page],
    )


def _search(text: str) -> Q:
    q = (
        Q(member__first_name__icontains=text)
        | Q(member__last_name__icontains=text)
        | Q(member__member_number__iexact=text)
        | Q(cancer_type_label__icontains=text)
    )
    if m := _REFERENCE.match(text):
        q |= Q(pk=int(m.group(1)))
    if " " in text:
        first, _, last = text.partition(" ")
        q |= Q(member__first_name__icontains=first, member__last_name__icontains=last.strip())
    return q


@router.post("", response={201: CaseDetail, **ERRORS}, summary="Open a case")
def create_case(request, payload: CaseIn):
    """A member requests a review for themself, a treating physician refers a patient
    (identified by member number and date of birth), a coordinator opens a case for a
    member of the program. Unknown members are a 422 on the identifying field."""
    actor = actor_of(request)
    role = actor.role
    physician = None
    if role is Role.MEMBER:
        member = Member.objects.filter(user=actor.user).select_related("program").first()
        if member is None:
            raise services.RuleError("Your login is not linked to a member record")
        origin = Case.Origin.MEMBER_REQUEST
    elif role is Role.PHYSICIAN:
        physician = Physician.objects.filter(user=actor.user).first()
        if physician is None:
            raise services.RuleError("Your login is not linked to a physician record")
        member = _find_patient(actor, payload)
        origin = Case.Origin.PHYSICIAN_REFERRAL
    elif role is Role.COORDINATOR:
        member = _program_member(actor, payload.member_id)
        origin = payload.origin or Case.Origin.PROACTIVE
        if payload.physician_id is not None:
            physician = Physician.objects.filter(pk=payload.physician_id).first()
            if physician is None:
                raise invalid("physician_id", "No physician has this id")
    else:
        require(actor, "case.open")  # audits the refusal and raises Forbidden (403)
        raise Forbidden("Your role may not open cases")  # not reached: require refused
    case = services.open_case(
        actor,
        services.NewCase(
            member=member,
            origin=origin,
            cancer_type_code=payload.cancer_type_code.strip(),
            questions=payload.questions,
            clinical_summary=payload.clinical_summary,
            physician=physician,
            urgent=payload.urgent,
        ),
    )
    return Status(201, detail(_reload(case), actor))


def _find_patient(actor: Actor, payload: CaseIn) -> Member:
    """A physician names the patient by member number and date of birth, both of which
    must match: one alone would let anyone probe the member list."""
    if not payload.member_number or not payload.member_number.strip():
        raise invalid("member_number", "A referral needs the patient's member number")
    if payload.date_of_birth is None:
        raise invalid("date_of_birth", "A referral needs the patient's date of birth")
    with audited(actor, "member.lookup") as audit:
        audit.detail = "referral"
        found = list(
            Member.objects.select_related("program").filter(
                member_number__iexact=payload.member_number.strip(),
                date_of_birth=payload.date_of_birth,
            )[:2]
        )
        # Raised inside the block so the trail records the failed lookup.
        if not found:
            raise invalid("member_number", "No member matches this member number and date of birth")
        if len(found) > 1:
            raise invalid(
                "member_number",
                "Several programs have a member with this number "
                "and date of birth; ask the program's coordinator to open the case",
            )
        audit.obj = found[0]
    return found[0]


def _program_member(actor: Actor, member_id: int | None) -> Member:
    if member_id is None:
        raise invalid("member_id", "A coordinator opens a case for a member: give member_id")
    member = (
        Member.objects.select_related("program")
        .filter(pk=member_id, program_id=actor.user.program_id)
        .first()
    )
    if member is None:
        raise invalid("member_id", "No member of your program has this id")
    return member


# --- one case ----------------------------------------------------------------------------


@router.get("/{case_id}", response={200: CaseDetail, **ERRORS}, summary="A case")
def get_case_detail(request, case_id: int):
    """Status, due date, the member (as much as the caller's role may see) and the
    transitions the caller may make, each with what is still missing."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "case.view")
    with audited(actor, "case.view", case):
        return detail(case, actor)


@router.post(
    "/{case_id}/transitions",
    response={200: CaseDetail, **ERRORS},
    summary="Move a case through its lifecycle",
)
def make_transition(request, case_id: int, payload: TransitionIn):
    """Make a named transition (see ``transitions`` on the case). A refusal is a 409 with
    every reason. Signing the opinion is done with ``POST …/opinion/sign``, not here."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "case.transition")
    spec = lifecycle.BY_NAME.get(payload.name)
    if spec is not None and spec.implicit:
        # Only its own action may make this transition (signing freezes the opinion and
        # renders the reports in the same step); a bare status change would skip that.
        raise services.RuleError(
            f"'{spec.label}' happens by signing the opinion (POST …/opinion/sign)"
        )
    case = services.transition(actor, case, payload.name, payload.reason)
    return detail(_reload(case), actor)


# --- intake ------------------------------------------------------------------------------


def _coverage_out(check) -> CoverageCheckOut:
    return CoverageCheckOut(
        id=check.pk,
        checked_for=check.checked_for,
        covered=check.covered,
        reason=check.reason,
        checked_at=check.checked_at,
        checked_by=check.checked_by.get_username() if check.checked_by else None,
    )


@router.get(
    "/{case_id}/coverage-checks",
    response={200: list[CoverageCheckOut], **ERRORS},
    summary="Coverage checks of a case",
)
def list_coverage_checks(request, case_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "coverage.view")
    with audited(actor, "coverage.view", case):
        return [_coverage_out(c) for c in case.coverage_checks.select_related("checked_by")]


@router.post(
    "/{case_id}/coverage-checks",
    response={201: CoverageCheckOut, **ERRORS},
    summary="Check the member's coverage for the request date",
)
def run_coverage_check(request, case_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "coverage.check")
    return Status(201, _coverage_out(services.run_coverage_check(actor, case)))


@router.post(
    "/{case_id}/assignment",
    response={200: CaseDetail, **ERRORS},
    summary="Assign the reviewing expert",
)
def assign_expert(request, case_id: int, payload: AssignmentIn):
    actor = actor_of(request)
    case = get_case(actor, case_id, "case.assign")
    expert = Expert.objects.select_related("user").filter(pk=payload.expert_id).first()
    if expert is None:
        raise invalid("expert_id", "No expert has this id")
    case = services.assign_expert(actor, case, expert)
    return detail(_reload(case), actor)


def _consent_out(c) -> ConsentOut:
    return ConsentOut(
        id=c.pk,
        scope=c.scope,
        scope_label=c.get_scope_display(),
        signed_by_name=c.signed_by_name,
        method=c.method,
        signed_at=c.signed_at,
        active=c.active,
        revoked_at=c.revoked_at,
        revoke_reason=c.revoke_reason,
    )


@router.get(
    "/{case_id}/consents", response={200: list[ConsentOut], **ERRORS}, summary="Consents of a case"
)
def list_consents(request, case_id: int):
    actor = actor_of(request)
    case = get_case(actor, case_id, "consent.view")
    with audited(actor, "consent.view", case):
        return [_consent_out(c) for c in case.consents.all()]


@router.post(
    "/{case_id}/consents",
    response={201: ConsentOut, **ERRORS},
    summary="Sign (member) or record (coordinator) a consent",
)
def sign_consent(request, case_id: int, payload: ConsentIn):
    """The member signs electronically; a coordinator records a paper or verbal consent."""
    actor = actor_of(request)
    action = "consent.sign" if actor.role is Role.MEMBER else "consent.record"
    case = get_case(actor, case_id, action)
    consent = services.sign_consent(
        actor, case, payload.scope, payload.signed_by_name, payload.method
    )
    return Status(201, _consent_out(consent))


@router.post(
    "/{case_id}/consents/{consent_id}/revoke",
    response={200: ConsentOut, **ERRORS},
    summary="Revoke a consent",
)
def revoke_consent(request, case_id: int, consent_id: int, payload: RevokeIn):
    actor = actor_of(request)
    case = get_case(actor, case_id, "consent.revoke")
    consent = case.consents.filter(pk=consent_id).first()
    if consent is None:
        not_found(actor, "consent.revoke", case, f"no consent {consent_id}")
    return _consent_out(services.revoke_consent(actor, case, consent, payload.reason))


# --- timeline ----------------------------------------------------------------------------


@router.get(
    "/{case_id}/timeline",
    response={200: list[TimelineEventOut], **ERRORS},
    summary="What happened to a case, in order",
)
def timeline(request, case_id: int):
    """Members see the steps meant for them; internal steps (coverage details,
    assignment) are left out of their view."""
    actor = actor_of(request)
    case = get_case(actor, case_id, "timeline.view")
    with audited(actor, "timeline.view", case):
        events = case.timeline.all()
        if actor.role is Role.MEMBER:
            events = events.filter(member_visible=True)
        return [TimelineEventOut.model_validate(e, from_attributes=True) for e in events]
